"""PrivateBucket: public access blocked, ACLs off, encrypted, TLS-only, whatever the options."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.blocks import Expiration, FixedName, NamePrefix, PrivateBucket
from offline.capture import CapturedResource
from offline.runner import ProgramRun, run_component
from tests.programs import stack as shared_stack

from .conftest import Host, host_urn, run_in_host

KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/abc"
TLS_DENY_CONDITION = {"Bool": {"aws:SecureTransport": "false"}}
GRANT = {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "r"}, "Action": "s3:GetObject"}
# Every combination of the options a caller has.
OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"kms_key_arn": KEY},
    {"versioned": True},
    {"expiration": Expiration("expire", 30)},
    {"kms_key_arn": KEY, "versioned": True, "expiration": Expiration("expire", 7, 2)},
    {"versioned": True, "noncurrent_version_days": 30},
]


def bucket_run(preview: bool = False, **options: Any) -> ProgramRun:
    return run_in_host(
        lambda host: PrivateBucket(
            "b", parent=host, naming=NamePrefix("p-b-"), name_tag="p-b", protect=True, **options
        ),
        preview=preview,
    )


def only(run: ProgramRun, token: str) -> CapturedResource:
    (resource,) = run.of_type(token)
    return resource


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: "-".join(o) or "defaults")
def test_the_protections_hold_for_every_option_set(options: dict[str, Any], preview: bool) -> None:
    run = bucket_run(preview, **options)
    block = only(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block.inputs[flag] is True
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    ownership = only(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    encryption = only(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    (rule,) = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in ("AES256", "aws:kms")
    bucket = only(run, "aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.protect is True
    assert all(r.parent == host_urn(run) for r in run.resources if r.type.startswith("aws:s3"))
    if not preview:  # the document names the bucket's ARN, known once the bucket exists
        policy = json.loads(only(run, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
        assert policy["Statement"][-1]["Condition"] == TLS_DENY_CONDITION


def test_a_key_means_sse_kms_with_a_bucket_key() -> None:
    run = bucket_run(kms_key_arn=KEY)
    encryption = only(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    (rule,) = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY,
    }
    assert rule["bucketKeyEnabled"] is True


def test_versioning_and_expiration_only_when_asked() -> None:
    plain = bucket_run()
    assert not plain.of_type("aws:s3/bucketVersioning:BucketVersioning")
    assert not plain.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    full = bucket_run(versioned=True, expiration=Expiration("expire", 7, 2))
    versioning = only(full, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    (rule,) = only(full, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
        "rules"
    ]
    assert rule["expiration"]["days"] == 7
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 2


def test_noncurrent_versions_expire_after_versioning_is_on() -> None:
    run = bucket_run(versioned=True, expiration=Expiration("expire", 7), noncurrent_version_days=30)
    lifecycle = only(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    expire, noncurrent = lifecycle.inputs["rules"]
    assert expire["id"] == "expire"
    assert noncurrent["id"] == "expire-noncurrent-versions"
    assert noncurrent["status"] == "Enabled"
    assert noncurrent["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert noncurrent["expiration"] == {"expiredObjectDeleteMarker": True}
    versioning = only(run, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.urn in lifecycle.dependencies


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"noncurrent_version_days": 30}, "bucket b: noncurrent versions need versioning"),
        (
            {"versioned": True, "noncurrent_version_days": 0},
            "bucket b: noncurrent_version_days must be >= 1",
        ),
    ],
)
def test_bad_noncurrent_expiry_is_refused(options: dict[str, Any], message: str) -> None:
    errors: list[str] = []

    def build() -> None:
        try:
            PrivateBucket(
                "b",
                parent=Host(),
                naming=NamePrefix("p-b-"),
                name_tag="p-b",
                protect=False,
                **options,
            )
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert errors == [message]
    assert not run.of_type("aws:s3/bucket:Bucket")


@pytest.mark.parametrize("preview", [False, True])
def test_a_fixed_name_gives_a_policy_known_at_preview(preview: bool) -> None:
    run = run_in_host(
        lambda host: PrivateBucket(
            "b",
            parent=host,
            naming=FixedName("p-artifacts", "aws"),
            name_tag="p-artifacts",
            protect=False,
        ),
        preview=preview,
    )
    assert only(run, "aws:s3/bucket:Bucket").inputs["bucket"] == "p-artifacts"
    (deny,) = json.loads(only(run, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])[
        "Statement"
    ]
    assert deny["Resource"] == ["arn:aws:s3:::p-artifacts", "arn:aws:s3:::p-artifacts/*"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == TLS_DENY_CONDITION


def test_grants_come_first_and_the_tls_deny_is_always_last() -> None:
    def build(host: Host) -> None:
        bucket = PrivateBucket(
            "b",
            parent=host,
            naming=FixedName("p-b", "aws"),
            name_tag="p-b",
            protect=False,
            grants_later=True,
        )
        bucket.grant([GRANT])

    statements = json.loads(
        only(run_in_host(build), "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"]
    )["Statement"]
    assert statements[0] == GRANT
    assert statements[1]["Sid"] == "DenyInsecureTransport"
    assert len(statements) == 2


def test_a_second_policy_is_refused() -> None:
    errors: list[str] = []

    def build() -> None:
        bucket = PrivateBucket(
            "b", parent=Host(), naming=FixedName("p-b", "aws"), name_tag="p-b", protect=False
        )
        try:
            bucket.grant([GRANT])
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert errors == ["bucket b already has its policy"]
    assert len(run.of_type("aws:s3/bucketPolicy:BucketPolicy")) == 1


def test_grants_later_registers_no_policy_until_granted() -> None:
    run = bucket_run(grants_later=True)
    assert not run.of_type("aws:s3/bucketPolicy:BucketPolicy")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_bucket_of_the_real_stacks_is_tls_only(stack: str) -> None:
    """The guard for ``grants_later``: each bucket of the program ends up with its policy."""
    run = shared_stack(stack, False)
    policies = {
        p.inputs["bucket"]: json.loads(p.inputs["policy"])
        for p in run.of_type("aws:s3/bucketPolicy:BucketPolicy")
    }
    buckets = run.of_type("aws:s3/bucket:Bucket")
    assert buckets
    for bucket in buckets:
        name = bucket.inputs.get("bucket") or next(
            b for b in policies if b.startswith(bucket.inputs["bucketPrefix"])
        )
        assert policies[name]["Statement"][-1]["Condition"] == TLS_DENY_CONDITION
