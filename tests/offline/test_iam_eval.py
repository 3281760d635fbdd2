"""The offline IAM evaluator: IAM's matching and evaluation rules, each with a case."""

from __future__ import annotations

import json

from offline.iam_eval import grants, is_allowed, matches, open_ended

ARN = "arn:aws:kafka:ap-northeast-2:123456789012:topic/c/uuid/orders.commands"


def doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: object, resource: object, **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_actions_match_case_insensitively_and_resources_exactly() -> None:
    assert matches("kafka-cluster:readdata", "kafka-cluster:ReadData", ignore_case=True)
    assert not matches("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket")
    assert matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/any/key")
    assert matches("arn:aws:s3:::b?", "arn:aws:s3:::b1")
    assert not matches("arn:aws:s3:::b?", "arn:aws:s3:::b12")
    # Regex metacharacters in ARNs are literal.
    assert not matches("arn:aws:kafka:x:1:topic/c/u/a.b", "arn:aws:kafka:x:1:topic/c/u/aXb")


def test_an_allow_grants_and_nothing_else_does() -> None:
    policy = doc(allow(["kafka-cluster:ReadData"], ARN))
    assert is_allowed([policy], "kafka-cluster:ReadData", ARN)
    assert not is_allowed([policy], "kafka-cluster:WriteData", ARN)  # implicit deny
    assert not is_allowed([policy], "kafka-cluster:ReadData", ARN + "x")


def test_an_explicit_deny_wins_across_documents() -> None:
    allowing = doc(allow("kafka-cluster:*", "*"))
    denying = doc({"Effect": "Deny", "Action": "kafka-cluster:WriteData", "Resource": ARN})
    assert is_allowed([allowing], "kafka-cluster:WriteData", ARN)
    assert not is_allowed([allowing, json.dumps(denying)], "kafka-cluster:WriteData", ARN)
    assert is_allowed([allowing, denying], "kafka-cluster:ReadData", ARN)


def test_not_action_and_not_resource_allow_everything_else() -> None:
    policy = doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret"})
    assert is_allowed([policy], "s3:GetObject", "arn:aws:s3:::public")
    assert not is_allowed([policy], "iam:CreateUser", "arn:aws:s3:::public")
    assert not is_allowed([policy], "s3:GetObject", "arn:aws:s3:::secret")
    assert open_ended([policy])
    assert grants([policy]) == set()


def test_grants_lists_literal_pairs_and_a_single_statement_object_is_read() -> None:
    policy = {"Statement": allow(["a:One", "a:Two"], ["r1", "r2"], Condition={"Bool": {}})}
    assert grants([policy]) == {("a:One", "r1"), ("a:One", "r2"), ("a:Two", "r1"), ("a:Two", "r2")}
    # A condition narrows a statement; "may it at all" still answers yes.
    assert is_allowed([policy], "a:one", "r2")
