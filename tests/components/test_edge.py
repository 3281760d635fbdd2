"""EdgeProtection and EdgeFirewall: nothing reaches the ALB except CloudFront with WAF."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest

from components.config import WafRule
from components.edge import EdgeProtection, EdgeProtectionArgs, LoggedBucket
from offline.capture import UNKNOWN, CapturedResource
from offline.mocks import CLOUDFRONT_CACHE_POLICIES, CLOUDFRONT_ORIGIN_REQUEST_POLICIES
from offline.runner import ProgramRun, run_component
from tests.programs import stack as shared_stack

from .edge_cluster_fixtures import CONTEXT, TIERS, document, is_secret, reveal, tier_config

ALB_SG = "sg-0alb"
PUBLIC_SUBNETS = ["subnet-0pub0", "subnet-0pub1"]


@functools.cache
def edge_run(
    tier: str,
    preview: bool,
    protect: bool = False,
    logged: tuple[LoggedBucket, ...] = (),
    origin_secret_generation: int = 1,
) -> ProgramRun:
    config = tier_config(tier)
    edge = replace(config.edge, origin_secret_generation=origin_secret_generation)

    def build() -> None:
        EdgeProtection(
            "edge",
            EdgeProtectionArgs(
                name_prefix="trading-test",
                edge=edge,
                vpc_id="vpc-0test",
                public_subnet_ids=PUBLIC_SUBNETS,
                alb_security_group_id=ALB_SG,
                context=CONTEXT,
                protect=protect,
                access_logged_buckets=logged,
            ),
        )

    return run_component(build, preview=preview)


def one(run: ProgramRun, type_token: str) -> CapturedResource:
    [resource] = run.of_type(type_token)
    return resource


def acl_rules(run: ProgramRun) -> dict[str, dict[str, Any]]:
    rules = document(one(run, "aws:wafv2/webAcl:WebAcl").get("ruleJson"))
    return {rule["Name"]: rule for rule in rules}


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("tier", TIERS)
def test_every_public_entry_carries_the_waf(tier: str, preview: bool) -> None:
    run = edge_run(tier, preview)
    acl = one(run, "aws:wafv2/webAcl:WebAcl")
    assert acl.get("scope") == "CLOUDFRONT"
    assert acl.get("region") == "us-east-1"
    distributions = run.of_type("aws:cloudfront/distribution:Distribution")
    assert len(distributions) == 1
    web_acl_id = distributions[0].get("webAclId")
    assert web_acl_id is not None
    if not preview:
        assert web_acl_id.startswith("arn:aws:wafv2:us-east-1:")
        assert "/webacl/" in web_acl_id
    # The ALB is the only other internet-facing thing, and it only has the ALB SG (which
    # accepts CloudFront's prefix list alone) and an HTTPS listener whose default is 403.
    [alb] = run.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert alb.get("securityGroups") == [ALB_SG]
    assert alb.get("subnets") == PUBLIC_SUBNETS
    listeners = run.of_type("aws:lb/listener:Listener")
    assert [(lst.get("port"), lst.get("protocol")) for lst in listeners] == [(443, "HTTPS")]
    assert listeners[0].get("defaultActions") == [
        {
            "type": "fixed-response",
            "fixedResponse": {
                "contentType": "text/plain",
                "messageBody": "Forbidden",
                "statusCode": "403",
            },
        }
    ]


def origin_header_values(run: ProgramRun) -> tuple[str, list[list[str]]]:
    """(what CloudFront sends, what each ALB rule accepts), revealed."""
    distribution = one(run, "aws:cloudfront/distribution:Distribution")
    [alb_origin] = [o for o in distribution.get("origins") if o["originId"] == "alb"]
    [header] = alb_origin["customHeaders"]
    assert header["name"] == "X-Origin-Verify"
    accepted: list[list[str]] = []
    for rule in run.of_type("aws:lb/listenerRule:ListenerRule"):
        [condition] = [c["httpHeader"] for c in rule.get("conditions") if "httpHeader" in c]
        assert condition["httpHeaderName"] == "X-Origin-Verify"
        assert all(is_secret(value) for value in condition["values"])
        accepted.append([reveal(value) for value in condition["values"]])
    return reveal(header["value"]), accepted


def test_forwarding_requires_cloudfronts_secret_header() -> None:
    run = edge_run("growth", False)
    sent, accepted = origin_header_values(run)
    assert len(sent) == 48
    # Both rules accept the value CloudFront sends and the previous generation's, nothing else.
    assert len(accepted) == 2
    for values in accepted:
        assert values[0] == sent
        assert len(set(values)) == len(values) == 2
    version = one(run, "aws:secretsmanager/secretVersion:SecretVersion")
    assert reveal(version.get("secretString")) == sent
    secret_resource = one(run, "aws:secretsmanager/secret:Secret")
    assert secret_resource.get("kmsKeyId", "").startswith("arn:aws:kms:ap-northeast-2:")


def test_origin_secret_rotates_in_one_step_without_a_rejected_request() -> None:
    """Generation 1 -> 2: the ALB accepted 1 (what CloudFront sent) and still does, CloudFront
    sends 2, which the rules (its dependencies, so updated first) already accept."""
    before, after = edge_run("growth", False), edge_run("growth", False, origin_secret_generation=2)
    sent_before, accepted_before = origin_header_values(before)
    sent_after, accepted_after = origin_header_values(after)
    assert sent_after != sent_before
    for values in accepted_after:
        assert values == [sent_after, sent_before]
    assert {v for values in accepted_before for v in values} & set(accepted_after[0]) == {
        sent_before
    }
    passwords = {r.name for r in after.of_type("random:index/randomPassword:RandomPassword")}
    assert passwords == {"edge-origin-secret-2", "edge-origin-secret-1"}
    # Generation 1 keeps the name and so the value of the one password from before generations.
    first = {r.name for r in before.of_type("random:index/randomPassword:RandomPassword")}
    assert first == {"edge-origin-secret-1", "edge-origin-secret"}
    distribution = one(after, "aws:cloudfront/distribution:Distribution")
    rules = {r.urn for r in after.of_type("aws:lb/listenerRule:ListenerRule")}
    assert len(rules) == 2
    assert rules <= set(distribution.dependencies)


def test_listener_rules_route_paths_to_target_groups() -> None:
    run = edge_run("scale", False)
    groups = {tg.name: tg for tg in run.of_type("aws:lb/targetGroup:TargetGroup")}
    routes = {}
    for rule in run.of_type("aws:lb/listenerRule:ListenerRule"):
        [paths] = [c["pathPattern"]["values"] for c in rule.get("conditions") if "pathPattern" in c]
        routes[rule.get("priority")] = (paths, rule.get("actions")[0]["targetGroupArn"])
    assert routes[100][0] == ["/api/*"]
    assert (
        "/edge-api-tg/" in routes[100][1]
        or routes[100][1].split("/")[1] in groups["edge-api-tg"].name
    )
    assert routes[200][0] == ["/ws/*", "/socket.io/*"]
    assert "websocket" in routes[200][1]


def test_target_groups_follow_seed_000() -> None:
    run = edge_run("startup", False)
    groups = {tg.name: tg for tg in run.of_type("aws:lb/targetGroup:TargetGroup")}
    assert set(groups) == {"edge-api-tg", "edge-websocket-tg"}
    for name, port in (("edge-api-tg", 3000), ("edge-websocket-tg", 3001)):
        tg = groups[name]
        assert tg.get("port") == port
        assert tg.get("targetType") == "ip"
        assert tg.get("deregistrationDelay") == 120
        assert tg.get("healthCheck") == {
            "enabled": True,
            "path": "/health",
            "protocol": "HTTP",
            "port": "traffic-port",
            "matcher": "200",
            "interval": 15,
            "timeout": 5,
            "healthyThreshold": 2,
            "unhealthyThreshold": 3,
        }
    assert groups["edge-websocket-tg"].get("stickiness.enabled") is True
    assert groups["edge-websocket-tg"].get("stickiness.type") == "lb_cookie"
    assert groups["edge-api-tg"].get("stickiness.enabled") is False


@pytest.mark.parametrize("protect", [False, True])
def test_alb_settings_and_its_log_bucket(protect: bool) -> None:
    run = edge_run("scale", False, protect)
    alb = one(run, "aws:lb/loadBalancer:LoadBalancer")
    assert alb.get("internal") is False
    assert alb.get("enableHttp2") is True
    assert alb.get("dropInvalidHeaderFields") is True
    assert alb.get("idleTimeout") == 60
    assert alb.get("enableDeletionProtection") is protect
    logs = run.named("edge-alb-logs")
    assert alb.get("accessLogs") == {
        "bucket": logs.get("bucketPrefix") and alb.get("accessLogs.bucket"),
        "prefix": "alb",
        "enabled": True,
    }
    assert alb.get("accessLogs.bucket").startswith("trading-test-alb-logs-")
    assert logs.protect is protect
    listener = one(run, "aws:lb/listener:Listener")
    assert listener.get("sslPolicy") == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listener.get("certificateArn").startswith("arn:aws:acm:ap-northeast-2:")


def test_log_bucket_is_private_encrypted_and_expires() -> None:
    run = edge_run("growth", False)
    bucket = run.named("edge-alb-logs").get("bucketPrefix")
    assert bucket == "trading-test-alb-logs-"
    access = run.named("edge-alb-logs-public-access")
    assert all(
        access.get(k) is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    assert run.named("edge-alb-logs-ownership").get("rule.objectOwnership") == "BucketOwnerEnforced"
    sse = run.named("edge-alb-logs-encryption").get("rules.0.applyServerSideEncryptionByDefault")
    assert sse == {"sseAlgorithm": "AES256"}  # ALB access logs support SSE-S3 only
    lifecycle = run.named("edge-alb-logs-lifecycle").get("rules.0")
    assert lifecycle["status"] == "Enabled"
    assert (
        lifecycle["expiration"]["days"]
        == tier_config("growth").edge.access_log_expiration_days
        == 90
    )
    policy = document(run.named("edge-alb-logs-policy").get("policy"))
    statements = {s["Sid"]: s for s in policy["Statement"]}
    delivery = statements["ElbLogDelivery"]
    assert delivery["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"].endswith("/alb/AWSLogs/123456789012/*")
    # ap-northeast-2 predates the service principal; its ELB account delivers there.
    assert statements["ElbRegionalAccountLogDelivery"]["Principal"] == {
        "AWS": "arn:aws:iam::600734575887:root"
    }
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"


def test_cloudfront_behaviours() -> None:
    run = edge_run("scale", False)
    cdn = one(run, "aws:cloudfront/distribution:Distribution")
    assert cdn.get("aliases") == ["trading.example.com", "www.trading.example.com"]
    assert cdn.get("httpVersion") == "http2and3"
    assert cdn.get("isIpv6Enabled") is True
    assert cdn.get("priceClass") == "PriceClass_200"
    assert cdn.get("viewerCertificate.minimumProtocolVersion") == "TLSv1.2_2021"
    assert cdn.get("viewerCertificate.sslSupportMethod") == "sni-only"
    assert cdn.get("viewerCertificate.acmCertificateArn").startswith("arn:aws:acm:us-east-1:")
    origins = {o["originId"]: o for o in cdn.get("origins")}
    assert origins["alb"]["domainName"] == "origin.trading.example.com"
    assert origins["alb"]["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origins["alb"]["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    oac = one(run, "aws:cloudfront/originAccessControl:OriginAccessControl")
    assert oac.get("signingProtocol") == "sigv4"
    assert oac.get("signingBehavior") == "always"
    assert origins["static"]["originAccessControlId"].startswith("edge-static-oac-")
    default = cdn.get("defaultCacheBehavior")
    assert default["targetOriginId"] == "static"
    assert default["viewerProtocolPolicy"] == "redirect-to-https"
    assert default["compress"] is True
    assert default["cachePolicyId"] == CLOUDFRONT_CACHE_POLICIES["Managed-CachingOptimized"]
    behaviours = {b["pathPattern"]: b for b in cdn.get("orderedCacheBehaviors")}
    assert set(behaviours) == {"/api/*", "/ws/*", "/socket.io/*"}
    for behaviour in behaviours.values():
        assert behaviour["targetOriginId"] == "alb"
        assert behaviour["viewerProtocolPolicy"] == "https-only"
        assert behaviour["cachePolicyId"] == CLOUDFRONT_CACHE_POLICIES["Managed-CachingDisabled"]
        assert (
            behaviour["originRequestPolicyId"]
            == CLOUDFRONT_ORIGIN_REQUEST_POLICIES["Managed-AllViewerExceptHostHeader"]
        )
        assert "POST" in behaviour["allowedMethods"]


@pytest.mark.parametrize("preview", [False, True])
def test_every_behaviour_sets_the_security_headers(preview: bool) -> None:
    run = edge_run("startup", preview)
    policy = one(run, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    headers = policy.get("securityHeadersConfig")
    assert headers["strictTransportSecurity"] == {
        "accessControlMaxAgeSec": 63_072_000,
        "includeSubdomains": True,
        "preload": True,
        "override": True,
    }
    assert headers["contentTypeOptions"] == {"override": True}
    assert headers["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert headers["referrerPolicy"] == {
        "referrerPolicy": "strict-origin-when-cross-origin",
        "override": True,
    }
    assert headers["xssProtection"] == {"protection": False, "override": True}
    cdn = one(run, "aws:cloudfront/distribution:Distribution")
    behaviours = [cdn.get("defaultCacheBehavior"), *cdn.get("orderedCacheBehaviors")]
    assert len(behaviours) == 4
    expected = UNKNOWN if preview else policy.outputs["id"]
    assert all(b["responseHeadersPolicyId"] == expected for b in behaviours)


def test_static_bucket_readable_only_by_this_distribution() -> None:
    run = edge_run("startup", False)
    cdn_arn = "arn:aws:cloudfront::123456789012:distribution/"
    policy = document(run.named("edge-static-policy").get("policy"))
    [allow] = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"].startswith(cdn_arn)
    assert run.named("edge-static-ownership").get("rule.objectOwnership") == "BucketOwnerEnforced"


@pytest.mark.parametrize("preview", [False, True])
def test_static_bucket_is_versioned_and_under_a_key_only_this_distribution_decrypts(
    preview: bool,
) -> None:
    run = edge_run("growth", preview)
    key = run.named("edge-static-key")
    sse = run.named("edge-static-encryption").get("rules.0")
    assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert sse["bucketKeyEnabled"] is True
    assert run.named("edge-static-versioning").get("versioningConfiguration.status") == "Enabled"
    [rule] = run.named("edge-static-lifecycle").get("rules")
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    if preview:
        assert sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN
        return
    assert sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key.outputs["arn"]
    cdn = one(run, "aws:cloudfront/distribution:Distribution")
    statements = {s["Sid"]: s for s in document(key.get("policy"))["Statement"]}
    assert set(statements) == {"AccountAdministersKey", "CloudFrontDecryptsFrontEnd"}
    decrypt = statements["CloudFrontDecryptsFrontEnd"]
    assert decrypt["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"AWS:SourceArn": cdn.outputs["arn"]}}


def test_s3_server_access_logs_go_to_the_log_bucket() -> None:
    engine = LoggedBucket(
        "engine-artifacts", "trading-test-engine-artifacts", "arn:aws:s3:::trading-test-engine"
    )
    run = edge_run("scale", False, logged=(engine,))
    logs = run.named("edge-alb-logs")
    policy = document(run.named("edge-alb-logs-policy").get("policy"))
    delivery = {s["Sid"]: s for s in policy["Statement"]}["S3ServerAccessLogDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Resource"] == f"{logs.outputs['arn']}/s3-access/*"
    static = run.named("edge-static")
    assert delivery["Condition"] == {
        "ArnLike": {"aws:SourceArn": [static.outputs["arn"], "arn:aws:s3:::trading-test-engine"]},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }
    targets = {r.get("bucket"): r for r in run.of_type("aws:s3/bucketLogging:BucketLogging")}
    assert set(targets) == {static.outputs["bucket"], "trading-test-engine-artifacts"}
    assert targets["trading-test-engine-artifacts"].get("targetPrefix") == (
        "s3-access/engine-artifacts/"
    )
    assert targets[static.outputs["bucket"]].get("targetPrefix") == "s3-access/static/"
    policy_urn = run.named("edge-alb-logs-policy").urn
    for target in targets.values():
        assert target.get("targetBucket") == logs.outputs["bucket"]
        assert policy_urn in target.dependencies


def test_certificates_and_dns() -> None:
    run = edge_run("scale", False)
    certs = {c.name: c for c in run.of_type("aws:acm/certificate:Certificate")}
    assert certs["edge-cdn-cert"].get("region") == "us-east-1"
    assert certs["edge-cdn-cert"].get("domainName") == "trading.example.com"
    assert certs["edge-cdn-cert"].get("subjectAlternativeNames") == ["www.trading.example.com"]
    assert certs["edge-alb-cert"].get("region") is None  # the stack's region, with the ALB
    assert certs["edge-alb-cert"].get("domainName") == "origin.trading.example.com"
    assert all(c.get("validationMethod") == "DNS" for c in certs.values())
    validations = run.of_type("aws:acm/certificateValidation:CertificateValidation")
    assert sorted(len(v.get("validationRecordFqdns")) for v in validations) == [1, 2]
    records = {r.name: r for r in run.of_type("aws:route53/record:Record")}
    # prod names its zone by id; every record goes there.
    assert {r.get("zoneId") for r in records.values()} == {"Z0123456789EXAMPLE"}
    for name in ("edge-apex-a", "edge-apex-aaaa", "edge-www-a", "edge-www-aaaa"):
        [alias] = records[name].get("aliases")
        assert alias["zoneId"] == "Z2FDTNDATAQYW2"
        assert alias["name"].endswith(".cloudfront.net")
    assert records["edge-www-aaaa"].get("type") == "AAAA"
    assert records["edge-www-a"].get("name") == "www.trading.example.com"
    assert records["edge-origin"].get("aliases.0.name").endswith(".elb.amazonaws.com")
    health = one(run, "aws:route53/healthCheck:HealthCheck")
    assert health.get("type") == "HTTPS"
    assert health.get("fqdn") == "trading.example.com"
    assert health.get("port") == 443


def test_zone_looked_up_by_name() -> None:
    def build() -> None:
        edge = replace(
            tier_config("startup").edge, hosted_zone_id=None, hosted_zone_name="example.com"
        )
        args = EdgeProtectionArgs(
            "trading-test", edge, "vpc-1", PUBLIC_SUBNETS, ALB_SG, CONTEXT, False
        )
        EdgeProtection("edge", args)

    run = run_component(build, preview=False)
    zones = {r.get("zoneId") for r in run.of_type("aws:route53/record:Record")}
    assert len(zones) == 1
    [zone] = zones
    assert zone.startswith("Z")
    assert zone != "Z0123456789EXAMPLE"


@pytest.mark.parametrize("tier", TIERS)
def test_waf_rule_set(tier: str) -> None:
    config = tier_config(tier).edge.waf
    run = edge_run(tier, False)
    rules = acl_rules(run)
    assert set(rules) == {rule.value for rule in WafRule}
    assert {name: r["Priority"] for name, r in rules.items()} == {
        rule.value: priority for rule, priority in config.priorities.items()
    }
    assert len({r["Priority"] for r in rules.values()}) == len(rules)
    for name, rule in rules.items():
        assert rule["VisibilityConfig"] == {
            "CloudWatchMetricsEnabled": True,
            "MetricName": f"trading-test-{name}",
            "SampledRequestsEnabled": True,
        }
    ip_sets = {s.name: s for s in run.of_type("aws:wafv2/ipSet:IpSet")}
    assert all(
        s.get("region") == "us-east-1" and s.get("scope") == "CLOUDFRONT" for s in ip_sets.values()
    )
    assert ip_sets["edge-waf-admins"].get("addresses") == ["203.0.113.10/32", "203.0.113.11/32"]
    admins_arn = "/ipset/trading-test-admins/"
    tradingview_arn = "/ipset/trading-test-tradingview/"

    geo = rules["geoBlock"]
    assert geo["Action"] == {"Block": {}}
    assert geo["Statement"]["GeoMatchStatement"]["CountryCodes"] == ["KP", "IR", "CU", "SY"]

    admin = rules["adminAllowList"]["Statement"]["AndStatement"]["Statements"]
    assert rules["adminAllowList"]["Action"] == {"Block": {}}
    assert admin[0]["ByteMatchStatement"]["SearchString"] == "/admin"
    assert admin[0]["ByteMatchStatement"]["PositionalConstraint"] == "STARTS_WITH"
    assert admins_arn in admin[1]["NotStatement"]["Statement"]["IPSetReferenceStatement"]["ARN"]

    login = rules["loginRateLimit"]["Statement"]["RateBasedStatement"]
    assert (login["Limit"], login["AggregateKeyType"], login["EvaluationWindowSec"]) == (
        100,
        "IP",
        300,
    )
    path, exempt = login["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert path["ByteMatchStatement"]["SearchString"] == "/api/auth/"
    assert tradingview_arn in exempt["NotStatement"]["Statement"]["IPSetReferenceStatement"]["ARN"]

    blanket = rules["rateLimit"]["Statement"]["RateBasedStatement"]
    assert blanket["Limit"] == 2000
    not_tv = blanket["ScopeDownStatement"]["NotStatement"]["Statement"]
    assert tradingview_arn in not_tv["IPSetReferenceStatement"]["ARN"]

    managed = {
        "ipReputation": "AWSManagedRulesAmazonIpReputationList",
        "common": "AWSManagedRulesCommonRuleSet",
        "sqli": "AWSManagedRulesSQLiRuleSet",
        "knownBadInputs": "AWSManagedRulesKnownBadInputsRuleSet",
    }
    for name, group in managed.items():
        assert rules[name]["OverrideAction"] == {"None": {}}
        assert rules[name]["Statement"]["ManagedRuleGroupStatement"] == {
            "VendorName": "AWS",
            "Name": group,
        }
        # Nobody, TradingView included, is exempt from the managed groups.
        assert "ScopeDownStatement" not in rules[name]["Statement"]["ManagedRuleGroupStatement"]


def test_waf_logging_redacts_credentials() -> None:
    run = edge_run("scale", False)
    logging = one(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    assert logging.get("region") == "us-east-1"
    assert logging.get("redactedFields") == [
        {"singleHeader": {"name": "authorization"}},
        {"singleHeader": {"name": "cookie"}},
    ]
    [destination] = logging.get("logDestinationConfigs")
    assert ":log-group:aws-waf-logs-trading-test" in destination
    assert destination.startswith("arn:aws:logs:us-east-1:")
    group = run.named("edge-waf-logs")
    assert group.get("region") == "us-east-1"
    assert group.get("retentionInDays") == 365
    assert group.get("kmsKeyId").startswith("arn:aws:kms:us-east-1:")
    key = run.named("edge-logs-us-east-1-key")
    assert key.get("region") == "us-east-1"
    assert "logs.us-east-1.amazonaws.com" in key.get("policy")


def test_cloudfront_access_logs_go_to_an_encrypted_group() -> None:
    run = edge_run("startup", False)
    source = one(run, "aws:cloudwatch/logDeliverySource:LogDeliverySource")
    assert source.get("logType") == "ACCESS_LOGS"
    assert source.get("resourceArn").startswith("arn:aws:cloudfront::")
    group = run.named("edge-cdn-logs")
    assert group.get("retentionInDays") == 30
    assert group.get("kmsKeyId").startswith("arn:aws:kms:us-east-1:")


def test_preview_leaves_computed_values_unknown() -> None:
    run = edge_run("growth", True)
    assert one(run, "aws:cloudfront/distribution:Distribution").get("webAclId") == UNKNOWN
    assert one(run, "aws:wafv2/webAcl:WebAcl").get("ruleJson") == UNKNOWN
    # Inputs known before anything exists are still checked in preview.
    assert one(run, "aws:lb/loadBalancer:LoadBalancer").get("dropInvalidHeaderFields") is True


def program(stack: str, preview: bool) -> ProgramRun:
    return shared_stack(stack, preview)


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_wires_the_edge_to_the_network(stack: str, preview: bool) -> None:
    run = program(stack, preview)
    alb_sgs = [
        sg
        for sg in run.of_type("aws:ec2/securityGroup:SecurityGroup")
        if sg.name == "network-alb-sg"
    ]
    assert len(alb_sgs) == 1
    for key in (
        "siteUrl",
        "cloudFrontDomainName",
        "albDnsName",
        "clusterName",
        "kubeconfig",
        "ecrRepositoryUrls",
    ):
        assert key in run.outputs
    domain = "dev.trading.example.com" if stack == "dev" else "trading.example.com"
    assert run.outputs["siteUrl"] == f"https://{domain}"
    if not preview:
        alb = run.named("edge-alb")
        [sg] = alb.get("securityGroups")
        assert sg.startswith("sg-")
        assert run.outputs["cloudFrontDomainName"].endswith(".cloudfront.net")
        assert run.outputs["albDnsName"].endswith(".elb.amazonaws.com")
    assert run.named("edge-alb").protect is False
    assert run.named("edge-alb").get("enableDeletionProtection") is (stack == "prod")
    # The program hands the engine's artifact bucket to the edge's log bucket too.
    logged = {r.name: r for r in run.of_type("aws:s3/bucketLogging:BucketLogging")}
    assert set(logged) == {"edge-static-access-logs", "edge-engine-artifacts-access-logs"}
    artifacts = logged["edge-engine-artifacts-access-logs"].get("bucket")
    assert artifacts == run.named("matching-engine-artifacts").get("bucket")


def test_program_alb_accepts_only_cloudfront() -> None:
    run = program("prod", False)
    [alb_sg] = run.named("edge-alb").get("securityGroups")
    ingress = [
        rule
        for rule in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if rule.get("securityGroupId") == alb_sg
    ]
    assert [(r.get("fromPort"), r.get("toPort"), r.get("prefixListId")) for r in ingress] == [
        (443, 443, "pl-22a6434b")  # CloudFront's origin-facing prefix list
    ]
    assert all(r.get("cidrIpv4") is None and r.get("cidrIpv6") is None for r in ingress)
