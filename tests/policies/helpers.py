"""Build a valid resource once, change one thing per test (cdk-nag / compliance-policies style)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from offline.capture import UNKNOWN as WIRE_UNKNOWN
from policies.engine import Finding, Resource, ResourceRule, StackRule

__all__ = [
    "DELETE",
    "WIRE_UNKNOWN",
    "changed",
    "evaluate",
    "messages",
    "resource",
    "secret",
    "stack_findings",
]

DELETE: Final = object()
"""Passed as a value to `changed`: remove the property instead of setting it."""


def secret(value: Any) -> dict[str, Any]:
    """A value as the engine sends a secret."""
    return {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": value}


def changed(inputs: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `inputs` with the dotted `path` set to `value` (or removed by DELETE)."""
    result = copy.deepcopy(dict(inputs))
    *parents, leaf = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(leaf)] = value
    elif value is DELETE:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return result


def resource(
    type_: str, inputs: Mapping[str, Any], name: str = "subject", **options: Any
) -> Resource:
    return Resource.from_wire(type_, name, inputs, **options)


def evaluate(
    rule: ResourceRule,
    type_: str,
    inputs: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
) -> list[Finding]:
    return rule.evaluate(resource(type_, inputs), config)


def messages(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings]


def stack_findings(
    rule: StackRule, resources: list[Resource], config: Mapping[str, Any] | None = None
) -> list[Finding]:
    return rule.evaluate(resources, config)
