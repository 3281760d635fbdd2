"""Rules over the whole stack: relations between resources, and resource options.

Resources refer to each other through inputs that are outputs of other resources. During preview
those values are unknown, so a reference is matched through the property dependencies the SDK
records for each input (the URNs it was computed from), which are there in preview and update
alike. A literal value (an existing resource's id) is matched where the target's name is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    StackRule,
    as_bool,
    cannot_verify,
    stack_rule,
    violation,
)
from . import types
from .edge import is_application_lb


def _of_type(resources: Iterable[Resource], *wanted: str | frozenset[str]) -> list[Resource]:
    tokens: set[str] = set()
    for item in wanted:
        tokens.update({item} if isinstance(item, str) else item)
    return [resource for resource in resources if resource.type in tokens]


def _refers_to(source: Resource, prop: str, target: Resource) -> bool:
    """Whether `source.prop` names `target` (or the component that created it)."""
    urns = {target.urn} | ({target.parent} if target.parent else set())
    if any(source.depends_on(prop, urn) for urn in urns):
        return True
    value = source.get(prop)
    names = {target.get("bucket"), target.name} - {None}
    return isinstance(value, str) and value in names


def _unmatched_unknowns(sources: Sequence[Resource], prop: str) -> list[Resource]:
    """Sources whose `prop` is unknown and carries no dependency to match it by."""
    return [s for s in sources if s.get(prop) is UNKNOWN and not s.property_dependencies.get(prop)]


@stack_rule(
    name="vpc-flow-logs",
    description="Every VPC must have a flow log.",
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("EC2.6",),
    unknowns="flow logs are matched by vpcId's dependencies; an unknown vpcId with none: "
    "cannot verify",
)
def vpc_flow_logs(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    vpcs = _of_type(resources, types.VPC)
    wrapped = {vpc.parent for vpc in vpcs}
    # awsx's Vpc runs as a remote component: without its children only the component is seen.
    vpcs += [c for c in _of_type(resources, types.AWSX_VPC) if c.urn not in wrapped]
    flow_logs = _of_type(resources, types.FLOW_LOG)
    unmatched = _unmatched_unknowns(flow_logs, "vpcId")
    for vpc in vpcs:
        if any(_refers_to(flow_log, "vpcId", vpc) for flow_log in flow_logs):
            continue
        if unmatched:
            yield cannot_verify(f"which VPC flow log {unmatched[0].name} covers", vpc.urn)
        else:
            yield violation(f"VPC {vpc.name} has no flow log", vpc.urn)


@stack_rule(
    name="s3-bucket-encryption",
    description="Every S3 bucket must have a server-side encryption configuration.",
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="configurations are matched by bucket's dependencies; an unknown bucket with none: "
    "cannot verify",
)
def s3_bucket_encryption(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    configs = _of_type(resources, types.S3_ENCRYPTION_CONFIGS)
    unmatched = _unmatched_unknowns(configs, "bucket")
    for bucket in _of_type(resources, types.S3_BUCKETS):
        if any(_refers_to(config, "bucket", bucket) for config in configs):
            continue
        if unmatched:
            yield cannot_verify(f"which bucket {unmatched[0].name} encrypts", bucket.urn)
        else:
            yield violation(
                f"bucket {bucket.name} has no BucketServerSideEncryptionConfiguration; add one "
                "(SSE-KMS with the stack's key)",
                bucket.urn,
            )


def _ingress_sources(group: Resource, resources: Sequence[Resource]) -> list[Mapping[str, object]]:
    """Every ingress rule of a security group: inline ones and standalone rule resources."""
    inline = group.items("ingress")
    sources: list[Mapping[str, object]]
    if inline is UNKNOWN:
        # An unknown list may hold CIDRs, so the group cannot count as CloudFront-only.
        sources = [{"cidr": UNKNOWN}]
    else:
        sources = [rule for rule in inline if isinstance(rule, Mapping)]
    for rule in _of_type(resources, types.SECURITY_GROUP_RULE, types.SECURITY_GROUP_INGRESS_RULE):
        if _refers_to(rule, "securityGroupId", group) and rule.get("type") != "egress":
            sources.append(rule.props)
    return sources


def _cidr_ingress(source: Mapping[str, object]) -> bool:
    return any(
        source.get(key) not in (None, [], "")
        for key in ("cidr", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6")
    )


def _only_behind_cloudfront(alb: Resource, resources: Sequence[Resource]) -> bool:
    """Whether every security group of the ALB admits only prefix-list or group sources."""
    groups = [
        group
        for group in _of_type(resources, types.SECURITY_GROUP)
        if _refers_to(alb, "securityGroups", group)
    ]
    if not groups:
        return False
    sources = [source for group in groups for source in _ingress_sources(group, resources)]
    return not any(_cidr_ingress(source) for source in sources) and any(
        source.get("prefixListIds") or source.get("prefixListId") for source in sources
    )


@stack_rule(
    name="public-entry-points-waf",
    description="Every internet-facing ALB must be behind WAF: a web ACL association, or only "
    "reachable through a CloudFront distribution that has one.",
    level=ADVISORY,
    severity=Severity.HIGH,
    unknowns="unknown internal or loadBalancerType: cannot verify; associations and security "
    "groups are matched by dependencies",
)
def public_entry_points_waf(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    associations = _of_type(resources, types.WEB_ACL_ASSOCIATION)
    protected_cloudfront = [
        distribution
        for distribution in _of_type(resources, types.CLOUDFRONT_DISTRIBUTION)
        if distribution.get("webAclId") not in (None, "")
    ]
    balancers = _of_type(resources, types.LOAD_BALANCERS)
    wrapped = {balancer.parent for balancer in balancers}
    # awsx's ALB runs as a remote component: without its children only the component is seen.
    balancers += [c for c in _of_type(resources, types.AWSX_ALB) if c.urn not in wrapped]
    for alb in balancers:
        internal = as_bool(alb.get("internal"))
        application = is_application_lb(alb)
        if internal is UNKNOWN or application is None:
            yield cannot_verify("whether the load balancer is an internet-facing ALB", alb.urn)
            continue
        if internal is True or not application:
            continue
        if any(_refers_to(association, "resourceArn", alb) for association in associations):
            continue
        if protected_cloudfront and _only_behind_cloudfront(alb, resources):
            continue
        yield violation(
            f"internet-facing ALB {alb.name} has no WebAclAssociation and accepts traffic from "
            "more than CloudFront's prefix list",
            alb.urn,
        )


_STATEFUL = frozenset(
    {
        types.RDS_INSTANCE,
        types.RDS_CLUSTER,
        types.REPLICATION_GROUP,
        types.SERVERLESS_CACHE,
        types.MSK_CLUSTER,
        types.MSK_SERVERLESS_CLUSTER,
        types.KMS_KEY,
    }
)
# Where a bucket is named as a log destination: (referring types, referring input).
_LOG_DESTINATIONS: tuple[tuple[frozenset[str], str], ...] = (
    (types.LOAD_BALANCERS, "accessLogs"),
    (frozenset({types.CLOUDFRONT_DISTRIBUTION}), "loggingConfig"),
    (frozenset({types.FLOW_LOG}), "logDestination"),
    (types.S3_BUCKET_LOGGING, "targetBucket"),
)


def _log_buckets(resources: Sequence[Resource]) -> list[Resource]:
    return [
        bucket
        for bucket in _of_type(resources, types.S3_BUCKETS)
        if any(
            source.depends_on(prop, bucket.urn)
            for referrers, prop in _LOG_DESTINATIONS
            for source in _of_type(resources, referrers)
        )
    ]


@stack_rule(
    name="stateful-resources-protected",
    description="Stateful resources (databases, caches, Kafka, KMS keys, log buckets) must be "
    "protected from deletion by Pulumi.",
    level=ADVISORY,
    severity=Severity.HIGH,
    unknowns="not applicable: protect is a resource option, always known",
)
def stateful_resources_protected(
    resources: Sequence[Resource], _config: Config
) -> Iterator[Finding]:
    for resource in _of_type(resources, _STATEFUL) + _log_buckets(resources):
        if not resource.protect:
            yield violation(
                f"{resource.name} is not protected; set ResourceOptions(protect=True)",
                resource.urn,
            )


RULES: list[StackRule] = [
    vpc_flow_logs,
    s3_bucket_encryption,
    public_entry_points_waf,
    stateful_resources_protected,
]
