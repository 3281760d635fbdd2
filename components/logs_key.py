"""LogsEncryptionKey: the customer-managed KMS key every CloudWatch log group is encrypted with."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi

from .aws_context import AwsContext, account_administers_key
from .blocks import customer_managed_key


@dataclass(frozen=True)
class LogsEncryptionKeyArgs:
    name_prefix: str
    context: AwsContext
    protect: bool
    # Another region than the stack's (pulumi-aws v7 ``region=``): CloudWatch Logs can only use
    # a key in the log group's own region, and CloudFront's WAF logs live in us-east-1.
    region: str | None = None


class LogsEncryptionKey(pulumi.ComponentResource):
    """A rotated CMK that CloudWatch Logs may use only for this account's log groups."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: LogsEncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:logs:LogsEncryptionKey", name, None, opts)
        ctx = replace(args.context, region=args.region) if args.region else args.context
        # The logs service may use the key only with an encryption context naming one of this
        # account's log groups in this region, so no other account or service can borrow it.
        statements = [
            account_administers_key(ctx),
            {
                "Sid": "CloudWatchLogsUsesKey",
                "Effect": "Allow",
                "Principal": {"Service": ctx.service_principal("logs")},
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")
                    }
                },
            },
        ]
        key = customer_managed_key(
            f"{name}-key",
            parent=self,
            label=f"{args.name_prefix}-logs",
            description=f"{args.name_prefix}: CloudWatch Logs encryption",
            statements=statements,
            protect=args.protect,
            alias_resource_name=f"{name}-alias",
            region=args.region,
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"keyArn": key.arn, "keyId": key.key_id})
