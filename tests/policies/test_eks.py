"""EKS: eks-endpoint-not-public, eks-secrets-encrypted, on the cluster and pulumi-eks's component."""

import pytest

from policies.rules import types
from policies.rules.eks import (
    eks_endpoint_not_public,
    eks_secrets_encrypted,
    k8s_service_not_internet_facing,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

CLUSTER = {
    "roleArn": "arn:role",
    "vpcConfig": {
        "subnetIds": ["subnet-1"],
        "endpointPrivateAccess": True,
        "endpointPublicAccess": False,
    },
    "encryptionConfig": {"provider": {"keyArn": WIRE_UNKNOWN}, "resources": ["secrets"]},
}
COMPONENT = {
    "vpcId": "vpc-1",
    "endpointPrivateAccess": True,
    "endpointPublicAccess": True,
    "publicAccessCidrs": ["203.0.113.0/24"],
    "encryptionConfigKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/abc",
}
SHAPES = [
    (types.EKS_CLUSTER, CLUSTER, "vpcConfig."),
    (types.EKS_COMPONENT, COMPONENT, ""),
]


@pytest.mark.parametrize(("type_", "inputs", "_prefix"), SHAPES)
def test_compliance(type_: str, inputs: dict[str, object], _prefix: str) -> None:
    assert evaluate(eks_endpoint_not_public, type_, inputs) == []
    assert evaluate(eks_secrets_encrypted, type_, inputs) == []


class TestEndpointNotPublic:
    @pytest.mark.parametrize(("type_", "inputs", "prefix"), SHAPES)
    def test_noncompliance_public_without_cidrs_means_world(
        self, type_: str, inputs: dict[str, object], prefix: str
    ) -> None:
        inputs = changed(
            changed(inputs, f"{prefix}endpointPublicAccess", DELETE),
            f"{prefix}publicAccessCidrs",
            DELETE,
        )
        assert (
            "which means 0.0.0.0/0" in messages(evaluate(eks_endpoint_not_public, type_, inputs))[0]
        )

    @pytest.mark.parametrize(("type_", "inputs", "prefix"), SHAPES)
    @pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
    def test_noncompliance_world_cidr(
        self, type_: str, inputs: dict[str, object], prefix: str, cidr: str
    ) -> None:
        inputs = changed(
            changed(inputs, f"{prefix}endpointPublicAccess", True),
            f"{prefix}publicAccessCidrs",
            [cidr],
        )
        assert messages(evaluate(eks_endpoint_not_public, type_, inputs)) == [
            f"{prefix}publicAccessCidrs contains {cidr}; list the operators' CIDRs"
        ]

    @pytest.mark.parametrize(("type_", "inputs", "prefix"), SHAPES)
    @pytest.mark.parametrize(
        ("field", "value"),
        [("endpointPublicAccess", WIRE_UNKNOWN), ("publicAccessCidrs", WIRE_UNKNOWN)],
    )
    def test_unknown(
        self, type_: str, inputs: dict[str, object], prefix: str, field: str, value: object
    ) -> None:
        inputs = changed(
            changed(inputs, f"{prefix}endpointPublicAccess", True), f"{prefix}{field}", value
        )
        assert messages(evaluate(eks_endpoint_not_public, type_, inputs)) == [
            f"cannot verify {prefix}{field}: unknown during preview"
        ]


class TestSecretsEncrypted:
    def test_noncompliance_cluster_without_encryption(self) -> None:
        inputs = changed(CLUSTER, "encryptionConfig", DELETE)
        assert len(evaluate(eks_secrets_encrypted, types.EKS_CLUSTER, inputs)) == 1

    def test_noncompliance_cluster_without_secrets(self) -> None:
        inputs = changed(CLUSTER, "encryptionConfig.resources", [])
        assert messages(evaluate(eks_secrets_encrypted, types.EKS_CLUSTER, inputs)) == [
            'encryptionConfig.resources must include "secrets"'
        ]

    def test_noncompliance_component_without_key(self) -> None:
        inputs = changed(COMPONENT, "encryptionConfigKeyArn", DELETE)
        assert messages(evaluate(eks_secrets_encrypted, types.EKS_COMPONENT, inputs)) == [
            "encryptionConfigKeyArn is not set; pass the ARN of a customer managed KMS key"
        ]

    def test_unknown_key_is_the_stack_key(self) -> None:
        inputs = changed(COMPONENT, "encryptionConfigKeyArn", WIRE_UNKNOWN)
        assert evaluate(eks_secrets_encrypted, types.EKS_COMPONENT, inputs) == []

    def test_unknown_resources(self) -> None:
        inputs = changed(CLUSTER, "encryptionConfig.resources", WIRE_UNKNOWN)
        assert [
            f.unverifiable for f in evaluate(eks_secrets_encrypted, types.EKS_CLUSTER, inputs)
        ] == [True]


class TestEndpointWorldSpellings:
    @pytest.mark.parametrize(
        "cidrs",
        [
            ["0.0.0.0/1", "128.0.0.0/1"],
            ["203.0.113.0/24", "52.0.0.0/8"],
            ["0.0.0.0/2", "64.0.0.0/2"],
        ],
    )
    def test_noncompliance(self, cidrs: list[str]) -> None:
        inputs = {**COMPONENT, "endpointPublicAccess": True, "publicAccessCidrs": cidrs}
        assert len(evaluate(eks_endpoint_not_public, types.EKS_COMPONENT, inputs)) >= 1

    def test_compliance_operator_ranges(self) -> None:
        cidrs = ["203.0.113.0/24", "198.51.100.10/32"]
        inputs = {**COMPONENT, "endpointPublicAccess": True, "publicAccessCidrs": cidrs}
        assert evaluate(eks_endpoint_not_public, types.EKS_COMPONENT, inputs) == []


SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "api", "namespace": "trading"},
    "spec": {"type": "ClusterIP", "ports": [{"port": 3000}]},
}


def service(
    kind: str, annotations: dict[str, str] | None = None, **spec: object
) -> dict[str, object]:
    inputs = changed(SERVICE, "spec.type", kind)
    for key, value in spec.items():
        inputs = changed(inputs, f"spec.{key}", value)
    return (
        changed(inputs, "metadata.annotations", annotations) if annotations is not None else inputs
    )


class TestServiceNotInternetFacing:
    @pytest.mark.parametrize(
        "inputs",
        [
            SERVICE,
            service("NodePort"),
            service("LoadBalancer", {SCHEME: "internal"}),
            service(
                "LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
            ),
            service(
                "LoadBalancer",
                {SCHEME: "internet-facing"},
                loadBalancerSourceRanges=["203.0.113.0/24"],
            ),
        ],
    )
    def test_compliance(self, inputs: dict[str, object]) -> None:
        assert evaluate(k8s_service_not_internet_facing, types.K8S_SERVICE, inputs) == []

    @pytest.mark.parametrize(
        "inputs",
        [
            service("LoadBalancer"),
            service("LoadBalancer", {SCHEME: "internet-facing"}),
            service(
                "LoadBalancer", {SCHEME: "internet-facing"}, loadBalancerSourceRanges=["0.0.0.0/0"]
            ),
            service(
                "LoadBalancer",
                {
                    SCHEME: "internet-facing",
                    "service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/1,128.0.0.0/1",
                },
            ),
        ],
    )
    def test_noncompliance(self, inputs: dict[str, object]) -> None:
        [message] = messages(evaluate(k8s_service_not_internet_facing, types.K8S_SERVICE, inputs))
        assert "bypasses CloudFront and WAF" in message

    def test_unknown(self) -> None:
        for inputs in (service(WIRE_UNKNOWN), service("LoadBalancer", {SCHEME: WIRE_UNKNOWN})):
            [finding] = evaluate(k8s_service_not_internet_facing, types.K8S_SERVICE, inputs)
            assert finding.unverifiable

    def test_ingress(self) -> None:
        def ingress(annotations: dict[str, str]) -> dict[str, object]:
            return {"metadata": {"name": "api", "annotations": annotations}, "spec": {}}

        facing = {"alb.ingress.kubernetes.io/scheme": "internet-facing"}
        rule = k8s_service_not_internet_facing
        assert len(evaluate(rule, types.K8S_INGRESS, ingress(facing))) == 1
        with_waf = {**facing, "alb.ingress.kubernetes.io/wafv2-acl-arn": "arn:aws:wafv2:x"}
        assert evaluate(rule, types.K8S_INGRESS, ingress(with_waf)) == []
        assert evaluate(rule, types.K8S_INGRESS, ingress({})) == []
