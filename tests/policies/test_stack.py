"""Stack rules: flow logs, bucket encryption, WAF on public entry points, protected state."""

import pytest

from policies.engine import Resource
from policies.rules import types
from policies.rules.stack import (
    k8s_node_port_not_on_public_nodes,
    lb_listener_rules_tls,
    private_subnets_no_internet_route,
    public_entry_points_waf,
    s3_bucket_encryption,
    security_group_ingress_not_world_combined,
    stateful_resources_protected,
    vpc_flow_logs,
)

from .helpers import WIRE_UNKNOWN, messages, resource, secret, stack_findings

PASSWORD = "random:index/randomPassword:RandomPassword"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::trading-platform::{type_}::{name}"


def ref(prop: str, target: Resource) -> dict[str, object]:
    """Options for a resource whose input `prop` is an output of `target` (unknown in preview)."""
    return {"property_dependencies": {prop: [target.urn]}}


VPC = resource(types.VPC, {"cidrBlock": "10.0.0.0/16"}, "main")
FLOW_LOG = resource(
    types.FLOW_LOG, {"vpcId": WIRE_UNKNOWN, "trafficType": "ALL"}, "main-flow", **ref("vpcId", VPC)
)


class TestVpcFlowLogs:
    def test_compliance(self) -> None:
        assert stack_findings(vpc_flow_logs, [VPC, FLOW_LOG]) == []

    def test_compliance_awsx_component_referenced_directly(self) -> None:
        awsx = resource(types.AWSX_VPC, {"cidrBlock": "10.0.0.0/16"}, "network")
        flow = resource(
            types.FLOW_LOG, {"vpcId": WIRE_UNKNOWN}, "network-flow", **ref("vpcId", awsx)
        )
        child = resource(
            types.VPC,
            {"cidrBlock": "10.0.0.0/16"},
            "network",
            urn=urn(types.VPC, "network-child"),
            parent=awsx.urn,
        )
        assert stack_findings(vpc_flow_logs, [awsx, flow]) == []
        assert stack_findings(vpc_flow_logs, [awsx, child, flow]) == []

    def test_noncompliance_vpc_without_flow_log(self) -> None:
        findings = stack_findings(vpc_flow_logs, [VPC])
        assert [(f.message, f.urn) for f in findings] == [("VPC main has no flow log", VPC.urn)]

    def test_noncompliance_awsx_component_without_flow_log(self) -> None:
        awsx = resource(types.AWSX_VPC, {}, "network")
        assert messages(stack_findings(vpc_flow_logs, [awsx, VPC, FLOW_LOG])) == [
            "VPC network has no flow log"
        ]

    def test_noncompliance_flow_log_on_another_vpc(self) -> None:
        other = resource(types.VPC, {}, "other")
        assert [f.urn for f in stack_findings(vpc_flow_logs, [VPC, other, FLOW_LOG])] == [other.urn]

    def test_unknown_unmatched_reference(self) -> None:
        orphan = resource(types.FLOW_LOG, {"vpcId": WIRE_UNKNOWN}, "orphan")
        findings = stack_findings(vpc_flow_logs, [VPC, orphan])
        assert [(f.message, f.unverifiable) for f in findings] == [
            ("cannot verify which VPC flow log orphan covers: unknown during preview", True)
        ]


BUCKET = resource("aws:s3/bucket:Bucket", {"bucket": "trading-alb-logs"}, "alb-logs")
SSE = resource(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    {
        "bucket": WIRE_UNKNOWN,
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
    },
    "alb-logs-sse",
    **ref("bucket", BUCKET),
)


class TestS3BucketEncryption:
    def test_compliance(self) -> None:
        assert stack_findings(s3_bucket_encryption, [BUCKET, SSE]) == []

    def test_compliance_by_literal_bucket_name(self) -> None:
        sse = resource(SSE.type, {"bucket": "trading-alb-logs"}, "by-name")
        assert stack_findings(s3_bucket_encryption, [BUCKET, sse]) == []

    def test_noncompliance_bucket_without_configuration(self) -> None:
        bucket_v2 = resource("aws:s3/bucketV2:BucketV2", {}, "legacy")
        findings = stack_findings(s3_bucket_encryption, [BUCKET, SSE, bucket_v2])
        assert [f.urn for f in findings] == [bucket_v2.urn]
        assert "has no BucketServerSideEncryptionConfiguration" in findings[0].message

    def test_unknown_unmatched_reference(self) -> None:
        sse = resource(SSE.type, {"bucket": WIRE_UNKNOWN}, "orphan-sse")
        assert stack_findings(s3_bucket_encryption, [BUCKET, sse])[0].unverifiable


def with_deps(base: Resource, **deps: list[Resource]) -> Resource:
    """`base` with its property dependencies replaced by URNs of the given resources."""
    return resource(
        base.type,
        dict(base.props),
        base.name,
        property_dependencies={key: [t.urn for t in targets] for key, targets in deps.items()},
    )


CF_LIST = "pl-cf"
WAF_CONFIG = {"cloudFrontOriginFacingPrefixLists": [CF_LIST]}
SECRET = "origin-secret-value"
ALB_SG = resource(
    types.SECURITY_GROUP,
    {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": [CF_LIST]}]},
    "alb-sg",
)
ALB = resource(
    "aws:lb/loadBalancer:LoadBalancer",
    {"loadBalancerType": "application", "internal": False, "securityGroups": [WIRE_UNKNOWN]},
    "public-alb",
    **ref("securityGroups", ALB_SG),
)
RECORD = resource(
    types.ROUTE53_RECORD,
    {"name": "origin.example.com", "type": "A", "aliases": [{"name": WIRE_UNKNOWN}]},
    "origin",
    **ref("aliases", ALB),
)
ORIGIN = {
    "originId": "alb",
    "domainName": "origin.example.com",
    "customHeaders": [{"name": "X-Origin-Verify", "value": SECRET}],
    "customOriginConfig": {"originProtocolPolicy": "https-only"},
}
CLOUDFRONT = resource(
    types.CLOUDFRONT_DISTRIBUTION, {"webAclId": WIRE_UNKNOWN, "origins": [ORIGIN]}, "edge"
)
LISTENER = resource(
    "aws:lb/listener:Listener",
    {"protocol": "HTTPS", "defaultActions": [{"type": "fixed-response"}]},
    "https",
    **ref("loadBalancerArn", ALB),
)
HEADER = {"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": [SECRET]}}
RULE = resource(
    "aws:lb/listenerRule:ListenerRule",
    {"actions": [{"type": "forward"}], "conditions": [{"pathPattern": {}}, HEADER]},
    "api",
    **ref("listenerArn", LISTENER),
)
EDGE = [ALB_SG, ALB, RECORD, CLOUDFRONT, LISTENER, RULE]


def waf(resources: list[Resource]) -> list[str | None]:
    return [f.urn for f in stack_findings(public_entry_points_waf, resources, WAF_CONFIG)]


def replaced(old: Resource, new: Resource) -> list[Resource]:
    return [new if r is old else r for r in EDGE]


class TestPublicEntryPointsWaf:
    def test_compliance_only_through_waf_protected_cloudfront(self) -> None:
        assert waf(EDGE) == []

    def test_compliance_in_preview_secret_matched_by_dependency(self) -> None:
        secret = resource("random:index/randomPassword:RandomPassword", {}, "secret")
        header = {"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": [WIRE_UNKNOWN]}}
        origin = {**ORIGIN, "customHeaders": [{"name": "X-Origin-Verify", "value": WIRE_UNKNOWN}]}
        cdn = with_deps(
            resource(CLOUDFRONT.type, {"webAclId": WIRE_UNKNOWN, "origins": [origin]}, "edge"),
            origins=[secret],
        )
        rule = with_deps(
            resource(RULE.type, {**RULE.props, "conditions": [header]}, "api"),
            listenerArn=[LISTENER],
            conditions=[secret],
        )
        assert waf([ALB_SG, ALB, RECORD, cdn, LISTENER, rule, secret]) == []

    def test_compliance_web_acl_association(self) -> None:
        association = resource(
            types.WEB_ACL_ASSOCIATION,
            {"resourceArn": WIRE_UNKNOWN, "webAclArn": WIRE_UNKNOWN},
            "alb-waf",
            **ref("resourceArn", ALB),
        )
        open_sg = resource(
            types.SECURITY_GROUP, {"ingress": [{"cidrBlocks": ["198.51.100.0/24"]}]}, "alb-sg"
        )
        assert waf([open_sg, ALB, association]) == []

    def test_compliance_internal_alb(self) -> None:
        internal = resource(ALB.type, {"internal": True}, "internal-alb")
        assert waf([internal]) == []

    def test_noncompliance_cloudfront_without_waf(self) -> None:
        bare = resource(CLOUDFRONT.type, {"origins": [ORIGIN]}, "edge")
        assert waf(replaced(CLOUDFRONT, bare)) == [ALB.urn]

    def test_noncompliance_another_prefix_list(self) -> None:
        sg = resource(
            ALB_SG.type,
            {"ingress": [{"fromPort": 443, "prefixListIds": ["pl-customer"]}]},
            "alb-sg",
        )
        assert waf(replaced(ALB_SG, sg)) == [ALB.urn]

    def test_noncompliance_no_prefix_list_option(self) -> None:
        assert [f.urn for f in stack_findings(public_entry_points_waf, EDGE)] == [ALB.urn]

    def test_noncompliance_cidr_ingress_rule_beside_prefix_list(self) -> None:
        extra = resource(
            types.SECURITY_GROUP_INGRESS_RULE,
            {"securityGroupId": WIRE_UNKNOWN, "cidrIpv4": "198.51.100.0/24", "ipProtocol": "tcp"},
            "office",
            **ref("securityGroupId", ALB_SG),
        )
        findings = stack_findings(public_entry_points_waf, [*EDGE, extra], WAF_CONFIG)
        assert "has no WebAclAssociation" in messages(findings)[0]

    def test_noncompliance_distribution_with_another_origin(self) -> None:
        other = {**ORIGIN, "domainName": "api.partner.example.com"}
        cdn = resource(CLOUDFRONT.type, {"webAclId": "acl", "origins": [other]}, "edge")
        assert waf(replaced(CLOUDFRONT, cdn)) == [ALB.urn]

    def test_noncompliance_default_action_forwards(self) -> None:
        listener = with_deps(
            resource(
                LISTENER.type,
                {"protocol": "HTTPS", "defaultActions": [{"type": "forward"}]},
                "https",
            ),
            loadBalancerArn=[ALB],
        )
        assert waf(replaced(LISTENER, listener)) == [ALB.urn]

    def test_noncompliance_rule_without_the_header(self) -> None:
        rule = with_deps(
            resource(RULE.type, {**RULE.props, "conditions": [{"pathPattern": {}}]}, "api"),
            listenerArn=[LISTENER],
        )
        assert waf(replaced(RULE, rule)) == [ALB.urn]

    def test_noncompliance_rule_with_another_value(self) -> None:
        header = {"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": ["1"]}}
        rule = with_deps(
            resource(RULE.type, {**RULE.props, "conditions": [header]}, "api"),
            listenerArn=[LISTENER],
        )
        assert waf(replaced(RULE, rule)) == [ALB.urn]

    @pytest.mark.parametrize(
        ("previous", "source", "blocked"),
        [
            (secret("previous-origin-secret"), PASSWORD, False),  # a rotation's previous value
            ("1", PASSWORD, True),  # a guessable literal
            ("previous-origin-secret", None, True),  # long, but from no resource
            # Long, and the conditions depend on something, but nothing that generates secrets.
            ("previous-origin-secret", "aws:s3/bucket:Bucket", True),
        ],
        ids=["previous-generation", "literal", "no-source", "not-a-generator"],
    )
    def test_a_rule_may_also_accept_the_previous_generated_secret(
        self, previous: object, source: str | None, blocked: bool
    ) -> None:
        header = {"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": [SECRET, previous]}}
        rule = with_deps(
            resource(RULE.type, {**RULE.props, "conditions": [header]}, "api"),
            listenerArn=[LISTENER],
            **({"conditions": [resource(source, {}, "previous")]} if source else {}),
        )
        assert waf(replaced(RULE, rule)) == ([ALB.urn] if blocked else [])

    def test_noncompliance_unresolvable_security_groups(self) -> None:
        alb = resource(
            ALB.type, {"internal": False, "securityGroups": ["sg-literal"]}, "public-alb"
        )
        assert waf([ALB_SG, alb, CLOUDFRONT]) == [alb.urn]

    def test_noncompliance_internet_facing_classic_elb(self) -> None:
        classic = resource(types.CLASSIC_LOAD_BALANCER, {"internal": False}, "legacy")
        internal = resource(types.CLASSIC_LOAD_BALANCER, {"internal": True}, "legacy-internal")
        assert waf([classic, internal]) == [classic.urn]

    def test_unknown_internal(self) -> None:
        alb = resource(ALB.type, {"internal": WIRE_UNKNOWN}, "public-alb")
        assert stack_findings(public_entry_points_waf, [alb])[0].unverifiable


STATEFUL = [
    (types.RDS_INSTANCE, "postgres"),
    (types.RDS_CLUSTER, "aurora"),
    (types.REPLICATION_GROUP, "cache"),
    (types.SERVERLESS_CACHE, "valkey"),
    (types.MSK_CLUSTER, "kafka"),
    (types.MSK_SERVERLESS_CLUSTER, "kafka-serverless"),
    (types.KMS_KEY, "data-key"),
]


class TestStatefulResourcesProtected:
    def test_compliance(self) -> None:
        resources = [resource(t, {}, n, protect=True) for t, n in STATEFUL]
        resources.append(resource("aws:s3/bucket:Bucket", {}, "scratch"))  # not a log bucket
        assert stack_findings(stateful_resources_protected, resources) == []

    def test_noncompliance_each_type(self) -> None:
        resources = [resource(t, {}, n) for t, n in STATEFUL]
        findings = stack_findings(stateful_resources_protected, resources)
        assert [f.urn for f in findings] == [r.urn for r in resources]
        assert findings[0].message == "postgres is not protected; set ResourceOptions(protect=True)"

    def test_noncompliance_log_buckets(self) -> None:
        alb = resource(
            ALB.type,
            {"accessLogs": {"bucket": WIRE_UNKNOWN, "enabled": True}},
            "alb",
            **ref("accessLogs", BUCKET),
        )
        flow_bucket = resource("aws:s3/bucket:Bucket", {}, "flow-logs")
        flow = resource(
            types.FLOW_LOG,
            {"logDestination": WIRE_UNKNOWN},
            "flow",
            **ref("logDestination", flow_bucket),
        )
        findings = stack_findings(stateful_resources_protected, [BUCKET, alb, flow_bucket, flow])
        assert sorted(f.urn or "" for f in findings) == sorted([BUCKET.urn, flow_bucket.urn])


class TestPublicAwsxApplicationLoadBalancer:
    COMPONENT = resource(types.AWSX_ALB, {"internal": False}, "public-awsx")

    def test_noncompliance_without_association(self) -> None:
        assert [f.urn for f in stack_findings(public_entry_points_waf, [self.COMPONENT])] == [
            self.COMPONENT.urn
        ]

    def test_compliance_association_names_the_component(self) -> None:
        association = resource(
            types.WEB_ACL_ASSOCIATION,
            {"resourceArn": WIRE_UNKNOWN},
            "waf",
            **ref("resourceArn", self.COMPONENT),
        )
        assert stack_findings(public_entry_points_waf, [self.COMPONENT, association]) == []

    def test_child_load_balancer_stands_for_the_component(self) -> None:
        child = resource(
            ALB.type,
            {"internal": False, "loadBalancerType": "application"},
            "public-awsx",
            urn=urn(ALB.type, "child"),
            parent=self.COMPONENT.urn,
        )
        association = resource(
            types.WEB_ACL_ASSOCIATION,
            {"resourceArn": WIRE_UNKNOWN},
            "waf",
            **ref("resourceArn", child),
        )
        assert stack_findings(public_entry_points_waf, [self.COMPONENT, child, association]) == []


def rule_on(group: Resource, name: str, **cidr: str) -> Resource:
    return resource(
        types.SECURITY_GROUP_INGRESS_RULE,
        {"securityGroupId": WIRE_UNKNOWN, "ipProtocol": "tcp", **cidr},
        name,
        **ref("securityGroupId", group),
    )


class TestIngressNotWorldCombined:
    def test_noncompliance_separate_rules_add_up(self) -> None:
        group = resource(types.SECURITY_GROUP, {}, "db")
        nines = ["3.0.0.0/9", "3.128.0.0/9", "13.0.0.0/9"]
        rules = [rule_on(group, f"r{i}", cidrIpv4=c) for i, c in enumerate(nines)]
        findings = stack_findings(security_group_ingress_not_world_combined, [group, *rules])
        assert [f.urn for f in findings] == [group.urn]
        assert "together more than 1/256" in findings[0].message

    def test_compliance_narrow_ranges_and_a_grant_left_to_no_world_ingress(self) -> None:
        group = resource(types.SECURITY_GROUP, {}, "db")
        narrow = [
            rule_on(group, "a", cidrIpv4="10.0.0.0/8"),
            rule_on(group, "b", cidrIpv4="198.51.100.0/24"),
        ]
        assert stack_findings(security_group_ingress_not_world_combined, [group, *narrow]) == []
        world = [
            *narrow,
            rule_on(group, "c", cidrIpv4="0.0.0.0/0"),
            rule_on(group, "d", cidrIpv4="3.0.0.0/9"),
        ]
        assert stack_findings(security_group_ingress_not_world_combined, [group, *world]) == []


IGW = resource(types.INTERNET_GATEWAY, {"vpcId": WIRE_UNKNOWN}, "igw")
TABLE = resource(types.ROUTE_TABLE, {"vpcId": WIRE_UNKNOWN}, "db-rt")
DB_SUBNET = resource(types.SUBNET, {"tags": {"Tier": "database"}}, "db-0")
PUBLIC_SUBNET = resource(
    types.SUBNET, {"tags": {"Tier": "public", "kubernetes.io/role/elb": "1"}}, "public-0"
)


def association(subnet: Resource, table: Resource) -> Resource:
    return resource(
        types.ROUTE_TABLE_ASSOCIATION,
        {"subnetId": WIRE_UNKNOWN, "routeTableId": WIRE_UNKNOWN},
        f"{subnet.name}-rta",
        property_dependencies={"subnetId": [subnet.urn], "routeTableId": [table.urn]},
    )


def internet_route(
    table: Resource, gateway: object = WIRE_UNKNOWN, deps: list[Resource] | None = None
) -> Resource:
    dependencies = {
        "routeTableId": [table.urn],
        "gatewayId": [d.urn for d in (deps if deps is not None else [IGW])],
    }
    return resource(
        types.ROUTE,
        {"routeTableId": WIRE_UNKNOWN, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": gateway},
        f"{table.name}-internet",
        property_dependencies=dependencies,
    )


class TestPrivateSubnetsNoInternetRoute:
    def test_compliance_public_tier_routes_to_the_gateway(self) -> None:
        public_rt = resource(types.ROUTE_TABLE, {}, "public-rt")
        stack = [
            IGW,
            public_rt,
            PUBLIC_SUBNET,
            association(PUBLIC_SUBNET, public_rt),
            internet_route(public_rt),
        ]
        stack += [TABLE, DB_SUBNET, association(DB_SUBNET, TABLE)]
        assert stack_findings(private_subnets_no_internet_route, stack) == []

    @pytest.mark.parametrize("route", ["dependency", "literal", "inline"])
    def test_noncompliance_database_tier_reaches_the_gateway(self, route: str) -> None:
        table = TABLE
        extra: list[Resource] = []
        if route == "dependency":
            extra = [internet_route(TABLE)]
        elif route == "literal":
            extra = [internet_route(TABLE, "igw-0123", deps=[])]
        else:
            table = resource(
                types.ROUTE_TABLE,
                {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
                "db-rt",
            )
        stack = [IGW, table, DB_SUBNET, association(DB_SUBNET, table), *extra]
        findings = stack_findings(private_subnets_no_internet_route, stack)
        assert [f.urn for f in findings] == [DB_SUBNET.urn]

    def test_nat_route_passes(self) -> None:
        nat = resource(
            types.ROUTE,
            {"natGatewayId": "nat-1", "routeTableId": WIRE_UNKNOWN},
            "nat",
            **ref("routeTableId", TABLE),
        )
        stack = [IGW, TABLE, DB_SUBNET, association(DB_SUBNET, TABLE), nat]
        assert stack_findings(private_subnets_no_internet_route, stack) == []

    def test_unknown_gateway_without_dependency(self) -> None:
        stack = [TABLE, DB_SUBNET, association(DB_SUBNET, TABLE), internet_route(TABLE, deps=[])]
        [finding] = stack_findings(private_subnets_no_internet_route, stack)
        assert finding.unverifiable


class TestNodePortNotOnPublicNodes:
    def test_node_port_with_nodes_in_a_public_subnet(self) -> None:
        public_rt = resource(types.ROUTE_TABLE, {}, "public-rt")
        nodes = resource(
            types.EKS_NODE_GROUP,
            {"subnetIds": [WIRE_UNKNOWN]},
            "edge-nodes",
            **ref("subnetIds", PUBLIC_SUBNET),
        )
        node_port = resource(types.K8S_SERVICE, {"spec": {"type": "NodePort"}}, "api")
        routed = [
            IGW,
            public_rt,
            PUBLIC_SUBNET,
            association(PUBLIC_SUBNET, public_rt),
            internet_route(public_rt),
        ]
        findings = stack_findings(k8s_node_port_not_on_public_nodes, [*routed, nodes, node_port])
        assert [f.urn for f in findings] == [node_port.urn]
        private_nodes = resource(
            types.EKS_NODE_GROUP, {}, "private-nodes", **ref("subnetIds", DB_SUBNET)
        )
        assert (
            stack_findings(k8s_node_port_not_on_public_nodes, [*routed, private_nodes, node_port])
            == []
        )


class TestListenerRulesTls:
    @pytest.mark.parametrize(("protocol", "found"), [("HTTPS", 0), ("HTTP", 1), ("TCP", 1)])
    def test_forwarding_rule_on_listener(self, protocol: str, found: int) -> None:
        listener = resource("aws:lb/listener:Listener", {"protocol": protocol}, "listener")
        rule = resource(
            "aws:lb/listenerRule:ListenerRule",
            {"actions": [{"type": "forward"}]},
            "rule",
            **ref("listenerArn", listener),
        )
        assert len(stack_findings(lb_listener_rules_tls, [listener, rule])) == found

    def test_redirect_rule_on_http_listener_passes(self) -> None:
        listener = resource("aws:lb/listener:Listener", {"protocol": "HTTP"}, "listener")
        rule = resource(
            "aws:lb/listenerRule:ListenerRule",
            {"actions": [{"type": "redirect"}]},
            "rule",
            **ref("listenerArn", listener),
        )
        assert stack_findings(lb_listener_rules_tls, [listener, rule]) == []

    def test_unknown_protocol(self) -> None:
        listener = resource("aws:lb/listener:Listener", {"protocol": WIRE_UNKNOWN}, "listener")
        rule = resource(
            "aws:lb/listenerRule:ListenerRule",
            {"actions": [{"type": "forward"}]},
            "rule",
            **ref("listenerArn", listener),
        )
        assert stack_findings(lb_listener_rules_tls, [listener, rule])[0].unverifiable
