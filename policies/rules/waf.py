"""WAF beyond presence: a web ACL that blocks something, and IP sets that are not the world."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from .. import world
from ..engine import (
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
from . import service_types as st


def _rules(resource: Resource) -> list[Mapping[str, Any]] | None:
    """The ACL's rules with lower-cased keys (ruleJson is PascalCase, rules camelCase)."""
    raw = resource.get("ruleJson")
    if raw is UNKNOWN or resource.get("rules") is UNKNOWN:
        return None
    rules = json.loads(raw) if isinstance(raw, str) and raw else resource.get("rules") or []
    return [_lower(rule) for rule in rules if isinstance(rule, Mapping)]


def _lower(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(item) for item in value]
    return value


def _only_counts(rule: Mapping[str, Any]) -> bool:
    """A rule (or a rule group, through its override) that can only count, never block."""
    action, override = rule.get("action") or {}, rule.get("overrideaction") or {}
    return "count" in action or "count" in override


@resource_rule(
    name="waf-web-acl-enforces",
    description="WAF web ACLs must have rules, and none of their rule groups or rules may be "
    "left counting only.",
    types=(st.WEB_ACL,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("WAF.10",),
    unknowns="rules unknown as a whole are left to documents-unknown-in-preview and read at update",
)
def waf_web_acl_enforces(resource: Resource, _config: Config) -> Iterator[Finding]:
    try:
        rules = _rules(resource)
    except json.JSONDecodeError:
        yield violation("ruleJson is not valid JSON")
        return
    if rules is None:
        return
    if not rules and "block" not in (resource.get("defaultAction") or {}):
        yield violation("the web ACL has no rules and allows by default: it inspects nothing")
    for rule in rules:
        if _only_counts(rule):
            yield violation(
                f"rule {rule.get('name')!r} only counts matches; set it to block (or the group's "
                "overrideAction to none)"
            )


@resource_rule(
    name="waf-ip-set-not-world",
    description="WAF IP sets (admin allow lists, rate-limit exemptions) must not be world-open, "
    "alone or together (policies/world.py).",
    types=(st.IP_SET,),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    unknowns="unknown addresses: cannot verify",
)
def waf_ip_set_not_world(resource: Resource, _config: Config) -> Iterator[Finding]:
    addresses = resource.items("addresses")
    if addresses is UNKNOWN:
        yield cannot_verify("addresses")
        return
    known = [str(a) for a in addresses if a is not UNKNOWN]
    if len(known) < len(addresses):
        yield cannot_verify("addresses[]")
    for address in known:
        if world.parse_cidr(address) is None:
            yield violation(f"addresses holds {address!r}, which is not a CIDR")
        elif world.world_open(address):
            yield violation(f"addresses holds {address}, which is world-open; list the addresses")
    if not any(world.world_open(a) for a in known) and world.world_open_union(known):
        yield violation("addresses together are world-open; list fewer, narrower ranges")


RULES: list[ResourceRule] = [waf_web_acl_enforces, waf_ip_set_not_world]
