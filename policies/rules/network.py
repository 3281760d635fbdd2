"""Security groups: nothing accepts inbound traffic from the whole internet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

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
    resource_rule,
    violation,
)
from ..world import WORLD_OPEN_SHARE, world_open, world_open_union
from . import types

_FIX = "accept traffic from security groups or prefix lists, never 0.0.0.0/0 or ::/0"
WORLD: Final = f"more than 1/{round(1 / WORLD_OPEN_SHARE)} of the public address space"
"""How messages say world-open (policies/world.py has the definition)."""


def _ports(rule: Mapping[str, Any]) -> str:
    protocol = rule.get("protocol", rule.get("ipProtocol"))
    if protocol in ("-1", "all", -1):
        return "all traffic"
    low, high = rule.get("fromPort"), rule.get("toPort")
    ports = f"{low}" if low == high else f"{low}-{high}"
    return f"{protocol} {ports}"


def _known_cidrs(
    prefix: str, rule: Mapping[str, Any], fields: tuple[str, ...]
) -> tuple[list[tuple[str, str]], list[Finding]]:
    """(path, cidr) for every known CIDR of a grant, and a `cannot_verify` per unknown one."""
    known: list[tuple[str, str]] = []
    unknown: list[Finding] = []
    for cidr_field in fields:
        where = f"{prefix}{cidr_field}"
        value = rule.get(cidr_field)
        if value is UNKNOWN:
            unknown.append(cannot_verify(where))
            continue
        items = (
            [(f"{where}[{i}]", c) for i, c in enumerate(value)] if isinstance(value, list) else []
        )
        if isinstance(value, str):
            items = [(where, value)]
        for path, cidr in items:
            if cidr is UNKNOWN:
                unknown.append(cannot_verify(path))
            elif isinstance(cidr, str):
                known.append((where, cidr))
    return known, unknown


def _check_cidr_fields(
    prefix: str, rule: Mapping[str, Any], fields: tuple[str, ...]
) -> Iterator[Finding]:
    """One grant (an inline rule or a rule resource): world-open alone or together."""
    known, unknown = _known_cidrs(prefix, rule, fields)
    yield from unknown
    alone = [(where, cidr) for where, cidr in known if world_open(cidr)]
    for where, cidr in alone:
        yield violation(f"{where} allows {cidr} on {_ports(rule)}; {_FIX}")
    if not alone and world_open_union(cidr for _, cidr in known):
        together = ", ".join(cidr for _, cidr in known)
        yield violation(
            f"{prefix}{'/'.join(fields)} allow {together} on {_ports(rule)}, together {WORLD}; "
            f"{_FIX}"
        )


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
    description="Security groups must not accept inbound traffic from the world: 0.0.0.0/0, ::/0 "
    "or any ranges one grant lists that together cover more than 1/256 of the public IPv4 or "
    "IPv6 space.",
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


def _prefix_list_entries(resource: Resource) -> Iterator[Finding]:
    if resource.type == types.MANAGED_PREFIX_LIST_ENTRY:
        yield from _world_entries(resource, [resource.get("cidr")], "cidr")
        return
    entries = resource.items("entries")
    if entries is UNKNOWN:
        yield cannot_verify("entries")
        return
    cidrs = [e.get("cidr") if isinstance(e, Mapping) else e for e in entries]
    yield from _world_entries(resource, cidrs, "entries")


def _world_entries(resource: Resource, cidrs: list[Any], path: str) -> Iterator[Finding]:
    for index, cidr in enumerate(cidrs):
        if cidr is UNKNOWN:
            yield cannot_verify(path if path == "cidr" else f"{path}[{index}].cidr")
    known = [cidr for cidr in cidrs if isinstance(cidr, str)]
    if world_open_union(known):
        yield violation(
            f"{path} {', '.join(known)} cover {WORLD}; every group rule that names this list "
            "would admit the world. List partner or office ranges only"
        )


@resource_rule(
    name="prefix-list-not-world-open",
    description="Customer-managed prefix lists must not hold the world (alone or together more "
    "than 1/256 of the public IPv4 or IPv6 space): a security group rule naming the list "
    "would then admit it.",
    types=(types.MANAGED_PREFIX_LIST, types.MANAGED_PREFIX_LIST_ENTRY),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("EC2.18", "EC2.19"),
    unknowns="unknown entries or CIDR: cannot verify",
)
def prefix_list_not_world_open(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from _prefix_list_entries(resource)


# Remote administration ports EC2.21 names; an ACL entry that admits the world to them, or to
# everything, is reported. Stateless ACLs must admit return traffic to ephemeral ports from
# anywhere (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html), so a
# range from 1024 or above up to 65535 is that, not RDP, though it contains 3389.
_ADMIN_PORTS: Final = (22, 3389)
_EPHEMERAL_FROM: Final = 1024
_ALL_PROTOCOLS: Final = ("-1", "all", -1)
_PORT_PROTOCOLS: Final = ("tcp", "udp", "6", "17", 6, 17)


def _admits_admin_or_all(entry: Mapping[str, Any]) -> str | None:
    """What the entry opens, when it opens all traffic or an admin port; else None."""
    protocol = entry.get("protocol")
    if protocol in _ALL_PROTOCOLS:
        return "all traffic"
    if protocol not in _PORT_PROTOCOLS:
        return None
    low, high = entry.get("fromPort"), entry.get("toPort")
    if not isinstance(low, int) or not isinstance(high, int):
        return f"{protocol} every port"
    if low <= 0 and high >= 65535:
        return f"{protocol} every port"
    if low >= _EPHEMERAL_FROM and high >= 65535:
        return None  # return traffic to ephemeral ports, which every stateless ACL must admit
    opened = [port for port in _ADMIN_PORTS if low <= port <= high]
    return f"{protocol} {'/'.join(map(str, opened))}" if opened else None


def _nacl_entry(path: str, entry: Mapping[str, Any], action_key: str) -> Iterator[Finding]:
    action = entry.get(action_key)
    if action is UNKNOWN:
        yield cannot_verify(f"{path}{action_key}")
        return
    if str(action).lower() != "allow":
        return
    cidrs = [entry.get(key) for key in ("cidrBlock", "ipv6CidrBlock")]
    if UNKNOWN in cidrs or UNKNOWN in (entry.get("protocol"), entry.get("fromPort")):
        yield cannot_verify(f"{path}cidrBlock/protocol/ports")
        return
    known = [cidr for cidr in cidrs if isinstance(cidr, str)]
    opened = _admits_admin_or_all(entry)
    if opened and world_open_union(known):
        yield violation(
            f"{path.rstrip('.') or 'rule'} allows {', '.join(known)} ({WORLD}) on {opened}; "
            "admit administrative ports from known ranges only, or not at all"
        )


@resource_rule(
    name="nacl-no-world-admin-ingress",
    description="Network ACLs must not admit the world to remote administration ports (22, "
    "3389) or to all traffic.",
    types=(types.NETWORK_ACL, types.DEFAULT_NETWORK_ACL, types.NETWORK_ACL_RULE),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.21",),
    unknowns="unknown entries, action, CIDR, protocol or ports: cannot verify",
)
def nacl_no_world_admin_ingress(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.NETWORK_ACL_RULE:
        egress = as_bool(resource.get("egress"))
        if egress is UNKNOWN:
            yield cannot_verify("egress")
        elif egress is not True:
            yield from _nacl_entry("", resource.props, "ruleAction")
        return
    entries = resource.items("ingress")
    if entries is UNKNOWN:
        yield cannot_verify("ingress")
        return
    for index, entry in enumerate(entries):
        if entry is UNKNOWN:
            yield cannot_verify(f"ingress[{index}]")
        elif isinstance(entry, Mapping):
            yield from _nacl_entry(f"ingress[{index}].", entry, "action")


@resource_rule(
    name="subnet-no-auto-public-ip",
    description="Subnets must not assign public IPv4 addresses on launch: every instance, node "
    "and interface started there would be addressable from the internet.",
    types=(types.SUBNET,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("EC2.15",),
    unknowns="unknown mapPublicIpOnLaunch: cannot verify; absent passes (API default false)",
)
def subnet_no_auto_public_ip(resource: Resource, _config: Config) -> Iterator[Finding]:
    value = as_bool(resource.get("mapPublicIpOnLaunch"))
    if value is UNKNOWN:
        yield cannot_verify("mapPublicIpOnLaunch")
    elif value is True:
        yield violation(
            "mapPublicIpOnLaunch is true; load balancers and NAT gateways get their own "
            "addresses, nothing else in a subnet needs one"
        )


RULES: list[ResourceRule] = [
    no_world_ingress,
    default_security_group_closed,
    prefix_list_not_world_open,
    nacl_no_world_admin_ingress,
    subnet_no_auto_public_ip,
]
