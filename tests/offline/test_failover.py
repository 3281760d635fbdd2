"""The scripted failover: its config change, its refusals, and the failed-over prod stack run
through the pack and the deploy checks (one program run)."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from components.config.errors import StackConfigError
from offline.analyzer_client import DEFAULT_PACK_DIR, analyze_stack, load_config
from offline.deploy_checks import run_deploy_checks
from offline.failover import SECTION, FailoverPlan, main, plan_failover, write_stack_file
from offline.runner import ProgramRun, run_program
from offline.stack_files import PROJECT_DIR, read_stack_files

DR_REGION = "ap-northeast-1"
INSTANCE = "aws:rds/instance:Instance"


def prod_plan() -> FailoverPlan:
    return plan_failover("prod", read_stack_files("prod").values)


@cache
def failed_over() -> ProgramRun:
    return run_program("prod", preview=False, overrides=prod_plan().overrides)


def in_dr(run: ProgramRun, token: str) -> list:
    return [r for r in run.of_type(token) if r.get("region") == DR_REGION]


def test_the_plan_promotes_the_replica_and_opens_the_dr_network() -> None:
    plan = prod_plan()
    assert plan.replica_identifier == "trading-prod-postgres-dr"
    assert plan.promote_commands()[0] == (
        "aws rds promote-read-replica --region ap-northeast-1 "
        "--db-instance-identifier trading-prod-postgres-dr --backup-retention-period 35"
    )
    # The primary's own NAT strategy and endpoints (prod: scale tier, per AZ, ten endpoints).
    assert plan.dr_network["failover"] is True
    assert plan.dr_network["natStrategy"] == "per-az"
    assert "secretsmanager" in plan.dr_network["interfaceEndpoints"]
    command = plan.config_command()
    assert "--path --plaintext 'drNetwork.failover=true'" in command
    assert "'drNetwork.interfaceEndpoints[0]=ssm'" in command


def test_the_failed_over_stack_passes_the_pack_and_the_deploy_checks() -> None:
    run = failed_over()
    config = load_config(DEFAULT_PACK_DIR / "config" / "prod.json")
    diagnostics = analyze_stack(run.resources, config, stack="prod", dry_run=False)
    assert [f"{d.policy_name}: {d.resource_name}" for d in diagnostics if d.mandatory] == []
    findings = run_deploy_checks(run.resources, invokes=run.invokes)
    assert [f.message for f in findings if f.level == "error"] == []


def test_the_failed_over_stack_holds_a_promoted_database_and_an_open_dr_network() -> None:
    run = failed_over()
    (promoted,) = in_dr(run, INSTANCE)
    assert promoted.get("replicateSourceDb") is None
    assert promoted.get("skipFinalSnapshot") is False
    assert promoted.get("finalSnapshotIdentifier") == "trading-prod-postgres-dr-final"
    assert promoted.protect is True
    assert len(in_dr(run, "aws:ec2/natGateway:NatGateway")) == 3
    interface = [
        e
        for e in in_dr(run, "aws:ec2/vpcEndpoint:VpcEndpoint")
        if e.get("vpcEndpointType") == "Interface"
    ]
    assert len(interface) == 10
    assert run.outputs["drNetwork"]["region"] == DR_REGION


def test_a_stack_without_a_dr_replica_is_refused_with_the_key_named() -> None:
    with pytest.raises(StackConfigError, match=r"postgres\.crossRegionReplica: is off"):
        plan_failover("dev", read_stack_files("dev").values)


def test_a_stack_that_failed_over_is_refused_with_the_key_named() -> None:
    values = {**read_stack_files("prod").values, **prod_plan().overrides}
    with pytest.raises(StackConfigError, match=r"drNetwork\.failover: is already true"):
        plan_failover("prod", values)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    return tmp_path


def test_write_adds_the_section_to_the_stack_file_once(project: Path) -> None:
    stack_file = project / "Pulumi.prod.yaml"
    before = stack_file.read_text()
    plan = prod_plan()
    write_stack_file(stack_file, plan)
    after = stack_file.read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and keys kept
    assert read_stack_files("prod", project_dir=project).values[SECTION] == plan.dr_network
    with pytest.raises(StackConfigError, match="already in the file"):
        write_stack_file(stack_file, plan)
    assert stack_file.read_text() == after


def test_main_prints_the_runbook_and_writes_on_request(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prod"], project_dir=project) == 0
    printed = capsys.readouterr().out
    assert "aws rds promote-read-replica" in printed
    assert "pulumi config set-all --stack prod" in printed
    assert SECTION not in (project / "Pulumi.prod.yaml").read_text()
    assert main(["prod", "--write"], project_dir=project) == 0
    assert SECTION in (project / "Pulumi.prod.yaml").read_text()
    # Failed over already: refused, exit 2, the key named.
    assert main(["prod"], project_dir=project) == 2
    assert "drNetwork.failover" in capsys.readouterr().err
