"""The resources the estimate reads: type, name, display inputs, the top-level component they
belong to, and the resources each input depends on (to follow a node group or an Auto Scaling
group to its launch template).

Built from a program run, or from an earlier ``--json`` plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from offline.runner import ProgramRun
from offline.values import display_inputs


@dataclass(frozen=True)
class CostResource:
    urn: str
    type: str
    name: str
    component: str  # the name of its top-level component ("network", "data"...), or its own
    inputs: dict[str, Any] = field(default_factory=dict)
    input_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # input -> URNs

    def get(self, path: str, default: Any = None) -> Any:
        value: Any = self.inputs
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value


def _components(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """urn -> the name of its outermost ancestor among the resources (rows: urn, parent, name)."""
    rows = list(rows)
    parent = {urn: up for urn, up, _ in rows}
    name = {urn: own for urn, _, own in rows}
    top: dict[str, str] = {}
    for urn in parent:
        current = urn
        while parent.get(current) in parent:
            current = parent[current]
        top[urn] = name[current]
    return top


def from_run(run: ProgramRun) -> list[CostResource]:
    top = _components((r.urn, r.parent, r.name) for r in run.resources)
    return [
        CostResource(
            r.urn,
            r.type,
            r.name,
            top[r.urn],
            display_inputs(r.inputs),
            dict(r.property_dependencies),
        )
        for r in run.resources
        if r.custom or r.remote
    ]


def from_document(resources: Iterable[Mapping[str, Any]]) -> list[CostResource]:
    """The ``resources`` of an earlier ``--json`` plan."""
    rows = list(resources)
    top = _components((r["urn"], r.get("parent", ""), r["name"]) for r in rows)
    return [
        CostResource(
            r["urn"],
            r["type"],
            r["name"],
            top[r["urn"]],
            dict(r.get("inputs") or {}),
            {key: tuple(urns) for key, urns in (r.get("propertyDependencies") or {}).items()},
        )
        for r in rows
        if r.get("custom") or (r.get("options") or {}).get("remote")
    ]
