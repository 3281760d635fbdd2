"""Stack rules: flow logs, bucket encryption, WAF on public entry points, protected state."""

from policies.engine import Resource
from policies.rules import types
from policies.rules.stack import (
    public_entry_points_waf,
    s3_bucket_encryption,
    stateful_resources_protected,
    vpc_flow_logs,
)

from .helpers import WIRE_UNKNOWN, messages, resource, stack_findings


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
