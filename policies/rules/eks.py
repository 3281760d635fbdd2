"""EKS: a private API endpoint and envelope-encrypted Kubernetes secrets.

Checked on the aws:eks/cluster:Cluster resource and on pulumi-eks's `eks:index:Cluster`
component, whose inputs are all the analyzer sees of it when it runs as a remote component.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import Severity

from ..engine import (
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
    resource_rule,
    violation,
)
from ..world import world_open, world_open_union
from . import types
from .network import WORLD


@resource_rule(
    name="eks-endpoint-not-public",
    description="The EKS API endpoint must not be reachable from the whole internet.",
    types=(types.EKS_CLUSTER, types.EKS_COMPONENT),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("EKS.1",),
    unknowns="unknown endpointPublicAccess or publicAccessCidrs: cannot verify",
)
def eks_endpoint_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    prefix = "vpcConfig." if resource.type == types.EKS_CLUSTER else ""
    public_path, cidrs_path = f"{prefix}endpointPublicAccess", f"{prefix}publicAccessCidrs"
    public = as_bool(resource.get(public_path))
    if public is UNKNOWN:
        yield cannot_verify(public_path)
        return
    if public is False:
        return
    # Both the API and pulumi-eks default the endpoint to public, and its CIDRs to 0.0.0.0/0.
    cidrs = resource.items(cidrs_path)
    if cidrs is UNKNOWN:
        yield cannot_verify(cidrs_path)
    elif not cidrs:
        yield violation(
            f"{public_path} is on and {cidrs_path} is not set, which means 0.0.0.0/0; "
            f"set {public_path}=false or list the operators' CIDRs"
        )
    else:
        yield from _public_cidrs(cidrs_path, cidrs)


def _public_cidrs(path: str, cidrs: list[Any]) -> Iterator[Finding]:
    for index, cidr in enumerate(cidrs):
        if cidr is UNKNOWN:
            yield cannot_verify(f"{path}[{index}]")
    known = [cidr for cidr in cidrs if isinstance(cidr, str)]
    alone = [cidr for cidr in known if world_open(cidr)]
    for cidr in alone:
        yield violation(f"{path} contains {cidr}; list the operators' CIDRs")
    if not alone and world_open_union(known):
        yield violation(f"{path} {', '.join(known)} cover {WORLD}; list the operators' CIDRs")


@resource_rule(
    name="eks-secrets-encrypted",
    description="EKS must envelope-encrypt Kubernetes secrets with a KMS key.",
    types=(types.EKS_CLUSTER, types.EKS_COMPONENT),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EKS.3",),
    unknowns="unknown key ARN passes (an output of the stack's key); unknown resources list: "
    "cannot verify",
)
def eks_secrets_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.EKS_COMPONENT:
        yield from expect_reference(
            resource, "encryptionConfigKeyArn", "pass the ARN of a customer managed KMS key"
        )
        return
    if resource.get("encryptionConfig") is None:
        yield violation('encryptionConfig is not set; encrypt "secrets" with a KMS key')
        return
    yield from expect_reference(
        resource, "encryptionConfig.provider.keyArn", "set the ARN of a customer managed KMS key"
    )
    encrypted = resource.items("encryptionConfig.resources")
    if encrypted is UNKNOWN:
        yield cannot_verify("encryptionConfig.resources")
    elif "secrets" not in encrypted:
        yield violation('encryptionConfig.resources must include "secrets"')


# https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
# The AWS Load Balancer Controller makes a Service's NLB internal unless the scheme annotation
# says internet-facing; the in-tree controller makes it internet-facing unless the (deprecated)
# internal annotation is set. Which controller takes a Service is cluster state the pack cannot
# see, and an absent scheme also leaves an existing NLB's scheme unchanged, so only an explicit
# internal scheme counts as internal.
_SCHEME: Final = "service.beta.kubernetes.io/aws-load-balancer-scheme"
_INTERNAL: Final = "service.beta.kubernetes.io/aws-load-balancer-internal"
_SOURCE_RANGES: Final = "service.beta.kubernetes.io/load-balancer-source-ranges"
_INGRESS_SCHEME: Final = "alb.ingress.kubernetes.io/scheme"
_INGRESS_CIDRS: Final = "alb.ingress.kubernetes.io/inbound-cidrs"
_INGRESS_WAF: Final = "alb.ingress.kubernetes.io/wafv2-acl-arn"


def _annotations(resource: Resource) -> Mapping[str, Any] | None:
    value = resource.get("metadata.annotations")
    if value is UNKNOWN:
        return None
    return value if isinstance(value, Mapping) else {}


def _ranges(spec_ranges: Any, annotation: Any) -> list[Any] | None:
    """Source ranges from the spec list or a comma-separated annotation; None when unrestricted."""
    if isinstance(spec_ranges, list) and spec_ranges:
        return spec_ranges
    if isinstance(annotation, str) and annotation.strip():
        return [part.strip() for part in annotation.split(",")]
    return None


def _load_balancer_service(resource: Resource) -> Iterator[Finding]:
    annotations = _annotations(resource)
    if annotations is None or UNKNOWN in annotations.values():
        yield cannot_verify("metadata.annotations")
        return
    scheme, internal = annotations.get(_SCHEME), annotations.get(_INTERNAL)
    if scheme == "internal" or (scheme is None and str(internal).lower() == "true"):
        return
    ranges = _ranges(resource.get("spec.loadBalancerSourceRanges"), annotations.get(_SOURCE_RANGES))
    if resource.get("spec.loadBalancerSourceRanges") is UNKNOWN:
        yield cannot_verify("spec.loadBalancerSourceRanges")
        return
    restricted = ranges is not None and not any(r is UNKNOWN for r in ranges)
    if restricted and ranges and not world_open_union(r for r in ranges if isinstance(r, str)):
        return
    yield violation(
        f"a LoadBalancer Service with scheme {describe(scheme)} gets an internet-facing load "
        f"balancer open to the world that bypasses CloudFront and WAF; annotate {_SCHEME}: "
        "internal and enter through the edge"
    )


def _ingress(resource: Resource) -> Iterator[Finding]:
    annotations = _annotations(resource)
    if annotations is None or UNKNOWN in annotations.values():
        yield cannot_verify("metadata.annotations")
        return
    # The controller's Ingress default scheme is internal.
    if annotations.get(_INGRESS_SCHEME) != "internet-facing":
        return
    cidrs = _ranges(None, annotations.get(_INGRESS_CIDRS))
    if cidrs is not None and not world_open_union(cidrs):
        return
    if annotations.get(_INGRESS_WAF):
        return
    yield violation(
        f"an internet-facing ALB Ingress without {_INGRESS_WAF} is open to the world without WAF; "
        "make it internal or attach the web ACL"
    )


@resource_rule(
    name="k8s-service-not-internet-facing",
    description="Kubernetes Services of type LoadBalancer and ALB Ingresses must not create "
    "internet-facing load balancers open to the world (or, for an Ingress, without WAF).",
    types=(types.K8S_SERVICE, types.K8S_INGRESS),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown spec.type, annotations or source ranges: cannot verify",
)
def k8s_service_not_internet_facing(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.K8S_INGRESS:
        yield from _ingress(resource)
        return
    kind = resource.get("spec.type")
    if kind is UNKNOWN:
        yield cannot_verify("spec.type")
    elif kind == "LoadBalancer":
        yield from _load_balancer_service(resource)


RULES: list[ResourceRule] = [
    eks_endpoint_not_public,
    eks_secrets_encrypted,
    k8s_service_not_internet_facing,
]
