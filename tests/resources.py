"""Helpers for asserting on captured resources, in update and preview mode alike.

References between resources are followed through ``property_dependencies`` (URNs), because in
preview mode the ids themselves are unknown.
"""

from __future__ import annotations

from offline.capture import CapturedResource

WORLD = ("0.0.0.0/0", "::/0")


def linked(
    resource: CapturedResource, prop: str, everything: list[CapturedResource]
) -> list[CapturedResource]:
    """The resources whose outputs feed ``resource``'s input ``prop``."""
    urns = set(resource.property_dependencies.get(prop, ()))
    return [r for r in everything if r.urn in urns]


def linked_one(
    resource: CapturedResource, prop: str, everything: list[CapturedResource]
) -> CapturedResource:
    found = linked(resource, prop, everything)
    assert len(found) == 1, f"{resource.name}.{prop} links {len(found)} resources"
    return found[0]


def world_ingress(resources: list[CapturedResource]) -> list[str]:
    """Every shape of security-group ingress that admits 0.0.0.0/0 or ::/0."""
    found: list[str] = []
    for r in resources:
        if r.type in (
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        ):
            for rule in r.inputs.get("ingress") or []:
                cidrs = (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or [])
                if any(c in WORLD for c in cidrs):
                    found.append(r.name)
        elif (
            r.type == "aws:ec2/securityGroupRule:SecurityGroupRule"
            and r.inputs.get("type") == "ingress"
        ):
            cidrs = (r.inputs.get("cidrBlocks") or []) + (r.inputs.get("ipv6CidrBlocks") or [])
            if any(c in WORLD for c in cidrs):
                found.append(r.name)
        elif r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" and (
            r.inputs.get("cidrIpv4") in WORLD or r.inputs.get("cidrIpv6") in WORLD
        ):
            found.append(r.name)
    return found


def within(
    resource: CapturedResource, component: CapturedResource, run: list[CapturedResource]
) -> bool:
    """Whether ``component`` is ``resource``'s parent, grandparent, and so on."""
    by_urn = {r.urn: r for r in run}
    parent = by_urn.get(resource.parent)
    while parent is not None and parent is not component:
        parent = by_urn.get(parent.parent)
    return parent is component
