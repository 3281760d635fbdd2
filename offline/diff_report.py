"""A plan diff as text: one marker line per resource, then its changed inputs."""

from __future__ import annotations

import difflib
import json
from typing import Any, Final

from .plan_diff import MARKERS, PlanDiff, PropertyChange, ResourceChange
from .values import decoded_text, json_document

_SHORT: Final = 100


def _compact(value: Any) -> str:
    if value is None:
        return "(not set)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _text_lines(path: str, value: Any) -> tuple[str, list[str]] | None:
    """A value a line diff reads best: a JSON document, a decoded script, multi-line text."""
    document = json_document(value)
    if document is not None:
        return "JSON document", json.dumps(document, indent=2).splitlines()
    text = decoded_text(path, value)
    if text is not None:
        return "base64, decoded", text.splitlines()
    if isinstance(value, str) and "\n" in value:
        return "text", value.splitlines()
    return None


def _property_lines(change: PropertyChange, pad: str) -> list[str]:
    forced = "  (forces replacement)" if change.replaces else ""
    before, after = _text_lines(change.path, change.before), _text_lines(change.path, change.after)
    if before is not None and after is not None:
        body = list(difflib.unified_diff(before[1], after[1], lineterm="", n=2))[2:]
        return [
            f"{pad}~ {change.path}: {after[0]}{forced}",
            *(f"{pad}    {line}" for line in body),
        ]
    old_text, new_text = _compact(change.before), _compact(change.after)
    if len(old_text) + len(new_text) <= _SHORT:
        return [f"{pad}~ {change.path}: {old_text} => {new_text}{forced}"]
    return [f"{pad}~ {change.path}:{forced}", f"{pad}    - {old_text}", f"{pad}    + {new_text}"]


def _resource_lines(change: ResourceChange) -> list[str]:
    notes: list[str] = []
    if change.action == "replace":
        notes.append(f"replaced because of {change.reason}" if change.reason else "type changed")
    if change.data_loss:
        notes.append("STATEFUL: DATA LOSS RISK")
    if change.protected and change.action in ("replace", "delete"):
        notes.append("protected")
    suffix = f"  ({'; '.join(notes)})" if notes else ""
    lines = [f"  {MARKERS[change.action]:<3} {change.type}  {change.name}{suffix}"]
    for prop in change.properties:
        lines += _property_lines(prop, "        ")
    return lines


def format_diff(diff: PlanDiff) -> str:
    counts = diff.counts()
    head = ", ".join(f"{counts[a]} {a}" for a in counts)
    lines = [f"Changes against {diff.against}: {head}"]
    if diff.mode_mismatch:
        lines.append(
            "  note: the earlier plan was made in the other mode (update/preview); values "
            "known in one and unknown in the other show as changes"
        )
    if not diff.changes:
        lines.append("  no changes")
    for change in diff.changes:
        lines += _resource_lines(change)
    return "\n".join(lines)
