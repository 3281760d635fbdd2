"""An EKS Pod Identity: a role only this account's Pod Identity service may assume, its one
inline policy, and the association binding it to a namespace's service account.

The association takes the cluster name as an output (of a resource that exists only once the
cluster and its Pod Identity agent do), so it never races the cluster it names. Pods of that
service account get the role's credentials from the agent on their node, not from the node's
instance profile (EKS user guide, "Learn how EKS Pod Identity grants pods access to AWS
services").
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext, policy_json

from .options import child_options

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"


@dataclass(frozen=True)
class PodIdentity:
    role: aws.iam.Role
    association: aws.eks.PodIdentityAssociation


def pod_identity_trust(ctx: AwsContext) -> str:
    """EKS Pod Identity needs both actions (``sts:TagSession`` for the session tags it sets)."""
    return policy_json(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            }
        ]
    )


def pod_identity(
    name: str,
    *,
    parent: pulumi.Resource,
    context: AwsContext,
    cluster_name: pulumi.Input[str],
    namespace: str,
    service_account: str,
    description: str,
    policy: pulumi.Input[str] | None,
) -> PodIdentity:
    """``policy`` None: a role with no permissions at all (IAM refuses an empty document)."""
    role = aws.iam.Role(
        f"{name}-role",
        description=description,
        assume_role_policy=pod_identity_trust(context),
        opts=child_options(parent),
    )
    if policy is not None:
        aws.iam.RolePolicy(
            f"{name}-policy", role=role.id, policy=policy, opts=child_options(parent)
        )
    association = aws.eks.PodIdentityAssociation(
        f"{name}-identity",
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        opts=child_options(parent),
    )
    return PodIdentity(role=role, association=association)
