"""A CloudWatch log group that is always encrypted with a customer-managed key."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .options import child_options


def encrypted_log_group(
    resource_name: str,
    *,
    parent: pulumi.Resource,
    name: str,
    kms_key_arn: pulumi.Input[str],
    retention_in_days: int,
    protect: bool,
    region: str | None = None,
) -> aws.cloudwatch.LogGroup:
    """``kms_key_arn`` must be a key in the group's own region (CloudWatch Logs cannot use a key
    of another region)."""
    if retention_in_days <= 0:
        raise ValueError(f"log group {name}: retention must be a positive number of days")
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=name,
        kms_key_id=kms_key_arn,
        retention_in_days=retention_in_days,
        region=region,
        opts=child_options(parent, protect=protect),
    )
