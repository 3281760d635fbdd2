"""``access`` config: seed 002's flows as defaults, overrides, and each bad input's error."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, StackConfig, load_stack_config
from components.config.access import AccessConfig, flow_problems
from components.reachability import REACHABILITY, Auth, Role
from tests.stack_values import P, base_values

KEY = f"{P}:access"


def load(tier: str = "startup", **sections: Any) -> StackConfig:
    values: dict[str, Any] = base_values(tier)
    values.update({f"{P}:{name}": section for name, section in sections.items()})
    return load_stack_config(values, stack="test")


def errors_of(**sections: Any) -> list[ConfigError]:
    with pytest.raises(ConfigError) as info:
        load(**sections)
    return list(getattr(info.value, "errors", (info.value,)))


@pytest.mark.parametrize("tier", ["startup", "growth", "scale"])
def test_defaults_follow_seed_002s_flows(tier: str) -> None:
    access = load(tier).access
    assert access.api.produces == ("orders.commands",)
    assert access.api.consumes == ()
    assert access.matching_engine.consumes == ("orders.commands",)
    assert access.matching_engine.produces == ("trades.events", "market.data")
    assert access.consumer.consumes == ("trades.events",)
    assert access.consumer.produces == ("positions.updates",)
    assert access.websocket.consumes == ("market.data", "positions.updates")
    users = {w: a.database_user for w, a in access.by_workload().items()}
    assert users == {
        "api": "trading_api",
        "websocket": None,
        "consumer": "trading_consumer",
        "matching-engine": "trading_engine",
    }
    # The lag alarms watch the shared groups; WebSocket pods each read with their own group.
    assert access.consumer_groups == {
        "trading-consumers": ("trades.events",),
        "matching-engine": ("orders.commands",),
    }


def test_a_workload_is_overridden_key_by_key() -> None:
    access = load(access={"websocket": {"cache": False, "consumes": ["market.data"]}}).access
    assert access.websocket.cache is False
    assert access.websocket.consumes == ("market.data",)
    assert access.websocket.consumer_group == "websocket-*"


@pytest.mark.parametrize(
    ("sections", "key", "words"),
    [
        ({"consumer": {"consumes": ["trades.event"]}}, "consumer.consumes[0]", "unknown topic"),
        ({"api": {"produces": ["orders"]}}, "api.produces[0]", "unknown topic"),
        ({"api": {"consumes": ["market.data"]}}, "api.consumerGroup", "is required"),
        ({"api": {"consumerGroup": "api"}}, "api.consumerGroup", "consumes nothing"),
        ({"api": {"databaseUser": "postgres"}}, "api.databaseUser", "reserved"),
        ({"api": {"databaseUser": "trading_admin"}}, "api.databaseUser", "master user"),
        ({"api": {"databaseUser": "Trading-API"}}, "api.databaseUser", "malformed"),
        (
            {"api": {"databaseUser": "trading_consumer"}},
            "consumer.databaseUser",
            "also api's",
        ),
        (
            {"websocket": {"consumerGroup": "trading-consumers"}},
            "consumer.consumerGroup",
            "split each other's partitions",
        ),
        ({"consumer": {"consumerGroup": "bad group"}}, "consumer.consumerGroup", "malformed"),
        ({"api": {"cache": "sometimes"}}, "api.cache", ""),
        ({"api": {"readsEverything": True}}, "api.readsEverything", "unknown"),
    ],
)
def test_bad_access_is_refused_with_the_key(sections: dict[str, Any], key: str, words: str) -> None:
    errors = errors_of(access=sections)
    keys = [error.key for error in errors]
    assert f"{KEY}.{key}" in keys, keys
    assert words in str(errors[keys.index(f"{KEY}.{key}")])


def test_every_problem_is_reported_at_once() -> None:
    errors = errors_of(
        access={
            "api": {"produces": ["nope"], "databaseUser": "trading_admin"},
            "consumer": {"consumes": ["trades.events", "gone"]},
        }
    )
    assert {e.key for e in errors} >= {
        f"{KEY}.api.produces[0]",
        f"{KEY}.api.databaseUser",
        f"{KEY}.consumer.consumes[1]",
    }


def test_a_need_without_its_flow_is_refused() -> None:
    access = load().access
    # Without the app -> db-proxy flow the API's database grant would be useless.
    flows = tuple(f for f in REACHABILITY if (f.source, f.destination) != (Role.APP, Role.DB_PROXY))
    problems = flow_problems(access, flows)
    at = {problem.at for problem in problems}
    assert ("access", "api", "databaseUser") in at
    assert ("access", "consumer", "databaseUser") in at
    assert ("access", "matchingEngine", "databaseUser") not in at  # its own flow is there
    assert all("database-iam" in problem.problem for problem in problems)


def test_a_flow_of_the_wrong_kind_does_not_count() -> None:
    access = load().access
    flows = tuple(
        f
        if (f.source, f.destination) != (Role.MATCHING_ENGINE, Role.KAFKA)
        else type(f)(f.source, f.destination, f.from_port, f.to_port, f.reason, f.protocol)
        for f in REACHABILITY
    )
    problems = flow_problems(access, flows)
    assert [p.at for p in problems] == [("access", "matchingEngine", "produces")]
    assert str(Auth.KAFKA_IAM) in problems[0].problem


def test_the_real_table_serves_every_default_need() -> None:
    assert flow_problems(load("scale").access, REACHABILITY) == []


def test_secrets_need_the_secrets_manager_endpoint() -> None:
    endpoints = ["ssm", "ssmmessages", "ec2messages", "logs", "monitoring", "kms", "sts"]
    errors = errors_of(network={"interfaceEndpoints": endpoints})
    assert f"{P}:network.interfaceEndpoints" in [e.key for e in errors]
    assert "secretsmanager" in str(errors[0])


def test_pod_identity_without_a_nat_needs_the_eks_auth_endpoint() -> None:
    errors = errors_of(network={"natStrategy": "none"})
    assert [e.key for e in errors] == [f"{P}:network.interfaceEndpoints"]
    assert "eks-auth" in str(errors[0])
    endpoints = [*load().network.interface_endpoints, "eks-auth"]
    assert load(network={"natStrategy": "none", "interfaceEndpoints": endpoints})


def test_a_workload_that_needs_nothing_is_valid() -> None:
    config = load(access={"websocket": {"consumes": [], "consumerGroup": None, "cache": False}})
    assert config.access.websocket.needs() == []
    assert isinstance(config.access, AccessConfig)
