"""The pack as pulumi_policy sees it: metadata, config files, wrappers and exemptions."""

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
)

from policies.exemptions import EXEMPTIONS_POLICY, EXEMPTIONS_STACK_POLICY
from policies.pack import ALL_RULES, RULE_NAMES, build_policies
from policies.rules import types
from policies.rules.documents_unknown import REPORT_ONLY

from .helpers import WIRE_UNKNOWN
from .wrappers import args as _args
from .wrappers import policies as _policies
from .wrappers import run as _run

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
OPEN_SG = {
    "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]
}


def test_every_rule_is_a_policy_once_and_exemptions_come_first() -> None:
    names = [policy.name for policy in build_policies()]
    assert names[0] == EXEMPTIONS_POLICY
    assert sorted(names) == sorted([*RULE_NAMES, EXEMPTIONS_POLICY, EXEMPTIONS_STACK_POLICY])
    assert len(set(names)) == len(names)


def test_every_rule_declares_level_severity_and_unknown_handling() -> None:
    for rule in ALL_RULES:
        assert rule.info.enforcement_level in (
            EnforcementLevel.ADVISORY,
            EnforcementLevel.MANDATORY,
        )
        assert rule.info.unknowns
        assert rule.info.description.endswith(".")
        for schema in rule.info.options.values():
            assert "default" in schema


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_config_files_name_every_rule(stack: str) -> None:
    config = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    assert set(config) == {*RULE_NAMES, EXEMPTIONS_POLICY, EXEMPTIONS_STACK_POLICY}


def _level(entry: str | dict[str, Any]) -> str:
    return entry if isinstance(entry, str) else entry["enforcementLevel"]


def _prod_level(name: str) -> str:
    return "advisory" if name in REPORT_ONLY else "mandatory"


def test_dev_keeps_defaults_and_prod_makes_every_rule_mandatory() -> None:
    dev = json.loads((CONFIG_DIR / "dev.json").read_text())
    prod = json.loads((CONFIG_DIR / "prod.json").read_text())
    for rule in ALL_RULES:
        assert _level(dev[rule.info.name]) == rule.info.enforcement_level.value
        assert _level(prod[rule.info.name]) == _prod_level(rule.info.name)


def test_resource_wrapper_reports_findings_through_the_proxy() -> None:
    policy = _policies()["no-world-ingress"]
    assert isinstance(policy, ResourceValidationPolicy)
    reported = _run(policy, _args(types.SECURITY_GROUP, "bastion", OPEN_SG))
    assert [message for message, _ in reported] == [
        (
            "ingress[0].cidrBlocks allows 0.0.0.0/0 on tcp 22; accept traffic from security groups "
            "or prefix lists, never 0.0.0.0/0 or ::/0"
        )
    ]


def test_resource_wrapper_reports_unknowns_itself_rather_than_raising() -> None:
    policy = _policies()["rds-storage-encrypted"]
    args = _args(types.RDS_INSTANCE, "db", {"storageEncrypted": WIRE_UNKNOWN, "kmsKeyId": "k"})
    assert _run(policy, args) == [("cannot verify storageEncrypted: unknown during preview", None)]


def test_resource_wrapper_ignores_other_types() -> None:
    assert _run(_policies()["no-world-ingress"], _args(types.SNS_TOPIC, "t", OPEN_SG)) == []


def test_rule_config_reaches_the_check() -> None:
    policy = _policies()["rds-backup-retention"]
    args = _args(
        types.RDS_CLUSTER, "db", {"backupRetentionPeriod": 14}, {"minimumRetentionDays": 35}
    )
    assert _run(policy, args) == [("backupRetentionPeriod is 14; keep at least 35 days", None)]
