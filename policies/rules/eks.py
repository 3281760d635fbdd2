"""EKS: a private API endpoint and envelope-encrypted Kubernetes secrets.

Checked on the aws:eks/cluster:Cluster resource and on pulumi-eks's `eks:index:Cluster`
component, whose inputs are all the analyzer sees of it when it runs as a remote component.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    expect_reference,
    resource_rule,
    violation,
)
from . import types
from .network import is_world


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
        for index, cidr in enumerate(cidrs):
            if cidr is UNKNOWN:
                yield cannot_verify(f"{cidrs_path}[{index}]")
            elif is_world(cidr):
                yield violation(f"{cidrs_path} contains {cidr}; list the operators' CIDRs")


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


RULES: list[ResourceRule] = [eks_endpoint_not_public, eks_secrets_encrypted]
