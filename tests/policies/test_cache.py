"""ElastiCache rules: replication groups and Serverless."""

import pytest

from policies.rules import types
from policies.rules.cache import (
    cache_backups,
    elasticache_encrypted_at_rest,
    elasticache_in_transit,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

GROUP = {
    "engine": "valkey",
    "nodeType": "cache.r6g.large",
    "atRestEncryptionEnabled": True,
    "kmsKeyId": WIRE_UNKNOWN,
    "transitEncryptionEnabled": True,
    "transitEncryptionMode": "required",
    "snapshotRetentionLimit": 7,
}
SERVERLESS = {
    "engine": "valkey",
    "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/abc",
    "snapshotRetentionLimit": 7,
    "dailySnapshotTime": "03:00",
}


@pytest.mark.parametrize(
    ("type_", "inputs"), [(types.REPLICATION_GROUP, GROUP), (types.SERVERLESS_CACHE, SERVERLESS)]
)
def test_compliance(type_: str, inputs: dict[str, object]) -> None:
    for rule in (elasticache_encrypted_at_rest, elasticache_in_transit, cache_backups):
        assert evaluate(rule, type_, inputs) == [], rule.info.name


class TestEncryptedAtRest:
    @pytest.mark.parametrize("value", [False, DELETE])
    def test_noncompliance_group(self, value: object) -> None:
        inputs = changed(GROUP, "atRestEncryptionEnabled", value)
        assert len(evaluate(elasticache_encrypted_at_rest, types.REPLICATION_GROUP, inputs)) == 1

    def test_noncompliance_serverless_without_cmk(self) -> None:
        inputs = changed(SERVERLESS, "kmsKeyId", DELETE)
        assert messages(
            evaluate(elasticache_encrypted_at_rest, types.SERVERLESS_CACHE, inputs)
        ) == ["kmsKeyId is not set; this stack requires a customer managed KMS key"]

    def test_compliance_serverless_without_cmk_when_the_stack_does_not_ask(self) -> None:
        inputs = changed(SERVERLESS, "kmsKeyId", DELETE)
        config = {"serverlessRequiresCustomerManagedKey": False}
        assert evaluate(elasticache_encrypted_at_rest, types.SERVERLESS_CACHE, inputs, config) == []

    def test_unknown(self) -> None:
        inputs = changed(GROUP, "atRestEncryptionEnabled", WIRE_UNKNOWN)
        assert evaluate(elasticache_encrypted_at_rest, types.REPLICATION_GROUP, inputs)[
            0
        ].unverifiable

    def test_unknown_serverless_key_is_the_stack_key(self) -> None:
        inputs = changed(SERVERLESS, "kmsKeyId", WIRE_UNKNOWN)
        assert evaluate(elasticache_encrypted_at_rest, types.SERVERLESS_CACHE, inputs) == []


class TestInTransit:
    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("transitEncryptionEnabled", False),
            ("transitEncryptionEnabled", DELETE),
            ("transitEncryptionMode", "preferred"),
        ],
    )
    def test_noncompliance(self, path: str, value: object) -> None:
        assert (
            len(
                evaluate(
                    elasticache_in_transit, types.REPLICATION_GROUP, changed(GROUP, path, value)
                )
            )
            == 1
        )

    def test_compliance_mode_defaults_to_required(self) -> None:
        inputs = changed(GROUP, "transitEncryptionMode", DELETE)
        assert evaluate(elasticache_in_transit, types.REPLICATION_GROUP, inputs) == []

    @pytest.mark.parametrize("path", ["transitEncryptionEnabled", "transitEncryptionMode"])
    def test_unknown(self, path: str) -> None:
        findings = evaluate(
            elasticache_in_transit, types.REPLICATION_GROUP, changed(GROUP, path, WIRE_UNKNOWN)
        )
        assert messages(findings) == [f"cannot verify {path}: unknown during preview"]


class TestBackups:
    @pytest.mark.parametrize(
        ("type_", "inputs"),
        [(types.REPLICATION_GROUP, GROUP), (types.SERVERLESS_CACHE, SERVERLESS)],
    )
    @pytest.mark.parametrize("days", [0, DELETE])
    def test_noncompliance_retention(
        self, type_: str, inputs: dict[str, object], days: object
    ) -> None:
        findings = evaluate(cache_backups, type_, changed(inputs, "snapshotRetentionLimit", days))
        assert messages(findings)[0].endswith("keep at least 1 day")

    def test_noncompliance_serverless_without_schedule(self) -> None:
        inputs = changed(SERVERLESS, "dailySnapshotTime", DELETE)
        assert len(evaluate(cache_backups, types.SERVERLESS_CACHE, inputs)) == 1

    def test_unknown(self) -> None:
        inputs = changed(GROUP, "snapshotRetentionLimit", WIRE_UNKNOWN)
        assert evaluate(cache_backups, types.REPLICATION_GROUP, inputs)[0].unverifiable


class TestNodeBasedClusters:
    def test_group_member_takes_the_group_settings(self) -> None:
        member = {"replicationGroupId": "trading-cache", "engine": "redis"}
        for rule in (elasticache_encrypted_at_rest, elasticache_in_transit):
            assert evaluate(rule, types.CACHE_CLUSTER, member) == []

    def test_standalone_memcached(self) -> None:
        tls = {"engine": "memcached", "transitEncryptionEnabled": True}
        assert evaluate(elasticache_in_transit, types.CACHE_CLUSTER, tls) == []
        assert (
            len(evaluate(elasticache_in_transit, types.CACHE_CLUSTER, {"engine": "memcached"})) == 1
        )
        [message] = messages(evaluate(elasticache_encrypted_at_rest, types.CACHE_CLUSTER, tls))
        assert message.startswith('a standalone "memcached" cluster cannot encrypt data at rest')

    def test_unknown_engine(self) -> None:
        unknown = {"engine": WIRE_UNKNOWN}
        assert evaluate(elasticache_encrypted_at_rest, types.CACHE_CLUSTER, unknown)[0].unverifiable
