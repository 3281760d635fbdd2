"""Logging that must stay on: the EKS control plane, MSK brokers, CloudFront access, WAF."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    StackRule,
    as_bool,
    cannot_verify,
    resource_rule,
    stack_rule,
    violation,
)
from . import service_types as st
from . import types
from .stack import _of_type, _refers_to, _uncovered, _unmatched_unknowns

_EKS_LOG_OPTIONS: Final = {
    "requiredLogTypes": {
        "type": "array",
        "items": {
            "type": "string",
            "enum": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        },
        "default": ["api", "audit", "authenticator"],
        "description": "Control plane log types every cluster must send to CloudWatch Logs.",
    }
}


@resource_rule(
    name="eks-control-plane-logging",
    description="EKS clusters must send the api, audit and authenticator control plane logs to "
    "CloudWatch Logs.",
    types=(types.EKS_CLUSTER, types.EKS_COMPONENT),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("EKS.8",),
    unknowns="unknown enabledClusterLogTypes: cannot verify",
    options=_EKS_LOG_OPTIONS,
)
def eks_control_plane_logging(resource: Resource, config: Config) -> Iterator[Finding]:
    enabled = resource.items("enabledClusterLogTypes")
    if enabled is UNKNOWN:
        yield cannot_verify("enabledClusterLogTypes")
        return
    missing = [kind for kind in config["requiredLogTypes"] if kind not in enabled]
    if missing:
        yield violation(
            f"enabledClusterLogTypes lacks {', '.join(missing)}; the audit trail of who did what "
            "in the cluster exists only in these logs"
        )


_BROKER_LOG_SINKS: Final = ("cloudwatchLogs", "firehose", "s3")


@resource_rule(
    name="msk-broker-logging",
    description="MSK clusters must deliver broker logs (CloudWatch Logs, Firehose or S3).",
    types=(types.MSK_CLUSTER,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    unknowns="unknown loggingInfo or enabled flag: cannot verify",
)
def msk_broker_logging(resource: Resource, _config: Config) -> Iterator[Finding]:
    sinks = resource.get("loggingInfo.brokerLogs")
    if sinks is UNKNOWN:
        yield cannot_verify("loggingInfo.brokerLogs")
        return
    states = [
        as_bool(resource.get(f"loggingInfo.brokerLogs.{s}.enabled")) for s in _BROKER_LOG_SINKS
    ]
    if True in states:
        return
    if UNKNOWN in states:
        yield cannot_verify("loggingInfo.brokerLogs.*.enabled")
    else:
        yield violation("no broker log sink is enabled in loggingInfo.brokerLogs; enable one")


def _delivered_sources(resources: Sequence[Resource]) -> list[Resource]:
    deliveries = _of_type(resources, st.LOG_DELIVERY)
    return [
        source
        for source in _of_type(resources, st.LOG_DELIVERY_SOURCE)
        if source.get("logType") == "ACCESS_LOGS"
        and any(
            _refers_to(d, "deliverySourceName", source)
            or d.get("deliverySourceName") in (source.get("name"), UNKNOWN)
            for d in deliveries
        )
    ]


@stack_rule(
    name="cloudfront-access-logging",
    subjects=(types.CLOUDFRONT_DISTRIBUTION, st.LOG_DELIVERY_SOURCE, st.LOG_DELIVERY),
    description="Every CloudFront distribution must log access: standard logging (loggingConfig) "
    "or a CloudWatch log delivery of its ACCESS_LOGS.",
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("CloudFront.5",),
    unknowns="log delivery sources are matched by resourceArn's dependencies; an unknown "
    "resourceArn with none: cannot verify",
)
def cloudfront_access_logging(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    sources = _delivered_sources(resources)
    unmatched = _unmatched_unknowns(sources, "resourceArn")
    for distribution in _of_type(resources, types.CLOUDFRONT_DISTRIBUTION):
        if distribution.get("loggingConfig") not in (None, {}):
            continue
        if any(_refers_to(source, "resourceArn", distribution) for source in sources):
            continue
        if unmatched:
            yield cannot_verify(f"which distribution {unmatched[0].name} logs", distribution.urn)
        else:
            yield violation(
                f"distribution {distribution.name} has no loggingConfig and no delivered "
                "ACCESS_LOGS log delivery source; add one",
                distribution.urn,
            )


@stack_rule(
    name="waf-logging",
    subjects=(st.WEB_ACL, st.WEB_ACL_LOGGING),
    description="Every WAF web ACL must have a logging configuration.",
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("WAF.11",),
    unknowns="logging configurations are matched by resourceArn's dependencies; an unknown "
    "resourceArn with none: cannot verify",
)
def waf_logging(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    configs = _of_type(resources, st.WEB_ACL_LOGGING)
    yield from _uncovered(
        _of_type(resources, st.WEB_ACL),
        configs,
        "resourceArn",
        unverified="which web ACL {companion} logs",
        missing="web ACL {subject} has no WebAclLoggingConfiguration; add one",
    )


RESOURCE_RULES: list[ResourceRule] = [eks_control_plane_logging, msk_broker_logging]
STACK_RULES: list[StackRule] = [cloudfront_access_logging, waf_logging]
