"""CloudWatch log groups: encrypted with KMS and retained for a bounded time."""

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
    resource_rule,
    violation,
)
from . import types


@resource_rule(
    name="log-group-encrypted",
    description="CloudWatch log groups must be encrypted with a KMS key.",
    types=(types.LOG_GROUP,),
    level=MANDATORY,
    severity=Severity.MEDIUM,
    unknowns="unknown kmsKeyId passes (the stack's key)",
)
def log_group_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_reference(resource, "kmsKeyId", "encrypt the log group with a KMS key")


@resource_rule(
    name="log-retention",
    description="CloudWatch log groups must set a retention period.",
    types=(types.LOG_GROUP,),
    level=ADVISORY,
    severity=Severity.LOW,
    unknowns="unknown retentionInDays: cannot verify",
)
def log_retention(resource: Resource, _config: Config) -> Iterator[Finding]:
    days = resource.get("retentionInDays")
    if days is UNKNOWN:
        yield cannot_verify("retentionInDays")
    elif not isinstance(days, (int, float)) or days <= 0:
        yield violation(f"retentionInDays is {describe(days)}, so logs are kept forever; set it")


RULES: list[ResourceRule] = [log_group_encrypted, log_retention]
