"""Persistent volumes: the EBS CSI driver's permissions and the cluster's default StorageClass.

The driver's EC2 permissions are AWS's managed ``AmazonEBSCSIDriverPolicyV2``, which limits it to
volumes and snapshots it tagged ``ebs.csi.aws.com/cluster: true`` itself (the driver tags every
volume it creates so), rather than the original policy's account-wide volume access
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEBSCSIDriverPolicyV2.html);
AWS keeps it in step with the driver's calls, which a copy here would not be.

Volumes are encrypted with the cluster's CMK, so the driver may use that key and no other, and
create grants on it only for AWS services (EC2 attaching the volume), as AWS's EBS CSI guide
lists ("Use a custom KMS key for encryption", https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
The key policy delegates to IAM (the account root administers it), so this identity policy is
what allows it.
"""

from __future__ import annotations

from typing import Any

from components.aws_context import KEY_USE_ACTIONS, AwsContext
from components.blocks import ServiceAccount

ADDON = "aws-ebs-csi-driver"
PROVISIONER = "ebs.csi.aws.com"
SERVICE_ACCOUNT = ServiceAccount("kube-system", "ebs-csi-controller-sa")
STORAGE_CLASS = "gp3-encrypted"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def managed_policy_arn(ctx: AwsContext) -> str:
    return f"arn:{ctx.partition}:iam::aws:policy/AmazonEBSCSIDriverPolicyV2"


def key_statements(key_arn: str) -> list[dict[str, Any]]:
    return [
        {
            "Sid": "GrantTheClusterKeyToAwsServices",
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": key_arn,
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        {
            "Sid": "UseTheClusterKey",
            "Effect": "Allow",
            "Action": list(KEY_USE_ACTIONS),
            "Resource": key_arn,
        },
    ]


def storage_class_parameters(key_arn: str) -> dict[str, str]:
    """gp3, encrypted with the cluster key (the driver's parameters:
    https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md)."""
    return {
        "type": "gp3",
        "encrypted": "true",
        "kmsKeyId": key_arn,
        "csi.storage.k8s.io/fstype": "ext4",
    }
