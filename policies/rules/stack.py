"""Rules over the whole stack: relations between resources, and resource options.

Resources refer to each other through inputs that are outputs of other resources. During preview
those values are unknown, so a reference is matched through the property dependencies the SDK
records for each input (the URNs it was computed from), which are there in preview and update
alike. A literal value (an existing resource's id) is matched where the target's name is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

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
    describe,
    stack_rule,
    violation,
)
from ..world import world_open_union
from . import types
from .edge import is_application_lb
from .network import WORLD


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


def _uncovered(
    subjects: Iterable[Resource],
    companions: Sequence[Resource],
    prop: str,
    *,
    unverified: str,
    missing: str,
) -> Iterator[Finding]:
    """Findings for subjects no companion names by `prop` (a bucket without its encryption
    configuration): a violation (`missing`, with `{subject}`), or, while a companion whose
    `prop` is unknown is unmatched, cannot-verify (`unverified`, with `{companion}`)."""
    unmatched = _unmatched_unknowns(companions, prop)
    for subject in subjects:
        if any(_refers_to(companion, prop, subject) for companion in companions):
            continue
        if unmatched:
            yield cannot_verify(unverified.format(companion=unmatched[0].name), subject.urn)
        else:
            yield violation(missing.format(subject=subject.name), subject.urn)


@stack_rule(
    name="vpc-flow-logs",
    subjects=(types.VPC, types.AWSX_VPC, types.FLOW_LOG),
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
    yield from _uncovered(
        vpcs,
        _of_type(resources, types.FLOW_LOG),
        "vpcId",
        unverified="which VPC flow log {companion} covers",
        missing="VPC {subject} has no flow log",
    )


@stack_rule(
    name="s3-bucket-encryption",
    subjects=(*types.S3_BUCKETS, *types.S3_ENCRYPTION_CONFIGS),
    description="Every S3 bucket must have a server-side encryption configuration.",
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="configurations are matched by bucket's dependencies; an unknown bucket with none: "
    "cannot verify",
)
def s3_bucket_encryption(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    configs = _of_type(resources, types.S3_ENCRYPTION_CONFIGS)
    yield from _uncovered(
        _of_type(resources, types.S3_BUCKETS),
        configs,
        "bucket",
        unverified="which bucket {companion} encrypts",
        missing="bucket {subject} has no BucketServerSideEncryptionConfiguration; add one "
        "(SSE-KMS with the stack's key)",
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


def _prefix_lists(source: Mapping[str, object]) -> list[object]:
    value = source.get("prefixListIds", source.get("prefixListId"))
    if value in (None, "", []):
        return []
    return list(value) if isinstance(value, list) else [value]


def _admits_only_cloudfront(
    alb: Resource, resources: Sequence[Resource], cloudfront_lists: frozenset[str]
) -> bool:
    """Every group of the ALB admits only CloudFront's origin-facing list or other groups, and
    at least one rule admits that list."""
    groups = [
        group
        for group in _of_type(resources, types.SECURITY_GROUP)
        if _refers_to(alb, "securityGroups", group)
    ]
    named = alb.items("securityGroups")
    if not groups or named is UNKNOWN or len(groups) < len(named):
        # A group the stack does not declare may admit anything.
        return False
    sources = [source for group in groups for source in _ingress_sources(group, resources)]
    lists = [pl for source in sources for pl in _prefix_lists(source)]
    return (
        not any(_cidr_ingress(source) for source in sources)
        and bool(lists)
        and all(isinstance(pl, str) and pl in cloudfront_lists for pl in lists)
    )


def _secret(value: object) -> object:
    """A header value, unwrapped from the engine's secret envelope when it has one."""
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


def _origin_headers(
    alb: Resource, distribution: Resource, records: Sequence[Resource]
) -> list[tuple[str, object]]:
    """(name, value) of the custom headers each origin pointing at the ALB sends."""
    origins = distribution.items("origins")
    if origins is UNKNOWN:
        return []
    names = {
        str(record.get("name")).rstrip(".")
        for record in records
        if record.depends_on("aliases", alb.urn) and isinstance(record.get("name"), str)
    }
    direct = distribution.depends_on("origins", alb.urn) and len(origins) == 1
    headers: list[tuple[str, object]] = []
    for origin in origins:
        if not isinstance(origin, Mapping):
            continue
        domain = origin.get("domainName")
        if not (direct or (isinstance(domain, str) and domain.rstrip(".") in names)):
            continue
        for header in origin.get("customHeaders") or []:
            if isinstance(header, Mapping) and isinstance(header.get("name"), str):
                headers.append((str(header["name"]).lower(), _secret(header.get("value"))))
    return headers


_NON_FORWARDING: Final = frozenset({"fixed-response", "redirect"})


def _forwards(actions: object) -> bool:
    """Unknown or any action that is not a fixed response or redirect reaches a target."""
    if not isinstance(actions, list):
        return actions is not None
    return any(
        not (isinstance(action, Mapping) and action.get("type") in _NON_FORWARDING)
        for action in actions
    )


def _requires_header(
    rule: Resource, headers: list[tuple[str, object]], distribution: Resource
) -> bool:
    conditions = rule.items("conditions")
    if conditions is UNKNOWN:
        return False
    shared_secret = set(rule.property_dependencies.get("conditions", ())) & set(
        distribution.property_dependencies.get("origins", ())
    )
    for condition in conditions:
        header = condition.get("httpHeader") if isinstance(condition, Mapping) else None
        if not isinstance(header, Mapping) or not isinstance(header.get("httpHeaderName"), str):
            continue
        name = str(header["httpHeaderName"]).lower()
        values = [_secret(value) for value in header.get("values") or []]
        for sent_name, sent_value in headers:
            if sent_name != name:
                continue
            if sent_value is UNKNOWN or UNKNOWN in values:
                # Preview: both sides are the same generated secret, matched by dependency.
                if shared_secret:
                    return True
            elif sent_value in values and _others_are_generated(
                values, sent_value, rule, distribution
            ):
                return True
    return False


_GENERATORS: Final = frozenset(
    {"random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString"}
)


def _urn_type(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::<parent types$>type::<name>`` -> ``type``."""
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _others_are_generated(
    values: list[object], sent: object, rule: Resource, distribution: Resource
) -> bool:
    """Besides the value CloudFront sends, a rule may accept the previous one of a rotation
    while CloudFront switches (no downtime), but not a guessable literal: each other value is at
    least as long as the sent one and comes from a resource the distribution does not use (the
    previous generation's generator; the pack sees secrets unwrapped, so their length and
    dependencies are what tells them from literals)."""
    others = [value for value in values if value != sent]
    if not others:
        return True
    extra = set(rule.property_dependencies.get("conditions", ())) - set(
        distribution.property_dependencies.get("origins", ())
    )
    # The previous generation comes from a generator; any other dependency is no such evidence.
    return any(_urn_type(urn) in _GENERATORS for urn in extra) and all(
        isinstance(value, str) and len(value) >= len(str(sent)) for value in others
    )


def _only_reachable_with_origin_secret(
    alb: Resource,
    resources: Sequence[Resource],
    distribution: Resource,
    headers: list[tuple[str, object]],
) -> bool:
    """Every listener of the ALB answers with a fixed response or redirect by default, and every
    listener rule that forwards requires the header CloudFront sends."""
    listeners = [
        listener
        for listener in _of_type(resources, types.LISTENERS)
        if _refers_to(listener, "loadBalancerArn", alb)
    ]
    for listener in listeners:
        if _forwards(listener.get("defaultActions")):
            return False
        for rule in _of_type(resources, types.LISTENER_RULES):
            if not _refers_to(rule, "listenerArn", listener):
                continue
            if _forwards(rule.get("actions")) and not _requires_header(rule, headers, distribution):
                return False
    return True


def _behind_cloudfront(
    alb: Resource, resources: Sequence[Resource], cloudfront_lists: frozenset[str]
) -> bool:
    """The only way in is CloudFront with WAF: the ALB's groups admit only CloudFront's
    origin-facing prefix list, a distribution with a web ACL has the ALB as its origin and sends
    a header, and the ALB forwards only requests that carry it."""
    if not _admits_only_cloudfront(alb, resources, cloudfront_lists):
        return False
    records = _of_type(resources, types.ROUTE53_RECORD)
    for distribution in _of_type(resources, types.CLOUDFRONT_DISTRIBUTION):
        if distribution.get("webAclId") in (None, ""):
            continue
        headers = _origin_headers(alb, distribution, records)
        if headers and _only_reachable_with_origin_secret(alb, resources, distribution, headers):
            return True
    return False


@stack_rule(
    name="public-entry-points-waf",
    subjects=(
        *types.LOAD_BALANCERS,
        types.AWSX_ALB,
        types.CLASSIC_LOAD_BALANCER,
        types.WEB_ACL_ASSOCIATION,
        types.CLOUDFRONT_DISTRIBUTION,
        types.SECURITY_GROUP,
        types.SECURITY_GROUP_INGRESS_RULE,
        types.SECURITY_GROUP_RULE,
        *types.LISTENERS,
        *types.LISTENER_RULES,
        types.ROUTE53_RECORD,
    ),
    description="Every internet-facing load balancer must be behind WAF: an ALB with a web ACL "
    "association, or one only reachable through a CloudFront distribution that has one "
    "(CloudFront's origin-facing prefix list only, the ALB as that distribution's origin, the "
    "origin secret header required by every forwarding listener rule). Classic load balancers "
    "cannot have a web ACL.",
    level=ADVISORY,
    severity=Severity.HIGH,
    controls=("ELB.16", "CloudFront.6"),
    unknowns="unknown internal or loadBalancerType: cannot verify; associations, groups, origins "
    "and listener rules are matched by dependencies",
    options={
        "cloudFrontOriginFacingPrefixLists": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Ids of the com.amazonaws.global.cloudfront.origin-facing managed "
            "prefix list in the stack's regions (the id differs per region).",
        }
    },
)
def public_entry_points_waf(resources: Sequence[Resource], config: Config) -> Iterator[Finding]:
    cloudfront_lists = frozenset(config["cloudFrontOriginFacingPrefixLists"])
    associations = _of_type(resources, types.WEB_ACL_ASSOCIATION)
    balancers = _of_type(resources, types.LOAD_BALANCERS)
    wrapped = {balancer.parent for balancer in balancers}
    # awsx's ALB runs as a remote component: without its children only the component is seen.
    balancers += [c for c in _of_type(resources, types.AWSX_ALB) if c.urn not in wrapped]
    for classic in _of_type(resources, types.CLASSIC_LOAD_BALANCER):
        internal = as_bool(classic.get("internal"))
        if internal is UNKNOWN:
            yield cannot_verify("whether the classic load balancer is internal", classic.urn)
        elif internal is not True:
            yield violation(
                f"internet-facing classic load balancer {classic.name} cannot have a WAF web ACL; "
                "use an ALB behind the edge",
                classic.urn,
            )
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
        if _behind_cloudfront(alb, resources, cloudfront_lists):
            continue
        yield violation(
            f"internet-facing ALB {alb.name} has no WebAclAssociation and is not reachable only "
            "through CloudFront with WAF (origin-facing prefix list only, origin of a distribution "
            "with a web ACL, origin secret required by every forwarding rule)",
            alb.urn,
        )


def _grant_cidrs(source: Mapping[str, object]) -> list[str]:
    cidrs: list[str] = []
    for key in ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"):
        value = source.get(key)
        items = value if isinstance(value, list) else [value]
        cidrs += [item for item in items if isinstance(item, str)]
    return cidrs


@stack_rule(
    name="security-group-ingress-not-world-combined",
    subjects=(
        types.SECURITY_GROUP,
        types.DEFAULT_SECURITY_GROUP,
        types.SECURITY_GROUP_INGRESS_RULE,
        types.SECURITY_GROUP_RULE,
    ),
    description="A security group's ingress rules together (inline and standalone) must not admit "
    "more than 1/256 of the public IPv4 or IPv6 space, though no single rule does.",
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.18", "EC2.19"),
    unknowns="unknown CIDRs are left to no-world-ingress (cannot verify there); rules are "
    "matched to groups by dependencies",
)
def security_group_ingress_not_world_combined(
    resources: Sequence[Resource], _config: Config
) -> Iterator[Finding]:
    for group in _of_type(resources, types.SECURITY_GROUP, types.DEFAULT_SECURITY_GROUP):
        grants = [_grant_cidrs(source) for source in _ingress_sources(group, resources)]
        if any(world_open_union(grant) for grant in grants):
            continue  # no-world-ingress reports the grant itself
        together = [cidr for grant in grants for cidr in grant]
        if world_open_union(together):
            yield violation(
                f"security group {group.name}'s ingress rules admit {', '.join(together)}: "
                f"together {WORLD}; admit partners through a prefix list of their own ranges",
                group.urn,
            )


def _is_internet_gateway(
    route: Mapping[str, object], deps: Iterable[str], igws: set[str]
) -> object:
    """True, False, or UNKNOWN for a route's (or inline route's) gateway."""
    gateway = route.get("gatewayId")
    if any(urn in igws for urn in deps):
        return True
    if gateway is UNKNOWN:
        return UNKNOWN if not list(deps) else False
    return isinstance(gateway, str) and gateway.startswith("igw-")


def _internet_tables(resources: Sequence[Resource]) -> dict[str, tuple[str, object]]:
    """Route table URN -> (the route that reaches an internet gateway, True or UNKNOWN)."""
    igws = {igw.urn for igw in _of_type(resources, types.INTERNET_GATEWAY)}
    tables = _of_type(resources, types.ROUTE_TABLE)
    found: dict[str, tuple[str, object]] = {}
    for table in tables:
        routes = table.items("routes")
        if routes is UNKNOWN:
            found[table.urn] = ("routes", UNKNOWN)
            continue
        deps = table.property_dependencies.get("routes", ())
        for index, route in enumerate(routes):
            if isinstance(route, Mapping):
                via = _is_internet_gateway(
                    route, deps if route.get("gatewayId") is UNKNOWN else (), igws
                )
                if via is True or (via is UNKNOWN and table.urn not in found):
                    found[table.urn] = (f"{table.name}.routes[{index}]", via)
    for route in _of_type(resources, types.ROUTE):
        via = _is_internet_gateway(
            route.props, route.property_dependencies.get("gatewayId", ()), igws
        )
        if via is False:
            continue
        for table in tables:
            if (
                _refers_to(route, "routeTableId", table)
                and found.get(table.urn, ("", False))[1] is not True
            ):
                found[table.urn] = (route.name, via)
    return found


def _tier(subnet: Resource) -> str:
    tags = subnet.get("tags")
    if not isinstance(tags, Mapping):
        return ""
    return " ".join(str(tags.get(key, "")) for key in ("Tier", "tier", "Name")).lower()


def _intended_public(subnet: Resource) -> bool:
    """Subnets tagged as the public tier, or for internet-facing load balancers (EKS's tag)."""
    tags = subnet.get("tags")
    elb_role = isinstance(tags, Mapping) and "kubernetes.io/role/elb" in tags
    return elb_role or "public" in _tier(subnet)


def _subnet_tables(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """(subnet, route table URN) for every association."""
    subnets = _of_type(resources, types.SUBNET)
    tables = _of_type(resources, types.ROUTE_TABLE)
    pairs: list[tuple[Resource, str]] = []
    for association in _of_type(resources, types.ROUTE_TABLE_ASSOCIATION):
        for subnet in subnets:
            if not _refers_to(association, "subnetId", subnet):
                continue
            pairs += [(subnet, t.urn) for t in tables if _refers_to(association, "routeTableId", t)]
    return pairs


@stack_rule(
    name="private-subnets-no-internet-route",
    subjects=(
        types.SUBNET,
        types.ROUTE,
        types.ROUTE_TABLE,
        types.ROUTE_TABLE_ASSOCIATION,
        types.INTERNET_GATEWAY,
    ),
    description="Subnets that are not the public tier (private, database, engine) must not "
    "route to an internet gateway; they reach out through NAT only.",
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.15",),
    unknowns="a route whose gatewayId is unknown and depends on nothing: cannot verify; "
    "routes, tables and subnets are matched by dependencies",
)
def private_subnets_no_internet_route(
    resources: Sequence[Resource], _config: Config
) -> Iterator[Finding]:
    internet = _internet_tables(resources)
    for subnet, table in _subnet_tables(resources):
        if table not in internet or _intended_public(subnet):
            continue
        route, via = internet[table]
        if via is UNKNOWN:
            yield cannot_verify(f"whether {route} reaches an internet gateway", subnet.urn)
        else:
            yield violation(
                f"subnet {subnet.name} is not a public subnet but its route table reaches an "
                f"internet gateway ({route}); route private tiers through NAT",
                subnet.urn,
            )


def _internet_subnets(resources: Sequence[Resource]) -> set[str]:
    """Subnets routed to an internet gateway, or that map public IPs on launch."""
    internet = _internet_tables(resources)
    routed = {
        s.urn for s, table in _subnet_tables(resources) if internet.get(table, ("", 0))[1] is True
    }
    mapped = {
        s.urn
        for s in _of_type(resources, types.SUBNET)
        if as_bool(s.get("mapPublicIpOnLaunch")) is True
    }
    return routed | mapped


@stack_rule(
    name="k8s-node-port-not-on-public-nodes",
    subjects=(
        types.K8S_SERVICE,
        types.EKS_NODE_GROUP,
        types.SUBNET,
        types.ROUTE,
        types.ROUTE_TABLE,
    ),
    description="NodePort Services must not run where nodes are in subnets routed to the "
    "internet: the port then listens on every node's public side.",
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EKS.1",),
    unknowns="unknown spec.type: cannot verify; node groups and subnets are matched by "
    "dependencies",
)
def k8s_node_port_not_on_public_nodes(
    resources: Sequence[Resource], _config: Config
) -> Iterator[Finding]:
    public = _internet_subnets(resources)
    exposed = [
        group.name
        for group in _of_type(resources, types.EKS_NODE_GROUP)
        if any(urn in public for urn in group.property_dependencies.get("subnetIds", ()))
    ]
    for service in _of_type(resources, types.K8S_SERVICE):
        kind = service.get("spec.type")
        if kind is UNKNOWN and exposed:
            yield cannot_verify("spec.type", service.urn)
        elif kind == "NodePort" and exposed:
            yield violation(
                f"NodePort Service {service.name} listens on every node, and node groups "
                f"{', '.join(exposed)} run in subnets routed to the internet; use ClusterIP behind "
                "the ALB, or keep nodes in private subnets",
                service.urn,
            )


@stack_rule(
    name="lb-listener-rules-tls",
    subjects=(*types.LISTENER_RULES, *types.LISTENERS),
    description="Listener rules must not forward requests that arrive on a plaintext (HTTP, TCP, "
    "UDP) listener.",
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ELB.1",),
    unknowns="unknown protocol of the rule's listener: cannot verify; rules are matched to "
    "listeners by dependencies",
)
def lb_listener_rules_tls(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    listeners = _of_type(resources, types.LISTENERS)
    for rule in _of_type(resources, types.LISTENER_RULES):
        if not _forwards(rule.get("actions")):
            continue
        for listener in listeners:
            if not _refers_to(rule, "listenerArn", listener):
                continue
            protocol = listener.get("protocol")
            if protocol is UNKNOWN:
                yield cannot_verify(f"protocol of listener {listener.name}", rule.urn)
            elif protocol not in ("HTTPS", "TLS"):
                yield violation(
                    f"listener rule {rule.name} forwards requests from listener {listener.name}, "
                    f"whose protocol is {describe(protocol)}; forward from HTTPS listeners only",
                    rule.urn,
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
    subjects=(*_STATEFUL, *types.S3_BUCKETS),
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
    security_group_ingress_not_world_combined,
    private_subnets_no_internet_route,
    k8s_node_port_not_on_public_nodes,
    lb_listener_rules_tls,
]
