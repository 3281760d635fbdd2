"""The offline plan command: what it prints, and how it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.__main__ import main
from offline.stack_files import PROJECT_DIR


def test_plan_lists_components_counts_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev"]) == 0
    plan = capsys.readouterr().out
    assert "Offline plan of stack 'dev' (update mode" in plan
    assert "  trading:network:TradingVpc  network" in plan
    # Children are indented under their component, with their key settings.
    assert "    aws:ec2/subnet:Subnet  network-database-0  cidrBlock=10.0.21.0/24" in plan
    assert "aws:kms/key:Key  logs-key  enableKeyRotation=true" in plan
    assert "     8  aws:ec2/subnet:Subnet" in plan
    assert "  tier: startup" in plan


def test_preview_plan_marks_computed_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prod", "--preview"]) == 0
    plan = capsys.readouterr().out
    assert "(preview mode" in plan
    assert "  vpcId: (known after apply)" in plan
    assert "[protected]" in plan


def test_config_error_exits_2_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Pulumi.yaml", "__main__.py"):
        (tmp_path / name).write_text((PROJECT_DIR / name).read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text(
        (PROJECT_DIR / "Pulumi.dev.yaml")
        .read_text()
        .replace("flowLogRetentionDays: 30", "azCount: 4")
    )
    monkeypatch.syspath_prepend(str(PROJECT_DIR))  # the copied program imports components/
    assert main(["bad"], project_dir=tmp_path) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "config error: trading-platform:network.azCount: must be 2..3, got 4 (allowed: 2..3)\n"
        "(1 problem in Pulumi.bad.yaml)"
    )


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nosuchstack"]) == 2
    assert "no stack file Pulumi.nosuchstack.yaml" in capsys.readouterr().err
