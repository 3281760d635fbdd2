"""IAM: no wildcard administrator policies, no trust open to anyone, no admin managed policies."""

from __future__ import annotations

import re
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
    resource_rule,
    violation,
)
from ..iam_documents import UNKNOWN_DOCUMENT
from . import service_types as st

# AWS managed policies that grant account-wide administration (or the means to take it).
ADMIN_POLICIES: Final = frozenset({"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"})
_POLICY_ARNS: Final = {
    st.IAM_ROLE: "managedPolicyArns",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
}
_SERVICE_WILDCARD: Final = re.compile(r"^[A-Za-z0-9-]+:\*$")
# Actions that, on every resource, let the holder become any role in the account.
_ESCALATION: Final = ("iam:PassRole", "sts:AssumeRole")
_MANAGED_POLICY_ARN: Final = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$")


def _admin_statements(resource: Resource, path: str) -> Iterator[Finding]:
    statements, problems = iam_documents.read(resource, path)
    yield from problems
    for statement in statements:
        if not statement.allows:
            continue
        every_resource = "*" in statement.resources
        if statement.not_action and every_resource:
            yield violation(
                f"{path}: {statement.label} allows everything but {', '.join(statement.actions)} "
                "on every resource (NotAction); list the actions the workload needs"
            )
        elif not every_resource or statement.not_action:
            continue
        elif any(a in ("*", "*:*") for a in statement.actions):
            yield violation(
                f'{path}: {statement.label} allows "*" on "*" (full administrator); list the '
                "actions and resources the workload needs"
            )
        elif services := [a for a in statement.actions if _SERVICE_WILDCARD.match(a)]:
            yield violation(
                f"{path}: {statement.label} allows {', '.join(services)} on every resource; list "
                "the actions the workload needs (IAM.21)"
            )
        elif escalations := [
            a for a in statement.actions for e in _ESCALATION if iam_documents.action_matches(a, e)
        ]:
            yield violation(
                f"{path}: {statement.label} allows {', '.join(escalations)} on every resource, "
                "which hands out any role; name the roles"
            )


@resource_rule(
    name="iam-no-wildcard-admin",
    description="IAM policies must not allow every action, every action of a service, or "
    'iam:PassRole / sts:AssumeRole on every resource ("Resource": "*"), nor NotAction on it.',
    types=(*st.IAM_INLINE_POLICIES, st.IAM_ROLE),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("IAM.1", "IAM.21", "CIS 1.16"),
    unknowns=UNKNOWN_DOCUMENT,
)
def iam_no_wildcard_admin(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type != st.IAM_ROLE:
        yield from _admin_statements(resource, "policy")
        return
    inline = resource.items("inlinePolicies")
    if inline is UNKNOWN:
        return
    for index, _policy in enumerate(inline):
        yield from _admin_statements(resource, f"inlinePolicies.{index}.policy")


@resource_rule(
    name="iam-trust-not-public",
    description="A role's trust policy must not let any principal assume it.",
    types=(st.IAM_ROLE,),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    unknowns=UNKNOWN_DOCUMENT,
)
def iam_trust_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    grants = iam_documents.read_grants(resource, "assumeRolePolicy")
    yield from grants.findings
    for statement in grants.public:
        yield violation(
            f"assumeRolePolicy: {statement.label} lets any AWS principal assume the role; name "
            "the service or account, or require aws:PrincipalOrgID / sts:ExternalId"
        )


def _admin_policy(arn: object) -> str | None:
    match = _MANAGED_POLICY_ARN.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match and match.group(1) in ADMIN_POLICIES else None


@resource_rule(
    name="iam-no-admin-attachment",
    description="Workload roles, users and groups must not get AdministratorAccess, "
    "PowerUserAccess or IAMFullAccess.",
    types=(*st.IAM_ATTACHMENTS, st.IAM_ROLE),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("CIS 1.16",),
    unknowns="an unknown policy ARN passes (an output of a customer managed policy, which "
    "iam-no-wildcard-admin examines)",
)
def iam_no_admin_attachment(resource: Resource, _config: Config) -> Iterator[Finding]:
    arns = resource.items(_POLICY_ARNS.get(resource.type, "policyArn"))
    if arns is UNKNOWN:
        return
    for arn in arns:
        if _admin_policy(arn):
            yield violation(f"{arn} attached; grant the workload its own least-privilege policy")


RULES: list[ResourceRule] = [iam_no_wildcard_admin, iam_trust_not_public, iam_no_admin_attachment]
