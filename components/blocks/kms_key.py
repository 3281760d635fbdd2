"""A customer-managed KMS key with its alias: always rotated, always a 30-day deletion window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_context import policy_json

from .options import child_options

# The longest window KMS allows between scheduling a deletion and the key being gone
# (7-30 days; https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
KEY_DELETION_WINDOW_DAYS = 30


def customer_managed_key(
    resource_name: str,
    *,
    parent: pulumi.Resource,
    label: str,
    description: str,
    statements: Sequence[Mapping[str, Any]],
    protect: bool,
    alias_resource_name: str | None = None,
    region: str | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
    grants: pulumi.Output[Sequence[Mapping[str, Any]]] | None = None,
) -> aws.kms.Key:
    """The key ``resource_name`` and ``alias/<label>`` pointing at it; ``label`` is also its Name
    tag. ``statements`` (plain values, no Outputs) and then ``grants`` (statements naming
    resources that exist only once deployed, e.g. a distribution's ARN) are the whole key
    policy; ``depends_on``: what its principals need to exist first (a service-linked role the
    policy names)."""
    if not statements:
        raise ValueError(f"key {resource_name}: a key policy needs at least one statement")
    fixed = [dict(statement) for statement in statements]
    policy: pulumi.Input[str] = (
        policy_json(fixed)
        if grants is None
        else grants.apply(lambda later: policy_json([*fixed, *map(dict, later)]))
    )
    key = aws.kms.Key(
        resource_name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
        policy=policy,
        region=region,
        tags={"Name": label},
        opts=child_options(parent, protect=protect, depends_on=list(depends_on) or None),
    )
    aws.kms.Alias(
        alias_resource_name or f"{resource_name}-alias",
        name=f"alias/{label}",
        target_key_id=key.key_id,
        region=region,
        opts=child_options(parent),
    )
    return key
