"""Cache authentication actually required."""

import pytest

from policies.rules import service_types as st
from policies.rules import types
from policies.rules.cache_auth import cache_auth_required

from .helpers import WIRE_UNKNOWN, evaluate, secret


@pytest.mark.parametrize(
    ("inputs", "count"),
    [
        ({"engine": "valkey", "authToken": secret("token")}, 0),
        ({"engine": "valkey", "authToken": secret(WIRE_UNKNOWN)}, 0),
        ({"engine": "redis", "userGroupIds": ["app-users"]}, 0),
        ({"engine": "valkey"}, 1),
        ({"engine": "redis", "userGroupIds": []}, 1),
        ({"engine": "memcached"}, 0),
    ],
)
def test_replication_groups(inputs: dict[str, object], count: int) -> None:
    assert len(evaluate(cache_auth_required, types.REPLICATION_GROUP, inputs)) == count


def test_serverless_cache_needs_a_user_group() -> None:
    assert len(evaluate(cache_auth_required, types.SERVERLESS_CACHE, {"engine": "valkey"})) == 1
    grouped = {"engine": "valkey", "userGroupId": "app"}
    assert evaluate(cache_auth_required, types.SERVERLESS_CACHE, grouped) == []


@pytest.mark.parametrize(
    ("inputs", "count"),
    [
        ({"accessString": "on ~* +@all", "authenticationMode": {"type": "password"}}, 0),
        (
            {"accessString": "on ~* +@all", "authenticationMode": {"type": "no-password-required"}},
            1,
        ),
        ({"accessString": "on ~* +@all", "noPasswordRequired": True}, 1),
        ({"accessString": "off ~* +@all", "noPasswordRequired": True}, 0),
    ],
)
def test_users(inputs: dict[str, object], count: int) -> None:
    assert len(evaluate(cache_auth_required, st.ELASTICACHE_USER, inputs)) == count


def test_user_unknown_mode_and_memorydb() -> None:
    unknown = {"authenticationMode": {"type": WIRE_UNKNOWN}}
    assert evaluate(cache_auth_required, st.ELASTICACHE_USER, unknown)[0].unverifiable
    assert len(evaluate(cache_auth_required, st.MEMORYDB_CLUSTER, {"aclName": "open-access"})) == 1
    assert evaluate(cache_auth_required, st.MEMORYDB_CLUSTER, {"aclName": "traders"}) == []
