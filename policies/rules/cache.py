"""ElastiCache (replication groups, Serverless, node-based clusters): encryption and backups.

A node-based `aws:elasticache/cluster:Cluster` that names a `replicationGroupId` is a member of
that group and takes its settings from it, so only standalone clusters are checked here.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    describe,
    expect_reference,
    expect_true,
    resource_rule,
    violation,
)
from . import types


def _standalone_engine(resource: Resource) -> object:
    """A standalone node-based cluster's engine, UNKNOWN, or None for a group member."""
    if resource.get("replicationGroupId") is not None:
        return None
    return resource.get("engine")


@resource_rule(
    name="elasticache-encrypted-at-rest",
    description="ElastiCache must encrypt data at rest (Serverless: with a customer managed key "
    "when the stack asks for one).",
    types=(types.REPLICATION_GROUP, types.SERVERLESS_CACHE, types.CACHE_CLUSTER),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ElastiCache.4",),
    unknowns="unknown atRestEncryptionEnabled or a standalone cluster's engine: cannot verify; "
    "unknown kmsKeyId passes",
    options={
        "serverlessRequiresCustomerManagedKey": {
            "type": "boolean",
            "default": True,
            "description": "Serverless caches are always encrypted; require a CMK (kmsKeyId).",
        }
    },
)
def elasticache_encrypted_at_rest(resource: Resource, config: Config) -> Iterator[Finding]:
    if resource.type == types.CACHE_CLUSTER:
        engine = _standalone_engine(resource)
        if engine is UNKNOWN:
            yield cannot_verify("engine")
        elif engine is not None:
            # CreateCacheCluster has no at-rest option: only replication groups (Redis/Valkey)
            # and Serverless caches encrypt at rest.
            yield violation(
                f"a standalone {describe(engine)} cluster cannot encrypt data at rest; use a "
                "replication group with atRestEncryptionEnabled or ElastiCache Serverless"
            )
    elif resource.type == types.REPLICATION_GROUP:
        yield from expect_true(
            resource, "atRestEncryptionEnabled", "set atRestEncryptionEnabled=true"
        )
    elif config["serverlessRequiresCustomerManagedKey"]:
        yield from expect_reference(
            resource, "kmsKeyId", "this stack requires a customer managed KMS key"
        )


@resource_rule(
    name="elasticache-in-transit",
    description="ElastiCache replication groups and standalone clusters (memcached included) "
    "must require TLS.",
    types=(types.REPLICATION_GROUP, types.CACHE_CLUSTER),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ElastiCache.5",),
    unknowns="unknown transitEncryptionEnabled or transitEncryptionMode: cannot verify; a "
    "cluster in a replication group is the group's",
)
def elasticache_in_transit(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.CACHE_CLUSTER:
        if _standalone_engine(resource) is not None:
            yield from expect_true(
                resource, "transitEncryptionEnabled", "set transitEncryptionEnabled=true"
            )
        return
    yield from expect_true(
        resource, "transitEncryptionEnabled", "set transitEncryptionEnabled=true"
    )
    # Absent means the API's default for a TLS-enabled group, "required"; "preferred" is the
    # migration mode that still accepts plaintext clients.
    mode = resource.get("transitEncryptionMode")
    if mode is UNKNOWN:
        yield cannot_verify("transitEncryptionMode")
    elif mode not in (None, "required"):
        yield violation(f'transitEncryptionMode is {describe(mode)}; set it to "required"')


@resource_rule(
    name="cache-backups",
    description="ElastiCache must keep daily snapshots.",
    types=(types.REPLICATION_GROUP, types.SERVERLESS_CACHE),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("ElastiCache.1",),
    unknowns="unknown snapshotRetentionLimit: cannot verify; unknown dailySnapshotTime passes",
)
def cache_backups(resource: Resource, _config: Config) -> Iterator[Finding]:
    days = resource.get("snapshotRetentionLimit")
    if days is UNKNOWN:
        yield cannot_verify("snapshotRetentionLimit")
    elif not isinstance(days, (int, float)) or days < 1:
        yield violation(f"snapshotRetentionLimit is {describe(days)}; keep at least 1 day")
    if resource.type == types.SERVERLESS_CACHE:
        yield from expect_reference(resource, "dailySnapshotTime", "schedule a daily snapshot")


RULES: list[ResourceRule] = [elasticache_encrypted_at_rest, elasticache_in_transit, cache_backups]
