"""The verdict: summary line and exit status, lowest non-zero code first."""

from __future__ import annotations

from offline.deploy_findings import DeployFinding
from offline.policy_findings import PolicyFinding
from offline.verdict import EXIT_DEPLOY_RISK, EXIT_MANDATORY_VIOLATIONS, Verdict, decide

MANDATORY = PolicyFinding("r", "mandatory", "high", (), "", "m", "r")
ORDERING = DeployFinding("ordering-race", "error", "", "x before y")
WARNING = DeployFinding("version-support", "warning", "", "old")


def verdict(
    findings: list[PolicyFinding] | None, checks: list[DeployFinding], allow: bool = False
) -> Verdict:
    return decide(
        resource_count=12,
        diff=None,
        findings=findings,
        deploy_findings=checks,
        allow_stateful_replacement=allow,
    )


def test_clean_plan_against_no_earlier_plan() -> None:
    result = verdict([], [WARNING])
    assert result.exit_code == 0
    assert result.summary_line == (
        "Plan: 12 to add (against an empty stack; --diff compares); "
        "policies: 0 mandatory, 0 advisory; deploy checks: 0 errors, 1 warning"
    )
    assert result.summary["deployChecks"] == {"error": 0, "warning": 1}


def test_mandatory_violations_win_over_deploy_risks() -> None:
    result = verdict([MANDATORY], [ORDERING])
    assert result.exit_code == EXIT_MANDATORY_VIOLATIONS
    assert result.verdict_line == (
        "Verdict: BLOCKED (exit 3): 1 mandatory policy violation; deploy-check errors"
    )


def test_deploy_check_errors_fail_even_with_stateful_replacements_allowed() -> None:
    assert verdict(None, [ORDERING], allow=True).exit_code == EXIT_DEPLOY_RISK
    assert "policies: not run" in verdict(None, []).summary_line
