"""S3 public access: blocks, ACLs, ownership, bucket policies, TLS-only, versioning."""

import json

import pytest

from policies.rules import service_types as st
from policies.rules.s3_public import (
    s3_acls_disabled,
    s3_bucket_policy_not_public,
    s3_no_public_acl,
    s3_public_access_block,
    s3_tls_only,
    s3_versioning_enabled,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages, resource, stack_findings

BUCKET_TYPE = "aws:s3/bucket:Bucket"
PAB_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET = resource(BUCKET_TYPE, {"bucket": "reports"}, "reports")
BLOCK = {
    "bucket": "reports",
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def policy(*statements: object) -> dict[str, object]:
    return {"bucket": "reports", "policy": json.dumps({"Statement": list(statements)})}


class TestPublicAccessBlock:
    def test_compliance(self) -> None:
        assert stack_findings(s3_public_access_block, [BUCKET, resource(PAB_TYPE, BLOCK)]) == []

    def test_missing_block(self) -> None:
        [finding] = stack_findings(s3_public_access_block, [BUCKET])
        assert finding.urn == BUCKET.urn
        assert "has no BucketPublicAccessBlock" in finding.message

    @pytest.mark.parametrize("value", [False, DELETE])
    def test_setting_off(self, value: object) -> None:
        block = resource(PAB_TYPE, changed(BLOCK, "blockPublicPolicy", value), "pab")
        [finding] = stack_findings(s3_public_access_block, [BUCKET, block])
        assert finding.urn == block.urn
        assert "blockPublicPolicy" in finding.message

    def test_unknown_setting_and_bucket(self) -> None:
        block = resource(PAB_TYPE, changed(BLOCK, "ignorePublicAcls", WIRE_UNKNOWN))
        assert [f.unverifiable for f in stack_findings(s3_public_access_block, [block])] == [True]
        orphan = resource(PAB_TYPE, changed(BLOCK, "bucket", WIRE_UNKNOWN))
        [finding] = stack_findings(s3_public_access_block, [BUCKET, orphan])
        assert finding.unverifiable
        assert finding.urn == BUCKET.urn

    def test_account_level_block(self) -> None:
        account = resource(st.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, changed(BLOCK, "bucket", DELETE))
        assert stack_findings(s3_public_access_block, [account]) == []
        off = resource(st.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, changed(BLOCK, "blockPublicAcls", False))
        assert len(stack_findings(s3_public_access_block, [off])) == 1


class TestNoPublicAcl:
    @pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
    def test_public_canned_acls(self, acl: str) -> None:
        assert len(evaluate(s3_no_public_acl, "aws:s3/bucketAclV2:BucketAclV2", {"acl": acl})) == 1

    def test_private_and_grants(self) -> None:
        acl_type = "aws:s3/bucketAcl:BucketAcl"
        assert evaluate(s3_no_public_acl, acl_type, {"acl": "private"}) == []
        grant = {"grantee": {"uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}
        inputs = {"accessControlPolicy": {"grants": [grant]}}
        assert len(evaluate(s3_no_public_acl, acl_type, inputs)) == 1
        assert evaluate(s3_no_public_acl, acl_type, {"acl": WIRE_UNKNOWN})[0].unverifiable


class TestAclsDisabled:
    def test_enforced_passes_others_fail(self) -> None:
        ok = {"rule": {"objectOwnership": "BucketOwnerEnforced"}}
        assert evaluate(s3_acls_disabled, st.S3_OWNERSHIP_CONTROLS, ok) == []
        writer = changed(ok, "rule.objectOwnership", "ObjectWriter")
        assert len(evaluate(s3_acls_disabled, st.S3_OWNERSHIP_CONTROLS, writer)) == 1


class TestBucketPolicyNotPublic:
    def test_compliance(self) -> None:
        assert evaluate(s3_bucket_policy_not_public, POLICY_TYPE, policy(TLS_DENY)) == []

    def test_public_read(self) -> None:
        read = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        [message] = messages(evaluate(s3_bucket_policy_not_public, POLICY_TYPE, policy(read)))
        assert "allows s3:GetObject to any principal" in message

    def test_unknown_and_invalid_documents(self) -> None:
        unknown = {"bucket": "reports", "policy": WIRE_UNKNOWN}
        assert evaluate(s3_bucket_policy_not_public, POLICY_TYPE, unknown) == []
        invalid = {"bucket": "reports", "policy": "{"}
        assert (
            "not valid JSON"
            in messages(evaluate(s3_bucket_policy_not_public, POLICY_TYPE, invalid))[0]
        )


class TestTlsOnly:
    def _findings(self, *policies: dict[str, object]) -> list[str]:
        resources = [BUCKET, *(resource(POLICY_TYPE, p, f"p{i}") for i, p in enumerate(policies))]
        return messages(stack_findings(s3_tls_only, resources))

    def test_compliance(self) -> None:
        assert self._findings(policy(TLS_DENY)) == []

    def test_missing_or_weakened_deny(self) -> None:
        assert len(self._findings()) == 1
        assert len(self._findings(policy({**TLS_DENY, "Action": "s3:PutObject"}))) == 1
        assert len(self._findings(policy({**TLS_DENY, "Principal": {"AWS": "arn:x"}}))) == 1

    def test_unknown_policy_is_read_at_update(self) -> None:
        assert self._findings({"bucket": "reports", "policy": WIRE_UNKNOWN}) == []


class TestVersioning:
    @pytest.mark.parametrize(("status", "count"), [("Enabled", 0), ("Suspended", 1), (None, 1)])
    def test_status(self, status: str | None, count: int) -> None:
        inputs = {"versioningConfiguration": {"status": status}}
        vtype = "aws:s3/bucketVersioning:BucketVersioning"
        assert len(evaluate(s3_versioning_enabled, vtype, inputs)) == count
