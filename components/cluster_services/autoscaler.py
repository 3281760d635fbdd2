"""Cluster Autoscaler on the tiered managed node groups: its IAM statements and Helm values.

EKS managed node groups tag their Auto Scaling groups ``k8s.io/cluster-autoscaler/enabled`` and
``k8s.io/cluster-autoscaler/<cluster>`` themselves, and the autoscaler discovers its groups by
those tags (Amazon EKS User Guide, "Managed node groups"; autoscaler docs, "Auto-Discovery
Setup": https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md).

Scaling a group up from zero (the scale tier's Spot ``batch`` group): with no node to copy, the
autoscaler must know the labels and taints a new node will have. EKS does not copy a node
group's labels and taints to its Auto Scaling group as ``k8s.io/cluster-autoscaler/node-template/
...`` tags, but the autoscaler's managed node group cache reads them (and the capacity type)
from ``eks:DescribeNodegroup`` when a group has no nodes, falling back to those tags only when
the call is denied (autoscaler proposal "circumvent-tag-limit-aws"). The statement below grants
that call on this cluster's node groups, so no tags are added.

Permissions (Service Authorization Reference, "Actions defined by Amazon EC2 Auto Scaling",
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html,
and the EC2 and EKS pages): the Describe calls of Auto Scaling and EC2 support no resource-level
permissions, so they are on ``*``; ``eks:DescribeNodegroup`` takes a node-group ARN, so it is on
this cluster's node groups; the two writes take an Auto Scaling group ARN and the
``aws:ResourceTag`` condition, so they act only on groups tagged as this cluster's.
"""

from __future__ import annotations

from typing import Any

from components.aws_context import AwsContext
from components.blocks import ServiceAccount

CHART = "cluster-autoscaler"
REPOSITORY = "https://kubernetes.github.io/autoscaler"
SERVICE_ACCOUNT = ServiceAccount("kube-system", "cluster-autoscaler")

DESCRIBE_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
WRITE_ACTIONS = (
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
)


def ownership_tag(cluster: str) -> str:
    """The tag EKS puts on the Auto Scaling groups of ``cluster``'s managed node groups."""
    return f"k8s.io/cluster-autoscaler/{cluster}"


def statements(ctx: AwsContext, cluster: str) -> list[dict[str, Any]]:
    return [
        {
            "Sid": "DiscoverGroups",
            "Effect": "Allow",
            "Action": list(DESCRIBE_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "DescribeThisClustersNodeGroups",
            "Effect": "Allow",
            "Action": "eks:DescribeNodegroup",
            "Resource": ctx.arn("eks", f"nodegroup/{cluster}/*"),
        },
        {
            "Sid": "ScaleOnlyThisClustersGroups",
            "Effect": "Allow",
            "Action": list(WRITE_ACTIONS),
            "Resource": ctx.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*"),
            "Condition": {
                "StringEquals": {
                    f"aws:ResourceTag/{ownership_tag(cluster)}": "owned",
                    "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                }
            },
        },
    ]


def helm_values(ctx: AwsContext, cluster: str) -> dict[str, Any]:
    return {
        "cloudProvider": "aws",
        # Given explicitly: with a node IMDS hop limit of 1 the pod cannot look it up.
        "awsRegion": ctx.region,
        "autoDiscovery": {"clusterName": cluster},
        "rbac": {"serviceAccount": {"create": True, "name": SERVICE_ACCOUNT.name}},
        "extraArgs": {
            # Each service's pods select their own group by label, so only one group ever
            # fits a pending pod; least-waste picks among equals in the single-group tier.
            "expander": "least-waste",
        },
    }
