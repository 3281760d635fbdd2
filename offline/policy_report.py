"""The policy pack's diagnostics as text for the offline plan: blocking findings first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from .policy_findings import PolicyFinding, level_counts

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


def format_findings(findings: Sequence[PolicyFinding], title: str) -> str:
    """The report with each rule's severity and controls, exempted findings with their reason."""
    counts = level_counts(findings)
    summary = ", ".join(f"{count} {level}" for level, count in counts.items())
    lines = [f"{title}: {summary}" if findings else f"{title}: no violations"]
    for level in sorted({f.level for f in findings}, key=_level_rank):
        group = [f for f in findings if f.level == level]
        lines += ["", f"{_HEADINGS.get(level, level)}: {len(group)}"]
        for rule in sorted({f.rule for f in group}):
            of_rule = [f for f in group if f.rule == rule]
            first = of_rule[0]
            controls = f"; {', '.join(first.controls)}" if first.controls else ""
            lines.append(f"  {rule} [{first.severity}{controls}]")
            for finding in of_rule:
                lines.append(f"    {_resource(finding.resource)}: {finding.message}")
                if finding.exemption is not None:
                    lines.append(f"      exempted: {finding.exemption.terms}")
    return "\n".join(lines)


def _level_rank(level: str) -> int:
    return _ORDER.index(level) if level in _ORDER else len(_ORDER)
