"""VpcFlowLogs: every packet decision of a VPC, to a KMS-encrypted log group with retention."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext, policy_json, service_trust_policy
from .blocks import child_options, encrypted_log_group


@dataclass(frozen=True)
class VpcFlowLogsArgs:
    name_prefix: str
    vpc_id: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]  # a key in the VPC's region
    retention_days: int
    context: AwsContext
    protect: bool
    # Another region than the stack's (pulumi-aws v7 ``region=``), e.g. the DR VPC's.
    region: str | None = None


class VpcFlowLogs(pulumi.ComponentResource):
    log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: VpcFlowLogsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:network:VpcFlowLogs", name, None, opts)
        region = args.region
        ctx = replace(args.context, region=region) if region else args.context
        group = encrypted_log_group(
            f"{name}-group",
            parent=self,
            name=f"/{args.name_prefix}/vpc-flow-logs",
            kms_key_arn=args.logs_kms_key_arn,
            retention_in_days=args.retention_days,
            # Flow logs are the network's audit trail: kept like the other log stores.
            protect=args.protect,
            region=region,
        )
        # Only this account's flow logs may assume the role.
        trust = service_trust_policy(
            "vpc-flow-logs.amazonaws.com",
            source_account=ctx.account_id,
            source_arn=ctx.arn("ec2", "vpc-flow-log/*"),
        )
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust,
            description=f"{args.name_prefix}: VPC flow logs delivery in {ctx.region}",
            opts=child_options(self),
        )
        aws.iam.RolePolicy(
            f"{name}-write",
            role=role.id,
            policy=group.arn.apply(
                lambda arn: policy_json(
                    [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [arn, f"{arn}:*"],
                        }
                    ]
                )
            ),
            opts=child_options(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=args.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            region=region,
            tags={"Name": f"{args.name_prefix}-flow-log"},
            opts=child_options(self),
        )
        self.log_group_name = group.name
        self.register_outputs({"logGroupName": group.name})
