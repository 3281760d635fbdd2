"""What the real stacks copy to the DR region, per tier (the shared program runs of
tests/programs.py: no run of its own). dev is startup: daily backup copies; prod is scale: the
cross-region replica. Both replicate the engine's artifact bucket. The pack's verdict on the same
runs is tests/policies/test_real_stacks.py."""

from __future__ import annotations

import json

import pytest

from offline.iam_eval import is_allowed
from offline.runner import ProgramRun
from tests.programs import stack

DR = "ap-northeast-1"
VAULT = "aws:backup/vault:Vault"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
STACKS = pytest.mark.parametrize("name", ["dev", "prod"])


def run_of(name: str) -> ProgramRun:
    return stack(name, False)


@STACKS
def test_the_dr_region_and_its_copies_are_exported(name: str) -> None:
    outputs = run_of(name).outputs
    assert outputs["drRegion"] == DR
    assert outputs["drArtifactBucket"].endswith(f"-{DR}")
    assert outputs["drArtifactKmsKeyArn"].startswith(f"arn:aws:kms:{DR}:")
    has_copies = name == "dev"
    assert (outputs["drBackupVaultArn"] is not None) is has_copies
    assert (outputs["drBackupVaultKmsKeyArn"] is not None) is has_copies
    assert (outputs["postgresDrEndpoint"] is not None) is (name == "prod")


def test_startup_copies_the_primary_database_daily_to_a_vault_in_the_dr_region() -> None:
    run = run_of("dev")
    vaults = {v.get("region"): v for v in run.of_type(VAULT)}
    assert set(vaults) == {None, DR}
    (primary,) = [i for i in run.of_type("aws:rds/instance:Instance") if i.name.endswith("primary")]
    (selection,) = run.of_type("aws:backup/selection:Selection")
    assert selection.get("resources") == [primary.outputs["arn"]]
    (plan,) = run.of_type("aws:backup/plan:Plan")
    (rule,) = plan.get("rules")
    assert rule["lifecycle"] == {"deleteAfter": 7}  # the startup tier's backupRetentionDays
    assert rule["copyActions"][0]["destinationVaultArn"] == vaults[DR].outputs["arn"]


def test_the_real_backup_role_may_snapshot_the_primary_and_copy_into_the_dr_vault() -> None:
    run = run_of("dev")
    (policy,) = [p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if "backup" in p.name]
    document = policy.get("policy")
    (primary,) = [i for i in run.of_type("aws:rds/instance:Instance") if i.name.endswith("primary")]
    (replica,) = [i for i in run.of_type("aws:rds/instance:Instance") if "replica" in i.name]
    dr_vault = next(v for v in run.of_type(VAULT) if v.get("region") == DR)
    assert is_allowed([document], "rds:CreateDBSnapshot", primary.outputs["arn"])
    assert is_allowed([document], "backup:CopyIntoBackupVault", dr_vault.outputs["arn"])
    assert not is_allowed([document], "rds:CreateDBSnapshot", replica.outputs["arn"])
    kms = [s for s in json.loads(document)["Statement"] if s["Action"] == "kms:CreateGrant"]
    assert {s["Condition"]["StringEquals"]["kms:ViaService"] for s in kms} == {
        "rds.ap-northeast-2.amazonaws.com",
        f"rds.{DR}.amazonaws.com",
    }


def test_scale_keeps_its_replica_and_takes_no_backup_copies() -> None:
    run = run_of("prod")
    assert not run.of_type(VAULT)
    (dr_replica,) = [i for i in run.of_type("aws:rds/instance:Instance") if i.get("region") == DR]
    assert dr_replica.get("replicateSourceDb")


@STACKS
@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_every_tier_replicates_the_artifact_bucket_to_the_dr_region(
    name: str, preview: bool
) -> None:
    run = stack(name, preview)
    (config,) = run.of_type(REPLICATION)
    buckets = {b.get("region"): b for b in run.of_type("aws:s3/bucket:Bucket")}
    assert buckets[DR].get("bucket").endswith(f"engine-artifacts-123456789012-{DR}")
    assert config.get("rules")[0]["status"] == "Enabled"
