"""SNS topics and Secrets Manager secrets: encrypted with customer managed KMS keys."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    Config,
    Finding,
    Resource,
    ResourceRule,
    expect_reference,
    resource_rule,
    violation,
)
from . import types


@resource_rule(
    name="sns-topic-encrypted",
    description="SNS topics must be encrypted at rest with KMS.",
    types=(types.SNS_TOPIC,),
    level=MANDATORY,
    severity=Severity.MEDIUM,
    controls=("SNS.1",),
    unknowns="unknown kmsMasterKeyId passes (the stack's key)",
)
def sns_topic_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_reference(resource, "kmsMasterKeyId", "encrypt the topic with a KMS key")


@resource_rule(
    name="secret-encrypted-with-cmk",
    description="Secrets Manager secrets must be encrypted with a customer managed KMS key.",
    types=(types.SECRET,),
    level=MANDATORY,
    severity=Severity.MEDIUM,
    unknowns="unknown kmsKeyId passes (the stack's key)",
)
def secret_encrypted_with_cmk(resource: Resource, _config: Config) -> Iterator[Finding]:
    fix = "use a customer managed KMS key so access is governed by its key policy"
    yield from expect_reference(resource, "kmsKeyId", fix)
    key = resource.get("kmsKeyId")
    if isinstance(key, str) and key.endswith("alias/aws/secretsmanager"):
        yield violation(f"kmsKeyId is the AWS managed key {key}; {fix}")


RULES: list[ResourceRule] = [sns_topic_encrypted, secret_encrypted_with_cmk]
