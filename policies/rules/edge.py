"""Load balancers and CloudFront: TLS everywhere, hardened ALBs and WAF on distributions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    as_bool,
    cannot_verify,
    describe,
    expect_reference,
    expect_true,
    resource_rule,
    violation,
)
from . import types

# ELB predefined policies whose lowest protocol is TLS 1.2 (TLS13-1-2*, TLS13-1-3*, TLS-1-2*,
# FS-1-2*, including their FIPS/PQ/Res/Ext variants).
_TLS12_POLICY: Final = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-")
_VIEWER_POLICIES: Final = ("https-only", "redirect-to-https")
_VIEWER_MIN_PROTOCOLS: Final = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
_DEPRECATED_ORIGIN_PROTOCOLS: Final = ("SSLv3", "TLSv1", "TLSv1.1")


def is_application_lb(resource: Resource) -> bool | None:
    """None when the load balancer type is unknown during preview."""
    kind = resource.get("loadBalancerType")
    if kind is UNKNOWN:
        return None
    return kind in (None, "application")


def _redirects_to_https(actions: list[object]) -> bool:
    return bool(actions) and all(
        isinstance(action, Mapping)
        and action.get("type") == "redirect"
        and isinstance(action.get("redirect"), Mapping)
        and action["redirect"].get("protocol") == "HTTPS"
        for action in actions
    )


def _listener(resource: Resource, prefix: str, protocol: object) -> Iterator[Finding]:
    """One listener at `prefix` (empty for a listener resource, `listeners.N.` in awsx's ALB)."""
    if protocol is UNKNOWN:
        yield cannot_verify(f"{prefix}protocol")
    elif protocol in ("HTTPS", "TLS"):
        policy = resource.get(f"{prefix}sslPolicy")
        if policy is UNKNOWN:
            yield cannot_verify(f"{prefix}sslPolicy")
        elif not (isinstance(policy, str) and _TLS12_POLICY.match(policy)):
            yield violation(
                f"{prefix}sslPolicy is {describe(policy)}; use a TLS 1.2+ policy such as "
                "ELBSecurityPolicy-TLS13-1-2-2021-06"
            )
    elif protocol in (None, "HTTP"):
        actions = resource.items(f"{prefix}defaultActions")
        if actions is UNKNOWN or UNKNOWN in actions:
            yield cannot_verify(f"{prefix}defaultActions")
        elif not _redirects_to_https(actions):
            yield violation(
                f"{prefix}protocol is HTTP and {prefix}defaultActions do not redirect to HTTPS; "
                "serve HTTPS or redirect"
            )
    elif protocol != "GENEVE":
        yield violation(f"{prefix}protocol is {describe(protocol)}, which is plaintext; use TLS")


def _classic_listeners(resource: Resource) -> Iterator[Finding]:
    """A classic ELB's listeners. HTTPS/SSL ones negotiate with ELBSecurityPolicy-2016-08
    (TLS 1.0) unless a separate listener policy names a newer one, which the pack does not
    model, so they fail as well: move the listener to an ALB or NLB."""
    listeners = resource.items("listeners")
    if listeners is UNKNOWN:
        yield cannot_verify("listeners")
        return
    for index, listener in enumerate(listeners):
        protocol = listener.get("lbProtocol") if isinstance(listener, Mapping) else UNKNOWN
        path = f"listeners[{index}].lbProtocol"
        if protocol is UNKNOWN:
            yield cannot_verify(path)
        elif str(protocol).upper() in ("HTTPS", "SSL"):
            yield violation(
                f"{path} is {describe(protocol)} on a classic load balancer, whose default "
                "policy ELBSecurityPolicy-2016-08 accepts TLS 1.0; use an ALB or NLB with "
                "ELBSecurityPolicy-TLS13-1-2-2021-06"
            )
        else:
            yield violation(f"{path} is {describe(protocol)}, which is plaintext; use TLS")


def _awsx_listeners(resource: Resource) -> Iterator[Finding]:
    """awsx's ApplicationLoadBalancer creates its listeners from `listener` or `listeners`, and
    without either an HTTP:80 listener forwarding to its target group."""
    if resource.get("listeners") is not None:
        listeners = resource.items("listeners")
        if listeners is UNKNOWN:
            yield cannot_verify("listeners")
            return
        prefixes = [f"listeners.{index}." for index in range(len(listeners))]
    elif resource.get("listener") is not None:
        prefixes = ["listener."]
    else:
        yield violation("no listener given, so awsx creates plain HTTP:80; add an HTTPS listener")
        return
    for prefix in prefixes:
        protocol, port = resource.get(f"{prefix}protocol"), resource.get(f"{prefix}port")
        if protocol is None:
            # awsx infers the protocol from the port: 443 is HTTPS, anything else HTTP.
            protocol = UNKNOWN if port is UNKNOWN else ("HTTPS" if port == 443 else "HTTP")
        yield from _listener(resource, prefix, protocol)


@resource_rule(
    name="lb-listener-tls",
    description="Load balancer listeners (ALB, NLB, classic) must serve TLS 1.2+ (HTTPS/TLS) or "
    "redirect HTTP to HTTPS.",
    types=(*types.LISTENERS, types.AWSX_ALB, types.CLASSIC_LOAD_BALANCER),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ELB.1", "ELB.3", "ELB.8"),
    unknowns="unknown protocol, sslPolicy, default actions or classic listeners: cannot verify",
)
def lb_listener_tls(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.AWSX_ALB:
        yield from _awsx_listeners(resource)
    elif resource.type == types.CLASSIC_LOAD_BALANCER:
        yield from _classic_listeners(resource)
    else:
        yield from _listener(resource, "", resource.get("protocol"))


def _cache_behaviours(resource: Resource) -> Iterator[Finding]:
    paths = ["defaultCacheBehavior"]
    ordered = resource.items("orderedCacheBehaviors")
    if ordered is UNKNOWN:
        yield cannot_verify("orderedCacheBehaviors")
    else:
        paths += [f"orderedCacheBehaviors.{index}" for index in range(len(ordered))]
    for path in paths:
        policy = resource.get(f"{path}.viewerProtocolPolicy")
        if policy is UNKNOWN:
            yield cannot_verify(f"{path}.viewerProtocolPolicy")
        elif policy not in _VIEWER_POLICIES:
            yield violation(
                f"{path}.viewerProtocolPolicy is {describe(policy)}; use redirect-to-https"
            )


def _viewer_certificate(resource: Resource) -> Iterator[Finding]:
    default_cert = as_bool(resource.get("viewerCertificate.cloudfrontDefaultCertificate"))
    minimum = resource.get("viewerCertificate.minimumProtocolVersion")
    if UNKNOWN in (default_cert, minimum):
        yield cannot_verify("viewerCertificate")
    elif default_cert is True:
        yield violation(
            "viewerCertificate uses the *.cloudfront.net certificate, which accepts TLS 1.0; "
            "use an ACM certificate with minimumProtocolVersion TLSv1.2_2021"
        )
    elif minimum not in _VIEWER_MIN_PROTOCOLS:
        yield violation(
            f"viewerCertificate.minimumProtocolVersion is {describe(minimum)}; use TLSv1.2_2021"
        )


def _origins(resource: Resource) -> Iterator[Finding]:
    origins = resource.items("origins")
    if origins is UNKNOWN:
        yield cannot_verify("origins")
        return
    for index in range(len(origins)):
        path = f"origins.{index}.customOriginConfig"
        config = resource.get(path)
        if config is UNKNOWN:
            yield cannot_verify(path)
        elif config is None:
            continue  # S3 origins are reached over HTTPS by CloudFront itself
        policy = resource.get(f"{path}.originProtocolPolicy")
        if policy is UNKNOWN:
            yield cannot_verify(f"{path}.originProtocolPolicy")
        elif policy != "https-only":
            yield violation(f"{path}.originProtocolPolicy is {describe(policy)}; use https-only")
        protocols = resource.items(f"{path}.originSslProtocols")
        if protocols is UNKNOWN or UNKNOWN in protocols:
            yield cannot_verify(f"{path}.originSslProtocols")
        elif deprecated := [p for p in protocols if p in _DEPRECATED_ORIGIN_PROTOCOLS]:
            yield violation(f"{path}.originSslProtocols allows {deprecated}; allow TLSv1.2 only")


@resource_rule(
    name="cloudfront-tls",
    description="CloudFront must use HTTPS with TLS 1.2+ to viewers and HTTPS to origins.",
    types=(types.CLOUDFRONT_DISTRIBUTION,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("CloudFront.3", "CloudFront.9", "CloudFront.10"),
    unknowns="unknown protocol policy, certificate settings or origin config: cannot verify",
)
def cloudfront_tls(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from _cache_behaviours(resource)
    yield from _viewer_certificate(resource)
    yield from _origins(resource)


@resource_rule(
    name="alb-drop-invalid-headers",
    description="Application load balancers must drop invalid HTTP header fields.",
    types=(*types.LOAD_BALANCERS, types.AWSX_ALB),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("ELB.4",),
    unknowns="unknown loadBalancerType or dropInvalidHeaderFields: cannot verify",
)
def alb_drop_invalid_headers(resource: Resource, _config: Config) -> Iterator[Finding]:
    application = is_application_lb(resource)
    if application is None:
        yield cannot_verify("loadBalancerType")
    elif application:
        yield from expect_true(
            resource, "dropInvalidHeaderFields", "set dropInvalidHeaderFields=true"
        )


@resource_rule(
    name="alb-access-logs",
    description="Application load balancers must write access logs.",
    types=(*types.LOAD_BALANCERS, types.AWSX_ALB),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("ELB.5",),
    unknowns="unknown loadBalancerType or accessLogs.enabled: cannot verify; unknown bucket passes",
)
def alb_access_logs(resource: Resource, _config: Config) -> Iterator[Finding]:
    application = is_application_lb(resource)
    if application is None:
        yield cannot_verify("loadBalancerType")
    elif application:
        yield from expect_true(resource, "accessLogs.enabled", "enable accessLogs to a bucket")
        if resource.get("accessLogs.enabled") is True:
            yield from expect_reference(resource, "accessLogs.bucket", "name the log bucket")


@resource_rule(
    name="cloudfront-waf",
    description="Every CloudFront distribution must have a WAF web ACL.",
    types=(types.CLOUDFRONT_DISTRIBUTION,),
    level=ADVISORY,
    severity=Severity.HIGH,
    controls=("CloudFront.6",),
    unknowns="unknown webAclId passes (the stack's web ACL)",
)
def cloudfront_waf(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_reference(resource, "webAclId", "attach the edge web ACL")


RULES: list[ResourceRule] = [
    lb_listener_tls,
    cloudfront_tls,
    alb_drop_invalid_headers,
    alb_access_logs,
    cloudfront_waf,
]
