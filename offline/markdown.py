"""A compact Markdown summary of a plan document, for a pull-request comment."""

from __future__ import annotations

from typing import Any, Final

from .plan_diff import MARKERS

_MAX_ROWS: Final = 50
"""Rows per table; GitHub comments are capped at 65,536 characters."""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else "stack"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {' | '.join(_cell(c) for c in row)} |" for row in rows[:_MAX_ROWS]]
    if len(rows) > _MAX_ROWS:
        lines.append(f"\n… and {len(rows) - _MAX_ROWS} more (see the `--json` plan)")
    return lines


def render_markdown(document: dict[str, Any]) -> str:
    summary = document["summary"]
    actions = summary["actions"]
    lines = [
        f"### Offline plan of `{document['stack']}` ({document['mode']} mode)",
        "",
        f"**{summary['verdict']}**",
        "",
        "| add | change | replace (stateful) | delete |",
        "|---|---|---|---|",
        f"| {actions['add']} | {actions['change']} | {actions['replace']} "
        f"({actions['replaceStateful']}) | {actions['delete']} |",
    ]
    changes = document.get("changes")
    if changes is None:
        lines += ["", "No earlier plan given: every resource counts as an add."]
    else:
        lines += ["", f"Compared with `{changes['against']}`."]
        risky = [c for c in changes["resources"] if c["action"] in ("replace", "delete")]
        if risky:
            lines += ["", "#### Replacements and deletions", ""]
            lines += _table(
                ["", "resource", "type", "because of", "data loss risk"],
                [
                    [
                        MARKERS[c["action"]],
                        f"`{c['name']}`",
                        f"`{c['type']}`",
                        c["replacedBecause"] or "—",
                        "**yes**" if c["stateful"] else "no",
                    ]
                    for c in risky
                ],
            )
        changed = [c for c in changes["resources"] if c["action"] in ("add", "change")]
        if changed:
            lines += ["", "<details><summary>Added and changed resources</summary>", ""]
            lines += _table(
                ["", "resource", "type", "changed inputs"],
                [
                    [
                        MARKERS[c["action"]],
                        f"`{c['name']}`",
                        f"`{c['type']}`",
                        ", ".join(p["path"] for p in c["properties"]) or "—",
                    ]
                    for c in changed
                ],
            )
            lines += ["", "</details>"]
    policies = document.get("policies")
    if policies is not None:
        counts = policies["counts"]
        lines += [
            "",
            f"#### Policies (`{policies['source']}`): {counts.get('mandatory', 0)} mandatory, "
            f"{counts.get('advisory', 0)} advisory",
        ]
        if policies["findings"]:
            lines.append("")
            lines += _table(
                ["level", "severity", "rule", "controls", "resource", "message"],
                [
                    [
                        f["level"],
                        f["severity"],
                        f"`{f['rule']}`",
                        ", ".join(f["controls"]),
                        f"`{_name(f['resource'])}`",
                        f["message"]
                        + (f" (exempted: {f['exemption']['reason']})" if f["exemption"] else ""),
                    ]
                    for f in policies["findings"]
                ],
            )
    checks = document["deployChecks"]
    lines += ["", f"#### Deploy checks: {len(checks) or 'none failed'}"]
    if checks:
        lines.append("")
        lines += _table(
            ["level", "check", "resource", "message"],
            [[c["level"], c["check"], f"`{_name(c['resource'])}`", c["message"]] for c in checks],
        )
    return "\n".join(lines)
