"""SNS, Secrets Manager, KMS and CloudWatch Logs rules."""

import pytest

from policies.rules import types
from policies.rules.keys import kms_key_rotation
from policies.rules.logs import log_group_encrypted, log_retention
from policies.rules.storage import secret_encrypted_with_cmk, sns_topic_encrypted

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/abc"
TOPIC = {"name": "alerts", "kmsMasterKeyId": KEY_ARN}
SECRET = {"name": "fix-session", "kmsKeyId": WIRE_UNKNOWN}
KEY = {"description": "data", "enableKeyRotation": True, "deletionWindowInDays": 30}
LOG_GROUP = {"name": "/trading/api", "kmsKeyId": KEY_ARN, "retentionInDays": 90}


class TestSnsTopicEncrypted:
    def test_compliance(self) -> None:
        assert evaluate(sns_topic_encrypted, types.SNS_TOPIC, TOPIC) == []

    @pytest.mark.parametrize("value", [DELETE, ""])
    def test_noncompliance(self, value: object) -> None:
        findings = evaluate(
            sns_topic_encrypted, types.SNS_TOPIC, changed(TOPIC, "kmsMasterKeyId", value)
        )
        assert messages(findings) == ["kmsMasterKeyId is not set; encrypt the topic with a KMS key"]

    def test_unknown_key_is_the_stack_key(self) -> None:
        inputs = changed(TOPIC, "kmsMasterKeyId", WIRE_UNKNOWN)
        assert evaluate(sns_topic_encrypted, types.SNS_TOPIC, inputs) == []


class TestSecretEncryptedWithCmk:
    def test_compliance(self) -> None:
        assert evaluate(secret_encrypted_with_cmk, types.SECRET, SECRET) == []

    @pytest.mark.parametrize(
        "value",
        [DELETE, "alias/aws/secretsmanager", "arn:aws:kms:eu-west-1:1:alias/aws/secretsmanager"],
    )
    def test_noncompliance(self, value: object) -> None:
        findings = evaluate(
            secret_encrypted_with_cmk, types.SECRET, changed(SECRET, "kmsKeyId", value)
        )
        assert len(findings) == 1

    def test_unknown_key_is_the_stack_key(self) -> None:
        assert (
            evaluate(
                secret_encrypted_with_cmk, types.SECRET, changed(SECRET, "kmsKeyId", WIRE_UNKNOWN)
            )
            == []
        )


class TestKmsKeyRotation:
    def test_compliance(self) -> None:
        assert evaluate(kms_key_rotation, types.KMS_KEY, KEY) == []

    @pytest.mark.parametrize("value", [False, DELETE])
    def test_noncompliance(self, value: object) -> None:
        findings = evaluate(
            kms_key_rotation, types.KMS_KEY, changed(KEY, "enableKeyRotation", value)
        )
        assert messages(findings)[0].startswith("enableKeyRotation is")

    @pytest.mark.parametrize(
        ("path", "value"), [("customerMasterKeySpec", "RSA_2048"), ("keyUsage", "SIGN_VERIFY")]
    )
    def test_compliance_asymmetric_keys_cannot_rotate(self, path: str, value: str) -> None:
        inputs = changed(changed(KEY, path, value), "enableKeyRotation", DELETE)
        assert evaluate(kms_key_rotation, types.KMS_KEY, inputs) == []

    @pytest.mark.parametrize("path", ["enableKeyRotation", "customerMasterKeySpec"])
    def test_unknown(self, path: str) -> None:
        assert evaluate(kms_key_rotation, types.KMS_KEY, changed(KEY, path, WIRE_UNKNOWN))[
            0
        ].unverifiable


class TestLogGroups:
    def test_compliance(self) -> None:
        assert evaluate(log_group_encrypted, types.LOG_GROUP, LOG_GROUP) == []
        assert evaluate(log_retention, types.LOG_GROUP, LOG_GROUP) == []

    def test_noncompliance_unencrypted(self) -> None:
        inputs = changed(LOG_GROUP, "kmsKeyId", DELETE)
        assert len(evaluate(log_group_encrypted, types.LOG_GROUP, inputs)) == 1

    @pytest.mark.parametrize("days", [0, DELETE])
    def test_noncompliance_kept_forever(self, days: object) -> None:
        findings = evaluate(
            log_retention, types.LOG_GROUP, changed(LOG_GROUP, "retentionInDays", days)
        )
        assert "logs are kept forever" in messages(findings)[0]

    def test_unknown(self) -> None:
        assert (
            evaluate(
                log_group_encrypted, types.LOG_GROUP, changed(LOG_GROUP, "kmsKeyId", WIRE_UNKNOWN)
            )
            == []
        )
        inputs = changed(LOG_GROUP, "retentionInDays", WIRE_UNKNOWN)
        assert evaluate(log_retention, types.LOG_GROUP, inputs)[0].unverifiable
