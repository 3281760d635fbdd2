"""IMDS hop limit: one hop for instances, two only where EKS pods must reach IMDS.

A hop limit above 1 lets anything one network hop away from the instance (a container on a bridge
network, a forwarded request) fetch the instance role's credentials; EKS node groups need 2 for
pods that use the node's metadata (EKS user guide, "Launch template best practices").
"""

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
    StackRule,
    cannot_verify,
    stack_rule,
    violation,
)
from . import types
from .stack import _of_type, _refers_to

_LIMIT: Final = "metadataOptions.httpPutResponseHopLimit"


@stack_rule(
    name="imds-hop-limit",
    subjects=(types.LAUNCH_TEMPLATE, types.INSTANCE, types.EKS_NODE_GROUP),
    description="Instances and launch templates must keep the IMDS hop limit at 1, or 2 for a "
    "launch template of an EKS node group.",
    level=ADVISORY,
    severity=Severity.HIGH,
    unknowns="unknown hop limit or endpoint state: cannot verify; node groups are matched by "
    "launchTemplate's dependencies",
)
def imds_hop_limit(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
    node_groups = _of_type(resources, types.EKS_NODE_GROUP)
    for host in _of_type(resources, types.LAUNCH_TEMPLATE, types.INSTANCE):
        endpoint, hops = host.get("metadataOptions.httpEndpoint"), host.get(_LIMIT)
        if endpoint == "disabled" or hops is None:
            continue
        if UNKNOWN in (endpoint, hops):
            yield cannot_verify(f"{host.name} {_LIMIT}", host.urn)
            continue
        for_pods = host.type == types.LAUNCH_TEMPLATE and any(
            _refers_to(group, "launchTemplate", host) for group in node_groups
        )
        allowed = 2 if for_pods else 1
        if not isinstance(hops, int) or hops > allowed:
            yield violation(
                f"{host.name}: {_LIMIT} is {hops}; keep it at {allowed}"
                + (" (EKS pods)" if for_pods else ""),
                host.urn,
            )


RULES: list[StackRule] = [imds_hop_limit]
