"""TradingVpc: the four-tier network and the security groups of every role.

Public subnets hold only the ALB and NAT gateways; EKS and MSK live in the private tier; the
database tier has no route out of the VPC at all; the matching engine tier reaches AWS only
through endpoints. Every security-group rule comes from ``reachability.REACHABILITY``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .blocks import child_options
from .config import NatStrategy, NetworkConfig, SubnetTier
from .flow_logs import VpcFlowLogs, VpcFlowLogsArgs
from .reachability import REACHABILITY, Flow, Peer, Role, check_table, rule_specs

WORLD_IPV4 = "0.0.0.0/0"


@dataclass(frozen=True)
class TradingVpcArgs:
    name_prefix: str
    network: NetworkConfig
    availability_zones: Sequence[str]
    cluster_name: str  # for the Kubernetes load-balancer subnet tags
    cloudfront_prefix_list_id: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    context: AwsContext
    protect: bool
    reachability: tuple[Flow, ...] = REACHABILITY
    # Peer.DEPLOYER's sources: CIDRs and security-group ids (eks.privateAccess*).
    deployer_cidrs: Sequence[str] = ()
    deployer_security_group_ids: Sequence[str] = ()
    # Another region than the provider's (pulumi-aws v7 ``region=``): the DR network's.
    region: str | None = None
    # A group whose live description must stay (EC2 replaces a group to change it).
    security_group_descriptions: Mapping[Role, str] = field(default_factory=dict)
    # A private route table per AZ even without NAT yet, so per-AZ NAT can be added later.
    private_route_table_per_az: bool = False


class TradingVpc(pulumi.ComponentResource):
    TYPE = "trading:network:TradingVpc"
    vpc_id: pulumi.Output[str]
    subnet_ids: dict[SubnetTier, list[pulumi.Output[str]]]
    route_table_ids: dict[SubnetTier, list[pulumi.Output[str]]]
    security_group_ids: dict[Role, pulumi.Output[str]]
    # The groups themselves, for APIs that take the resource (pulumi-eks's clusterSecurityGroup),
    # so nobody re-reads a group this program creates.
    security_groups: dict[Role, aws.ec2.SecurityGroup]
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: TradingVpcArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        net = args.network
        # Checked before registering anything, so a bad count leaves no half-built VPC.
        region = args.region or args.context.region
        net.check_offered_zones(args.availability_zones, region)
        azs = list(args.availability_zones)[: net.az_count]
        # A caller's own table gets the invariants the default one gets at import.
        check_table(args.reachability)
        deployer_flow = any(Peer.DEPLOYER in (f.source, f.destination) for f in args.reachability)
        has_deployers = bool(args.deployer_cidrs or args.deployer_security_group_ids)
        if deployer_flow != has_deployers:
            raise ValueError(
                "a deployer flow needs deployer CIDRs or security groups, and they need the flow"
            )
        super().__init__(type(self).TYPE, name, None, opts)
        self._name = name
        self._args = args
        self._region = args.region
        prefix = args.name_prefix

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=net.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": prefix},
            region=self._region,
            opts=child_options(self),
        )
        self.vpc_id = vpc.id
        # Strip the default SG: anything launched without an explicit SG gets no access at all.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{prefix}-default-locked"},
            region=self._region,
            opts=child_options(self),
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw",
            vpc_id=vpc.id,
            tags={"Name": prefix},
            region=self._region,
            opts=child_options(self),
        )

        subnets = self._subnets(vpc, azs)
        self.subnet_ids = {tier: [s.id for s in subnets[tier]] for tier in SubnetTier}
        route_tables = self._routing(vpc, igw, subnets, azs)
        self.route_table_ids = {tier: [rt.id for rt in route_tables[tier]] for tier in SubnetTier}

        s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[
                rt.id
                for tier in (SubnetTier.PRIVATE, SubnetTier.MATCHING_ENGINE)
                for rt in route_tables[tier]
            ],
            tags={"Name": f"{prefix}-s3"},
            region=self._region,
            opts=child_options(self),
        )

        groups = self._security_groups(vpc, s3_endpoint.prefix_list_id)
        self.security_groups = groups
        self.security_group_ids = {role: sg.id for role, sg in groups.items()}

        for service in net.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.subnet_ids[SubnetTier.PRIVATE],
                security_group_ids=[groups[Role.ENDPOINTS].id],
                tags={"Name": f"{prefix}-{service}"},
                region=self._region,
                opts=child_options(self),
            )

        flow_logs = VpcFlowLogs(
            f"{name}-flow-logs",
            VpcFlowLogsArgs(
                name_prefix=prefix,
                vpc_id=vpc.id,
                logs_kms_key_arn=args.logs_kms_key_arn,
                retention_days=net.flow_log_retention_days,
                context=args.context,
                protect=args.protect,
                region=args.region,
            ),
            opts=child_options(self),
        )
        self.flow_log_group_name = flow_logs.log_group_name

        database_subnets = self.subnet_ids[SubnetTier.DATABASE]
        db_group = aws.rds.SubnetGroup(
            f"{name}-db",
            description=f"{prefix} database tier (no internet route)",
            subnet_ids=database_subnets,
            tags={"Name": f"{prefix}-db"},
            region=self._region,
            opts=child_options(self),
        )
        cache_group = aws.elasticache.SubnetGroup(
            f"{name}-cache",
            description=f"{prefix} database tier (no internet route)",
            subnet_ids=database_subnets,
            tags={"Name": f"{prefix}-cache"},
            region=self._region,
            opts=child_options(self),
        )
        self.db_subnet_group_name = db_group.name
        self.cache_subnet_group_name = cache_group.name

        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "subnetIds": {tier.value: ids for tier, ids in self.subnet_ids.items()},
                "securityGroupIds": {
                    role.value: sg for role, sg in self.security_group_ids.items()
                },
                "dbSubnetGroupName": self.db_subnet_group_name,
                "cacheSubnetGroupName": self.cache_subnet_group_name,
                "flowLogGroupName": self.flow_log_group_name,
            }
        )

    def _subnets(self, vpc: aws.ec2.Vpc, azs: list[str]) -> dict[SubnetTier, list[aws.ec2.Subnet]]:
        args = self._args
        cluster_tag = f"kubernetes.io/cluster/{args.cluster_name}"
        # Where the AWS Load Balancer Controller may place internet-facing / internal LBs.
        k8s_tags: dict[SubnetTier, dict[str, str]] = {
            SubnetTier.PUBLIC: {"kubernetes.io/role/elb": "1", cluster_tag: "shared"},
            SubnetTier.PRIVATE: {"kubernetes.io/role/internal-elb": "1", cluster_tag: "shared"},
        }
        subnets: dict[SubnetTier, list[aws.ec2.Subnet]] = {}
        for tier in SubnetTier:
            subnets[tier] = [
                aws.ec2.Subnet(
                    f"{self._name}-{tier.value}-{index}",
                    vpc_id=vpc.id,
                    cidr_block=cidr,
                    availability_zone=az,
                    # Nothing in the public tier needs an automatic public IP: the ALB and NAT
                    # gateways get their own addresses (FSBP EC2.15).
                    map_public_ip_on_launch=False,
                    tags={
                        "Name": f"{args.name_prefix}-{tier.value}-{az}",
                        "Tier": tier.value,
                        **k8s_tags.get(tier, {}),
                    },
                    region=self._region,
                    opts=child_options(self),
                )
                for index, (cidr, az) in enumerate(
                    zip(args.network.subnets[tier], azs, strict=True)
                )
            ]
        return subnets

    def _routing(
        self,
        vpc: aws.ec2.Vpc,
        igw: aws.ec2.InternetGateway,
        subnets: dict[SubnetTier, list[aws.ec2.Subnet]],
        azs: list[str],
    ) -> dict[SubnetTier, list[aws.ec2.RouteTable]]:
        name, prefix = self._name, self._args.name_prefix
        strategy = self._args.network.nat_strategy

        def table(tier: SubnetTier, suffix: str) -> aws.ec2.RouteTable:
            return aws.ec2.RouteTable(
                f"{name}-{tier.value}-rt{suffix}",
                vpc_id=vpc.id,
                tags={"Name": f"{prefix}-{tier.value}{suffix}"},
                region=self._region,
                opts=child_options(self),
            )

        def associate(tier: SubnetTier, tables: list[aws.ec2.RouteTable]) -> None:
            for index, subnet in enumerate(subnets[tier]):
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier.value}-rta-{index}",
                    subnet_id=subnet.id,
                    route_table_id=tables[index % len(tables)].id,
                    region=self._region,
                    opts=child_options(self),
                )

        public = table(SubnetTier.PUBLIC, "")
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public.id,
            destination_cidr_block=WORLD_IPV4,
            gateway_id=igw.id,
            region=self._region,
            opts=child_options(self),
        )
        associate(SubnetTier.PUBLIC, [public])

        nat_count = {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.PER_AZ: len(azs)}[
            strategy
        ]
        nats = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}",
                domain="vpc",
                tags={"Name": f"{prefix}-nat-{azs[index]}"},
                region=self._region,
                opts=child_options(self),
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.allocation_id,
                    subnet_id=subnets[SubnetTier.PUBLIC][index].id,
                    tags={"Name": f"{prefix}-nat-{azs[index]}"},
                    region=self._region,
                    opts=child_options(self, depends_on=[igw]),
                )
            )

        # Private (EKS) tier: egress to the internet through NAT, per AZ when NAT is per AZ.
        if strategy is NatStrategy.PER_AZ or self._args.private_route_table_per_az:
            private = [table(SubnetTier.PRIVATE, f"-{i}") for i in range(len(azs))]
        else:
            private = [table(SubnetTier.PRIVATE, "")]
        for index, rt in enumerate(private):
            if nats:
                aws.ec2.Route(
                    f"{name}-private-nat-{index}",
                    route_table_id=rt.id,
                    destination_cidr_block=WORLD_IPV4,
                    nat_gateway_id=nats[index % len(nats)].id,
                    region=self._region,
                    opts=child_options(self),
                )
        associate(SubnetTier.PRIVATE, private)

        # Matching engine and database tiers: local routes only. Engines reach AWS through
        # endpoints; databases need nothing outside the VPC.
        engine = [table(SubnetTier.MATCHING_ENGINE, "")]
        associate(SubnetTier.MATCHING_ENGINE, engine)
        database = [table(SubnetTier.DATABASE, "")]
        associate(SubnetTier.DATABASE, database)
        return {
            SubnetTier.PUBLIC: [public],
            SubnetTier.PRIVATE: private,
            SubnetTier.MATCHING_ENGINE: engine,
            SubnetTier.DATABASE: database,
        }

    def _security_groups(
        self, vpc: aws.ec2.Vpc, s3_prefix_list_id: pulumi.Input[str]
    ) -> dict[Role, aws.ec2.SecurityGroup]:
        name, prefix = self._name, self._args.name_prefix
        groups = {
            role: aws.ec2.SecurityGroup(
                f"{name}-{role.value}-sg",
                description=self._args.security_group_descriptions.get(
                    role, f"{prefix} {role.value}: rules from the reachability table"
                ),
                vpc_id=vpc.id,
                revoke_rules_on_delete=True,
                tags={"Name": f"{prefix}-{role.value}", "Role": role.value},
                region=self._region,
                opts=child_options(self),
            )
            for role in Role
        }
        prefix_lists: dict[Peer, pulumi.Input[str]] = {
            Peer.CLOUDFRONT: self._args.cloudfront_prefix_list_id,
            Peer.S3: s3_prefix_list_id,
        }
        for spec in rule_specs(self._args.reachability):
            rule_type = (
                aws.vpc.SecurityGroupIngressRule
                if spec.direction == "ingress"
                else aws.vpc.SecurityGroupEgressRule
            )
            peer = spec.peer
            common = {
                "security_group_id": groups[spec.role].id,
                "ip_protocol": spec.protocol,
                "from_port": spec.from_port,
                "to_port": spec.to_port,
                "description": spec.description,
                "region": self._region,
                "opts": child_options(self),
            }
            if peer is Peer.DEPLOYER:
                # One rule per configured source, each named by its position in the config.
                for i, cidr in enumerate(self._args.deployer_cidrs):
                    rule_type(f"{name}-{spec.slug}-cidr{i}", cidr_ipv4=cidr, **common)
                for i, group in enumerate(self._args.deployer_security_group_ids):
                    rule_type(
                        f"{name}-{spec.slug}-sg{i}", referenced_security_group_id=group, **common
                    )
                continue
            rule_type(
                f"{name}-{spec.slug}",
                referenced_security_group_id=groups[peer].id if isinstance(peer, Role) else None,
                prefix_list_id=prefix_lists.get(peer) if isinstance(peer, Peer) else None,
                cidr_ipv4=WORLD_IPV4 if peer is Peer.INTERNET else None,
                **common,
            )
        return groups
