"""The Cluster Autoscaler's permissions and chart values."""

from __future__ import annotations

from components.cluster_services import autoscaler
from tests.components.edge_cluster_fixtures import CONTEXT

ASG = "arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:*:autoScalingGroupName/*"


def test_writes_only_on_groups_tagged_as_this_clusters() -> None:
    statements = autoscaler.statements(CONTEXT, "trading-prod")
    writers = [s for s in statements if set(autoscaler.WRITE_ACTIONS) & set(s["Action"])]
    assert len(writers) == 1
    [writer] = writers
    assert sorted(writer["Action"]) == sorted(autoscaler.WRITE_ACTIONS)
    assert writer["Resource"] == ASG
    assert writer["Condition"] == {
        "StringEquals": {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/trading-prod": "owned",
            "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
        }
    }


def test_another_clusters_tag_is_another_condition() -> None:
    [writer] = [s for s in autoscaler.statements(CONTEXT, "trading-dev") if "Condition" in s]
    assert set(writer["Condition"]["StringEquals"]) == {
        "aws:ResourceTag/k8s.io/cluster-autoscaler/trading-dev",
        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled",
    }


def test_only_describes_without_resource_level_permissions_are_on_every_resource() -> None:
    statements = autoscaler.statements(CONTEXT, "trading-prod")
    on_everything = [s for s in statements if s["Resource"] == "*"]
    assert len(on_everything) == 1
    actions = on_everything[0]["Action"]
    assert all(":Describe" in a or ":Get" in a for a in actions)
    assert "eks:DescribeNodegroup" not in actions  # takes a node-group ARN
    [nodegroups] = [s for s in statements if s["Action"] == "eks:DescribeNodegroup"]
    assert nodegroups["Resource"] == (
        "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/trading-prod/*"
    )
    for statement in statements:
        actions = statement["Action"]
        assert "*" not in str(actions), "no wildcard actions"


def test_chart_values_name_the_region_cluster_and_service_account() -> None:
    values = autoscaler.helm_values(CONTEXT, "trading-prod")
    assert values["awsRegion"] == "ap-northeast-2"  # no node IMDS to ask
    assert values["autoDiscovery"] == {"clusterName": "trading-prod"}
    assert values["rbac"]["serviceAccount"] == {"create": True, "name": "cluster-autoscaler"}
    assert autoscaler.SERVICE_ACCOUNT.namespace == "kube-system"
