"""TradingVpc for each NAT strategy and AZ count, in update and preview mode."""

from __future__ import annotations

from functools import cache

import pytest

from components.aws_context import AwsContext
from components.config import NatStrategy, NetworkConfig, SubnetTier
from components.config.loader import load_section
from components.reachability import REACHABILITY, Flow, Peer, Role, rule_specs
from components.vpc import TradingVpc, TradingVpcArgs
from offline.capture import CapturedResource
from offline.mocks import AVAILABILITY_ZONES, PREFIX_LISTS
from offline.runner import ProgramRun, run_component
from tests.resources import linked, linked_one, within, world_ingress

CONTEXT = AwsContext("123456789012", "aws", "ap-northeast-2", "amazonaws.com")
LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CLOUDFRONT_PL = PREFIX_LISTS["com.amazonaws.global.cloudfront.origin-facing"]
CASES = [(nat, azs, preview) for nat in NatStrategy for azs in (2, 3) for preview in (False, True)]
IDS = [f"{nat.value}-{azs}az-{'preview' if preview else 'update'}" for nat, azs, preview in CASES]


def network_config(nat: NatStrategy, az_count: int, retention: int = 30):
    raw = {"azCount": az_count, "natStrategy": nat.value, "flowLogRetentionDays": retention}
    return load_section(NetworkConfig, raw, key="network")


@cache
def build(nat: NatStrategy, az_count: int, preview: bool, protect: bool = False) -> ProgramRun:
    args = TradingVpcArgs(
        name_prefix="trading-test",
        network=network_config(nat, az_count),
        availability_zones=AVAILABILITY_ZONES["ap-northeast-2"],
        cluster_name="trading-test",
        cloudfront_prefix_list_id=CLOUDFRONT_PL,
        logs_kms_key_arn=LOGS_KEY,
        context=CONTEXT,
        protect=protect,
    )
    return run_component(lambda: TradingVpc("network", args), preview=preview)


def of_type(run: ProgramRun, token: str) -> list[CapturedResource]:
    return run.of_type(token)


def subnets_by_tier(run: ProgramRun) -> dict[str, list[CapturedResource]]:
    by_tier: dict[str, list[CapturedResource]] = {}
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        by_tier.setdefault(subnet.inputs["tags"]["Tier"], []).append(subnet)
    return by_tier


def route_table_of(run: ProgramRun, subnet: CapturedResource) -> CapturedResource:
    association = next(
        a
        for a in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if subnet.urn in a.property_dependencies["subnetId"]
    )
    return linked_one(association, "routeTableId", run.resources)


def routes_of(run: ProgramRun, table: CapturedResource) -> list[CapturedResource]:
    return [
        r
        for r in run.of_type("aws:ec2/route:Route")
        if table.urn in r.property_dependencies["routeTableId"]
    ]


@pytest.mark.parametrize(("nat", "az_count", "preview"), CASES, ids=IDS)
def test_subnets_per_tier_and_az(nat: NatStrategy, az_count: int, preview: bool) -> None:
    run = build(nat, az_count, preview)
    config = network_config(nat, az_count)
    by_tier = subnets_by_tier(run)
    assert set(by_tier) == {tier.value for tier in SubnetTier}
    for tier in SubnetTier:
        subnets = by_tier[tier.value]
        assert [s.inputs["cidrBlock"] for s in subnets] == list(config.subnets[tier])
        azs = [s.inputs["availabilityZone"] for s in subnets]
        assert azs == AVAILABILITY_ZONES["ap-northeast-2"][:az_count]
        assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)


@pytest.mark.parametrize(("nat", "az_count", "preview"), CASES, ids=IDS)
def test_routes_per_tier(nat: NatStrategy, az_count: int, preview: bool) -> None:
    run = build(nat, az_count, preview)
    by_tier = subnets_by_tier(run)
    nats = run.of_type("aws:ec2/natGateway:NatGateway")
    assert (
        len(nats) == {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.PER_AZ: az_count}[nat]
    )

    for subnet in by_tier["public"]:
        (route,) = routes_of(run, route_table_of(run, subnet))
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert linked_one(route, "gatewayId", run.resources).type == (
            "aws:ec2/internetGateway:InternetGateway"
        )

    private_tables = {route_table_of(run, s).urn for s in by_tier["private"]}
    assert len(private_tables) == (az_count if nat is NatStrategy.PER_AZ else 1)
    for index, subnet in enumerate(by_tier["private"]):
        routes = routes_of(run, route_table_of(run, subnet))
        if nat is NatStrategy.NONE:
            assert routes == []
            continue
        (route,) = routes
        nat_gateway = linked_one(route, "natGatewayId", run.resources)
        # Per-AZ NAT keeps each AZ's egress in that AZ; single NAT sits in the first AZ.
        expected = nats[index] if nat is NatStrategy.PER_AZ else nats[0]
        assert nat_gateway.urn == expected.urn
        nat_subnet = linked_one(nat_gateway, "subnetId", run.resources)
        assert nat_subnet.inputs["tags"]["Tier"] == "public"
        assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"] or (
            nat is NatStrategy.SINGLE
        )

    for tier in ("database", "matchingEngine"):
        for subnet in by_tier[tier]:
            table = route_table_of(run, subnet)
            assert routes_of(run, table) == [], f"{tier} must have no route out of the VPC"
            assert not table.inputs.get("routes")


@pytest.mark.parametrize(("nat", "az_count", "preview"), CASES, ids=IDS)
def test_no_world_ingress_and_rules_are_exactly_the_table(
    nat: NatStrategy, az_count: int, preview: bool
) -> None:
    run = build(nat, az_count, preview)
    assert world_ingress(run.resources) == []
    groups = {
        g.urn: Role(g.inputs["tags"]["Role"])
        for g in run.of_type("aws:ec2/securityGroup:SecurityGroup")
    }
    assert sorted(groups.values()) == sorted(Role)
    assert not any(
        g.inputs.get("ingress") or g.inputs.get("egress")
        for g in run.of_type("aws:ec2/securityGroup:SecurityGroup")
    ), "rules must come from the table, not inline blocks"
    assert run.of_type("aws:ec2/securityGroupRule:SecurityGroupRule") == []

    captured = set()
    for direction, token in (
        ("ingress", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
        ("egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
    ):
        for rule in run.of_type(token):
            owner = groups[linked_one(rule, "securityGroupId", run.resources).urn]
            captured.add(
                (
                    owner,
                    direction,
                    rule.inputs["ipProtocol"],
                    int(rule.inputs["fromPort"]),
                    int(rule.inputs["toPort"]),
                    peer_of(run, rule, groups),
                )
            )
    expected = {
        (s.role, s.direction, s.protocol, s.from_port, s.to_port, s.peer) for s in rule_specs()
    }
    assert captured == expected


def peer_of(run: ProgramRun, rule: CapturedResource, groups: dict[str, Role]) -> Role | Peer:
    if rule.inputs.get("cidrIpv4"):
        assert rule.inputs["cidrIpv4"] == "0.0.0.0/0"
        return Peer.INTERNET
    referenced = linked(rule, "referencedSecurityGroupId", run.resources)
    if referenced:
        return groups[referenced[0].urn]
    if rule.inputs.get("prefixListId") == CLOUDFRONT_PL:
        return Peer.CLOUDFRONT
    endpoint = linked_one(rule, "prefixListId", run.resources)
    assert endpoint.inputs["serviceName"] == "com.amazonaws.ap-northeast-2.s3"
    return Peer.S3


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_default_security_group_is_stripped(preview: bool) -> None:
    (default,) = build(NatStrategy.SINGLE, 2, preview).of_type(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    )
    assert default.inputs["ingress"] == []
    assert default.inputs["egress"] == []


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_flow_logs_capture_all_traffic_to_an_encrypted_group(preview: bool) -> None:
    run = build(NatStrategy.PER_AZ, 3, preview)
    (flow_log,) = run.of_type("aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert linked_one(flow_log, "vpcId", run.resources).type == "aws:ec2/vpc:Vpc"
    group = linked_one(flow_log, "logDestination", run.resources)
    assert group.inputs["kmsKeyId"] == LOGS_KEY
    assert group.inputs["retentionInDays"] == 30
    role = linked_one(flow_log, "iamRoleArn", run.resources)
    assert "vpc-flow-logs.amazonaws.com" in role.inputs["assumeRolePolicy"]
    assert '"aws:SourceAccount": "123456789012"' in role.inputs["assumeRolePolicy"]


def test_protect_covers_the_flow_log_group_only_when_asked() -> None:
    unprotected = build(NatStrategy.SINGLE, 2, False)
    protected = build(NatStrategy.SINGLE, 2, False, protect=True)
    assert not any(r.protect for r in unprotected.resources)
    assert [r.type for r in protected.resources if r.protect] == [
        "aws:cloudwatch/logGroup:LogGroup"
    ]


def test_endpoints_and_subnet_groups() -> None:
    run = build(NatStrategy.NONE, 2, False)
    endpoints = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    gateway = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Gateway"]
    interface = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"]
    assert [e.inputs["serviceName"] for e in gateway] == ["com.amazonaws.ap-northeast-2.s3"]
    # S3 reaches the private and engine tiers without NAT.
    tables = {t.inputs["tags"]["Name"] for t in linked(gateway[0], "routeTableIds", run.resources)}
    assert tables == {"trading-test-private", "trading-test-matchingEngine"}
    assert {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in interface} >= {"ssm", "logs", "kms"}
    assert all(e.inputs["privateDnsEnabled"] for e in interface)
    for endpoint in interface:
        (sg,) = linked(endpoint, "securityGroupIds", run.resources)
        assert sg.inputs["tags"]["Role"] == "endpoints"
        assert {s.inputs["tags"]["Tier"] for s in linked(endpoint, "subnetIds", run.resources)} == {
            "private"
        }
    for token in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"):
        (group,) = run.of_type(token)
        tiers = {s.inputs["tags"]["Tier"] for s in linked(group, "subnetIds", run.resources)}
        assert tiers == {"database"}


def test_kubernetes_load_balancer_tags() -> None:
    by_tier = subnets_by_tier(build(NatStrategy.SINGLE, 2, False))
    for subnet in by_tier["public"]:
        assert subnet.inputs["tags"]["kubernetes.io/role/elb"] == "1"
        assert subnet.inputs["tags"]["kubernetes.io/cluster/trading-test"] == "shared"
    for subnet in by_tier["private"]:
        assert subnet.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
    for subnet in by_tier["database"] + by_tier["matchingEngine"]:
        assert not any(k.startswith("kubernetes.io") for k in subnet.inputs["tags"])


def test_every_child_is_parented_to_the_component() -> None:
    run = build(NatStrategy.SINGLE, 2, False)
    (component,) = run.of_type("trading:network:TradingVpc")
    assert all(within(r, component, run.resources) for r in run.resources if r is not component)


def test_too_few_zones_in_region_is_an_error() -> None:
    args = TradingVpcArgs(
        name_prefix="t",
        network=network_config(NatStrategy.SINGLE, 3),
        availability_zones=["ap-northeast-2a", "ap-northeast-2b"],
        cluster_name="t",
        cloudfront_prefix_list_id=CLOUDFRONT_PL,
        logs_kms_key_arn=LOGS_KEY,
        context=CONTEXT,
        protect=False,
    )
    with pytest.raises(Exception, match="azCount: is 3 but ap-northeast-2 offers 2"):
        run_component(lambda: TradingVpc("network", args), preview=False)


@pytest.mark.parametrize(
    ("flow", "message"),
    [
        (Flow(Peer.INTERNET, Role.ALB, 443, 443, "world"), "from the internet"),
        (Flow(Role.ALB, Role.APP, 1, 65535, "wide"), "not wide open"),
        (Flow(Role.ALB, Role.APP, 0, 0, "zero"), "bad port range"),
    ],
)
def test_a_bad_reachability_table_is_refused_before_any_resource(flow: Flow, message: str) -> None:
    args = TradingVpcArgs(
        name_prefix="t",
        network=network_config(NatStrategy.SINGLE, 2),
        availability_zones=AVAILABILITY_ZONES["ap-northeast-2"],
        cluster_name="t",
        cloudfront_prefix_list_id=CLOUDFRONT_PL,
        logs_kms_key_arn=LOGS_KEY,
        context=CONTEXT,
        protect=False,
        reachability=(*REACHABILITY, flow),
    )
    refusals: list[str] = []

    def build() -> None:
        try:
            TradingVpc("network", args)
        except ValueError as error:
            refusals.append(str(error))

    run = run_component(build, preview=False)
    assert len(refusals) == 1
    assert message in refusals[0]
    assert run.resources == []


def test_a_duplicate_flow_in_a_custom_table_is_refused() -> None:
    args = TradingVpcArgs(
        name_prefix="t",
        network=network_config(NatStrategy.SINGLE, 2),
        availability_zones=AVAILABILITY_ZONES["ap-northeast-2"],
        cluster_name="t",
        cloudfront_prefix_list_id=CLOUDFRONT_PL,
        logs_kms_key_arn=LOGS_KEY,
        context=CONTEXT,
        protect=False,
        reachability=(*REACHABILITY, REACHABILITY[0]),
    )
    with pytest.raises(Exception, match="duplicate flow"):
        run_component(lambda: TradingVpc("network", args), preview=False)
