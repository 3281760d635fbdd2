"""EKS: eks-endpoint-not-public, eks-secrets-encrypted, on the cluster and pulumi-eks's component."""

import pytest

from policies.rules import types
from policies.rules.eks import eks_endpoint_not_public, eks_secrets_encrypted

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
