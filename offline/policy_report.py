"""The policy pack's diagnostics as text for the offline plan: blocking findings first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

_ORDER: Final[tuple[str, ...]] = ("mandatory", "remediate", "advisory", "disabled")
_HEADINGS: Final = {
    "mandatory": "Mandatory (blocks preview and update)",
    "remediate": "Remediate",
    "advisory": "Advisory (reported, not blocking)",
    "disabled": "Disabled",
}


class DiagnosticLike(Protocol):
    """What the report needs of a diagnostic (offline.analyzer_client.Diagnostic has it)."""

    @property
    def policy_name(self) -> str: ...
    @property
    def enforcement_level(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def urn(self) -> str: ...


def _resource(urn: str) -> str:
    """`type name` from a URN, or "stack" for stack-wide findings."""
    parts = urn.split("::")
    if len(parts) < 4:
        return "stack"
    return f"{parts[-2].rsplit('$', 1)[-1]} {parts[-1]}"


def _detail(diagnostic: DiagnosticLike) -> str:
    # pulumi_policy sends "<description>\n<message>"; the description is the group's heading.
    prefix = f"{diagnostic.description}\n"
    message = diagnostic.message
    return message.removeprefix(prefix)


def format_policy_report(diagnostics: Sequence[DiagnosticLike], title: str = "Policies") -> str:
    """Readable text: a summary line, then one section per enforcement level, each grouped by
    policy, one line per resource with the rule's message."""
    counts: dict[str, int] = dict.fromkeys(_ORDER, 0)
    for diagnostic in diagnostics:
        counts[diagnostic.enforcement_level] = counts.get(diagnostic.enforcement_level, 0) + 1
    summary = ", ".join(f"{counts[level]} {level}" for level in ("mandatory", "advisory"))
    lines = [f"{title}: {summary}" if diagnostics else f"{title}: no violations"]
    for level in sorted(counts, key=lambda lv: _ORDER.index(lv) if lv in _ORDER else len(_ORDER)):
        group = [d for d in diagnostics if d.enforcement_level == level]
        if not group:
            continue
        lines += ["", f"{_HEADINGS.get(level, level)}: {len(group)}"]
        for policy in sorted({d.policy_name for d in group}):
            findings = sorted(
                (d for d in group if d.policy_name == policy), key=lambda d: (d.urn, d.message)
            )
            lines.append(f"  {policy} - {findings[0].description}")
            lines += [f"    {_resource(d.urn)}: {_detail(d)}" for d in findings]
    return "\n".join(lines)
