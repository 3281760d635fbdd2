"""DataEncryptionKey: the customer-managed KMS key for the data stores of one region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from .aws_context import AwsContext
from .blocks import customer_managed_key

# The services that encrypt data with the key on our behalf: RDS (storage, Performance
# Insights, the managed master secret's grant), ElastiCache, and Secrets Manager.
DATA_SERVICES = ("rds", "elasticache", "secretsmanager")

# Administration without use: the account can manage the key but not decrypt with it directly.
_ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]
_USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
]


@dataclass(frozen=True)
class DataEncryptionKeyArgs:
    name_prefix: str
    purpose: str  # "data" or "data-dr": the alias and the Name tag
    context: AwsContext
    protect: bool
    # Another region than the stack's (pulumi-aws v7 ``region=``): the DR key.
    region: str | None = None


def key_statements(
    ctx: AwsContext, services: Sequence[str] = DATA_SERVICES
) -> list[dict[str, Any]]:
    """Root administers; IAM principals of the account may use the key only via the data services.

    ``kms:ViaService`` means a principal that can read a secret still cannot call kms:Decrypt on
    its own, and ``kms:CallerAccount`` keeps other accounts out even if IAM were misconfigured.
    """
    via = [f"{service}.{ctx.region}.{ctx.dns_suffix}" for service in services]
    return [
        {
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.root_principal},
            "Action": _ADMIN_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "DataServicesUseKey",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.root_principal},
            "Action": _USE_ACTIONS,
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": via, "kms:CallerAccount": ctx.account_id}
            },
        },
        {
            # RDS and ElastiCache hold grants for background work (backups, replicas).
            "Sid": "DataServicesHoldGrants",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.root_principal},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": via, "kms:CallerAccount": ctx.account_id},
                "Bool": {"kms:GrantIsForAWSResource": "true"},
            },
        },
    ]


class DataEncryptionKey(pulumi.ComponentResource):
    """A rotated CMK with a 30-day deletion window, usable only through the data services."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataEncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:DataEncryptionKey", name, None, opts)
        region = args.region
        ctx = replace(args.context, region=region) if region else args.context
        key = customer_managed_key(
            f"{name}-key",
            parent=self,
            label=f"{args.name_prefix}-{args.purpose}",
            description=f"{args.name_prefix}: {args.purpose} stores (RDS, ElastiCache, secrets)",
            statements=key_statements(ctx),
            protect=args.protect,
            alias_resource_name=f"{name}-alias",
            region=region,
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"keyArn": key.arn, "keyId": key.key_id})
