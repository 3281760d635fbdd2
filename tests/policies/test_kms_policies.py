"""KMS key policies and grants."""

import json

import pytest

from policies.rules import service_types as st
from policies.rules import types
from policies.rules.kms_policies import kms_grant_scoped, kms_key_policy_not_public

from .helpers import WIRE_UNKNOWN, evaluate, messages

HOME, OTHER = "111122223333", "444455556666"
ADMIN = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{HOME}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
KEY_ARN = f"arn:aws:kms:eu-west-1:{HOME}:key/abc"


def key(*statements: object) -> dict[str, str]:
    return {"policy": json.dumps({"Statement": [ADMIN, *statements]})}


class TestKeyPolicy:
    def test_account_only_policy_passes(self) -> None:
        assert evaluate(kms_key_policy_not_public, types.KMS_KEY, key()) == []

    def test_anyone(self) -> None:
        anyone = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
        assert len(evaluate(kms_key_policy_not_public, types.KMS_KEY, key(anyone))) == 1

    def test_other_account_unless_listed(self) -> None:
        other = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER}:role/etl"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
        [message] = messages(evaluate(kms_key_policy_not_public, types.KMS_KEY, key(other)))
        assert OTHER in message
        config = {"accountIds": [OTHER]}
        assert evaluate(kms_key_policy_not_public, types.KMS_KEY, key(other), config) == []

    def test_key_policy_resource_and_unknown(self) -> None:
        assert (
            evaluate(kms_key_policy_not_public, st.KMS_KEY_POLICY, {"policy": WIRE_UNKNOWN}) == []
        )


GRANT = {
    "keyId": KEY_ARN,
    "granteePrincipal": f"arn:aws:iam::{HOME}:role/app",
    "operations": ["Decrypt"],
}


class TestGrant:
    def test_same_account_grant_passes(self) -> None:
        assert evaluate(kms_grant_scoped, st.KMS_GRANT, GRANT) == []

    @pytest.mark.parametrize(
        "change",
        [
            {"granteePrincipal": f"arn:aws:iam::{OTHER}:role/app"},
            {"retiringPrincipal": "*"},
            {"operations": ["Decrypt", "CreateGrant"]},
        ],
    )
    def test_noncompliance(self, change: dict[str, object]) -> None:
        assert len(evaluate(kms_grant_scoped, st.KMS_GRANT, {**GRANT, **change})) == 1

    def test_unknowns(self) -> None:
        assert (
            evaluate(kms_grant_scoped, st.KMS_GRANT, {**GRANT, "granteePrincipal": WIRE_UNKNOWN})
            == []
        )
        [finding] = evaluate(kms_grant_scoped, st.KMS_GRANT, {**GRANT, "operations": WIRE_UNKNOWN})
        assert finding.unverifiable

    def test_constrained_create_grant_passes(self) -> None:
        constrained = {
            **GRANT,
            "operations": ["CreateGrant"],
            "constraints": [{"encryptionContextEquals": {"app": "x"}}],
        }
        assert evaluate(kms_grant_scoped, st.KMS_GRANT, constrained) == []
