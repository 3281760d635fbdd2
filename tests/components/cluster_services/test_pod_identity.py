"""Pod Identity trust: only this cluster's one service account in this account."""

from __future__ import annotations

import json

from components.blocks import trust_policy
from tests.components.edge_cluster_fixtures import CONTEXT


def test_trust_names_the_account_cluster_namespace_and_service_account() -> None:
    [statement] = json.loads(
        trust_policy(CONTEXT, "trading-prod", "kube-system", "cluster-autoscaler")
    )["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": "123456789012",
            "aws:RequestTag/eks-cluster-name": "trading-prod",
            "aws:RequestTag/kubernetes-namespace": "kube-system",
            "aws:RequestTag/kubernetes-service-account": "cluster-autoscaler",
        }
    }
