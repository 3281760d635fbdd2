"""EKS Pod Identity: a role trusted only for one service account of one cluster in this
account, its permissions, and the association binding it to that service account.

Pod Identity tags the session with the cluster, namespace and service account it assumes the
role for, so the trust policy can name all three (Amazon EKS User Guide, "Create IAM role with
trust policy required by EKS Pod Identity":
https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext, policy_json

from .options import child_options

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"


def trust_policy(ctx: AwsContext, cluster: str, namespace: str, service_account: str) -> str:
    """Only Pod Identity, for ``namespace/service_account`` of ``cluster`` in this account."""
    return policy_json(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": ctx.account_id,
                        "aws:RequestTag/eks-cluster-name": cluster,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        "aws:RequestTag/kubernetes-service-account": service_account,
                    }
                },
            }
        ]
    )


@dataclass(frozen=True)
class ServiceAccount:
    namespace: str
    name: str


@dataclass(frozen=True, kw_only=True)
class PodRole:
    """A Pod Identity role to create: its resource name and parent, what it is for, the cluster
    and service account it is trusted for, and its permissions (an inline policy, and AWS managed
    policies where AWS publishes the add-on's)."""

    resource_name: str
    parent: pulumi.Resource
    description: str
    ctx: AwsContext
    cluster_name: pulumi.Input[str]
    account: ServiceAccount
    policy: pulumi.Input[str] | None
    managed_policy_arns: Sequence[str] = ()


def pod_identity_role(spec: PodRole) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """The role, and the policies that must exist before a pod uses it (its inline policy and
    managed-policy attachments), so whatever binds the role can wait for its permissions."""
    name, opts = spec.resource_name, child_options(spec.parent)
    account = spec.account
    role = aws.iam.Role(
        f"{name}-role",
        description=spec.description,
        assume_role_policy=pulumi.Output.from_input(spec.cluster_name).apply(
            lambda cluster: trust_policy(spec.ctx, cluster, account.namespace, account.name)
        ),
        opts=opts,
    )
    grants: list[pulumi.Resource] = []
    if spec.policy is not None:
        grants.append(
            aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=spec.policy, opts=opts)
        )
    for arn in spec.managed_policy_arns:
        grants.append(
            aws.iam.RolePolicyAttachment(
                f"{name}-{arn.rsplit('/', 1)[-1]}", role=role.name, policy_arn=arn, opts=opts
            )
        )
    return role, grants


def statements_json(statements: pulumi.Input[list[dict[str, Any]]]) -> pulumi.Output[str]:
    """A policy document from statements that may hold Outputs (ARNs, the cluster name)."""
    return pulumi.Output.from_input(statements).apply(policy_json)


@dataclass(frozen=True)
class PodIdentity:
    role: aws.iam.Role
    association: aws.eks.PodIdentityAssociation


def pod_identity(spec: PodRole) -> PodIdentity:
    """The role and its association. The association takes the cluster name as an output (of a
    resource that exists once the cluster and its Pod Identity agent do), so it never races the
    cluster, and waits for the role's permissions, so no pod gets a role that cannot act yet."""
    role, grants = pod_identity_role(spec)
    association = aws.eks.PodIdentityAssociation(
        f"{spec.resource_name}-identity",
        cluster_name=spec.cluster_name,
        namespace=spec.account.namespace,
        service_account=spec.account.name,
        role_arn=role.arn,
        opts=child_options(spec.parent, depends_on=grants),
    )
    return PodIdentity(role=role, association=association)


class ClusterScope(Protocol):
    """What a cluster add-on's args carry: the stack's prefix, account and cluster."""

    @property
    def name_prefix(self) -> str: ...
    @property
    def context(self) -> AwsContext: ...
    @property
    def cluster_name(self) -> pulumi.Input[str]: ...


def add_on_identity(
    parent: pulumi.Resource,
    scope: ClusterScope,
    key: str,
    description: str,
    account: ServiceAccount,
    policy: pulumi.Input[str],
) -> aws.eks.PodIdentityAssociation:
    """A cluster add-on's Pod Identity, named ``<parent>-<key>`` and described as the add-on;
    the association is what the add-on's release waits for."""
    spec = PodRole(
        resource_name=f"{parent.pulumi_resource_name}-{key}",
        parent=parent,
        description=f"{scope.name_prefix}: {description} (Pod Identity)",
        ctx=scope.context,
        cluster_name=scope.cluster_name,
        account=account,
        policy=policy,
    )
    return pod_identity(spec).association
