"""S3 public access: the public access block on, no public ACLs or policies, TLS only, versioning.

Per-bucket relations (a block, a TLS-deny policy) are stack rules: a bucket that loses its
BucketPublicAccessBlock or BucketPolicy has nothing left for a resource rule to look at.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from pulumi_policy import Severity

from .. import iam_documents
from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    StackRule,
    as_bool,
    cannot_verify,
    describe,
    require_setting,
    resource_rule,
    stack_rule,
    violation,
)
from ..iam_documents import UNKNOWN_DOCUMENT
from . import service_types as st
from . import types
from .stack import _of_type, _refers_to, _uncovered, _unmatched_unknowns

# The four settings of a public access block; each defaults to false when absent.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
BLOCK_SETTINGS: Final = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
PUBLIC_CANNED_ACLS: Final = frozenset({"public-read", "public-read-write", "authenticated-read"})
_PUBLIC_GROUPS: Final = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _block_findings(block: Resource) -> Iterator[Finding]:
    for setting in BLOCK_SETTINGS:
        value = as_bool(block.get(setting))
        if value is UNKNOWN:
            yield cannot_verify(setting, block.urn)
        elif value is not True:
            yield violation(
                f"{block.name}: {setting} is {describe(value)}; set all four settings to true",
                block.urn,
            )


@stack_rule(
    name="s3-public-access-block",
    subjects=(*types.S3_BUCKETS, *st.S3_PUBLIC_ACCESS_BLOCKS, st.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK),
    description="Every S3 bucket must have a public access block with all four settings on, and "
    "an account-level block, where declared, must not turn any off.",
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("S3.1", "S3.8", "CIS 2.1.4"),
    unknowns="blocks are matched by bucket's dependencies (an unknown bucket with none: cannot "
    "verify); an unknown setting: cannot verify",
)
def s3_public_access_block(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    blocks = _of_type(resources, st.S3_PUBLIC_ACCESS_BLOCKS)
    yield from _uncovered(
        _of_type(resources, types.S3_BUCKETS),
        blocks,
        "bucket",
        unverified="which bucket {companion} blocks",
        missing="bucket {subject} has no BucketPublicAccessBlock; add one with all four "
        "settings true",
    )
    for block in blocks + _of_type(resources, st.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK):
        yield from _block_findings(block)


def _public_grants(resource: Resource, path: str) -> Iterator[Finding]:
    grants = resource.items(path)
    if grants is UNKNOWN:
        yield cannot_verify(path)
        return
    for grant in grants:
        if not isinstance(grant, dict):
            continue
        grantee = grant.get("grantee", grant)
        uri = grantee.get("uri") if isinstance(grantee, dict) else None
        if uri is UNKNOWN:
            yield cannot_verify(f"{path}[].uri")
        elif isinstance(uri, str) and uri.startswith(_PUBLIC_GROUPS):
            yield violation(f"{path} grants {uri}; grant nothing to AllUsers/AuthenticatedUsers")


@resource_rule(
    name="s3-no-public-acl",
    description="S3 bucket ACLs must not grant access to everyone or to any AWS user.",
    types=(*st.S3_BUCKET_ACLS, *types.S3_BUCKETS),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("S3.2", "S3.3"),
    unknowns="unknown acl or grants: cannot verify",
)
def s3_no_public_acl(resource: Resource, _config: Config) -> Iterator[Finding]:
    acl = resource.get("acl")
    if acl is UNKNOWN:
        yield cannot_verify("acl")
    elif acl in PUBLIC_CANNED_ACLS:
        yield violation(f"acl is {acl}; use private (and BucketOwnerEnforced ownership)")
    if resource.type in st.S3_BUCKET_ACLS:
        yield from _public_grants(resource, "accessControlPolicy.grants")
    else:
        yield from _public_grants(resource, "grants")


@resource_rule(
    name="s3-acls-disabled",
    description="S3 buckets must disable ACLs (object ownership BucketOwnerEnforced), so access "
    "is decided by policies alone.",
    types=(st.S3_OWNERSHIP_CONTROLS,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("S3.12",),
    unknowns="unknown objectOwnership: cannot verify",
)
def s3_acls_disabled(resource: Resource, _config: Config) -> Iterator[Finding]:
    ownership = resource.get("rule.objectOwnership")
    if ownership is UNKNOWN:
        yield cannot_verify("rule.objectOwnership")
    elif ownership != "BucketOwnerEnforced":
        yield violation(
            f"rule.objectOwnership is {describe(ownership)}, which keeps ACLs in force; set "
            "BucketOwnerEnforced"
        )


def public_policy_findings(resource: Resource, path: str) -> Iterator[Finding]:
    """A resource policy that grants anything to anyone (shared with resource_policies)."""
    grants = iam_documents.read_grants(resource, path)
    yield from grants.findings
    for statement in grants.public:
        actions = ", ".join(statement.actions) or "nothing"
        yield violation(
            f"{path}: {statement.label} allows {actions} to any principal with no condition on "
            "the caller's account, organisation, network or source; name the principals or add "
            "aws:SourceArn/aws:SourceAccount/aws:PrincipalOrgID"
        )


@resource_rule(
    name="s3-bucket-policy-not-public",
    description="S3 bucket policies must not allow access to any principal.",
    types=(*st.S3_BUCKET_POLICIES, *types.S3_BUCKETS),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("S3.2", "S3.3"),
    unknowns=UNKNOWN_DOCUMENT,
)
def s3_bucket_policy_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from public_policy_findings(resource, "policy")


def _denies_insecure_transport(statement: iam_documents.Statement) -> bool:
    if statement.effect != "Deny" or statement.not_action:
        return False
    if not any(iam_documents.is_anyone(p) for p in statement.principals):
        return False
    if not any(iam_documents.action_matches(a, "s3:GetObject") for a in statement.actions):
        return False
    secure = statement.condition.get("Bool", {}).get("aws:SecureTransport")
    return str(secure).lower() == "false"


@stack_rule(
    name="s3-tls-only",
    subjects=(*types.S3_BUCKETS, *st.S3_BUCKET_POLICIES),
    description="Every S3 bucket must have a bucket policy that denies requests not sent over "
    "TLS (aws:SecureTransport false).",
    level=MANDATORY,
    severity=Severity.MEDIUM,
    controls=("S3.5",),
    unknowns="policies are matched by bucket's dependencies (an unknown bucket with none: cannot "
    "verify); an unknown document is left to documents-unknown-in-preview",
)
def s3_tls_only(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    policies = _of_type(resources, st.S3_BUCKET_POLICIES)
    unmatched = _unmatched_unknowns(policies, "bucket")
    for bucket in _of_type(resources, types.S3_BUCKETS):
        attached = [p for p in policies if _refers_to(p, "bucket", bucket)]
        if not attached and unmatched:
            yield cannot_verify(f"which bucket {unmatched[0].name} governs", bucket.urn)
            continue
        if any(policy.get("policy") is UNKNOWN for policy in attached):
            # Read at update; documents-unknown-in-preview reports it meanwhile.
            continue
        for policy in attached:
            statements, _problems = iam_documents.read(policy, "policy")
            if any(_denies_insecure_transport(s) for s in statements):
                break
        else:
            yield violation(
                f"bucket {bucket.name} has no bucket policy statement denying s3:* when "
                'aws:SecureTransport is "false"; add one',
                bucket.urn,
            )


@resource_rule(
    name="s3-versioning-enabled",
    description="Bucket versioning, once configured, must stay Enabled (suspending it lets "
    "overwrites and deletes destroy objects).",
    types=tuple(st.S3_VERSIONING),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("S3.14",),
    unknowns="unknown status: cannot verify",
)
def s3_versioning_enabled(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from require_setting(resource, "versioningConfiguration.status", "Enabled", "set Enabled")


RESOURCE_RULES: list[ResourceRule] = [
    s3_no_public_acl,
    s3_acls_disabled,
    s3_bucket_policy_not_public,
    s3_versioning_enabled,
]
STACK_RULES: list[StackRule] = [s3_public_access_block, s3_tls_only]
