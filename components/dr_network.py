"""DrDatabaseNetwork: the smallest network a cross-region DR replica can live in.

A cross-region read replica needs a DB subnet group and a security group in the DR region. This
builds exactly that: a VPC with one isolated /24 database subnet per AZ (no internet gateway,
no NAT, local routes only), flow logs, a locked default security group, and a database security
group with no rules at all. Replication from the primary is RDS's own channel and needs no
inbound rule; after a promotion, the failover runbook attaches the DR application tier's access.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .blocks import child_options
from .config.subnets import DEFAULT_OFFSETS, SUBNET_PREFIX, SubnetTier
from .flow_logs import VpcFlowLogs, VpcFlowLogsArgs


@dataclass(frozen=True)
class DrDatabaseNetworkArgs:
    name_prefix: str
    region: str
    vpc_cidr: str  # must not overlap the primary VPC, so the two can be peered later
    availability_zones: Sequence[str]
    context: AwsContext
    logs_kms_key_arn: pulumi.Input[str]  # a key in the DR region
    flow_log_retention_days: int
    protect: bool


def dr_database_subnets(vpc_cidr: str, az_count: int) -> list[str]:
    """The primary's database-tier /24 offsets (seed 002: .21-.23), inside the DR VPC."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    block = 2 ** (32 - SUBNET_PREFIX)
    base = int(vpc.network_address) + DEFAULT_OFFSETS[SubnetTier.DATABASE] * block
    return [
        str(ipaddress.IPv4Network((base + az * block, SUBNET_PREFIX))) for az in range(az_count)
    ]


class DrDatabaseNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    subnet_ids: list[pulumi.Output[str]]
    db_subnet_group_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DrDatabaseNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:DrDatabaseNetwork", name, None, opts)
        prefix, region = f"{args.name_prefix}-dr", args.region
        # Three AZs at most, as in the primary; RDS needs subnets in at least two.
        azs = list(args.availability_zones)[:3]
        if len(azs) < 2:
            raise ValueError(f"the DR region {region} offers {len(azs)} AZs; RDS needs two")

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            region=region,
            tags={"Name": prefix},
            opts=child_options(self),
        )
        VpcFlowLogs(
            f"{name}-flow-logs",
            VpcFlowLogsArgs(
                name_prefix=prefix,
                vpc_id=vpc.id,
                logs_kms_key_arn=args.logs_kms_key_arn,
                retention_days=args.flow_log_retention_days,
                context=args.context,
                protect=args.protect,
                region=region,
            ),
            opts=child_options(self),
        )
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            region=region,
            tags={"Name": f"{prefix}-default-locked"},
            opts=child_options(self),
        )
        routes = aws.ec2.RouteTable(
            f"{name}-database-rt",
            vpc_id=vpc.id,
            region=region,
            tags={"Name": f"{prefix}-database"},
            opts=child_options(self),
        )
        subnets = []
        for index, (cidr, az) in enumerate(
            zip(dr_database_subnets(args.vpc_cidr, len(azs)), azs, strict=True)
        ):
            subnet = aws.ec2.Subnet(
                f"{name}-database-{index}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=az,
                map_public_ip_on_launch=False,
                region=region,
                tags={"Name": f"{prefix}-database-{az}", "Tier": SubnetTier.DATABASE.value},
                opts=child_options(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-database-rta-{index}",
                subnet_id=subnet.id,
                route_table_id=routes.id,
                region=region,
                opts=child_options(self),
            )
            subnets.append(subnet)
        group = aws.ec2.SecurityGroup(
            f"{name}-database-sg",
            description=f"{prefix} database: no rules until a failover runbook adds them",
            vpc_id=vpc.id,
            revoke_rules_on_delete=True,
            region=region,
            tags={"Name": f"{prefix}-database", "Role": "database"},
            opts=child_options(self),
        )
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-db",
            description=f"{prefix} database tier (no internet route)",
            subnet_ids=[s.id for s in subnets],
            region=region,
            tags={"Name": f"{prefix}-db"},
            opts=child_options(self),
        )
        self.vpc_id = vpc.id
        self.subnet_ids = [s.id for s in subnets]
        self.db_subnet_group_name = subnet_group.name
        self.security_group_id = group.id
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "subnetIds": self.subnet_ids,
                "dbSubnetGroupName": self.db_subnet_group_name,
                "securityGroupId": self.security_group_id,
            }
        )
