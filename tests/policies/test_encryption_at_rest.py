"""Customer managed keys for every data store in the table."""

import pytest

from policies.rules.encryption_at_rest import STORES, data_store_encrypted_with_cmk, is_aws_managed

from .helpers import WIRE_UNKNOWN, changed, evaluate

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/abc"


OWN = sorted(t for t, s in STORES.items() if s.key and not s.presence_rule)
SHARED = sorted(t for t, s in STORES.items() if s.presence_rule)


def compliant(type_: str) -> dict[str, object]:
    store = STORES[type_]
    inputs = changed({}, store.key, KEY_ARN) if store.key else {}
    if store.switch:
        path, _, wanted = store.switch.partition("=")
        inputs = changed(inputs, path, wanted or True)
    return inputs


@pytest.mark.parametrize("type_", sorted(STORES))
def test_customer_managed_key_passes(type_: str) -> None:
    assert evaluate(data_store_encrypted_with_cmk, type_, compliant(type_)) == []


@pytest.mark.parametrize("type_", OWN)
def test_missing_or_aws_managed_key_fails(type_: str) -> None:
    key = STORES[type_].key
    for value in ("", "alias/aws/service"):
        inputs = changed(compliant(type_), key, value)
        assert len(evaluate(data_store_encrypted_with_cmk, type_, inputs)) == 1


@pytest.mark.parametrize("type_", sorted(t for t in OWN if STORES[t].switch))
def test_switch_off_fails_and_unknown_cannot_verify(type_: str) -> None:
    path = STORES[type_].switch.partition("=")[0]
    off = changed(compliant(type_), path, False)
    assert len(evaluate(data_store_encrypted_with_cmk, type_, off)) == 1
    unknown = changed(compliant(type_), path, WIRE_UNKNOWN)
    assert evaluate(data_store_encrypted_with_cmk, type_, unknown)[0].unverifiable


@pytest.mark.parametrize("type_", SHARED)
def test_where_another_rule_owns_presence_only_aws_managed_keys_fail(type_: str) -> None:
    key = STORES[type_].key
    assert evaluate(data_store_encrypted_with_cmk, type_, {}) == []
    managed = changed({}, key, "alias/aws/rds")
    assert len(evaluate(data_store_encrypted_with_cmk, type_, managed)) == 1


def test_unknown_key_is_the_stacks() -> None:
    inputs = {"kmsMasterKeyId": WIRE_UNKNOWN}
    assert evaluate(data_store_encrypted_with_cmk, "aws:sqs/queue:Queue", inputs) == []


def test_redshift_encrypts_by_default() -> None:
    assert (
        evaluate(
            data_store_encrypted_with_cmk, "aws:redshift/cluster:Cluster", {"kmsKeyId": KEY_ARN}
        )
        == []
    )


@pytest.mark.parametrize(
    ("type_", "replicas", "count"),
    [
        ("aws:secretsmanager/secret:Secret", [{"region": "x", "kmsKeyId": KEY_ARN}], 0),
        ("aws:secretsmanager/secret:Secret", [{"region": "x"}], 1),
        ("aws:dynamodb/table:Table", [{"regionName": "x", "kmsKeyArn": "alias/aws/dynamodb"}], 1),
        ("aws:dynamodb/table:Table", WIRE_UNKNOWN, 1),
    ],
)
def test_replicas_need_their_own_key(type_: str, replicas: object, count: int) -> None:
    inputs = {**compliant(type_), "replicas": replicas}
    assert len(evaluate(data_store_encrypted_with_cmk, type_, inputs)) == count


@pytest.mark.parametrize(
    ("key", "managed"),
    [
        ("alias/aws/sns", True),
        ("arn:aws:kms:r:1:alias/aws/sqs", True),
        ("alias/mine", False),
        (3, False),
    ],
)
def test_is_aws_managed(key: object, managed: bool) -> None:
    assert is_aws_managed(key) is managed
