"""KMS key policies and grants: nothing open to anyone, nothing handed to another account.

The key's own account is the one its policy makes administrator: the account whose root (or a
principal of which) holds kms:* or kms:PutKeyPolicy in the first statement that grants it, as the
default key policy does. The `accountIds` option names more trusted accounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

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
from . import types

_KEY_ARN: Final = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:(\d{12}):")
_OPTIONS: Final = {
    "accountIds": {
        "type": "array",
        "items": {"type": "string", "pattern": r"^\d{12}$"},
        "default": [],
        "description": "Accounts besides the key's own that key policies and grants may name.",
    }
}


def _home_accounts(statements: list[iam_documents.Statement]) -> set[str]:
    for statement in statements:
        administers = any(
            iam_documents.action_matches(action, "kms:PutKeyPolicy") for action in statement.actions
        )
        if statement.allows and administers and not statement.not_action:
            return {a for p in statement.aws_principals if (a := iam_documents.account_of(p))}
    return set()


def _key_policy(resource: Resource, config: Config) -> Iterator[Finding]:
    grants = iam_documents.read_grants(resource, "policy")
    statements = grants.statements
    yield from grants.findings
    for statement in grants.public:
        yield violation(
            f"policy: {statement.label} lets any principal use or manage the key; name the "
            "account's principals or restrict with kms:CallerAccount/kms:ViaService"
        )
    trusted = _home_accounts(statements) | set(config["accountIds"])
    if not trusted:
        return
    for statement in statements:
        if not statement.allows:
            continue
        foreign = sorted(
            {a for p in statement.aws_principals if (a := iam_documents.account_of(p))} - trusted
        )
        if foreign:
            yield violation(
                f"policy: {statement.label} grants the key to account(s) {', '.join(foreign)} "
                "outside this one; list them in accountIds if they are meant to use it"
            )


@resource_rule(
    name="kms-key-policy-not-public",
    description="KMS key policies must not allow any principal, or principals of accounts other "
    "than the key's own (unless listed in accountIds).",
    types=(types.KMS_KEY, st.KMS_KEY_POLICY, st.KMS_REPLICA_KEY),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("KMS.5",),
    unknowns=UNKNOWN_DOCUMENT,
    options=_OPTIONS,
)
def kms_key_policy_not_public(resource: Resource, config: Config) -> Iterator[Finding]:
    yield from _key_policy(resource, config)


def _grant_principal(path: str, principal: Any, home: str | None, config: Config) -> Finding | None:
    if principal is UNKNOWN:
        # An output of a role in the stack; the account is the stack's.
        return None
    if not isinstance(principal, str):
        return None
    if iam_documents.is_anyone(principal) or "*" in principal:
        return violation(f"{path} is {principal}; grant to one named principal")
    account = iam_documents.account_of(principal)
    trusted = {home} | set(config["accountIds"]) if home else set(config["accountIds"])
    if account and home and account not in trusted:
        return violation(
            f"{path} {principal} is in account {account}, not the key's {home}; list it in "
            "accountIds if it is meant to use the key"
        )
    return None


@resource_rule(
    name="kms-grant-scoped",
    description="KMS grants must name one principal of the key's own account (or of an account "
    "in accountIds), never a wildcard.",
    types=(st.KMS_GRANT,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("KMS.5",),
    unknowns="unknown grantee or key passes (outputs of the stack's own role and key); an "
    "unknown operations list: cannot verify",
    options=_OPTIONS,
)
def kms_grant_scoped(resource: Resource, config: Config) -> Iterator[Finding]:
    key = resource.get("keyId")
    match = _KEY_ARN.match(key) if isinstance(key, str) else None
    home = match.group(1) if match else None
    for path in ("granteePrincipal", "retiringPrincipal"):
        finding = _grant_principal(path, resource.get(path), home, config)
        if finding:
            yield finding
    operations = resource.items("operations")
    if operations is UNKNOWN:
        yield cannot_verify("operations")
    elif "CreateGrant" in operations and resource.get("constraints") in (None, []):
        yield violation(
            "operations include CreateGrant with no constraints, so the grantee can hand the key "
            "on; drop CreateGrant or constrain the encryption context"
        )


RULES: list[ResourceRule] = [kms_key_policy_not_public, kms_grant_scoped]
