"""The pull-request summary: verdict, counts, replacements, findings, deploy checks."""

from __future__ import annotations

from offline.markdown import render_markdown
from offline.plan_diff import diff_plans
from offline.plan_document import PolicyResult, plan_document, resources_only
from offline.policy_findings import Exemption, PolicyFinding
from offline.verdict import decide

from .small_stack import run_store


def test_summary_lists_replacements_findings_and_checks() -> None:
    run = run_store(bucket_name="renamed")
    diff = diff_plans(resources_only(run_store()), resources_only(run), against="main.json")
    finding = PolicyFinding(
        "kms-key-rotation", "advisory", "medium", ("KMS.4",), run.resources[1].urn,
        "rotation | off", "policy-exemptions", Exemption("test key", "reason: test key"),
    )  # fmt: skip
    verdict = decide(
        resource_count=5, diff=diff, findings=[finding], deploy_findings=[],
        allow_stateful_replacement=False,
    )  # fmt: skip
    text = render_markdown(
        plan_document(
            run,
            policy=PolicyResult("policies/config/test.json", (finding,)),
            deploy_findings=[],
            diff=diff,
            summary=verdict.summary,
        )
    )
    assert text.startswith("### Offline plan of `test` (update mode)\n\n**Verdict: OK (exit 0)**")
    assert "| 0 | 0 | 1 (1) | 0 |" in text
    assert "| -/+ | `store-bucket` | `aws:s3/bucket:Bucket` | bucket | **yes** |" in text
    assert "#### Policies (`policies/config/test.json`): 0 mandatory, 1 advisory" in text
    assert "| advisory | medium | `kms-key-rotation` | KMS.4 |" in text
    assert "rotation \\| off (exempted: test key) |" in text  # pipes escaped in cells
    assert text.endswith("#### Deploy checks: none failed")
