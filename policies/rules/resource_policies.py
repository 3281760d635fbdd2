"""Resource policies (SNS, SQS, Secrets Manager, MSK, ECR, EFS, ...) and Lambda permissions:
nothing granted to anyone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import Severity

from .. import iam_documents
from ..engine import (
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    resource_rule,
    violation,
)
from ..iam_documents import UNKNOWN_DOCUMENT
from . import service_types as st
from .s3_public import public_policy_findings


@resource_rule(
    name="resource-policy-not-public",
    description="Resource policies (SNS, SQS, Secrets Manager, MSK, ECR, EFS, OpenSearch, API "
    "Gateway, Kinesis, DynamoDB, Backup, Logs) must not allow any principal without a condition "
    "that pins the caller.",
    types=tuple(st.RESOURCE_POLICIES),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("SNS.4", "SQS.3"),
    unknowns=UNKNOWN_DOCUMENT,
)
def resource_policy_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from public_policy_findings(resource, st.RESOURCE_POLICIES[resource.type])


# Permission inputs that pin who may invoke (Lambda's "confused deputy" guards).
# https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html
_PINNING: Final = ("sourceArn", "sourceAccount", "principalOrgId")


@resource_rule(
    name="lambda-permission-not-public",
    description="Lambda permissions must not let anyone invoke the function: a `*` principal "
    "needs sourceArn, sourceAccount or principalOrgId, and never functionUrlAuthType NONE.",
    types=(st.LAMBDA_PERMISSION,),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("Lambda.1",),
    unknowns="unknown principal: cannot verify; an unknown sourceArn passes (an output of the "
    "stack's own resource)",
)
def lambda_permission_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    principal = resource.get("principal")
    if principal is UNKNOWN:
        yield cannot_verify("principal")
        return
    if resource.get("functionUrlAuthType") == "NONE":
        yield violation("functionUrlAuthType is NONE: the function URL is public; use AWS_IAM")
        return
    if not isinstance(principal, str) or not iam_documents.is_anyone(principal):
        return
    if not any(resource.get(key) not in (None, "") for key in _PINNING):
        yield violation(
            f"principal is {principal} with no sourceArn, sourceAccount or principalOrgId: "
            "anyone may invoke the function; name the caller"
        )


RULES: list[ResourceRule] = [resource_policy_not_public, lambda_permission_not_public]
