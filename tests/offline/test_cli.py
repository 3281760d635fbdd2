"""`python -m offline`: outputs of the real dev stack, the verdict, and one test per bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from offline.__main__ import main
from offline.runner import ProgramRun
from offline.stack_files import PROJECT_DIR
from tests.programs import stack

DEV_YAML = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
DEV_POLICY = (PROJECT_DIR / "policies" / "config" / "dev.json").read_text()


@pytest.fixture
def shared_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's run of each real stack instead of a new one per test."""

    def run_program(name: str, *, preview: bool, project_dir: Path) -> ProgramRun:
        del project_dir
        return stack(name, preview)

    monkeypatch.setattr("offline.__main__.run_program", run_program)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project with a stack 'bad' (dev's YAML) and its policy config."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    (tmp_path / "Pulumi.bad.yaml").write_text(DEV_YAML)
    (tmp_path / "bad.json").write_text(DEV_POLICY)
    monkeypatch.syspath_prepend(str(PROJECT_DIR))  # the copied program imports components/
    return tmp_path


def run_bad(project: Path, *flags: str) -> int:
    return main(["bad", "--policy-config", str(project / "bad.json"), *flags], project_dir=project)


def test_text_plan_ends_with_summary_and_verdict(
    shared_runs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev"]) == 0
    text = capsys.readouterr().out
    *_, summary, verdict = text.splitlines()
    assert summary.startswith("Plan: ")
    assert "; policies: 0 mandatory, " in summary
    assert summary.endswith("; deploy checks: 0 errors, 0 warnings")
    assert verdict == "Verdict: OK (exit 0)"
    assert "Policies (policies/config/dev.json): 0 mandatory" in text
    assert "  lb-listener-tls [high; ELB.1, ELB.3, ELB.8]" in text
    assert "exempted: owner platform-team, expires 2027-06-01, reason: Internal NLB" in text
    # A setting that used to be hidden: the cache's node type and the WAF login rate limit.
    assert "        nodeType: cache.t4g.medium\n" in text
    assert '"Limit": 100,' in text


def test_json_markdown_and_graph_from_one_run(
    shared_runs: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, graph = tmp_path / "plan.md", tmp_path / "plan.dot"
    code = main(["dev", "--no-policy", "--json", "--markdown", str(md), "--graph", str(graph)])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schemaVersion"] == 1
    assert document["policies"] is None
    assert document["summary"]["exitCode"] == 0
    group = next(r for r in document["resources"] if r["name"] == "data-cache-group")
    assert group["inputs"]["nodeType"] == "cache.t4g.medium"
    assert md.read_text().startswith("### Offline plan of `dev` (update mode)\n\n**Verdict: OK")
    assert 'label="region ap-northeast-2"' in graph.read_text()


def earlier_with(document: dict[str, Any], name: str, **inputs: Any) -> dict[str, Any]:
    for resource in document["resources"]:
        if resource["name"] == name:
            resource["inputs"].update(inputs)
    return document


def test_diff_with_a_stateful_replacement_fails_unless_allowed(
    shared_runs: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--no-policy", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    earlier = tmp_path / "main.json"
    earlier.write_text(
        json.dumps(
            earlier_with(
                document,
                "data-cache-group",
                nodeType="cache.r6g.large",
                replicationGroupId="old-id",
            )
        )
    )
    assert main(["dev", "--no-policy", "--diff", str(earlier)]) == 4
    text = capsys.readouterr().out
    assert "  -/+ aws:elasticache/replicationGroup:ReplicationGroup  data-cache-group" in text
    assert "~ nodeType: cache.r6g.large => cache.t4g.medium\n" in text
    assert "error [stateful-replacement] data-cache-group: DATA LOSS RISK" in text
    *_, summary, verdict = text.splitlines()
    assert summary.startswith("Plan: 0 to add, 0 to change, 1 to replace (1 stateful), 0 to delete")
    assert verdict.startswith("Verdict: BLOCKED (exit 4): stateful replacement")

    md = tmp_path / "comment.md"
    args = ["dev", "--no-policy", "--diff", str(earlier), "--allow-stateful-replacement"]
    assert main([*args, "--markdown", str(md)]) == 0
    assert (
        "| -/+ | `data-cache-group` | `aws:elasticache/replicationGroup:ReplicationGroup` "
        "| replicationGroupId | **yes** |" in md.read_text()
    )


def test_yaml_syntax_error_exits_2_naming_file_line_and_column(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "Pulumi.bad.yaml").write_text(DEV_YAML.replace("tier: startup", "tier: [startup"))
    assert run_bad(project) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: Pulumi.bad.yaml:5:31: expected ',' or ']', but got ':'")
    assert "(while parsing a flow sequence started on line 4)" in err
    assert len(err.splitlines()) == 1


def test_duplicate_key_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Pulumi.bad.yaml").write_text(DEV_YAML + "  trading-platform:tier: growth\n")
    assert run_bad(project) == 2
    assert (
        "duplicate key 'trading-platform:tier' (first given on line 4)" in capsys.readouterr().err
    )


def test_misspelt_namespace_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Pulumi.bad.yaml").write_text(
        DEV_YAML.replace("trading-platform:tier", "trading-platfrom:tier")
    )
    assert run_bad(project) == 2
    assert capsys.readouterr().err == (
        "error: Pulumi.bad.yaml: trading-platfrom:tier: unknown namespace 'trading-platfrom' "
        "(did you mean trading-platform:tier?)\n"
    )


def test_program_config_error_exits_2_naming_the_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "Pulumi.bad.yaml").write_text(
        DEV_YAML.replace("flowLogRetentionDays: 30", "azCount: 4")
    )
    assert run_bad(project, "--no-policy") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("config error: ")
    assert "network.azCount" in err


def test_stack_without_policy_config_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bad"], project_dir=project) == 2
    err = capsys.readouterr().err
    assert "no policy config for stack 'bad'" in err
    assert "--no-policy" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: {**c, "no-world-ingres": "mandatory"},
            "no-world-ingres: not a policy of this pack (did you mean 'no-world-ingress'?)",
        ),
        (
            lambda c: {**c, "ebs-encrypted": "blocking"},
            "ebs-encrypted: 'blocking' is not a valid enforcement level",
        ),
        (
            lambda c: {
                **c,
                "policy-exemptions": {
                    "exemptions": [
                        {
                            "resource": "urn:pulumi:bad::trading-platform::"
                            "aws:ec2/instance:Instance::x",
                            "policy": "ebs-encrypted",
                            "finding": "not encrypted",
                            "owner": "platform-team",
                            "expires": "2027-01-01",
                            "reason": "tmp",
                        }
                    ]
                },
            },
            "policy-exemptions: exemptions[0].reason: shorter than 10 characters",
        ),
    ],
)
def test_policy_config_errors_exit_2_before_the_plan(
    project: Path, capsys: pytest.CaptureFixture[str], edit: Any, message: str
) -> None:
    (project / "bad.json").write_text(json.dumps(edit(json.loads(DEV_POLICY))))
    assert run_bad(project) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"policy config error: {message}" in err.splitlines()[0]


def test_policy_config_json_error_names_line_and_column(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "bad.json").write_text('{\n  "ebs-encrypted": mandatory\n}\n')
    assert run_bad(project) == 2
    assert "bad.json:2:20: not valid JSON: Expecting value" in capsys.readouterr().err


def test_unreadable_earlier_plan_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_bad(project, "--diff", str(project / "missing.json")) == 2
    assert "missing.json: cannot read" in capsys.readouterr().err


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nosuchstack", "--no-policy"]) == 2
    assert "no stack file Pulumi.nosuchstack.yaml" in capsys.readouterr().err


def test_help_has_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "python -m offline prod --diff main-prod.json" in text
    assert "4 deploy risk" in text
