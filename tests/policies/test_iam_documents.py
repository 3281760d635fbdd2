"""Policy documents: parsing, principals in every spelling, conditions that restrict."""

import json

import pytest

from policies import iam_documents
from policies.engine import UNKNOWN
from policies.iam_documents import InvalidDocumentError, parse, public_statements

ANYONE = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*statements: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize(
    "principal", ["*", ["*"], {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": "arn:aws:iam::*:root"}]
)
def test_every_spelling_of_anyone_is_public(principal: object) -> None:
    statements = parse(doc({**ANYONE, "Principal": principal}))
    assert statements is not None
    assert len(list(public_statements(statements))) == 1


@pytest.mark.parametrize(
    "principal",
    [{"AWS": "arn:aws:iam::123456789012:root"}, {"Service": "logs.amazonaws.com"}, "123456789012"],
)
def test_named_principals_are_not_public(principal: object) -> None:
    statements = parse({"Statement": [{**ANYONE, "Principal": principal}]})
    assert statements is not None
    assert list(public_statements(statements)) == []


@pytest.mark.parametrize(
    ("condition", "public"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:1:alarm:*"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": "*"}}, True),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringLike": {"aws:UserAgent": "curl*"}}, True),
        ({"Bool": {"kms:GrantIsForAWSResource": "true"}}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
        ({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}, True),
    ],
)
def test_only_conditions_that_pin_the_caller_restrict(
    condition: dict[str, dict[str, str]], public: bool
) -> None:
    statements = parse(doc({**ANYONE, "Principal": "*", "Condition": condition}))
    assert statements is not None
    assert bool(list(public_statements(statements))) is public


def test_deny_statements_are_not_grants() -> None:
    statements = parse(doc({**ANYONE, "Effect": "Deny", "Principal": "*"}))
    assert statements is not None
    assert list(public_statements(statements)) == []


def test_single_statement_object_and_absent_document() -> None:
    single = parse({"Statement": {**ANYONE, "Principal": "*"}})
    assert single is not None
    assert len(single) == 1
    assert parse(None) is None
    assert parse(UNKNOWN) is None


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", 42])
def test_invalid_documents_raise(bad: object) -> None:
    with pytest.raises(InvalidDocumentError):
        parse(bad)


@pytest.mark.parametrize(
    ("principal", "account"),
    [
        ("arn:aws:iam::111122223333:role/x", "111122223333"),
        ("arn:aws-cn:sts::111122223333:assumed-role/x/y", "111122223333"),
        ("111122223333", "111122223333"),
        ("arn:aws:iam::*:root", None),
        ("ec2.amazonaws.com", None),
    ],
)
def test_account_of(principal: str, account: str | None) -> None:
    assert iam_documents.account_of(principal) == account


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [("s3:*", "s3:GetObject", True), ("kms:Put*", "kms:PutKeyPolicy", True), ("*", "x:y", True)],
)
def test_action_glob(pattern: str, action: str, matches: bool) -> None:
    assert iam_documents.action_matches(pattern, action) is matches
    assert iam_documents.action_matches("s3:Get*", "s3:PutObject") is False
