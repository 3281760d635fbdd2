"""Security-group texts: what EC2 accepts, refused at import rather than at CreateSecurityGroup."""

from __future__ import annotations

import dataclasses

import pytest

from components.ec2_text import check_ec2_description
from components.reachability import REACHABILITY, check_table


@pytest.mark.parametrize(
    "text",
    [
        "API server to kubelets (logs, exec)",
        "Producers and consumers to Kafka (IAM, TLS)",
        "a-z A-Z 0-9 ._-:/()#,@[]+=;{}!$*",
        "",
    ],
)
def test_accepted_texts(text: str) -> None:
    assert check_ec2_description(text, "here") == text


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("the controller's webhook", "'"),
        ('say "hi"', '"'),
        ("tab\there", "\t"),
        ("naïve", "ï"),
        ("a & b", "&"),  # allowed on groups, not on rules that reference a group
        ("a < b > c", "<>"),
    ],
)
def test_refused_texts_name_the_characters(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match="characters EC2 rejects") as error:
        check_ec2_description(text, "flow x")
    assert repr(bad) in str(error.value)


def test_texts_longer_than_255_are_refused() -> None:
    with pytest.raises(ValueError, match="EC2 allows 255"):
        check_ec2_description("x" * 256, "flow x")


def test_a_flow_whose_reason_ec2_rejects_fails_the_table_check() -> None:
    bad = dataclasses.replace(REACHABILITY[0], reason="CloudFront's origin requests")
    with pytest.raises(ValueError, match="characters EC2 rejects"):
        check_table((bad,))
