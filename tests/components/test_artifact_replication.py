"""The matching engine's artifact bucket, replicated to the DR region: the replica bucket, the
replication rule, and the replication role's permissions evaluated with offline/iam_eval.py."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from components.matching_engine import (
    MatchingEngineFleet,
    replication_policy,
)
from offline.capture import UNKNOWN, CapturedResource
from offline.iam_eval import grants, is_allowed, open_ended
from offline.mocks import ACCOUNT_ID
from offline.runner import ProgramRun, run_component
from tests.components.test_matching_engine import CONTEXT, engine_config, fleet_args

REGION, DR = "ap-northeast-2", "ap-northeast-1"
SOURCE = f"arn:aws:s3:::trading-test-engine-artifacts-{ACCOUNT_ID}-{REGION}"
REPLICA = f"arn:aws:s3:::trading-test-engine-artifacts-{ACCOUNT_ID}-{DR}"
SOURCE_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/engine"
REPLICA_KEY = f"arn:aws:kms:{DR}:{ACCOUNT_ID}:key/engine-dr"
BUCKET = "aws:s3/bucket:Bucket"


@cache
def built(dr_region: str | None, preview: bool = False) -> ProgramRun:
    def program() -> None:
        MatchingEngineFleet(
            "matching-engine",
            fleet_args(engine_config("startup"), 2, protect=True, dr_region=dr_region),
        )

    return run_component(program, preview=preview)


def bucket_named(run: ProgramRun, arn: str) -> CapturedResource:
    (bucket,) = [b for b in run.of_type(BUCKET) if b.get("bucket") == arn.rsplit(":", 1)[1]]
    return bucket


def of_bucket(run: ProgramRun, type_token: str, bucket: CapturedResource) -> CapturedResource:
    (found,) = [r for r in run.of_type(type_token) if r.get("bucket") == bucket.outputs["id"]]
    return found


def test_no_dr_region_no_replica() -> None:
    run = built(None)
    assert len(run.of_type(BUCKET)) == 1
    assert not run.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")


def test_the_replica_is_a_private_versioned_bucket_in_the_dr_region_under_a_dr_key() -> None:
    run = built(DR)
    replica = bucket_named(run, REPLICA)
    assert replica.get("region") == DR
    assert replica.protect
    (dr_key,) = [k for k in run.of_type("aws:kms/key:Key") if k.get("region") == DR]
    assert dr_key.protect
    encryption = of_bucket(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        replica,
    )
    (rule,) = encryption.get("rules")
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": dr_key.outputs["arn"],
    }
    for guard in (
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    ):
        assert of_bucket(run, guard, replica).get("region") == DR, guard
    policy = json.loads(of_bucket(run, "aws:s3/bucketPolicy:BucketPolicy", replica).get("policy"))
    assert policy["Statement"][-1]["Sid"] == "DenyInsecureTransport"


def test_the_rule_replicates_kms_objects_under_the_dr_key_but_not_delete_markers() -> None:
    run = built(DR)
    config = run.named("matching-engine-replication-config")
    source, replica = bucket_named(run, SOURCE), bucket_named(run, REPLICA)
    (dr_key,) = [k for k in run.of_type("aws:kms/key:Key") if k.get("region") == DR]
    assert config.get("bucket") == source.outputs["id"]
    assert config.get("region") is None  # managed at the source, in the primary region
    (rule,) = config.get("rules")
    assert rule["status"] == "Enabled"
    assert rule["filter"] == {"prefix": ""}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"] == {
        "bucket": replica.outputs["arn"],
        "storageClass": "STANDARD",
        "encryptionConfiguration": {"replicaKmsKeyId": dr_key.outputs["arn"]},
    }
    role = run.named("matching-engine-replication-role")
    assert config.get("role") == role.outputs["arn"]


def test_replication_waits_for_versioning_at_both_ends_and_for_the_role_policy() -> None:
    run = built(DR)
    config = run.named("matching-engine-replication-config")
    versioning = "aws:s3/bucketVersioning:BucketVersioning"
    waits_for = {
        of_bucket(run, versioning, bucket_named(run, SOURCE)).urn,
        of_bucket(run, versioning, bucket_named(run, REPLICA)).urn,
        run.named("matching-engine-replication").urn,
    }
    assert waits_for <= set(config.dependencies)


def test_in_preview_the_rule_names_the_replica_once_it_is_known() -> None:
    (rule,) = built(DR, preview=True).named("matching-engine-replication-config").get("rules")
    assert rule["destination"]["bucket"] == UNKNOWN


def test_only_s3_of_this_account_assumes_the_replication_role() -> None:
    role = built(DR).named("matching-engine-replication-role")
    assert json.loads(role.get("assumeRolePolicy"))["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
        }
    ]


def policy() -> str:
    return replication_policy(
        CONTEXT,
        dr_region=DR,
        source_bucket_arn=SOURCE,
        source_key_arn=SOURCE_KEY,
        replica_bucket_arn=REPLICA,
        replica_key_arn=REPLICA_KEY,
    )


# What S3 replication calls (S3 user guide, "Setting up permissions for live replication"),
# computed here rather than read from the component.
NEEDED = {
    ("s3:GetReplicationConfiguration", SOURCE),
    ("s3:ListBucket", SOURCE),
    *(
        (action, f"{SOURCE}/matching-engine/1.0.0/engine.jar")
        for action in (
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
        )
    ),
    *(
        (action, f"{REPLICA}/matching-engine/1.0.0/engine.jar")
        for action in ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags")
    ),
    ("kms:Decrypt", SOURCE_KEY),
    ("kms:Encrypt", REPLICA_KEY),
}


@pytest.mark.parametrize(("action", "resource"), sorted(NEEDED))
def test_the_replication_role_may_do_what_replication_needs(action: str, resource: str) -> None:
    assert is_allowed([policy()], action, resource)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", f"{SOURCE}/matching-engine/1.0.0/engine.jar"),  # versions only
        ("s3:PutObject", f"{REPLICA}/x"),  # replicas, never ordinary writes
        ("s3:ReplicateObject", f"{SOURCE}/x"),  # never back into the source
        ("s3:DeleteObjectVersion", f"{REPLICA}/x"),
        ("s3:PutReplicationConfiguration", SOURCE),
        ("kms:Decrypt", REPLICA_KEY),
        ("kms:Encrypt", SOURCE_KEY),
        ("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/other"),
    ],
)
def test_the_replication_role_may_do_nothing_else(action: str, resource: str) -> None:
    assert not is_allowed([policy()], action, resource)


def test_the_replication_role_names_no_wildcard_resource_and_no_open_ended_statement() -> None:
    assert not open_ended([policy()])
    assert {resource for _, resource in grants([policy()])} == {
        SOURCE,
        f"{SOURCE}/*",
        f"{REPLICA}/*",
        SOURCE_KEY,
        REPLICA_KEY,
    }


def test_each_key_is_used_through_s3_in_its_own_region() -> None:
    statements: list[dict[str, Any]] = json.loads(policy())["Statement"]
    via = {
        s["Resource"]: s["Condition"]["StringEquals"]["kms:ViaService"]
        for s in statements
        if s["Action"] in ("kms:Decrypt", "kms:Encrypt")
    }
    assert via == {
        SOURCE_KEY: f"s3.{REGION}.amazonaws.com",
        REPLICA_KEY: f"s3.{DR}.amazonaws.com",
    }
