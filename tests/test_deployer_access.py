"""The deployer's way in: security-group rules on the control plane from the configured
sources only, and EKS access entries with the policy each principal was given."""

from __future__ import annotations

import pytest

from components.reachability import HTTPS, Peer, Role, reachability
from tests.programs import stack

CONTROL_PLANE_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _api_ingress(name: str) -> list[dict[str, object]]:
    run = stack(name, False)
    return [
        r.inputs
        for r in run.of_type(CONTROL_PLANE_INGRESS)
        if "eks-control-plane-ingress-from-deployer" in r.name
    ]


def test_dev_admits_its_vpn_range_on_443_only() -> None:
    (rule,) = _api_ingress("dev")
    assert (rule["cidrIpv4"], rule["fromPort"], rule["toPort"]) == ("10.100.0.0/16", HTTPS, HTTPS)


def test_prod_admits_its_ci_runners_security_group_only() -> None:
    (rule,) = _api_ingress("prod")
    assert rule["referencedSecurityGroupId"] == "sg-0c1d2e3f4a5b6c7d8"
    assert "cidrIpv4" not in rule


@pytest.mark.parametrize("preview", [False, True])
def test_access_entries_carry_their_policy_and_scope(preview: bool) -> None:
    (cluster,) = stack("prod", preview).of_type("eks:index:Cluster")
    entries = cluster.inputs["accessEntries"]
    ci = entries["ci-deployer"]
    assert ci["principalArn"].endswith(":role/trading-prod-ci-deployer")
    (admin,) = ci["accessPolicies"].values()
    assert admin["policyArn"].endswith("cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert admin["accessScope"] == {"type": "cluster"}
    (view,) = entries["oncall"]["accessPolicies"].values()
    assert view["policyArn"].endswith("/AmazonEKSViewPolicy")
    assert view["accessScope"] == {"type": "namespace", "namespaces": ["trading"]}


def test_the_deployer_flow_exists_only_when_asked() -> None:
    without = reachability(kafka_scram=False, cache_serverless=False)
    with_it = reachability(kafka_scram=False, cache_serverless=False, deployer_access=True)
    (added,) = set(with_it) - set(without)
    assert (added.source, added.destination, added.from_port) == (
        Peer.DEPLOYER,
        Role.EKS_CONTROL_PLANE,
        HTTPS,
    )
