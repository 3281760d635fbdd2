"""The plan as text: every resource with every input it sets, grouped by component.

Values are shown in full and in a fixed order (keys sorted, lists in program order), secrets as
``(secret <digest>)`` and unknowns as ``(known after apply)``, so `diff` of two plans shows
exactly what a change does. JSON documents held in strings (policies, WAF rules, dashboards) are
pretty-printed; those longer than `LONG_DOCUMENT_LINES` are summarised by size and digest unless
``full``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any, Final

from .capture import CapturedResource
from .runner import ProgramRun
from .values import decoded_text, display_inputs, display_outputs, json_document

LONG_DOCUMENT_LINES: Final = 400
"""Longer than every policy and rule set a reviewer must read; the dashboards are longer."""
_INLINE_WIDTH: Final = 80
_PLAIN = re.compile(r"^[A-Za-z0-9_./:@%+=,()*$-][^\n#]*$")
_AMBIGUOUS = re.compile(r"^(true|false|null|yes|no|on|off|~|-?[0-9][0-9_.eE+-]*)$", re.IGNORECASE)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and not _AMBIGUOUS.match(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _document_lines(document: Any, source: str, pad: str, *, full: bool) -> list[str]:
    pretty = json.dumps(document, indent=2, ensure_ascii=False).splitlines()
    if len(pretty) > LONG_DOCUMENT_LINES and not full:
        keys = ", ".join(sorted(document)) if isinstance(document, dict) else "array"
        return [
            f" (JSON document of {len(pretty)} lines: {keys}; sha256 {_digest(source)}; "
            "--full shows it)"
        ]
    return [" (JSON document)", *(f"{pad}{line}" for line in pretty)]


def _dict_lines(value: dict[str, Any], indent: int, *, full: bool) -> list[str]:
    if not value:
        return [" {}"]
    lines = [""]
    for key, item in value.items():
        rendered = render_value(item, indent + 1, full=full)
        lines.append(f"{'  ' * indent}{_scalar(key)}:{rendered[0]}")
        lines += rendered[1:]
    return lines


def _list_lines(value: list[Any], indent: int, *, full: bool) -> list[str]:
    if not value:
        return [" []"]
    if all(not isinstance(v, dict | list) and json_document(v) is None for v in value):
        inline = "[" + ", ".join(_scalar(v) for v in value) + "]"
        if len(inline) <= _INLINE_WIDTH and all("\n" not in str(v) for v in value):
            return [f" {inline}"]
    pad = "  " * indent
    lines = [""]
    for item in value:
        rendered = render_value(item, indent + 1, full=full)
        head = rendered[0].lstrip()
        if isinstance(item, dict) and item and len(rendered) > 1:
            # A mapping in a list: its first key on the dash line, as YAML writes it.
            lines.append(f"{pad}- {rendered[1].lstrip()}")
            lines += rendered[2:]
        else:
            lines.append(f"{pad}-{' ' if head else ''}{head}")
            lines += rendered[1:]
    return lines


def render_value(value: Any, indent: int, *, full: bool) -> list[str]:
    """The lines after ``key:`` for one (display) value; the first is appended to the key."""
    document = json_document(value)
    if document is not None:
        return _document_lines(document, value, "  " * indent, full=full)
    if isinstance(value, str) and "\n" in value:
        pad = "  " * indent
        return [" |", *(f"{pad}{line}" if line else "" for line in value.splitlines())]
    if isinstance(value, dict):
        return _dict_lines(value, indent, full=full)
    if isinstance(value, list):
        return _list_lines(value, indent, full=full)
    return [f" {_scalar(value)}"]


def resource_options(resource: CapturedResource) -> list[str]:
    """The resource options a reviewer should see next to the name."""
    flags = [
        name
        for name, on in (
            ("protected", resource.protect),
            ("remote", resource.remote),
            ("retainOnDelete", resource.retain_on_delete),
            ("deleteBeforeReplace", resource.delete_before_replace),
        )
        if on
    ]
    if resource.ignore_changes:
        flags.append(f"ignoreChanges={','.join(sorted(resource.ignore_changes))}")
    return flags


def render_inputs(inputs: dict[str, Any], indent: int, *, full: bool) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    for key, value in display_inputs(inputs).items():
        text = decoded_text(key, value)
        if text is not None:
            inner = "  " * (indent + 1)
            lines.append(f"{pad}{key}: (base64, decoded)")
            lines += [f"{inner}{line}" if line else "" for line in text.splitlines()]
            continue
        rendered = render_value(value, indent + 1, full=full)
        lines.append(f"{pad}{key}:{rendered[0]}")
        lines += rendered[1:]
    return lines


def _order(resource: CapturedResource) -> tuple[bool, str, str]:
    return (resource.custom, resource.type, resource.name)


def _tree(run: ProgramRun, *, full: bool) -> list[str]:
    children: dict[str, list[CapturedResource]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent, []).append(resource)
    known = {r.urn for r in run.resources}
    roots = [r for r in run.resources if r.parent not in known]
    lines: list[str] = []

    def walk(resource: CapturedResource, depth: int) -> None:
        flags = resource_options(resource)
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(f"{'  ' * depth}{resource.type}  {resource.name}{suffix}")
        if resource.custom:
            lines.extend(render_inputs(resource.inputs, depth + 2, full=full))
        for child in sorted(children.get(resource.urn, []), key=_order):
            walk(child, depth + 1)

    for root in sorted(roots, key=_order):
        walk(root, 1)
    return lines


def render_plan(run: ProgramRun, *, full: bool = False) -> str:
    """Header, the resource tree with inputs, counts by type and the stack outputs."""
    mode = "preview" if run.preview else "update"
    lines = [
        f"Offline plan of stack '{run.stack}' ({mode} mode, mocked provider; nothing was deployed)",
        "",
        f"Resources ({len(run.resources)}), by component:",
        *_tree(run, full=full),
        "",
        f"Counts by type ({len(run.resources)} resources):",
    ]
    counts = Counter(r.type for r in run.resources)
    lines += [
        f"  {count:4d}  {token}"
        for token, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]
    lines += ["", "Outputs:"]
    for name, value in display_outputs(run.outputs, run.secret_outputs).items():
        rendered = render_value(value, 2, full=full)
        lines.append(f"  {name}:{rendered[0]}")
        lines += rendered[1:]
    return "\n".join(lines)
