"""The account, partition and region a stack deploys into, looked up once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: str
    partition: str
    region: str
    dns_suffix: str  # amazonaws.com, or amazonaws.com.cn in China

    def service_principal(self, service: str) -> str:
        """A regional service principal, e.g. ``logs.ap-northeast-2.amazonaws.com``."""
        return f"{service}.{self.region}.{self.dns_suffix}"

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:{self.partition}:{service}:{where}:{self.account_id}:{resource}"

    @property
    def root_principal(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"


def lookup_aws_context(region: str, provider: pulumi.ProviderResource | None) -> AwsContext:
    opts = pulumi.InvokeOptions(provider=provider)
    identity = aws.get_caller_identity(opts=opts)
    partition = aws.get_partition(opts=opts)
    return AwsContext(
        account_id=identity.account_id,
        partition=partition.partition,
        region=region,
        dns_suffix=partition.dns_suffix,
    )


# What a principal needs to encrypt and decrypt EBS volumes with a CMK (EC2 user guide, "Amazon
# EBS encryption": the key policy or IAM policy for customer managed keys).
KEY_USE_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)


def account_administers_key(ctx: AwsContext) -> dict[str, Any]:
    """The key-policy statement every CMK starts with: the account root may administer it, so
    IAM policies of the account decide who else may use it."""
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root_principal},
        "Action": "kms:*",
        "Resource": "*",
    }


def policy_json(statements: list[dict[str, Any]]) -> str:
    """An IAM policy document; statements may not hold Outputs (use ``Output.json_dumps`` then)."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def service_trust_policy(
    service: str, *, source_account: str | None = None, source_arn: str | None = None
) -> str:
    """A role's trust policy for an AWS service principal (``backup.amazonaws.com``...). With
    ``source_account``, only the service acting for that account may assume it, and with
    ``source_arn`` (a pattern) only for those resources: the confused-deputy guard
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if source_account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return policy_json([statement])


def volume_key_statements(ctx: AwsContext) -> list[dict[str, Any]]:
    """Key policy of a CMK that encrypts instance volumes launched by Auto Scaling.

    The account root administers the key; Auto Scaling's service-linked role creates the
    encrypted volumes of the instances it launches, so it may use the key and grant it to EC2.
    """
    autoscaling = (
        f"arn:{ctx.partition}:iam::{ctx.account_id}:role/aws-service-role/"
        "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    return [
        account_administers_key(ctx),
        {
            "Sid": "AutoScalingUsesKeyForVolumes",
            "Effect": "Allow",
            "Principal": {"AWS": autoscaling},
            "Action": list(KEY_USE_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "AutoScalingGrantsToEc2",
            "Effect": "Allow",
            "Principal": {"AWS": autoscaling},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]
