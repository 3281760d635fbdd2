"""MSK rules."""

import pytest

from policies.rules import types
from policies.rules.kafka import (
    msk_encryption_at_rest,
    msk_in_transit,
    msk_no_public_access,
    msk_no_unauthenticated_access,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

MSK = {
    "kafkaVersion": "3.6.0",
    "numberOfBrokerNodes": 3,
    "encryptionInfo": {
        "encryptionAtRestKmsKeyArn": WIRE_UNKNOWN,
        "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True},
    },
    "clientAuthentication": {"sasl": {"iam": True}, "unauthenticated": False},
}


def test_compliance() -> None:
    for rule in (msk_encryption_at_rest, msk_in_transit, msk_no_unauthenticated_access):
        assert evaluate(rule, types.MSK_CLUSTER, MSK) == [], rule.info.name


def test_compliance_transit_defaults() -> None:
    inputs = changed(MSK, "encryptionInfo.encryptionInTransit", DELETE)
    assert evaluate(msk_in_transit, types.MSK_CLUSTER, inputs) == []


def test_noncompliance_at_rest_without_cmk() -> None:
    inputs = changed(MSK, "encryptionInfo", DELETE)
    assert messages(evaluate(msk_encryption_at_rest, types.MSK_CLUSTER, inputs)) == [
        (
            "encryptionInfo.encryptionAtRestKmsKeyArn is not set; set it to a customer managed KMS key "
            "(the default is an AWS managed key)"
        )
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("encryptionInfo.encryptionInTransit.clientBroker", "TLS_PLAINTEXT"),
        ("encryptionInfo.encryptionInTransit.clientBroker", "PLAINTEXT"),
        ("encryptionInfo.encryptionInTransit.inCluster", False),
    ],
)
def test_noncompliance_in_transit(path: str, value: object) -> None:
    assert len(evaluate(msk_in_transit, types.MSK_CLUSTER, changed(MSK, path, value))) == 1


@pytest.mark.parametrize(
    "path", ["encryptionInfo.encryptionInTransit.clientBroker", "encryptionInfo"]
)
def test_unknown_in_transit(path: str) -> None:
    findings = evaluate(msk_in_transit, types.MSK_CLUSTER, changed(MSK, path, WIRE_UNKNOWN))
    assert findings
    assert all(f.unverifiable for f in findings)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("clientAuthentication.unauthenticated", True),
        ("clientAuthentication", DELETE),
        ("clientAuthentication.sasl.iam", False),
    ],
)
def test_noncompliance_unauthenticated(path: str, value: object) -> None:
    assert (
        len(evaluate(msk_no_unauthenticated_access, types.MSK_CLUSTER, changed(MSK, path, value)))
        == 1
    )


@pytest.mark.parametrize("path", ["clientAuthentication", "clientAuthentication.unauthenticated"])
def test_unknown_authentication(path: str) -> None:
    findings = evaluate(
        msk_no_unauthenticated_access, types.MSK_CLUSTER, changed(MSK, path, WIRE_UNKNOWN)
    )
    assert [f.unverifiable for f in findings] == [True]


class TestNoPublicAccess:
    @pytest.mark.parametrize("kind", ["DISABLED", DELETE])
    def test_compliance(self, kind: object) -> None:
        inputs = changed(MSK, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type", kind)
        assert evaluate(msk_no_public_access, types.MSK_CLUSTER, inputs) == []

    def test_noncompliance(self) -> None:
        path = "brokerNodeGroupInfo.connectivityInfo.publicAccess.type"
        inputs = changed(MSK, path, "SERVICE_PROVIDED_EIPS")
        assert messages(evaluate(msk_no_public_access, types.MSK_CLUSTER, inputs)) == [
            'connectivityInfo.publicAccess.type is "SERVICE_PROVIDED_EIPS"; set it to DISABLED and '
            "reach the brokers from inside the VPC"
        ]

    def test_unknown(self) -> None:
        inputs = changed(MSK, "brokerNodeGroupInfo.connectivityInfo", WIRE_UNKNOWN)
        assert evaluate(msk_no_public_access, types.MSK_CLUSTER, inputs)[0].unverifiable
