"""EKS control plane, MSK broker, CloudFront access and WAF logging."""

import pytest

from policies.engine import Resource
from policies.rules import service_types as st
from policies.rules import types
from policies.rules.service_logs import (
    cloudfront_access_logging,
    eks_control_plane_logging,
    msk_broker_logging,
    waf_logging,
)

from .helpers import WIRE_UNKNOWN, evaluate, messages, resource, stack_findings

ALL_LOGS = ["api", "audit", "authenticator"]


class TestEksLogging:
    def test_compliance_on_both_types(self) -> None:
        for type_ in (types.EKS_CLUSTER, types.EKS_COMPONENT):
            inputs = {"enabledClusterLogTypes": ALL_LOGS}
            assert evaluate(eks_control_plane_logging, type_, inputs) == []

    def test_missing_types_named(self) -> None:
        inputs = {"enabledClusterLogTypes": ["api"]}
        [message] = messages(evaluate(eks_control_plane_logging, types.EKS_COMPONENT, inputs))
        assert "audit, authenticator" in message

    def test_option_and_unknown(self) -> None:
        config = {"requiredLogTypes": ["api"]}
        inputs = {"enabledClusterLogTypes": ["api"]}
        assert evaluate(eks_control_plane_logging, types.EKS_CLUSTER, inputs, config) == []
        unknown = {"enabledClusterLogTypes": WIRE_UNKNOWN}
        assert evaluate(eks_control_plane_logging, types.EKS_CLUSTER, unknown)[0].unverifiable


class TestMskBrokerLogging:
    @pytest.mark.parametrize(
        ("logs", "count"),
        [
            ({"s3": {"enabled": True, "bucket": "b"}}, 0),
            ({"cloudwatchLogs": {"enabled": False}}, 1),
            (None, 1),
        ],
    )
    def test_sinks(self, logs: object, count: int) -> None:
        inputs = {"loggingInfo": {"brokerLogs": logs}}
        assert len(evaluate(msk_broker_logging, types.MSK_CLUSTER, inputs)) == count

    def test_unknown(self) -> None:
        inputs = {"loggingInfo": {"brokerLogs": {"firehose": {"enabled": WIRE_UNKNOWN}}}}
        assert evaluate(msk_broker_logging, types.MSK_CLUSTER, inputs)[0].unverifiable


CDN = resource(types.CLOUDFRONT_DISTRIBUTION, {"enabled": True}, "cdn")


def _source(log_type: str = "ACCESS_LOGS") -> Resource:
    return resource(
        st.LOG_DELIVERY_SOURCE,
        {"name": "cdn-logs", "logType": log_type, "resourceArn": WIRE_UNKNOWN},
        "source",
        property_dependencies={"resourceArn": [CDN.urn]},
    )


class TestCloudFrontLogging:
    def test_delivered_source_or_standard_logging(self) -> None:
        delivery = resource(st.LOG_DELIVERY, {"deliverySourceName": "cdn-logs"}, "delivery")
        assert stack_findings(cloudfront_access_logging, [CDN, _source(), delivery]) == []
        legacy = resource(types.CLOUDFRONT_DISTRIBUTION, {"loggingConfig": {"bucket": "b"}})
        assert stack_findings(cloudfront_access_logging, [legacy]) == []

    def test_source_without_delivery_does_not_log(self) -> None:
        [finding] = stack_findings(cloudfront_access_logging, [CDN, _source()])
        assert finding.urn == CDN.urn


class TestWafLogging:
    def test_matched_by_dependency(self) -> None:
        acl = resource(st.WEB_ACL, {"name": "edge"}, "acl")
        config = resource(
            st.WEB_ACL_LOGGING,
            {"resourceArn": WIRE_UNKNOWN},
            property_dependencies={"resourceArn": [acl.urn]},
        )
        assert stack_findings(waf_logging, [acl, config]) == []
        [missing] = stack_findings(waf_logging, [acl])
        assert missing.urn == acl.urn
        orphan = resource(st.WEB_ACL_LOGGING, {"resourceArn": WIRE_UNKNOWN}, "orphan")
        assert stack_findings(waf_logging, [acl, orphan])[0].unverifiable


def test_a_source_of_other_logs_does_not_count() -> None:
    delivery = resource(st.LOG_DELIVERY, {"deliverySourceName": "cdn-logs"}, "delivery")
    findings = stack_findings(
        cloudfront_access_logging, [CDN, _source("CONNECTION_LOGS"), delivery]
    )
    assert [f.urn for f in findings] == [CDN.urn]
