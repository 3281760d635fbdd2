"""``service_trust_policy``: a service principal's trust, with the confused-deputy guards only
where asked for."""

from __future__ import annotations

import json

from components.aws_context import service_trust_policy


def test_a_service_may_assume_the_role_with_no_condition_unless_asked() -> None:
    (statement,) = json.loads(service_trust_policy("ec2.amazonaws.com"))["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_the_guards_name_the_account_and_the_source_resources() -> None:
    document = json.loads(
        service_trust_policy(
            "vpc-flow-logs.amazonaws.com",
            source_account="123456789012",
            source_arn="arn:aws:ec2:ap-northeast-2:123456789012:vpc-flow-log/*",
        )
    )
    assert document["Version"] == "2012-10-17"
    (statement,) = document["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:ap-northeast-2:123456789012:vpc-flow-log/*"},
    }
    only_account = json.loads(
        service_trust_policy("backup.amazonaws.com", source_account="123456789012")
    )
    assert only_account["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }
