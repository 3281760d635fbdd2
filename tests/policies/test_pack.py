"""The pack as pulumi_policy sees it: metadata, config files, wrappers and exemptions."""

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policies.exemptions import EXEMPTIONS_POLICY, EXEMPTIONS_STACK_POLICY, parse_exemptions
from policies.pack import ALL_RULES, RULE_NAMES, build_policies
from policies.rules import types
from policies.rules.documents_unknown import REPORT_ONLY

from .helpers import WIRE_UNKNOWN

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"
OPEN_SG = {
    "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]
}
REASON = "bastion replaced by SSM in TICKET-42"


def _options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _args(
    type_: str, name: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> ResourceValidationArgs:
    urn = f"urn:pulumi:dev::trading-platform::{type_}::{name}"
    # The servicer hands validations an unknown-checking proxy; so do these tests.
    return ResourceValidationArgs(
        type_, unknown_checking_proxy(props), urn, name, _options(), None, config
    )


def _policies() -> dict[str, Policy]:
    return {policy.name: policy for policy in build_policies()}


def _run(
    policy: Policy, args: ResourceValidationArgs | StackValidationArgs
) -> list[tuple[str, str | None]]:
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    if isinstance(policy, ResourceValidationPolicy):
        assert isinstance(args, ResourceValidationArgs)
        policy.validate(args, report)
    else:
        assert isinstance(policy, StackValidationPolicy)
        assert isinstance(args, StackValidationArgs)
        policy.validate(args, report)
    return reported


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


def test_exemption_turns_the_finding_into_a_note_with_the_reason() -> None:
    policies = _policies()
    exemptions = {
        "exemptions": [{"resource": "bastion", "policy": "no-world-ingress", "reason": REASON}]
    }
    args = _args(types.SECURITY_GROUP, "bastion", OPEN_SG, exemptions)
    notes = _run(policies[EXEMPTIONS_POLICY], args)
    assert _run(policies["no-world-ingress"], _args(types.SECURITY_GROUP, "bastion", OPEN_SG)) == []
    assert len(notes) == 1
    assert notes[0][0].startswith(
        f"exempted: no-world-ingress on bastion (reason: {REASON}): ingress[0]"
    )


def test_exemption_for_another_resource_does_not_apply() -> None:
    policies = _policies()
    exemptions = {
        "exemptions": [{"resource": "other", "policy": "no-world-ingress", "reason": REASON}]
    }
    assert (
        _run(
            policies[EXEMPTIONS_POLICY], _args(types.SECURITY_GROUP, "bastion", OPEN_SG, exemptions)
        )
        == []
    )
    assert (
        len(_run(policies["no-world-ingress"], _args(types.SECURITY_GROUP, "bastion", OPEN_SG)))
        == 1
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"resource": "bastion", "policy": "no-world-ingress"}, "reason is missing"),
        (
            {"resource": "bastion", "policy": "no-world-ingress", "reason": "temp"},
            "reason is missing",
        ),
        (
            {"resource": "bastion", "policy": "no-such-rule", "reason": REASON},
            "not a rule of this pack",
        ),
        ({"policy": "no-world-ingress", "reason": REASON}, "resource (name or URN) is missing"),
        ("bastion", "must be an object"),
    ],
)
def test_invalid_exemption_is_not_applied(entry: object, problem: str) -> None:
    exemptions, errors = parse_exemptions([entry], RULE_NAMES)
    assert exemptions == ()
    assert len(errors) == 1
    assert problem in errors[0]
    policies = _policies()
    _run(
        policies[EXEMPTIONS_POLICY],
        _args(types.SECURITY_GROUP, "bastion", OPEN_SG, {"exemptions": [entry]}),
    )
    assert (
        len(_run(policies["no-world-ingress"], _args(types.SECURITY_GROUP, "bastion", OPEN_SG)))
        == 1
    )
    stack_notes = _run(policies[EXEMPTIONS_STACK_POLICY], StackValidationArgs([]))
    assert problem in stack_notes[0][0]


def _policy_resource(type_: str, name: str, props: dict[str, Any]) -> PolicyResource:
    urn = f"urn:pulumi:dev::trading-platform::{type_}::{name}"
    return PolicyResource(
        type_, unknown_checking_proxy(props), urn, name, _options(), None, None, [], {}
    )


def test_stack_wrapper_and_stack_exemption() -> None:
    policies = _policies()
    vpc = _policy_resource(types.VPC, "main", {"cidrBlock": "10.0.0.0/16"})
    stack_policy = policies["vpc-flow-logs"]
    assert isinstance(stack_policy, StackValidationPolicy)
    assert _run(stack_policy, StackValidationArgs([vpc])) == [("VPC main has no flow log", vpc.urn)]

    exemption = {"resource": "main", "policy": "vpc-flow-logs", "reason": REASON}
    _run(policies[EXEMPTIONS_POLICY], _args(types.VPC, "main", {}, {"exemptions": [exemption]}))
    assert _run(stack_policy, StackValidationArgs([vpc])) == []
    notes = _run(policies[EXEMPTIONS_STACK_POLICY], StackValidationArgs([vpc]))
    assert notes == [
        (f"exempted: vpc-flow-logs on main (reason: {REASON}): VPC main has no flow log", vpc.urn)
    ]


def test_unused_exemption_is_reported() -> None:
    policies = _policies()
    exemption = {"resource": "gone", "policy": "vpc-flow-logs", "reason": REASON}
    _run(policies[EXEMPTIONS_POLICY], _args(types.VPC, "main", {}, {"exemptions": [exemption]}))
    notes = _run(
        policies[EXEMPTIONS_STACK_POLICY],
        StackValidationArgs([_policy_resource(types.VPC, "main", {})]),
    )
    assert notes == [("exemption for gone matches no resource", None)]


def test_readme_documents_every_rule_with_its_levels() -> None:
    readme = (CONFIG_DIR.parent / "README.md").read_text()
    for rule in ALL_RULES:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{rule.info.name}`"))
        levels = f"{rule.info.enforcement_level.value} / {_prod_level(rule.info.name)}"
        assert f"| {levels} |" in row, rule.info.name


def test_exemption_without_finding_is_reported_as_stale() -> None:
    policies = _policies()
    closed = {"ingress": []}
    exemption = {"resource": "bastion", "policy": "no-world-ingress", "reason": REASON}
    args = _args(types.SECURITY_GROUP, "bastion", closed, {"exemptions": [exemption]})
    assert _run(policies[EXEMPTIONS_POLICY], args) == [
        (
            f"exempted: no-world-ingress on bastion (reason: {REASON}): no finding to exempt any more",
            None,
        )
    ]
