"""The last word of a plan: one summary line and the exit status.

Exit status (README, "The offline plan"): 0 clean; 1 the program failed; 2 a config error
(stack YAML, config values, policy config, an unreadable earlier plan); 3 mandatory policy
violations; 4 a deploy risk: a deploy-check error, or a stateful resource replaced or deleted
without ``--allow-stateful-replacement``. When several apply, the lowest non-zero code wins, so
3 still means "the pack blocks this".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .deploy_findings import DeployFinding
from .plan_diff import PlanDiff
from .policy_findings import PolicyFinding, level_counts

EXIT_OK: Final = 0
EXIT_PROGRAM_ERROR: Final = 1
EXIT_CONFIG_ERROR: Final = 2
EXIT_MANDATORY_VIOLATIONS: Final = 3
EXIT_DEPLOY_RISK: Final = 4
STATEFUL_CHECK: Final = "stateful-replacement"


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    summary_line: str
    verdict_line: str
    summary: dict[str, Any]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def decide(
    *,
    resource_count: int,
    diff: PlanDiff | None,
    findings: Sequence[PolicyFinding] | None,
    deploy_findings: Sequence[DeployFinding],
    allow_stateful_replacement: bool,
) -> Verdict:
    if diff is None:
        actions = f"Plan: {resource_count} to add (against an empty stack; --diff compares)"
        counts = {"add": resource_count, "change": 0, "replace": 0, "delete": 0}
        stateful = 0
    else:
        counts = diff.counts()
        stateful = diff.stateful_replacements
        actions = (
            f"Plan: {counts['add']} to add, {counts['change']} to change, "
            f"{counts['replace']} to replace ({stateful} stateful), {counts['delete']} to delete"
        )
    if findings is None:
        policy_counts: dict[str, int] | None = None
        policies = "policies: not run"
    else:
        policy_counts = level_counts(findings)
        policies = (
            f"policies: {policy_counts['mandatory']} mandatory, "
            f"{policy_counts['advisory']} advisory"
        )
    blocking = [
        f
        for f in deploy_findings
        if f.level == "error" and not (allow_stateful_replacement and f.check == STATEFUL_CHECK)
    ]
    errors = sum(1 for f in deploy_findings if f.level == "error")
    warnings = len(deploy_findings) - errors
    checks = f"deploy checks: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"

    reasons: list[str] = []
    code = EXIT_OK
    if policy_counts and policy_counts["mandatory"]:
        code = EXIT_MANDATORY_VIOLATIONS
        reasons.append(f"{_plural(policy_counts['mandatory'], 'mandatory policy violation')}")
    if blocking:
        code = code or EXIT_DEPLOY_RISK
        if any(f.check == STATEFUL_CHECK for f in blocking):
            reasons.append("stateful replacement or deletion (--allow-stateful-replacement)")
        if any(f.check != STATEFUL_CHECK for f in blocking):
            reasons.append("deploy-check errors")
    verdict_line = (
        f"Verdict: BLOCKED (exit {code}): {'; '.join(reasons)}" if code else "Verdict: OK (exit 0)"
    )
    summary = {
        "actions": {**counts, "replaceStateful": stateful},
        "policies": policy_counts,
        "deployChecks": {"error": errors, "warning": warnings},
        "exitCode": code,
        "verdict": verdict_line,
    }
    return Verdict(code, f"{actions}; {policies}; {checks}", verdict_line, summary)
