"""Exemptions: scoped to a URN and one finding, with owner and expiry, and all listed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from pulumi_policy import StackValidationArgs

from policies.exemptions import (
    EXEMPTIONS_POLICY,
    EXEMPTIONS_STACK_POLICY,
    MAX_TERM_DAYS,
    parse_exemptions,
)
from policies.pack import RULE_NAMES
from policies.rules import types
from policies.rules.network import no_world_ingress

from .helpers import resource
from .wrappers import TODAY, args, policies, policy_resource, run, urn

OPEN_SG = {
    "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]
}
REASON = "bastion replaced by SSM in TICKET-42"
[SSH_FINDING] = [
    f.message for f in no_world_ingress.evaluate(resource(types.SECURITY_GROUP, OPEN_SG))
]
BASTION = urn(types.SECURITY_GROUP, "bastion")


def entry(**changes: Any) -> dict[str, Any]:
    value = {
        "resource": BASTION,
        "policy": "no-world-ingress",
        "finding": SSH_FINDING,
        "reason": REASON,
        "owner": "platform-team",
        "expires": "2027-06-01",
    }
    value.update(changes)
    return {key: item for key, item in value.items() if item is not None}


def configured(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"exemptions": list(entries)}


def test_exemption_turns_its_finding_into_a_note_with_owner_expiry_and_reason() -> None:
    pack = policies()
    notes = run(
        pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(entry()))
    )
    assert run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", OPEN_SG)) == []
    assert notes == [
        (
            "exempted: no-world-ingress on bastion (owner platform-team, expires 2027-06-01, "
            f"reason: {REASON}): {SSH_FINDING}",
            None,
        )
    ]


def test_a_resource_that_gets_worse_fires_again() -> None:
    pack = policies()
    worse = {
        "ingress": [
            *OPEN_SG["ingress"],
            {"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]},
        ]
    }
    run(pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", worse, configured(entry())))
    reported = run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", worse))
    assert [message for message, _ in reported] == [
        f.message for f in no_world_ingress.evaluate(resource(types.SECURITY_GROUP, worse))
    ][1:]
    assert reported
    assert all("::/0" in message for message, _ in reported)


def test_a_resource_of_the_same_name_elsewhere_is_not_exempted() -> None:
    pack = policies()
    # Same name, other type chain: its URN differs.
    elsewhere = urn(f"trading:network:TradingVpc${types.SECURITY_GROUP}", "bastion")
    run(
        pack[EXEMPTIONS_POLICY],
        args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(entry(resource=elsewhere))),
    )
    assert len(run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", OPEN_SG))) == 1


def test_the_stack_segment_may_be_a_wildcard() -> None:
    pack = policies()
    pattern = BASTION.replace("urn:pulumi:dev::", "urn:pulumi:*::")
    run(
        pack[EXEMPTIONS_POLICY],
        args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(entry(resource=pattern))),
    )
    assert run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", OPEN_SG)) == []


def test_an_expired_exemption_fires_again_and_is_reported() -> None:
    pack = policies()
    stale = entry(expires=(TODAY - datetime.timedelta(days=1)).isoformat())
    run(pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(stale)))
    assert len(run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", OPEN_SG))) == 1
    [(note, _)] = run(pack[EXEMPTIONS_STACK_POLICY], StackValidationArgs([]))
    assert note.startswith("exemption expired, no longer applied: no-world-ingress on " + BASTION)


def test_an_exemption_expiring_today_still_applies() -> None:
    active, expired, errors = parse_exemptions(
        [entry(expires=TODAY.isoformat())], RULE_NAMES, TODAY
    )
    assert (len(active), expired, errors) == (1, (), [])


def test_every_exemption_in_use_is_listed_in_the_stack_report() -> None:
    pack = policies()
    run(
        pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(entry()))
    )
    notes = run(
        pack[EXEMPTIONS_STACK_POLICY],
        StackValidationArgs([policy_resource(types.SECURITY_GROUP, "bastion", OPEN_SG)]),
    )
    assert notes == [
        (
            f"exemption in use: no-world-ingress on {BASTION} for {SSH_FINDING!r} (owner "
            f"platform-team, expires 2027-06-01, reason: {REASON})",
            None,
        )
    ]


def test_unused_exemption_is_reported() -> None:
    pack = policies()
    run(pack[EXEMPTIONS_POLICY], args(types.VPC, "main", {}, configured(entry())))
    notes = run(
        pack[EXEMPTIONS_STACK_POLICY], StackValidationArgs([policy_resource(types.VPC, "main", {})])
    )
    assert [note for note, _ in notes] == [
        f"exemption unused, matches no resource: no-world-ingress on {BASTION} for "
        f"{SSH_FINDING!r} (owner platform-team, expires 2027-06-01, reason: {REASON})"
    ]


def test_stack_rule_exemption_covers_its_finding_only() -> None:
    pack = policies()
    vpc = policy_resource(types.VPC, "main", {"cidrBlock": "10.0.0.0/16"})
    flow_logs = pack["vpc-flow-logs"]
    assert run(flow_logs, StackValidationArgs([vpc])) == [("VPC main has no flow log", vpc.urn)]
    exemption = entry(resource=vpc.urn, policy="vpc-flow-logs", finding="VPC main has no flow log")
    run(pack[EXEMPTIONS_POLICY], args(types.VPC, "main", {}, configured(exemption)))
    assert run(flow_logs, StackValidationArgs([vpc])) == []
    notes = run(pack[EXEMPTIONS_STACK_POLICY], StackValidationArgs([vpc]))
    assert notes[-1] == (
        "exempted: vpc-flow-logs on main (owner platform-team, expires 2027-06-01, "
        f"reason: {REASON}): VPC main has no flow log",
        vpc.urn,
    )
    assert notes[0][0].startswith("exemption in use: vpc-flow-logs on " + vpc.urn)


def test_exemption_without_its_finding_is_reported_as_stale() -> None:
    pack = policies()
    closed = {"ingress": []}
    [(note, _)] = run(
        pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", closed, configured(entry()))
    )
    assert note.endswith("no finding to exempt any more")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"reason": None}, "reason is missing"),
        ({"reason": "temp"}, "reason is shorter than 10"),
        ({"owner": None}, "owner is missing"),
        ({"owner": "  "}, "owner is missing"),
        ({"finding": None}, "finding is missing"),
        ({"expires": None}, "expires must be an ISO date"),
        ({"expires": "next year"}, "expires must be an ISO date"),
        ({"expires": "2027-02-30"}, "expires must be an ISO date"),
        ({"expires": "2099-01-01"}, f"more than {MAX_TERM_DAYS} days away"),
        ({"policy": "no-such-rule"}, "not a rule of this pack"),
        ({"resource": None}, "must be a URN"),
        ({"resource": "bastion"}, "must be a URN"),
        ({"resource": "urn:pulumi:dev::trading-platform::*::bastion"}, "must be a URN"),
        (
            {
                "resource": "urn:pulumi:dev::trading-platform::aws:ec2/securityGroup:SecurityGroup::*"
            },
            "must be a URN",
        ),
        ({"resource": "urn:pulumi:*::*::*::*"}, "must be a URN"),
    ],
)
def test_invalid_exemption_is_not_applied(changes: dict[str, Any], problem: str) -> None:
    bad = entry(**changes)
    active, expired, errors = parse_exemptions([bad], RULE_NAMES, TODAY)
    assert (active, expired) == ((), ())
    [error] = errors
    assert problem in error
    pack = policies()
    run(pack[EXEMPTIONS_POLICY], args(types.SECURITY_GROUP, "bastion", OPEN_SG, configured(bad)))
    assert len(run(pack["no-world-ingress"], args(types.SECURITY_GROUP, "bastion", OPEN_SG))) == 1
    [(note, _)] = run(pack[EXEMPTIONS_STACK_POLICY], StackValidationArgs([]))
    assert note.startswith("exemption invalid: exemption #1 ignored: ")
    assert problem in note


def test_non_object_entries_and_lists_are_refused() -> None:
    assert parse_exemptions("all", RULE_NAMES, TODAY) == ((), (), ["exemptions must be a list"])
    _, _, [error] = parse_exemptions(["bastion"], RULE_NAMES, TODAY)
    assert "must be an object" in error
