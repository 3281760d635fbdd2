"""The README's rule list and coverage table are generated from the rules and never stale."""

from __future__ import annotations

import pytest

from policies.pack import ALL_RULES
from policies.readme import END, README, START, coverage_table, generated, levels, rendered, service
from policies.rules import types


def test_readme_is_generated_from_the_rules() -> None:
    text = README.read_text()
    block = text[text.index(START) : text.index(END) + len(END)]
    assert block == generated(), "stale: run `venv/bin/python -m policies.readme`"


def test_every_rule_appears_once_with_its_level_per_stack() -> None:
    block = generated()
    configured = levels()
    for rule in ALL_RULES:
        [row] = [line for line in block.splitlines() if line.startswith(f"| `{rule.info.name}` |")]
        dev, prod = configured[rule.info.name]["dev"], configured[rule.info.name]["prod"]
        assert f"| {dev} / {prod} |" in row
        assert rule.info.severity.value in row
    assert f"{len(ALL_RULES)} rules." in block


def test_every_rule_names_what_it_examines() -> None:
    table = coverage_table(ALL_RULES)
    for rule in ALL_RULES:
        assert f"`{rule.info.name}`" in table


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (types.SUBNET, "EC2 / VPC"),
        (types.SECURITY_GROUP_INGRESS_RULE, "EC2 / VPC"),
        (types.CLASSIC_LOAD_BALANCER, "Elastic Load Balancing (classic)"),
        (types.K8S_SERVICE, "Kubernetes (EKS workloads)"),
        (types.EKS_COMPONENT, "EKS"),
        (types.AWSX_ALB, "Elastic Load Balancing"),
        ("aws:lambda/function:Function", "lambda"),
        ("random:index/randomPassword:RandomPassword", "random"),
    ],
)
def test_service_of_a_type_token(token: str, expected: str) -> None:
    assert service(token) == expected


def test_rendering_replaces_only_the_block() -> None:
    text = f"before\n{START}\nold\n{END}\nafter\n"
    assert rendered(text, "NEW") == "before\nNEW\nafter\n"
    with pytest.raises(ValueError, match="substring not found"):
        rendered("no markers", "NEW")
