"""Resource policies and Lambda permissions."""

import json

import pytest

from policies.rules import service_types as st
from policies.rules.resource_policies import (
    lambda_permission_not_public,
    resource_policy_not_public,
)

from .helpers import WIRE_UNKNOWN, evaluate

PUBLISH = {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}


@pytest.mark.parametrize(("type_", "path"), sorted(st.RESOURCE_POLICIES.items()))
def test_every_type_reads_its_document(type_: str, path: str) -> None:
    public = {path: json.dumps({"Statement": [PUBLISH]})}
    assert len(evaluate(resource_policy_not_public, type_, public)) == 1
    pinned = {**PUBLISH, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}
    assert (
        evaluate(resource_policy_not_public, type_, {path: json.dumps({"Statement": [pinned]})})
        == []
    )


def test_unknown_document_is_read_at_update() -> None:
    assert (
        evaluate(
            resource_policy_not_public, "aws:sqs/queuePolicy:QueuePolicy", {"policy": WIRE_UNKNOWN}
        )
        == []
    )


PERMISSION = {"action": "lambda:InvokeFunction", "function": "f", "principal": "s3.amazonaws.com"}


@pytest.mark.parametrize(
    ("change", "count"),
    [
        ({}, 0),
        ({"principal": "*"}, 1),
        ({"principal": "*", "sourceArn": "arn:aws:s3:::bucket"}, 0),
        ({"principal": "*", "principalOrgId": "o-abc"}, 0),
        ({"principal": "*", "functionUrlAuthType": "NONE"}, 1),
        ({"principal": "111122223333"}, 0),
    ],
)
def test_lambda_permission(change: dict[str, str], count: int) -> None:
    inputs = {**PERMISSION, **change}
    assert len(evaluate(lambda_permission_not_public, st.LAMBDA_PERMISSION, inputs)) == count


def test_lambda_permission_unknown_principal() -> None:
    inputs = {**PERMISSION, "principal": WIRE_UNKNOWN}
    [finding] = evaluate(lambda_permission_not_public, st.LAMBDA_PERMISSION, inputs)
    assert finding.unverifiable
