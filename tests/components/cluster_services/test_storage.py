"""The EBS CSI driver's key permissions and the StorageClass parameters."""

from __future__ import annotations

from components.cluster_services import storage
from tests.components.edge_cluster_fixtures import CONTEXT

KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0123abcd-0000-4000-8000-00000000abcd"


def test_the_driver_uses_only_the_cluster_key_and_grants_it_only_to_aws_services() -> None:
    statements = storage.key_statements(KEY)
    assert {s["Resource"] for s in statements} == {KEY}
    [grants] = [s for s in statements if "kms:CreateGrant" in s["Action"]]
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert all(action.startswith("kms:") for s in statements for action in s["Action"])


def test_volumes_are_encrypted_gp3_with_the_cluster_key() -> None:
    assert storage.storage_class_parameters(KEY) == {
        "type": "gp3",
        "encrypted": "true",
        "kmsKeyId": KEY,
        "csi.storage.k8s.io/fstype": "ext4",
    }


def test_the_managed_policy_is_the_tag_scoped_one() -> None:
    assert storage.managed_policy_arn(CONTEXT) == (
        "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2"
    )
