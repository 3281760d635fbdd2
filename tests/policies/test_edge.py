"""Load balancer and CloudFront rules."""

import pytest

from policies.rules import types
from policies.rules.edge import (
    alb_access_logs,
    alb_drop_invalid_headers,
    cloudfront_tls,
    cloudfront_waf,
    lb_listener_tls,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

HTTPS_LISTENER = {
    "loadBalancerArn": WIRE_UNKNOWN,
    "port": 443,
    "protocol": "HTTPS",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "certificateArn": WIRE_UNKNOWN,
    "defaultActions": [{"type": "forward", "targetGroupArn": WIRE_UNKNOWN}],
}
REDIRECT_LISTENER = {
    "loadBalancerArn": WIRE_UNKNOWN,
    "port": 80,
    "protocol": "HTTP",
    "defaultActions": [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        }
    ],
}
ALB = {
    "loadBalancerType": "application",
    "internal": False,
    "dropInvalidHeaderFields": True,
    "accessLogs": {"bucket": WIRE_UNKNOWN, "enabled": True},
}
DISTRIBUTION = {
    "enabled": True,
    "webAclId": WIRE_UNKNOWN,
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "targetOriginId": "alb"},
    "orderedCacheBehaviors": [{"pathPattern": "/static/*", "viewerProtocolPolicy": "https-only"}],
    "viewerCertificate": {
        "acmCertificateArn": "arn:cert",
        "minimumProtocolVersion": "TLSv1.2_2021",
        "sslSupportMethod": "sni-only",
    },
    "origins": [
        {
            "originId": "alb",
            "domainName": "alb.example.com",
            "customOriginConfig": {
                "originProtocolPolicy": "https-only",
                "originSslProtocols": ["TLSv1.2"],
                "httpPort": 80,
                "httpsPort": 443,
            },
        },
        {
            "originId": "static",
            "domainName": "bucket.s3.amazonaws.com",
            "originAccessControlId": "oac-1",
        },
    ],
}


class TestListenerTls:
    @pytest.mark.parametrize("type_", sorted(types.LISTENERS))
    @pytest.mark.parametrize(
        "inputs", [HTTPS_LISTENER, REDIRECT_LISTENER, changed(HTTPS_LISTENER, "protocol", "TLS")]
    )
    def test_compliance(self, type_: str, inputs: dict[str, object]) -> None:
        assert evaluate(lb_listener_tls, type_, inputs) == []

    @pytest.mark.parametrize(
        "policy", ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01", DELETE]
    )
    def test_noncompliance_weak_policy(self, policy: object) -> None:
        findings = evaluate(
            lb_listener_tls,
            "aws:lb/listener:Listener",
            changed(HTTPS_LISTENER, "sslPolicy", policy),
        )
        assert "use a TLS 1.2+ policy" in messages(findings)[0]

    def test_noncompliance_plain_http_forward(self) -> None:
        inputs = changed(
            REDIRECT_LISTENER, "defaultActions", [{"type": "forward", "targetGroupArn": "tg"}]
        )
        assert messages(evaluate(lb_listener_tls, "aws:alb/listener:Listener", inputs)) == [
            "protocol is HTTP and defaultActions do not redirect to HTTPS; serve HTTPS or redirect"
        ]

    def test_noncompliance_redirect_keeping_http(self) -> None:
        inputs = changed(REDIRECT_LISTENER, "defaultActions.0.redirect.protocol", "HTTP")
        assert len(evaluate(lb_listener_tls, "aws:lb/listener:Listener", inputs)) == 1

    @pytest.mark.parametrize("protocol", ["TCP", "UDP", "TCP_UDP"])
    def test_noncompliance_plaintext_layer4(self, protocol: str) -> None:
        inputs = changed(HTTPS_LISTENER, "protocol", protocol)
        assert (
            "plaintext"
            in messages(evaluate(lb_listener_tls, "aws:lb/listener:Listener", inputs))[0]
        )

    @pytest.mark.parametrize(
        ("inputs", "what"),
        [
            (changed(HTTPS_LISTENER, "protocol", WIRE_UNKNOWN), "protocol"),
            (changed(HTTPS_LISTENER, "sslPolicy", WIRE_UNKNOWN), "sslPolicy"),
            (changed(REDIRECT_LISTENER, "defaultActions", WIRE_UNKNOWN), "defaultActions"),
        ],
    )
    def test_unknown(self, inputs: dict[str, object], what: str) -> None:
        assert messages(evaluate(lb_listener_tls, "aws:lb/listener:Listener", inputs)) == [
            f"cannot verify {what}: unknown during preview"
        ]


class TestCloudFrontTls:
    def test_compliance(self) -> None:
        assert evaluate(cloudfront_tls, types.CLOUDFRONT_DISTRIBUTION, DISTRIBUTION) == []

    @pytest.mark.parametrize(
        ("path", "value", "expected"),
        [
            (
                "defaultCacheBehavior.viewerProtocolPolicy",
                "allow-all",
                "defaultCacheBehavior.viewerProtocolPolicy",
            ),
            (
                "orderedCacheBehaviors.0.viewerProtocolPolicy",
                "allow-all",
                "orderedCacheBehaviors.0.viewerProtocolPolicy",
            ),
            ("viewerCertificate.minimumProtocolVersion", "TLSv1", "minimumProtocolVersion"),
            ("viewerCertificate", {"cloudfrontDefaultCertificate": True}, "*.cloudfront.net"),
            (
                "origins.0.customOriginConfig.originProtocolPolicy",
                "match-viewer",
                "originProtocolPolicy",
            ),
            (
                "origins.0.customOriginConfig.originSslProtocols",
                ["TLSv1", "TLSv1.2"],
                "originSslProtocols",
            ),
        ],
    )
    def test_noncompliance(self, path: str, value: object, expected: str) -> None:
        findings = evaluate(
            cloudfront_tls, types.CLOUDFRONT_DISTRIBUTION, changed(DISTRIBUTION, path, value)
        )
        assert len(findings) == 1
        assert expected in findings[0].message

    @pytest.mark.parametrize(
        "path",
        [
            "defaultCacheBehavior.viewerProtocolPolicy",
            "viewerCertificate",
            "origins",
            "origins.0.customOriginConfig",
            "orderedCacheBehaviors",
        ],
    )
    def test_unknown(self, path: str) -> None:
        findings = evaluate(
            cloudfront_tls, types.CLOUDFRONT_DISTRIBUTION, changed(DISTRIBUTION, path, WIRE_UNKNOWN)
        )
        assert findings
        assert all(f.unverifiable for f in findings)


class TestAlbHardening:
    @pytest.mark.parametrize("type_", sorted(types.LOAD_BALANCERS))
    def test_compliance(self, type_: str) -> None:
        assert evaluate(alb_drop_invalid_headers, type_, ALB) == []
        assert evaluate(alb_access_logs, type_, ALB) == []

    def test_compliance_network_load_balancer_is_out_of_scope(self) -> None:
        nlb = {"loadBalancerType": "network", "internal": True}
        assert evaluate(alb_drop_invalid_headers, "aws:lb/loadBalancer:LoadBalancer", nlb) == []
        assert evaluate(alb_access_logs, "aws:lb/loadBalancer:LoadBalancer", nlb) == []

    @pytest.mark.parametrize("value", [False, DELETE])
    def test_noncompliance_headers(self, value: object) -> None:
        inputs = changed(changed(ALB, "dropInvalidHeaderFields", value), "loadBalancerType", DELETE)
        assert (
            len(evaluate(alb_drop_invalid_headers, "aws:lb/loadBalancer:LoadBalancer", inputs)) == 1
        )

    @pytest.mark.parametrize(
        ("path", "value"),
        [("accessLogs.enabled", False), ("accessLogs", DELETE), ("accessLogs.bucket", DELETE)],
    )
    def test_noncompliance_logs(self, path: str, value: object) -> None:
        findings = evaluate(
            alb_access_logs, "aws:alb/loadBalancer:LoadBalancer", changed(ALB, path, value)
        )
        assert len(findings) == 1

    @pytest.mark.parametrize("path", ["loadBalancerType", "dropInvalidHeaderFields"])
    def test_unknown(self, path: str) -> None:
        inputs = changed(ALB, path, WIRE_UNKNOWN)
        assert evaluate(alb_drop_invalid_headers, "aws:lb/loadBalancer:LoadBalancer", inputs)[
            0
        ].unverifiable


class TestCloudFrontWaf:
    def test_compliance(self) -> None:
        assert evaluate(cloudfront_waf, types.CLOUDFRONT_DISTRIBUTION, DISTRIBUTION) == []

    def test_noncompliance(self) -> None:
        inputs = changed(DISTRIBUTION, "webAclId", DELETE)
        assert messages(evaluate(cloudfront_waf, types.CLOUDFRONT_DISTRIBUTION, inputs)) == [
            "webAclId is not set; attach the edge web ACL"
        ]


# awsx's component: its inputs are all the analyzer sees offline.
AWSX_HTTPS = {
    "port": 443,
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "certificateArn": "arn:cert",
}
AWSX_REDIRECT = {"port": 80, "defaultActions": REDIRECT_LISTENER["defaultActions"]}
AWSX_ALB_INPUTS = {
    "subnetIds": ["subnet-1"],
    "listeners": [AWSX_HTTPS, AWSX_REDIRECT],
    "dropInvalidHeaderFields": True,
    "accessLogs": {"bucket": WIRE_UNKNOWN, "enabled": True},
}


class TestAwsxApplicationLoadBalancer:
    def test_compliance(self) -> None:
        for rule in (lb_listener_tls, alb_drop_invalid_headers, alb_access_logs):
            assert evaluate(rule, types.AWSX_ALB, AWSX_ALB_INPUTS) == [], rule.info.name

    def test_compliance_single_listener(self) -> None:
        inputs = changed(changed(AWSX_ALB_INPUTS, "listeners", DELETE), "listener", AWSX_HTTPS)
        assert evaluate(lb_listener_tls, types.AWSX_ALB, inputs) == []

    def test_noncompliance_default_listener_is_plain_http(self) -> None:
        inputs = changed(AWSX_ALB_INPUTS, "listeners", DELETE)
        assert messages(evaluate(lb_listener_tls, types.AWSX_ALB, inputs)) == [
            "no listener given, so awsx creates plain HTTP:80; add an HTTPS listener"
        ]

    def test_noncompliance_port_443_without_tls_policy(self) -> None:
        inputs = changed(AWSX_ALB_INPUTS, "listeners.0.sslPolicy", DELETE)
        assert (
            "listeners.0.sslPolicy is not set"
            in messages(evaluate(lb_listener_tls, types.AWSX_ALB, inputs))[0]
        )

    def test_noncompliance_http_forward(self) -> None:
        inputs = changed(AWSX_ALB_INPUTS, "listeners.1", {"port": 8080})
        assert messages(evaluate(lb_listener_tls, types.AWSX_ALB, inputs)) == [
            (
                "listeners.1.protocol is HTTP and listeners.1.defaultActions do not redirect to HTTPS; "
                "serve HTTPS or redirect"
            )
        ]

    def test_noncompliance_hardening(self) -> None:
        inputs = changed(
            changed(AWSX_ALB_INPUTS, "dropInvalidHeaderFields", DELETE), "accessLogs", DELETE
        )
        assert len(evaluate(alb_drop_invalid_headers, types.AWSX_ALB, inputs)) == 1
        assert len(evaluate(alb_access_logs, types.AWSX_ALB, inputs)) == 1

    @pytest.mark.parametrize(
        ("path", "what"), [("listeners", "listeners"), ("listeners.0.port", "listeners.0.protocol")]
    )
    def test_unknown(self, path: str, what: str) -> None:
        inputs = changed(AWSX_ALB_INPUTS, path, WIRE_UNKNOWN)
        assert messages(evaluate(lb_listener_tls, types.AWSX_ALB, inputs)) == [
            f"cannot verify {what}: unknown during preview"
        ]


class TestClassicLoadBalancerListeners:
    @pytest.mark.parametrize("protocol", ["http", "TCP", "https", "SSL"])
    def test_noncompliance(self, protocol: str) -> None:
        inputs = {"listeners": [{"lbProtocol": protocol, "lbPort": 443, "instancePort": 8080}]}
        assert len(evaluate(lb_listener_tls, types.CLASSIC_LOAD_BALANCER, inputs)) == 1

    def test_no_listener_no_finding(self) -> None:
        assert evaluate(lb_listener_tls, types.CLASSIC_LOAD_BALANCER, {"listeners": []}) == []

    def test_unknown(self) -> None:
        inputs = {"listeners": WIRE_UNKNOWN}
        assert evaluate(lb_listener_tls, types.CLASSIC_LOAD_BALANCER, inputs)[0].unverifiable
