"""AttachedDrNetwork: the failover stack's view of the DR network the primary stack built.

The primary stack owns the DR VPC, its subnets, route tables and role security groups (with the
reachability table's rules); they cost nothing while standing by. The failover stack attaches to
them by id and adds what bills by the hour, now that the apps arrive: NAT gateways (routes in the
private route tables), the interface endpoints, and the deployer's way to the Kubernetes API,
all from the failover stack's own ``network`` and ``eks`` config and the same reachability table.
It exposes what ``TradingVpc`` exposes, so the app components take either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .blocks import child_options
from .config import NatStrategy, NetworkConfig, SubnetTier
from .config.failover import AttachedNetworkConfig
from .reachability import DEPLOYER_FLOWS, Peer, Role, rule_specs
from .vpc import WORLD_IPV4


@dataclass(frozen=True)
class AttachedDrNetworkArgs:
    name_prefix: str
    attached: AttachedNetworkConfig  # failoverFrom.network: the primary stack's drNetwork output
    network: NetworkConfig  # this stack's: NAT strategy, interface endpoints, AZ names
    # Peer.DEPLOYER's sources in the DR region (eks.privateAccess*); none: no deployer rule.
    deployer_cidrs: Sequence[str] = ()
    deployer_security_group_ids: Sequence[str] = ()


class AttachedDrNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    subnet_ids: dict[SubnetTier, list[pulumi.Output[str]]]
    security_group_ids: dict[Role, pulumi.Output[str]]
    security_groups: dict[Role, aws.ec2.SecurityGroup]  # the control plane's, for pulumi-eks
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AttachedDrNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:network:AttachedDrNetwork", name, None, opts)
        self._name = name
        self._args = args
        ids = args.attached
        self.vpc_id = pulumi.Output.from_input(ids.vpc_id)
        self.subnet_ids = {
            tier: [pulumi.Output.from_input(i) for i in ids.subnet_ids[tier]] for tier in SubnetTier
        }
        self.security_group_ids = {
            role: pulumi.Output.from_input(ids.security_group_ids[role]) for role in Role
        }
        # pulumi-eks takes the group itself; read it, never re-created here.
        control_plane = aws.ec2.SecurityGroup.get(
            f"{name}-{Role.EKS_CONTROL_PLANE.value}-sg",
            ids.security_group_ids[Role.EKS_CONTROL_PLANE],
            opts=child_options(self),
        )
        self.security_groups = {Role.EKS_CONTROL_PLANE: control_plane}
        self.db_subnet_group_name = pulumi.Output.from_input(ids.db_subnet_group_name)
        self.cache_subnet_group_name = pulumi.Output.from_input(ids.cache_subnet_group_name)
        self.flow_log_group_name = pulumi.Output.from_input(ids.flow_log_group_name)

        self._nat()
        self._interface_endpoints()
        self._deployer_rules()
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "subnetIds": {tier.value: i for tier, i in self.subnet_ids.items()},
                "securityGroupIds": {r.value: i for r, i in self.security_group_ids.items()},
            }
        )

    def _nat(self) -> None:
        """NAT gateways in the public subnets, one default route per private route table."""
        args, name = self._args, self._name
        zones = list(args.network.availability_zones)
        public = args.attached.subnet_ids[SubnetTier.PUBLIC]
        tables = args.attached.route_table_ids[SubnetTier.PRIVATE]
        count = {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.PER_AZ: len(public)}[
            args.network.nat_strategy
        ]
        gateways = []
        for index in range(count):
            zone = zones[index] if index < len(zones) else str(index)
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}",
                domain="vpc",
                tags={"Name": f"{args.name_prefix}-nat-{zone}"},
                opts=child_options(self),
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.allocation_id,
                    subnet_id=public[index],
                    tags={"Name": f"{args.name_prefix}-nat-{zone}"},
                    opts=child_options(self),
                )
            )
        for index, table in enumerate(tables if gateways else ()):
            aws.ec2.Route(
                f"{name}-private-nat-{index}",
                route_table_id=table,
                destination_cidr_block=WORLD_IPV4,
                nat_gateway_id=gateways[index % len(gateways)].id,
                opts=child_options(self),
            )

    def _interface_endpoints(self) -> None:
        args, name = self._args, self._name
        region = args.attached.region
        for service in args.network.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=args.attached.vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(args.attached.subnet_ids[SubnetTier.PRIVATE]),
                security_group_ids=[args.attached.security_group_ids[Role.ENDPOINTS]],
                tags={"Name": f"{args.name_prefix}-{service}"},
                opts=child_options(self),
            )

    def _deployer_rules(self) -> None:
        """The table's deployer flows, for this stack's deployers (the primary stack's DR
        network carries only CIDR deployers: its runner groups live in the primary's VPC)."""
        args, name = self._args, self._name
        groups = args.attached.security_group_ids
        for spec in rule_specs(DEPLOYER_FLOWS):
            if spec.peer is not Peer.DEPLOYER:
                continue
            common = {
                "security_group_id": groups[spec.role],
                "ip_protocol": spec.protocol,
                "from_port": spec.from_port,
                "to_port": spec.to_port,
                "description": spec.description,
                "opts": child_options(self),
            }
            for i, cidr in enumerate(args.deployer_cidrs):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{spec.slug}-cidr{i}", cidr_ipv4=cidr, **common
                )
            for i, group in enumerate(args.deployer_security_group_ids):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{spec.slug}-sg{i}", referenced_security_group_id=group, **common
                )
