"""Security groups: nothing accepts inbound traffic from the whole internet."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    resource_rule,
    violation,
)
from . import types

_FIX = "accept traffic from security groups or prefix lists, never 0.0.0.0/0 or ::/0"


def is_world(cidr: Any) -> bool:
    """Whether a CIDR covers every address (0.0.0.0/0, ::/0, or any spelling of them)."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _ports(rule: Mapping[str, Any]) -> str:
    protocol = rule.get("protocol", rule.get("ipProtocol"))
    if protocol in ("-1", "all", -1):
        return "all traffic"
    low, high = rule.get("fromPort"), rule.get("toPort")
    ports = f"{low}" if low == high else f"{low}-{high}"
    return f"{protocol} {ports}"


def _world_cidrs(where: str, cidrs: Any) -> Iterator[Finding | str]:
    """Yields a `cannot_verify` finding for unknown CIDRs, and each world CIDR as a string."""
    if cidrs is UNKNOWN:
        yield cannot_verify(where)
        return
    if isinstance(cidrs, list):
        paths = [(f"{where}[{index}]", cidr) for index, cidr in enumerate(cidrs)]
    else:
        paths = [(where, cidrs)]
    for path, cidr in paths:
        if cidr is UNKNOWN:
            yield cannot_verify(path)
        elif is_world(cidr):
            yield cidr


def _check_cidr_fields(
    prefix: str, rule: Mapping[str, Any], fields: tuple[str, ...]
) -> Iterator[Finding]:
    for cidr_field in fields:
        where = f"{prefix}{cidr_field}"
        for item in _world_cidrs(where, rule.get(cidr_field)):
            if isinstance(item, Finding):
                yield item
            else:
                yield violation(f"{where} allows {item} on {_ports(rule)}; {_FIX}")


def _check_inline_ingress(resource: Resource, path: str = "ingress") -> Iterator[Finding]:
    ingress = resource.items(path)
    if ingress is UNKNOWN:
        yield cannot_verify(path)
        return
    for index, rule in enumerate(ingress):
        if rule is UNKNOWN:
            yield cannot_verify(f"{path}[{index}]")
        elif isinstance(rule, Mapping):
            yield from _check_cidr_fields(
                f"{path}[{index}].", rule, ("cidrBlocks", "ipv6CidrBlocks")
            )


def _check_awsx_default_group(resource: Resource) -> Iterator[Finding]:
    """awsx's ALB creates a security group from `defaultSecurityGroup.args` unless it is given
    groups, an existing group id, or told to skip it."""
    if resource.get("securityGroups") is not None:
        return
    if resource.get("defaultSecurityGroup.skip") is True:
        return
    if resource.get("defaultSecurityGroup.securityGroupId") is not None:
        return
    yield from _check_inline_ingress(resource, "defaultSecurityGroup.args.ingress")


def _check_node_group_ssh(resource: Resource) -> Iterator[Finding]:
    """EKS opens port 22 on a managed node group's nodes to 0.0.0.0/0 when `remoteAccess` names
    an SSH key and no `sourceSecurityGroupIds` (the EKS API's RemoteAccessConfig)."""
    access = resource.get("remoteAccess")
    if access is UNKNOWN:
        yield cannot_verify("remoteAccess")
        return
    # Both point at other resources (a key pair, security groups): unknown means set.
    if resource.get("remoteAccess.ec2SshKey") in (None, ""):
        return
    sources = resource.get("remoteAccess.sourceSecurityGroupIds")
    if sources is not UNKNOWN and not sources:
        yield violation(
            "remoteAccess.ec2SshKey without remoteAccess.sourceSecurityGroupIds makes EKS open "
            "tcp 22 to 0.0.0.0/0; name the source security groups, or use SSM instead of SSH"
        )


@resource_rule(
    name="no-world-ingress",
    description="Security groups must not accept inbound traffic from 0.0.0.0/0 or ::/0.",
    types=(
        types.SECURITY_GROUP,
        types.DEFAULT_SECURITY_GROUP,
        types.SECURITY_GROUP_RULE,
        types.SECURITY_GROUP_INGRESS_RULE,
        types.AWSX_ALB,
        types.EKS_NODE_GROUP,
    ),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("EC2.13", "EC2.14", "EC2.18", "EC2.19"),
    unknowns="unknown ingress list, rule type, CIDR or node group remoteAccess: cannot verify; "
    "an unknown SSH key or source group list passes (references)",
)
def no_world_ingress(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type in (types.SECURITY_GROUP, types.DEFAULT_SECURITY_GROUP):
        yield from _check_inline_ingress(resource)
    elif resource.type == types.AWSX_ALB:
        yield from _check_awsx_default_group(resource)
    elif resource.type == types.EKS_NODE_GROUP:
        yield from _check_node_group_ssh(resource)
    elif resource.type == types.SECURITY_GROUP_RULE:
        rule_type = resource.get("type")
        if rule_type == "egress":
            return
        world = list(_check_cidr_fields("", resource.props, ("cidrBlocks", "ipv6CidrBlocks")))
        if rule_type is UNKNOWN and world:
            yield cannot_verify("type")
        elif rule_type is not UNKNOWN:
            yield from world
    else:
        yield from _check_cidr_fields("", resource.props, ("cidrIpv4", "cidrIpv6"))


@resource_rule(
    name="default-security-group-closed",
    description="A VPC's default security group must allow no traffic.",
    types=(types.DEFAULT_SECURITY_GROUP,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("EC2.2",),
    unknowns="unknown ingress or egress list: cannot verify",
)
def default_security_group_closed(resource: Resource, _config: Config) -> Iterator[Finding]:
    # Anything left in the default group is granted to every resource launched without a group.
    for direction in ("ingress", "egress"):
        rules = resource.items(direction)
        if rules is UNKNOWN:
            yield cannot_verify(direction)
        elif rules:
            yield violation(f"{direction} has {len(rules)} rule(s); leave the default group empty")


RULES: list[ResourceRule] = [no_world_ingress, default_security_group_closed]
