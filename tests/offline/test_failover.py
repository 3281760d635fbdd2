"""The scripted failover: the runbook, its refusals, the stack files it writes, and the failover
stack it writes run through the pack and the deploy checks (one program run)."""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from components.config import load_stack_config
from components.config.errors import StackConfigError
from offline.analyzer_client import DEFAULT_PACK_DIR, analyze_stack, load_config
from offline.capture import CapturedResource
from offline.deploy_checks import run_deploy_checks
from offline.failover import (
    FAILOVER_FROM,
    SECTION,
    FailoverPlan,
    dr_stack_config,
    main,
    plan_failover,
    promoted_database,
)
from offline.runner import ProgramRun, run_program
from offline.stack_files import PROJECT_DIR, load_yaml, read_stack_files
from tests.programs import stack

DR_REGION = "ap-northeast-1"
REPLICA = "trading-prod-postgres-dr"


def prod_outputs() -> dict[str, Any]:
    return stack("prod", False).outputs


def prod_plan() -> FailoverPlan:
    values = read_stack_files("prod").values
    return plan_failover("prod", values, prod_outputs()["drDataKmsKeyArn"])


def describe(*, promoted: bool = True, managed: bool = True) -> dict[str, Any]:
    """What ``describe-db-instances`` shows after the runbook's AWS steps."""
    outputs = prod_outputs()
    instance: dict[str, Any] = {
        "DBInstanceIdentifier": REPLICA,
        "Endpoint": {"Address": outputs["postgresDrEndpoint"], "Port": 5432},
        "DbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "KmsKeyId": outputs["drDataKmsKeyArn"],
    }
    if not promoted:
        instance["ReadReplicaSourceDBInstanceIdentifier"] = "arn:aws:rds:...:trading-prod-postgres"
    if managed:
        instance["MasterUserSecret"] = {
            "SecretArn": f"arn:aws:secretsmanager:{DR_REGION}:123456789012:secret:rds!db-1a2b"
        }
    return {"DBInstances": [instance]}


def make_project(path: Path) -> Path:
    """A copy of the project's files the failover reads and writes, and its two inputs."""
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "__main__.py"):
        shutil.copy(PROJECT_DIR / name, path / name)
    (path / "policies" / "config").mkdir(parents=True)
    shutil.copy(DEFAULT_PACK_DIR / "config" / "prod.json", path / "policies" / "config")
    (path / "prod-outputs.json").write_text(json.dumps(prod_outputs()))
    (path / "promoted.json").write_text(json.dumps(describe()))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def fail_over(project: Path) -> int:
    return main(
        [
            "prod",
            "--outputs",
            str(project / "prod-outputs.json"),
            "--describe",
            str(project / "promoted.json"),
        ],
        project_dir=project,
    )


@cache
def failover_stack(preview: bool = False) -> tuple[ProgramRun, dict[str, Any]]:
    """``Pulumi.prod-dr.yaml`` as the script writes it, run as the CLI would run it (update or
    preview mode), and the policy config the script wrote for it."""
    project = make_project(Path(tempfile.mkdtemp(prefix="failover-")))
    try:
        assert fail_over(project) == 0
        policy = load_config(project / "policies" / "config" / "prod-dr.json")
        return run_program("prod-dr", preview=preview, project_dir=project), policy
    finally:
        shutil.rmtree(project, ignore_errors=True)


def test_the_runbook_promotes_then_lets_rds_manage_the_password() -> None:
    commands = prod_plan().aws_commands()
    assert commands[0] == (
        "aws rds promote-read-replica --region ap-northeast-1 "
        f"--db-instance-identifier {REPLICA} --backup-retention-period 35"
    )
    assert "--manage-master-user-password" in commands[2]
    assert prod_outputs()["drDataKmsKeyArn"] in commands[2]


def test_main_without_inputs_prints_the_aws_steps(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prod"], project_dir=project) == 0
    printed = capsys.readouterr().out
    assert "aws rds promote-read-replica" in printed
    assert "--outputs prod-outputs.json --describe promoted.json" in printed
    assert not (project / "Pulumi.prod-dr.yaml").exists()


def test_the_failover_stack_moves_to_the_dr_region_and_attaches() -> None:
    plan = prod_plan()
    raw = load_yaml(PROJECT_DIR / "Pulumi.prod.yaml")["config"]
    config = dr_stack_config(raw, prod_outputs(), promoted_database(describe(), plan), plan)
    assert config["aws:region"] == DR_REGION
    assert config["trading-platform:network"]["vpcCidr"] == "10.1.0.0/16"
    # No DR of its own (the region that failed), and nothing copied there.
    dr_keys = [key for key in config if key.startswith("trading-platform:dr")]
    assert dr_keys == ["trading-platform:dr"]
    assert config["trading-platform:dr"] == {"backupCopies": False, "replicateArtifacts": False}
    assert config["trading-platform:postgres"]["crossRegionReplica"] is False
    assert "privateAccessSecurityGroupIds" not in config["trading-platform:eks"]
    assert "imageTag" not in config["trading-platform:eks"]
    assert config["trading-platform:edge"]["domainName"] == "dr.trading.example.com"
    attached = config[FAILOVER_FROM]
    assert attached["network"] == prod_outputs()["drNetwork"]
    assert attached["database"]["identifier"] == REPLICA
    loaded = load_stack_config(config, stack="prod-dr")
    assert loaded.failover_from is not None
    assert loaded.name_prefix == "trading-prod-dr"


def test_main_writes_both_stack_files_and_refuses_a_second_time(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "Pulumi.prod.yaml").read_text()
    assert fail_over(project) == 0
    after = (project / "Pulumi.prod.yaml").read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and keys kept
    assert read_stack_files("prod", project_dir=project).values[SECTION] == {"failover": True}
    assert (project / "Pulumi.prod-dr.yaml").exists()
    assert (project / "policies" / "config" / "prod-dr.json").exists()
    capsys.readouterr()
    # Failed over already: refused, exit 2, the key named, nothing changed.
    assert fail_over(project) == 2
    assert "drNetwork.failover: is already true" in capsys.readouterr().err
    assert (project / "Pulumi.prod.yaml").read_text() == after


@pytest.mark.parametrize(
    ("promoted", "managed", "key"),
    [(False, True, "failoverFrom.database:"), (True, False, "database.masterSecretArn")],
    ids=["still-a-replica", "password-not-managed"],
)
def test_a_database_not_ready_is_refused_with_the_key_named(
    promoted: bool, managed: bool, key: str
) -> None:
    with pytest.raises(StackConfigError, match=key):
        promoted_database(describe(promoted=promoted, managed=managed), prod_plan())


def test_a_stack_without_a_dr_replica_is_refused_with_the_key_named() -> None:
    with pytest.raises(StackConfigError, match=r"postgres\.crossRegionReplica: is off"):
        plan_failover("dev", read_stack_files("dev").values, "unused")


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_the_failover_stack_passes_the_pack_and_the_deploy_checks(preview: bool) -> None:
    """In CI the failover stack is previewed first, with unknowns, then applied."""
    run, policy = failover_stack(preview)
    diagnostics = analyze_stack(run.resources, policy, stack="prod-dr", dry_run=preview)
    assert [f"{d.policy_name}: {d.resource_name}" for d in diagnostics if d.mandatory] == []
    findings = run_deploy_checks(run.resources, invokes=run.invokes)
    assert [f.message for f in findings if f.level == "error"] == []


def regional(run: ProgramRun, token: str) -> list[CapturedResource]:
    return [r for r in run.of_type(token) if r.get("region") in (None, DR_REGION)]


def test_the_failover_stack_runs_the_apps_in_the_dr_network_on_the_promoted_database() -> None:
    run, _ = failover_stack()
    dr_network = prod_outputs()["drNetwork"]
    # No network and no database of its own: the primary stack's, attached.
    assert run.of_type("aws:ec2/vpc:Vpc") == []
    assert run.of_type("aws:rds/instance:Instance") == []
    assert run.outputs["vpcId"] == dr_network["vpcId"]
    (proxy,) = run.of_type("aws:rds/proxy:Proxy")
    assert proxy.get("vpcSubnetIds") == dr_network["subnetIds"]["database"]
    assert proxy.get("vpcSecurityGroupIds") == [dr_network["securityGroupIds"]["db-proxy"]]
    (target,) = run.of_type("aws:rds/proxyTarget:ProxyTarget")
    assert target.get("dbInstanceIdentifier") == REPLICA
    # What bills by the hour arrives with the apps: a NAT per AZ, the primary's endpoints.
    nats = run.of_type("aws:ec2/natGateway:NatGateway")
    assert sorted(n.get("subnetId") for n in nats) == sorted(dr_network["subnetIds"]["public"])
    routes = run.of_type("aws:ec2/route:Route")
    assert sorted(r.get("routeTableId") for r in routes) == sorted(
        dr_network["routeTableIds"]["private"]
    )
    endpoints = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert {e.get("serviceName") for e in endpoints} >= {
        f"com.amazonaws.{DR_REGION}.secretsmanager",
        f"com.amazonaws.{DR_REGION}.ecr.dkr",
    }
    assert all(e.get("subnetIds") == dr_network["subnetIds"]["private"] for e in endpoints)
    (cluster,) = run.of_type("eks:index:Cluster")
    assert cluster.get("privateSubnetIds") == dr_network["subnetIds"]["private"]
    # Its groups are the DR network's: read, never created here.
    assert run.of_type("aws:ec2/securityGroup:SecurityGroup") == []
