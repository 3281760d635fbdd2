"""What a plan changes against an earlier one: resources to add, change, replace and delete.

Both sides are `--json` plan documents (offline/plan_document.py), matched by URN. A changed
input is listed by its dotted path (objects are compared key by key, lists as a whole); a
resource is replaced when one of its changes is an input the provider cannot update in place
(offline/replacement.py). Replacing or deleting a stateful resource is a data-loss risk and
becomes a "stateful-replacement" deploy finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final, Literal

from .deploy_checks import own_name_keys
from .deploy_findings import DeployFinding
from .replacement import STATEFUL, forces_replacement

Action = Literal["add", "change", "replace", "delete"]
ACTIONS: Final[tuple[Action, ...]] = ("add", "change", "replace", "delete")
MARKERS: Final[dict[Action, str]] = {"add": "+", "change": "~", "replace": "-/+", "delete": "-"}
_ABSENT: Final = object()
_REVIEWED_OPTIONS: Final = ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges")


@dataclass(frozen=True)
class PropertyChange:
    path: str
    before: Any  # None when the input was not set
    after: Any
    replaces: bool


@dataclass(frozen=True)
class ResourceChange:
    action: Action
    urn: str
    type: str
    name: str
    properties: tuple[PropertyChange, ...] = ()
    stateful: bool = False
    protected: bool = False
    # A replacement that keeps a fixed physical name: the engine creates the new resource
    # before deleting the old one, and AWS refuses the duplicate name.
    colliding_name: str | None = None

    @property
    def reason(self) -> str:
        """Why it is replaced: the replacing inputs."""
        return ", ".join(p.path for p in self.properties if p.replaces)

    @property
    def data_loss(self) -> bool:
        return self.stateful and self.action in ("replace", "delete")


@dataclass(frozen=True)
class PlanDiff:
    against: str
    changes: tuple[ResourceChange, ...]
    mode_mismatch: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def stateful_replacements(self) -> int:
        return sum(1 for c in self.changes if c.action == "replace" and c.stateful)

    def counts(self) -> dict[str, int]:
        counted = Counter(change.action for change in self.changes)
        return {action: counted.get(action, 0) for action in ACTIONS}


def _leaf_changes(before: Any, after: Any, path: str) -> list[tuple[str, Any, Any]]:
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[tuple[str, Any, Any]] = []
        for key in sorted(before.keys() | after.keys()):
            found += _leaf_changes(
                before.get(key, _ABSENT), after.get(key, _ABSENT), f"{path}.{key}".lstrip(".")
            )
        return found
    return [(path, None if before is _ABSENT else before, None if after is _ABSENT else after)]


def _ignored(path: str, ignore_changes: list[str]) -> bool:
    return any(path == ignored or path.startswith(f"{ignored}.") for ignored in ignore_changes)


def _resource_change(before: dict[str, Any], after: dict[str, Any]) -> ResourceChange | None:
    type_ = after["type"]
    # `ignoreChanges` inputs keep their deployed value: the engine does not diff them.
    ignore = list(after.get("options", {}).get("ignoreChanges", []))
    properties = tuple(
        PropertyChange(path, old, new, forces_replacement(type_, path))
        for path, old, new in _leaf_changes(before.get("inputs", {}), after.get("inputs", {}), "")
        if not _ignored(path, ignore)
    ) + tuple(
        # Options are no inputs, but losing `protect` on a database is what a review must see.
        PropertyChange(f"(options).{key}", old, new, replaces=False)
        for key in _REVIEWED_OPTIONS
        if (old := before.get("options", {}).get(key)) != (new := after.get("options", {}).get(key))
    )
    if not properties:
        return None
    replaced = type_ != before["type"] or any(p.replaces for p in properties)
    return ResourceChange(
        colliding_name=_colliding_name(before, after) if replaced else None,
        action="replace" if replaced else "change",
        urn=after["urn"],
        type=type_,
        name=after["name"],
        properties=properties,
        stateful=type_ in STATEFUL,
        protected=bool(before.get("options", {}).get("protect")),
    )


def _colliding_name(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    if after.get("options", {}).get("deleteBeforeReplace"):
        return None
    for key in own_name_keys(after["type"]):
        name = after.get("inputs", {}).get(key)
        if isinstance(name, str) and name == before.get("inputs", {}).get(key):
            return name
    return None


def diff_plans(earlier: dict[str, Any], current: dict[str, Any], *, against: str) -> PlanDiff:
    """The changes that turn the `earlier` plan document into the `current` one."""
    old = {r["urn"]: r for r in earlier["resources"]}
    new = {r["urn"]: r for r in current["resources"]}
    changes: list[ResourceChange] = []
    for urn in sorted(old.keys() | new.keys()):
        if urn not in old:
            r = new[urn]
            changes.append(ResourceChange("add", urn, r["type"], r["name"]))
        elif urn not in new:
            r = old[urn]
            changes.append(
                ResourceChange(
                    "delete",
                    urn,
                    r["type"],
                    r["name"],
                    stateful=r["type"] in STATEFUL,
                    protected=bool(r.get("options", {}).get("protect")),
                )
            )
        else:
            change = _resource_change(old[urn], new[urn])
            if change is not None:
                changes.append(change)
    return PlanDiff(against, tuple(changes), earlier.get("mode") != current.get("mode"))


def name_collision_findings(diff: PlanDiff) -> list[DeployFinding]:
    """An error per replacement that would create its new resource under the old one's name."""
    return [
        DeployFinding(
            check="name-collision",
            level="error",
            resource=change.urn,
            message=(
                f"{change.type} {change.name} would be replaced (new {change.reason}) under the "
                f"same name {change.colliding_name!r} while the old one still exists; AWS "
                "refuses a duplicate name. Change the name with it, use a name prefix, or set "
                "delete_before_replace (accepting the gap)"
            ),
        )
        for change in diff.changes
        if change.colliding_name is not None
    ]


def stateful_findings(diff: PlanDiff) -> list[DeployFinding]:
    """A deploy finding (error) per stateful resource the diff replaces or deletes."""
    findings: list[DeployFinding] = []
    for change in diff.changes:
        if not change.data_loss:
            continue
        what = f"replaced (new {change.reason})" if change.action == "replace" else "deleted"
        guard = (
            " It is protected: `pulumi up` refuses until protect is lifted."
            if change.protected
            else ""
        )
        findings.append(
            DeployFinding(
                check="stateful-replacement",
                level="error",
                resource=change.urn,
                message=(
                    f"DATA LOSS RISK: {change.type} {change.name} would be {what}; its data "
                    f"does not move to the new resource.{guard}"
                ),
            )
        )
    return findings
