"""DatabaseBackupCopies, built on its own under mocks: vaults, plan, selection, and the role's
permissions evaluated with offline/iam_eval.py (exactly what the snapshot and the copy need)."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from components.aws_context import AwsContext
from components.data_layer import DataLayer
from components.dr_backup import (
    BackupCopiesTarget,
    DatabaseBackupCopies,
    DatabaseBackupCopiesArgs,
    backup_role_policy,
    daily_schedule,
)
from offline.capture import CapturedResource
from offline.iam_eval import grants, is_allowed, open_ended
from offline.mocks import ACCOUNT_ID
from offline.runner import ProgramRun, run_component
from tests.components.test_data_layer import data_layer_args, stack_config

REGION, DR = "ap-northeast-2", "ap-northeast-1"
CONTEXT = AwsContext(ACCOUNT_ID, "aws", REGION, "amazonaws.com")
INSTANCE = f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:db:trading-test-postgres"
CLUSTER = f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:cluster:trading-test-postgres"
DATA_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/data"
DR_VAULT = f"arn:aws:backup:{DR}:{ACCOUNT_ID}:backup-vault:trading-test-database-dr"
DR_VAULT_KEY = f"arn:aws:kms:{DR}:{ACCOUNT_ID}:key/backup-dr"


def copies_args(**changes: Any) -> DatabaseBackupCopiesArgs:
    """An RDS instance's copies to the DR region, 7 days kept at home and 14 there."""
    args = DatabaseBackupCopiesArgs(
        name_prefix="trading-test",
        context=CONTEXT,
        dr_region=DR,
        database_arn=INSTANCE,
        database_key_arn=DATA_KEY,
        aurora=False,
        backup_window="03:00-04:00",
        retention_days=7,
        copy_retention_days=14,
        protect=True,
    )
    return replace(args, **changes)


@cache
def built(aurora: bool) -> ProgramRun:
    args = copies_args(database_arn=CLUSTER, aurora=True) if aurora else copies_args()
    return run_component(lambda: DatabaseBackupCopies("data-backup", args), preview=False)


def one(run: ProgramRun, type_token: str, **inputs: Any) -> CapturedResource:
    found = [r for r in run.of_type(type_token) if all(r.get(k) == v for k, v in inputs.items())]
    assert len(found) == 1, f"{len(found)} x {type_token} {inputs}"
    return found[0]


def test_a_vault_in_each_region_each_under_its_own_regional_key() -> None:
    run = built(False)
    keys = {r.get("region"): r for r in run.of_type("aws:kms/key:Key")}
    assert set(keys) == {None, DR}  # None: the provider's region, the primary
    for region, vault_name in ((None, "trading-test-database"), (DR, "trading-test-database-dr")):
        vault = one(run, "aws:backup/vault:Vault", name=vault_name)
        assert vault.get("region") == region
        assert vault.get("kmsKeyArn") == keys[region].outputs["arn"]
        assert vault.get("forceDestroy") is False
        assert vault.protect
        assert keys[region].protect
        # The key is usable only through RDS and Backup in its own region.
        policy = json.loads(keys[region].get("policy"))
        (use,) = [s for s in policy["Statement"] if s["Sid"] == "DataServicesUseKey"]
        where = region or REGION
        assert use["Condition"]["StringEquals"]["kms:ViaService"] == [
            f"rds.{where}.amazonaws.com",
            f"backup.{where}.amazonaws.com",
        ]


def test_both_vaults_are_locked_in_governance_mode_at_their_retention() -> None:
    run = built(False)
    locks = {
        r.get("backupVaultName"): r
        for r in run.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    }
    assert {name: lock.get("minRetentionDays") for name, lock in locks.items()} == {
        "trading-test-database": 7,
        "trading-test-database-dr": 14,
    }
    # changeableForDays would make it compliance mode: irreversible after the grace time.
    assert all(lock.get("changeableForDays") is None for lock in locks.values())
    assert locks["trading-test-database-dr"].get("region") == DR


def test_the_daily_rule_copies_each_recovery_point_to_the_dr_vault() -> None:
    run = built(False)
    (rule,) = one(run, "aws:backup/plan:Plan").get("rules")
    dr_vault = one(run, "aws:backup/vault:Vault", region=DR)
    assert rule["targetVaultName"] == "trading-test-database"
    assert rule["schedule"] == "cron(0 5 * * ? *)"
    assert rule["lifecycle"] == {"deleteAfter": 7}
    assert rule["copyActions"] == [
        {"destinationVaultArn": dr_vault.outputs["arn"], "lifecycle": {"deleteAfter": 14}}
    ]
    assert not rule.get("enableContinuousBackup")


@pytest.mark.parametrize("aurora", [False, True], ids=["rds", "aurora"])
def test_the_selection_names_the_database_and_waits_for_the_role_policy(aurora: bool) -> None:
    run = built(aurora)
    selection = one(run, "aws:backup/selection:Selection")
    role = one(run, "aws:iam/role:Role")
    policy = one(run, "aws:iam/rolePolicy:RolePolicy")
    assert selection.get("resources") == [CLUSTER if aurora else INSTANCE]
    assert selection.get("iamRoleArn") == role.outputs["arn"]
    assert policy.urn in selection.dependencies
    trust = json.loads(role.get("assumeRolePolicy"))["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "backup.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
        }
    ]


def policy_of(aurora: bool) -> str:
    return backup_role_policy(
        CONTEXT,
        dr_region=DR,
        aurora=aurora,
        database_arn=CLUSTER if aurora else INSTANCE,
        database_key_arn=DATA_KEY,
        dr_vault_arn=DR_VAULT,
        dr_vault_key_arn=DR_VAULT_KEY,
    )


def needed(aurora: bool) -> set[tuple[str, str]]:
    """What AWS Backup calls, computed here: snapshot the database, then manage and copy the
    snapshots it names ``awsbackup:...`` in both regions, into the DR vault, under both keys."""
    database = CLUSTER if aurora else INSTANCE
    if aurora:
        kind, describe = "cluster-snapshot", "rds:DescribeDBClusters"
        on_snapshots = ["Create", "DescribeDBClusterSnapshots", "Copy", "Delete"]
        noun = "DBClusterSnapshot"
    else:
        kind, describe = "snapshot", "rds:DescribeDBInstances"
        on_snapshots = ["Create", "DescribeDBSnapshots", "Copy", "Delete"]
        noun = "DBSnapshot"
    pairs = {
        (f"rds:Create{noun}", database),
        (describe, database),
        ("rds:ListTagsForResource", database),
        ("backup:CopyIntoBackupVault", DR_VAULT),
    }
    for region in (REGION, DR):
        snapshot = f"arn:aws:rds:{region}:{ACCOUNT_ID}:{kind}:awsbackup:job-0123"
        pairs |= {
            (f"rds:{verb}" if verb.startswith("Describe") else f"rds:{verb}{noun}", snapshot)
            for verb in on_snapshots
        }
        pairs |= {("rds:AddTagsToResource", snapshot), ("rds:ListTagsForResource", snapshot)}
    for key in (DATA_KEY, DR_VAULT_KEY):
        pairs |= {("kms:DescribeKey", key), ("kms:CreateGrant", key)}
    return pairs


@pytest.mark.parametrize("aurora", [False, True], ids=["rds", "aurora"])
def test_the_role_may_do_what_the_copy_needs(aurora: bool) -> None:
    policy = policy_of(aurora)
    for action, resource in sorted(needed(aurora)):
        assert is_allowed([policy], action, resource), (action, resource)


@pytest.mark.parametrize("aurora", [False, True], ids=["rds", "aurora"])
def test_the_role_may_do_nothing_else(aurora: bool) -> None:
    policy = policy_of(aurora)
    assert not open_ended([policy])
    assert all(resource != "*" for _, resource in grants([policy]))
    other_db = INSTANCE.replace("trading-test-postgres", "someone-else")
    automated = f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:snapshot:rds:trading-test-2026-12-01-03-10"
    for action, resource in [
        ("rds:CreateDBSnapshot", other_db),
        ("rds:DeleteDBInstance", INSTANCE),
        ("rds:DeleteDBSnapshot", automated),  # RDS's own and manual snapshots stay out of reach
        ("rds:CopyDBSnapshot", automated),
        ("kms:Decrypt", DATA_KEY),  # RDS decrypts under its grant, the role never does
        ("kms:CreateGrant", f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/other"),
        ("backup:CopyIntoBackupVault", DR_VAULT.replace("database-dr", "other")),
        ("backup:DeleteRecoveryPoint", DR_VAULT),
    ]:
        assert not is_allowed([policy], action, resource), (action, resource)


def test_the_keys_are_used_only_through_rds_in_their_region_for_aws_resources() -> None:
    statements = json.loads(policy_of(False))["Statement"]
    kms = {s["Resource"]: s for s in statements if s["Action"] == "kms:CreateGrant"}
    assert kms[DATA_KEY]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"rds.{REGION}.amazonaws.com"},
        "Bool": {"kms:GrantIsForAWSResource": "true"},
    }
    assert kms[DR_VAULT_KEY]["Condition"]["StringEquals"] == {
        "kms:ViaService": f"rds.{DR}.amazonaws.com"
    }


@pytest.mark.parametrize(
    ("window", "cron"),
    [
        ("03:00-04:00", "cron(0 5 * * ? *)"),
        ("03:00-03:30", "cron(0 5 * * ? *)"),  # a partial hour counts as the hour
        ("22:00-23:00", "cron(0 0 * * ? *)"),  # past midnight
        ("23:15-23:59", "cron(0 1 * * ? *)"),
    ],
)
def test_the_daily_job_starts_an_hour_after_the_database_window(window: str, cron: str) -> None:
    assert daily_schedule(window) == cron


def test_backup_copies_refuse_the_primary_region_as_dr() -> None:
    args = copies_args(dr_region=REGION, copy_retention_days=7, protect=False)

    def program() -> None:
        DatabaseBackupCopies("data-backup", args)

    with pytest.raises(Exception, match="other than the primary"):
        run_component(program, preview=False)


@pytest.mark.parametrize(
    ("engine", "database_type"),
    [("postgres", "aws:rds/instance:Instance"), ("aurora-postgresql", "aws:rds/cluster:Cluster")],
)
def test_the_data_layer_selects_its_own_database_by_its_arn(
    engine: str, database_type: str
) -> None:
    config = stack_config(engine, "replication-group", "growth")
    args = replace(data_layer_args(config), backup_copies=BackupCopiesTarget(DR, 21))
    run = run_component(lambda: DataLayer("data", args), preview=False)
    # The writer: the RDS primary (no replicateSourceDb) or the Aurora cluster.
    (database,) = [d for d in run.of_type(database_type) if not d.get("replicateSourceDb")]
    (selection,) = run.of_type("aws:backup/selection:Selection")
    assert selection.get("resources") == [database.outputs["arn"]]
    (plan,) = run.of_type("aws:backup/plan:Plan")
    (rule,) = plan.get("rules")
    assert rule["lifecycle"] == {"deleteAfter": config.postgres.backup_retention_days}
    assert rule["copyActions"][0]["lifecycle"] == {"deleteAfter": 21}
    (data_key,) = [k for k in run.of_type("aws:kms/key:Key") if k.name == "data-key-key"]
    role_policy = run.named("data-backup-role-policy")
    assert is_allowed([role_policy.get("policy")], "kms:CreateGrant", data_key.outputs["arn"])
