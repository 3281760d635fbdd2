"""DrNetwork on its own (the scale tier's DR region), the promoted DR instance, and the failover
stack's AttachedDrNetwork: the primary's tiers at its offsets, its routing, the table's rules,
nothing that bills by the hour until the failover stack brings it."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from components.aws_context import AwsContext
from components.config import StackConfig, SubnetTier, load_stack_config
from components.config.dr_network import dr_subnets
from components.config.failover import AttachedNetworkConfig
from components.dr_attached_network import AttachedDrNetwork, AttachedDrNetworkArgs
from components.dr_network import DrNetwork, DrNetworkSettings
from components.reachability import Peer, Role, reachability, rule_specs
from offline.capture import CapturedResource
from offline.mocks import ACCOUNT_ID, AVAILABILITY_ZONES
from offline.runner import ProgramRun, run_component
from tests.components.test_data_layer import build as build_data_layer
from tests.config.test_dr_config import network_ids
from tests.resources import linked, linked_one, world_ingress
from tests.stack_values import base_values

REGION, DR_REGION = "ap-northeast-2", "ap-northeast-1"
CONTEXT = AwsContext(ACCOUNT_ID, "aws", REGION, "amazonaws.com")
DR_CLOUDFRONT_PL = "pl-58a04531"  # any id: the DR region's origin-facing list
LOGS_KEY = f"arn:aws:kms:{DR_REGION}:{ACCOUNT_ID}:key/dr-logs"
SG = "aws:ec2/securityGroup:SecurityGroup"
RULES = {
    "ingress": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "egress": "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
}


def scale_config(**overrides: Any) -> StackConfig:
    return load_stack_config({**base_values("scale", environment="prod"), **overrides}, stack="t")


def flows(config: StackConfig) -> tuple:
    return reachability(kafka_scram=config.kafka.scram, cache_serverless=config.cache.is_serverless)


@cache
def dr_network() -> ProgramRun:
    config = scale_config()
    assert config.dr_region is not None
    assert config.dr_network_config is not None
    settings = DrNetworkSettings(
        region=config.dr_region,
        network=config.dr_network_config,
        cluster_name="trading-t",
        cloudfront_prefix_list_id=DR_CLOUDFRONT_PL,
        reachability=flows(config),
        private_route_table_per_az=True,
    )
    args = settings.vpc_args(
        name_prefix="trading-t", logs_kms_key_arn=LOGS_KEY, context=CONTEXT, protect=True
    )
    return run_component(lambda: DrNetwork("data-dr-network", args), preview=False)


def tier_of(subnet: CapturedResource) -> SubnetTier:
    return SubnetTier(subnet.get("tags")["Tier"])


def test_everything_is_in_the_dr_region_under_the_token_the_replica_was_deployed_under() -> None:
    run = dr_network()
    (component,) = run.of_type("trading:data:DrDatabaseNetwork")
    # IAM is global: the flow logs' role has no region.
    regional = [r for r in run.resources if r.custom and not r.type.startswith("aws:iam/")]
    assert all(r.get("region") == DR_REGION for r in regional)
    assert sum(r.custom for r in run.resources) > 80
    assert component.name == "data-dr-network"


def test_the_primary_tiers_at_the_primary_offsets_in_the_dr_zones() -> None:
    run, config = dr_network(), scale_config()
    wanted = dr_subnets(config.network, config.postgres.dr_vpc_cidr)
    for tier in SubnetTier:
        subnets = [s for s in run.of_type("aws:ec2/subnet:Subnet") if tier_of(s) is tier]
        assert [s.get("cidrBlock") for s in subnets] == list(wanted[tier])
        assert [s.get("availabilityZone") for s in subnets] == AVAILABILITY_ZONES[DR_REGION]
        assert not any(s.get("mapPublicIpOnLaunch") for s in subnets)
    assert wanted[SubnetTier.DATABASE] == ("10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24")


def routes_of(run: ProgramRun, subnet: CapturedResource) -> list[CapturedResource]:
    (association,) = [
        a
        for a in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if subnet.urn in a.property_dependencies["subnetId"]
    ]
    table = linked_one(association, "routeTableId", run.resources)
    return [
        r
        for r in run.of_type("aws:ec2/route:Route")
        if table.urn in r.property_dependencies["routeTableId"]
    ]


def test_only_the_public_tier_routes_out_and_nothing_bills_by_the_hour() -> None:
    run = dr_network()
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        routes = routes_of(run, subnet)
        if tier_of(subnet) is SubnetTier.PUBLIC:
            (route,) = routes
            assert route.get("destinationCidrBlock") == "0.0.0.0/0"
            gateway = linked_one(route, "gatewayId", run.resources)
            assert gateway.type == "aws:ec2/internetGateway:InternetGateway"
        else:
            assert routes == []  # the failover stack adds the NAT routes
    for token in ("aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"):
        assert run.of_type(token) == []
    (s3,) = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert s3.get("vpcEndpointType") == "Gateway"
    assert s3.get("serviceName") == f"com.amazonaws.{DR_REGION}.s3"
    # A private route table per AZ, ready for the failover stack's NAT per AZ, and the engines'.
    tables = {t.get("tags")["Name"] for t in linked(s3, "routeTableIds", run.resources)}
    assert tables == {
        "trading-t-dr-private-0",
        "trading-t-dr-private-1",
        "trading-t-dr-private-2",
        "trading-t-dr-matchingEngine",
    }


def peer_of(run: ProgramRun, rule: CapturedResource, roles: dict[str, Role]) -> Role | Peer:
    if rule.get("cidrIpv4"):
        assert rule.get("cidrIpv4") == "0.0.0.0/0"
        return Peer.INTERNET
    referenced = linked(rule, "referencedSecurityGroupId", run.resources)
    if referenced:
        return roles[referenced[0].urn]
    if rule.get("prefixListId") == DR_CLOUDFRONT_PL:
        return Peer.CLOUDFRONT
    assert linked_one(rule, "prefixListId", run.resources).get("vpcEndpointType") == "Gateway"
    return Peer.S3


def test_every_rule_is_a_flow_of_the_table_and_every_flow_is_a_rule() -> None:
    run = dr_network()
    assert world_ingress(run.resources) == []
    roles = {g.urn: Role(g.get("tags")["Role"]) for g in run.of_type(SG)}
    assert sorted(roles.values()) == sorted(Role)
    captured = {
        (
            roles[linked_one(rule, "securityGroupId", run.resources).urn],
            direction,
            rule.get("ipProtocol"),
            rule.get("fromPort"),
            rule.get("toPort"),
            peer_of(run, rule, roles),
        )
        for direction, token in RULES.items()
        for rule in run.of_type(token)
    }
    expected = {
        (s.role, s.direction, s.protocol, s.from_port, s.to_port, s.peer)
        for s in rule_specs(flows(scale_config()))
    }
    assert captured == expected
    # The deployer flows are the failover stack's: it knows its own deployers.
    assert not any(peer is Peer.DEPLOYER for *_, peer in captured)


def test_the_database_group_admits_the_proxy_and_keeps_its_first_description() -> None:
    run = dr_network()
    (database,) = [g for g in run.of_type(SG) if g.get("tags")["Role"] == "database"]
    # EC2 replaces a group to change its description; the live replica is in this one.
    assert database.get("description") == (
        "trading-t-dr database: no rules until a failover runbook adds them"
    )
    ingress = [
        r
        for r in run.of_type(RULES["ingress"])
        if database.urn in r.property_dependencies["securityGroupId"]
    ]
    (rule,) = ingress
    assert (rule.get("fromPort"), rule.get("toPort")) == (5432, 5432)
    (source,) = linked(rule, "referencedSecurityGroupId", run.resources)
    assert source.get("tags")["Role"] == "db-proxy"


@pytest.mark.parametrize("failover", [False, True], ids=["standing-by", "failed-over"])
def test_the_dr_instance_is_a_replica_until_the_failover_records_its_promotion(
    failover: bool,
) -> None:
    config = scale_config(**{"trading-platform:drNetwork": {"failover": failover}})
    run = run_component(lambda: build_data_layer(config), preview=False)
    (instance,) = [
        i for i in run.of_type("aws:rds/instance:Instance") if i.get("region") == DR_REGION
    ]
    assert instance.protect is True
    assert instance.get("deletionProtection") is True
    if not failover:
        assert instance.get("replicateSourceDb", "").startswith("arn:aws:rds:ap-northeast-2:")
        assert instance.get("skipFinalSnapshot") is True
        assert instance.get("manageMasterUserPassword") is None
        return
    assert instance.get("replicateSourceDb") is None
    # RDS manages its password now, in the DR region under the DR key.
    assert instance.get("manageMasterUserPassword") is True
    assert instance.get("masterUserSecretKmsKeyId") == instance.get("kmsKeyId")
    assert instance.get("skipFinalSnapshot") is False
    assert instance.get("finalSnapshotIdentifier") == "trading-test-postgres-dr-final"


def attached_network(nat: str) -> ProgramRun:
    """The failover stack's view of a DR network, with one deployer CIDR and one runner group."""
    ids = network_ids()
    ids["routeTableIds"]["private"] = [f"rtb-0123456789abcdef{i}" for i in range(3)]
    config = scale_config(**{"trading-platform:network": {"natStrategy": nat}})
    args = AttachedDrNetworkArgs(
        name_prefix="trading-t",
        attached=AttachedNetworkConfig(**ids),
        network=config.network,
        deployer_cidrs=["10.100.0.0/16"],
        deployer_security_group_ids=["sg-0fedcba987654321f"],
    )
    return run_component(
        lambda: AttachedDrNetwork("network", args), preview=False, region=DR_REGION
    )


@pytest.mark.parametrize(("nat", "gateways"), [("per-az", 3), ("single", 1)])
def test_the_failover_stack_brings_nat_endpoints_and_its_deployers(nat: str, gateways: int) -> None:
    run = attached_network(nat)
    nats = run.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == gateways
    routes = run.of_type("aws:ec2/route:Route")
    # Every private route table gets a default route; per AZ, each to its own AZ's gateway.
    assert sorted(r.get("routeTableId") for r in routes) == [
        f"rtb-0123456789abcdef{i}" for i in range(3)
    ]
    assert {linked_one(r, "natGatewayId", run.resources).urn for r in routes} == {
        n.urn for n in nats
    }
    if nat == "per-az":
        assert [linked_one(r, "natGatewayId", run.resources).urn for r in routes] == [
            n.urn for n in nats
        ]
    endpoints = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert len(endpoints) == len(scale_config().network.interface_endpoints)
    assert {e.get("securityGroupIds")[0] for e in endpoints} == {"sg-0123456789abcdef0"}
    rules = run.of_type(RULES["ingress"])
    assert {(r.get("cidrIpv4"), r.get("referencedSecurityGroupId")) for r in rules} == {
        (None, "sg-0fedcba987654321f"),
        ("10.100.0.0/16", None),
    }
    assert {(r.get("fromPort"), r.get("securityGroupId")) for r in rules} == {
        (443, "sg-0123456789abcdef0")
    }
    assert run.of_type(SG) == []  # the groups are the primary stack's
