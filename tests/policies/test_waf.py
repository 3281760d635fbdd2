"""Web ACLs that enforce and IP sets that are not the world."""

import json

import pytest

from policies.rules import service_types as st
from policies.rules.waf import waf_ip_set_not_world, waf_web_acl_enforces

from .helpers import WIRE_UNKNOWN, evaluate, messages

BLOCKING = {"Name": "geo", "Priority": 0, "Action": {"Block": {}}, "Statement": {}}
GROUP = {"Name": "common", "Priority": 1, "OverrideAction": {"None": {}}, "Statement": {}}


def acl(*rules: object, default: str = "allow") -> dict[str, object]:
    return {"defaultAction": {default: {}}, "ruleJson": json.dumps(list(rules))}


class TestWebAclEnforces:
    def test_compliance(self) -> None:
        assert evaluate(waf_web_acl_enforces, st.WEB_ACL, acl(BLOCKING, GROUP)) == []

    def test_count_only_rules_and_groups(self) -> None:
        counting = [
            {**BLOCKING, "Action": {"Count": {}}},
            {**GROUP, "OverrideAction": {"Count": {}}},
        ]
        assert len(evaluate(waf_web_acl_enforces, st.WEB_ACL, acl(*counting))) == 2

    def test_no_rules(self) -> None:
        assert len(evaluate(waf_web_acl_enforces, st.WEB_ACL, acl())) == 1
        assert evaluate(waf_web_acl_enforces, st.WEB_ACL, acl(default="block")) == []

    def test_camel_case_rules_input(self) -> None:
        inputs = {"defaultAction": {"allow": {}}, "rules": [{"name": "r", "action": {"count": {}}}]}
        assert len(evaluate(waf_web_acl_enforces, st.WEB_ACL, inputs)) == 1

    def test_unknown_and_invalid(self) -> None:
        assert evaluate(waf_web_acl_enforces, st.WEB_ACL, {"ruleJson": WIRE_UNKNOWN}) == []
        assert messages(evaluate(waf_web_acl_enforces, st.WEB_ACL, {"ruleJson": "[{"})) == [
            "ruleJson is not valid JSON"
        ]


@pytest.mark.parametrize(
    ("addresses", "count"),
    [
        (["203.0.113.10/32"], 0),
        (["2001:db8::/48"], 0),
        (["0.0.0.0/0"], 1),
        (["::/0"], 1),
        (["10.0.0.0/4"], 1),
        (["0.0.0.0/1", "128.0.0.0/1"], 2),
        (["10.0.0.0/8", "172.16.0.0/12"], 0),
        (["not-a-cidr"], 1),
    ],
)
def test_ip_sets(addresses: list[str], count: int) -> None:
    assert len(evaluate(waf_ip_set_not_world, st.IP_SET, {"addresses": addresses})) == count


def test_ip_set_many_narrow_ranges_and_unknown() -> None:
    many = {"addresses": [f"{n}.0.0.0/10" for n in range(20, 60)]}
    [message] = messages(evaluate(waf_ip_set_not_world, st.IP_SET, many))
    assert "together are world-open" in message
    assert evaluate(waf_ip_set_not_world, st.IP_SET, {"addresses": WIRE_UNKNOWN})[0].unverifiable
