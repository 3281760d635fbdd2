"""ElastiCache (Redis/Valkey replication groups and Serverless): encryption and backups."""

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


@resource_rule(
    name="elasticache-encrypted-at-rest",
    description="ElastiCache must encrypt data at rest (Serverless: with a customer managed key "
    "when the stack asks for one).",
    types=(types.REPLICATION_GROUP, types.SERVERLESS_CACHE),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ElastiCache.4",),
    unknowns="unknown atRestEncryptionEnabled: cannot verify; unknown kmsKeyId passes",
    options={
        "serverlessRequiresCustomerManagedKey": {
            "type": "boolean",
            "default": True,
            "description": "Serverless caches are always encrypted; require a CMK (kmsKeyId).",
        }
    },
)
def elasticache_encrypted_at_rest(resource: Resource, config: Config) -> Iterator[Finding]:
    if resource.type == types.REPLICATION_GROUP:
        yield from expect_true(
            resource, "atRestEncryptionEnabled", "set atRestEncryptionEnabled=true"
        )
    elif config["serverlessRequiresCustomerManagedKey"]:
        yield from expect_reference(
            resource, "kmsKeyId", "this stack requires a customer managed KMS key"
        )


@resource_rule(
    name="elasticache-in-transit",
    description="ElastiCache replication groups must require TLS.",
    types=(types.REPLICATION_GROUP,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ElastiCache.5",),
    unknowns="unknown transitEncryptionEnabled or transitEncryptionMode: cannot verify",
)
def elasticache_in_transit(resource: Resource, _config: Config) -> Iterator[Finding]:
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
