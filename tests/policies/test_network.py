"""no-world-ingress on every security-group shape."""

import pytest

from policies.rules import types
from policies.rules.network import (
    default_security_group_closed,
    nacl_no_world_admin_ingress,
    no_world_ingress,
    prefix_list_not_world_open,
    subnet_no_auto_public_ip,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

SG = {
    "vpcId": "vpc-1",
    "ingress": [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": ["pl-cloudfront"]},
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.11.0/24"]},
    ],
    "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
}
RULE = {
    "type": "ingress",
    "securityGroupId": "sg-1",
    "protocol": "tcp",
    "fromPort": 443,
    "toPort": 443,
    "cidrBlocks": ["10.0.0.0/16"],
}
INGRESS_RULE = {
    "securityGroupId": "sg-1",
    "ipProtocol": "tcp",
    "fromPort": 443,
    "toPort": 443,
    "cidrIpv4": "10.0.0.0/16",
}


@pytest.mark.parametrize("type_", [types.SECURITY_GROUP, types.DEFAULT_SECURITY_GROUP])
def test_compliance_inline_ingress(type_: str) -> None:
    assert evaluate(no_world_ingress, type_, SG) == []


def test_compliance_world_egress_is_not_ingress() -> None:
    assert (
        evaluate(
            no_world_ingress,
            types.SECURITY_GROUP_RULE,
            changed(RULE, "type", "egress") | {"cidrBlocks": ["0.0.0.0/0"]},
        )
        == []
    )


@pytest.mark.parametrize("type_", [types.SECURITY_GROUP, types.DEFAULT_SECURITY_GROUP])
@pytest.mark.parametrize(
    ("field", "cidr"),
    [("cidrBlocks", "0.0.0.0/0"), ("ipv6CidrBlocks", "::/0"), ("ipv6CidrBlocks", "0::0/0")],
)
def test_noncompliance_inline_world_cidr(type_: str, field: str, cidr: str) -> None:
    inputs = changed(SG, f"ingress.1.{field}", [cidr])
    assert messages(evaluate(no_world_ingress, type_, inputs)) == [
        (
            f"ingress[1].{field} allows {cidr} on tcp 5432; accept traffic from security groups or prefix "
            "lists, never 0.0.0.0/0 or ::/0"
        )
    ]


def test_noncompliance_inline_all_protocols() -> None:
    world_all = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    findings = evaluate(no_world_ingress, types.SECURITY_GROUP, changed(SG, "ingress.0", world_all))
    assert "allows 0.0.0.0/0 on all traffic" in messages(findings)[0]


@pytest.mark.parametrize(
    ("field", "cidr"), [("cidrBlocks", "0.0.0.0/0"), ("ipv6CidrBlocks", "::/0")]
)
def test_noncompliance_security_group_rule(field: str, cidr: str) -> None:
    findings = evaluate(no_world_ingress, types.SECURITY_GROUP_RULE, changed(RULE, field, [cidr]))
    assert len(findings) == 1
    assert cidr in findings[0].message


@pytest.mark.parametrize(("field", "cidr"), [("cidrIpv4", "0.0.0.0/0"), ("cidrIpv6", "::/0")])
def test_noncompliance_vpc_ingress_rule(field: str, cidr: str) -> None:
    inputs = changed(INGRESS_RULE, field, cidr)
    findings = evaluate(no_world_ingress, types.SECURITY_GROUP_INGRESS_RULE, inputs)
    assert messages(findings) == [
        (
            f"{field} allows {cidr} on tcp 443; accept traffic from security groups or prefix lists, "
            "never 0.0.0.0/0 or ::/0"
        )
    ]


def test_noncompliance_vpc_ingress_rule_all_protocols() -> None:
    inputs = changed(changed(INGRESS_RULE, "cidrIpv4", "0.0.0.0/0"), "ipProtocol", "-1")
    inputs = changed(changed(inputs, "fromPort", DELETE), "toPort", DELETE)
    assert (
        "on all traffic"
        in evaluate(no_world_ingress, types.SECURITY_GROUP_INGRESS_RULE, inputs)[0].message
    )


def test_compliance_vpc_ingress_rule() -> None:
    assert evaluate(no_world_ingress, types.SECURITY_GROUP_INGRESS_RULE, INGRESS_RULE) == []


@pytest.mark.parametrize(
    ("type_", "inputs", "what"),
    [
        (types.SECURITY_GROUP, changed(SG, "ingress", WIRE_UNKNOWN), "ingress"),
        (
            types.SECURITY_GROUP,
            changed(SG, "ingress.1.cidrBlocks", [WIRE_UNKNOWN]),
            "ingress[1].cidrBlocks[0]",
        ),
        (types.SECURITY_GROUP_RULE, changed(RULE, "cidrBlocks", WIRE_UNKNOWN), "cidrBlocks"),
        (
            types.SECURITY_GROUP_INGRESS_RULE,
            changed(INGRESS_RULE, "cidrIpv4", WIRE_UNKNOWN),
            "cidrIpv4",
        ),
        (
            types.SECURITY_GROUP_RULE,
            changed(changed(RULE, "type", WIRE_UNKNOWN), "cidrBlocks", ["0.0.0.0/0"]),
            "type",
        ),
    ],
)
def test_unknown_is_reported(type_: str, inputs: dict[str, object], what: str) -> None:
    findings = evaluate(no_world_ingress, type_, inputs)
    assert [(f.message, f.unverifiable) for f in findings] == [
        (f"cannot verify {what}: unknown during preview", True)
    ]


def test_unknown_rule_type_with_private_cidr_passes() -> None:
    inputs = changed(RULE, "type", WIRE_UNKNOWN)
    assert evaluate(no_world_ingress, types.SECURITY_GROUP_RULE, inputs) == []


# A managed node group given an SSH key and no source groups: EKS opens tcp 22 to 0.0.0.0/0.
NODE_GROUP = {
    "clusterName": "trading",
    "nodeRoleArn": "arn:aws:iam::123456789012:role/nodes",
    "subnetIds": ["subnet-1"],
    "scalingConfig": {"minSize": 1, "maxSize": 3, "desiredSize": 2},
}
SSH_FROM_WORLD = changed(NODE_GROUP, "remoteAccess", {"ec2SshKey": "ops"})


class TestEksNodeGroupRemoteAccess:
    @pytest.mark.parametrize(
        "inputs",
        [
            NODE_GROUP,
            changed(SSH_FROM_WORLD, "remoteAccess.sourceSecurityGroupIds", ["sg-bastion"]),
            changed(SSH_FROM_WORLD, "remoteAccess.sourceSecurityGroupIds", WIRE_UNKNOWN),
            changed(NODE_GROUP, "remoteAccess", {"sourceSecurityGroupIds": ["sg-bastion"]}),
        ],
        ids=["no-remote-access", "source-groups", "unknown-source-groups", "no-key"],
    )
    def test_compliance(self, inputs: dict[str, object]) -> None:
        assert evaluate(no_world_ingress, types.EKS_NODE_GROUP, inputs) == []

    @pytest.mark.parametrize(
        "inputs",
        [
            SSH_FROM_WORLD,
            changed(SSH_FROM_WORLD, "remoteAccess.sourceSecurityGroupIds", []),
            changed(SSH_FROM_WORLD, "remoteAccess.ec2SshKey", WIRE_UNKNOWN),
        ],
        ids=["no-source-groups", "empty-source-groups", "unknown-key"],
    )
    def test_noncompliance_ssh_key_without_source_groups(self, inputs: dict[str, object]) -> None:
        assert messages(evaluate(no_world_ingress, types.EKS_NODE_GROUP, inputs)) == [
            "remoteAccess.ec2SshKey without remoteAccess.sourceSecurityGroupIds makes EKS open "
            "tcp 22 to 0.0.0.0/0; name the source security groups, or use SSM instead of SSH"
        ]

    def test_unknown_remote_access_is_reported(self) -> None:
        inputs = changed(NODE_GROUP, "remoteAccess", WIRE_UNKNOWN)
        findings = evaluate(no_world_ingress, types.EKS_NODE_GROUP, inputs)
        assert [(f.message, f.unverifiable) for f in findings] == [
            ("cannot verify remoteAccess: unknown during preview", True)
        ]


# awsx's ALB creates a security group from defaultSecurityGroup.args when given no group.
AWSX_OPEN_DEFAULT_GROUP = {
    "defaultSecurityGroup": {
        "args": {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}
            ]
        }
    }
}


class TestAwsxApplicationLoadBalancer:
    def test_noncompliance_default_group_open_to_the_world(self) -> None:
        findings = evaluate(no_world_ingress, types.AWSX_ALB, AWSX_OPEN_DEFAULT_GROUP)
        assert messages(findings)[0].startswith(
            "defaultSecurityGroup.args.ingress[0].cidrBlocks allows 0.0.0.0/0 on tcp 443"
        )

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("securityGroups", [WIRE_UNKNOWN]),
            ("defaultSecurityGroup.skip", True),
            ("defaultSecurityGroup.securityGroupId", "sg-1"),
        ],
    )
    def test_compliance_no_default_group_created(self, path: str, value: object) -> None:
        assert (
            evaluate(
                no_world_ingress, types.AWSX_ALB, changed(AWSX_OPEN_DEFAULT_GROUP, path, value)
            )
            == []
        )

    def test_compliance_default_group_without_ingress(self) -> None:
        assert evaluate(no_world_ingress, types.AWSX_ALB, {}) == []

    def test_unknown(self) -> None:
        inputs = changed(AWSX_OPEN_DEFAULT_GROUP, "defaultSecurityGroup.args.ingress", WIRE_UNKNOWN)
        assert evaluate(no_world_ingress, types.AWSX_ALB, inputs)[0].unverifiable


class TestDefaultSecurityGroupClosed:
    def test_compliance(self) -> None:
        assert (
            evaluate(
                default_security_group_closed, types.DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1"}
            )
            == []
        )

    @pytest.mark.parametrize("direction", ["ingress", "egress"])
    def test_noncompliance(self, direction: str) -> None:
        findings = evaluate(
            default_security_group_closed, types.DEFAULT_SECURITY_GROUP, {direction: SG["ingress"]}
        )
        assert messages(findings) == [f"{direction} has 2 rule(s); leave the default group empty"]

    def test_unknown(self) -> None:
        findings = evaluate(
            default_security_group_closed, types.DEFAULT_SECURITY_GROUP, {"ingress": WIRE_UNKNOWN}
        )
        assert messages(findings) == ["cannot verify ingress: unknown during preview"]


class TestNoWorldIngressSpellings:
    @pytest.mark.parametrize(
        "cidrs", [["0.0.0.0/1"], ["52.0.0.0/6"], ["3.0.0.0/9", "3.128.0.0/9", "13.0.0.0/9"]]
    )
    def test_noncompliance_world_in_other_spellings(self, cidrs: list[str]) -> None:
        rule = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": cidrs}
        assert len(evaluate(no_world_ingress, types.SECURITY_GROUP, {"ingress": [rule]})) >= 1

    def test_noncompliance_many_ranges_name_the_union(self) -> None:
        rule = {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": WIDE}
        [message] = messages(evaluate(no_world_ingress, types.SECURITY_GROUP, {"ingress": [rule]}))
        assert message.startswith(f"ingress[0].cidrBlocks/ipv6CidrBlocks allow {', '.join(WIDE)}")
        assert "together more than 1/256 of the public address space" in message

    def test_compliance_private_and_partner_ranges(self) -> None:
        rule = {
            "protocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrBlocks": ["10.0.0.0/8", "172.16.0.0/12", "198.51.100.0/24"],
        }
        assert evaluate(no_world_ingress, types.SECURITY_GROUP, {"ingress": [rule]}) == []


WIDE = ["3.0.0.0/9", "3.128.0.0/9", "13.0.0.0/9"]


class TestPrefixListNotWorldOpen:
    def test_compliance(self) -> None:
        inputs = {"entries": [{"cidr": "198.51.100.0/24"}, {"cidr": "10.0.0.0/8"}]}
        assert evaluate(prefix_list_not_world_open, types.MANAGED_PREFIX_LIST, inputs) == []
        entry = {"cidr": "203.0.113.0/24", "prefixListId": "pl-1"}
        assert evaluate(prefix_list_not_world_open, types.MANAGED_PREFIX_LIST_ENTRY, entry) == []

    @pytest.mark.parametrize("cidrs", [["0.0.0.0/0"], ["::/0"], WIDE])
    def test_noncompliance(self, cidrs: list[str]) -> None:
        inputs = {"entries": [{"cidr": cidr} for cidr in cidrs]}
        [message] = messages(
            evaluate(prefix_list_not_world_open, types.MANAGED_PREFIX_LIST, inputs)
        )
        assert "would admit the world" in message

    def test_unknown(self) -> None:
        assert messages(
            evaluate(
                prefix_list_not_world_open, types.MANAGED_PREFIX_LIST, {"entries": WIRE_UNKNOWN}
            )
        ) == ["cannot verify entries: unknown during preview"]
        entry = {"cidr": WIRE_UNKNOWN}
        assert evaluate(prefix_list_not_world_open, types.MANAGED_PREFIX_LIST_ENTRY, entry)[
            0
        ].unverifiable


NACL_ALLOW_ALL = {
    "ruleNo": 100,
    "action": "allow",
    "protocol": "-1",
    "fromPort": 0,
    "toPort": 0,
    "cidrBlock": "0.0.0.0/0",
}


class TestNaclNoWorldAdminIngress:
    @pytest.mark.parametrize(
        "entry",
        [
            # Ephemeral return ports from anywhere: what a stateless ACL must allow.
            {**NACL_ALLOW_ALL, "protocol": "tcp", "fromPort": 1024, "toPort": 65535},
            {**NACL_ALLOW_ALL, "protocol": "tcp", "fromPort": 443, "toPort": 443},
            {**NACL_ALLOW_ALL, "action": "deny"},
            {**NACL_ALLOW_ALL, "cidrBlock": "10.0.0.0/16"},
            {**NACL_ALLOW_ALL, "protocol": "icmp"},
        ],
    )
    def test_compliance(self, entry: dict[str, object]) -> None:
        assert evaluate(nacl_no_world_admin_ingress, types.NETWORK_ACL, {"ingress": [entry]}) == []

    @pytest.mark.parametrize(
        "entry",
        [
            NACL_ALLOW_ALL,
            {**NACL_ALLOW_ALL, "protocol": "tcp", "fromPort": 22, "toPort": 22},
            {**NACL_ALLOW_ALL, "protocol": "6", "fromPort": 3000, "toPort": 4000},
            {
                **NACL_ALLOW_ALL,
                "protocol": "tcp",
                "fromPort": 0,
                "toPort": 65535,
                "cidrBlock": "0.0.0.0/1",
            },
            {**NACL_ALLOW_ALL, "cidrBlock": None, "ipv6CidrBlock": "::/0"},
        ],
    )
    def test_noncompliance(self, entry: dict[str, object]) -> None:
        for type_ in (types.NETWORK_ACL, types.DEFAULT_NETWORK_ACL):
            [message] = messages(evaluate(nacl_no_world_admin_ingress, type_, {"ingress": [entry]}))
            assert message.startswith("ingress[0] allows")

    def test_rule_resource_egress_is_not_checked(self) -> None:
        rule = {"ruleAction": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0"}
        assert len(evaluate(nacl_no_world_admin_ingress, types.NETWORK_ACL_RULE, rule)) == 1
        egress = {**rule, "egress": True}
        assert evaluate(nacl_no_world_admin_ingress, types.NETWORK_ACL_RULE, egress) == []

    def test_unknown(self) -> None:
        entry = {**NACL_ALLOW_ALL, "cidrBlock": WIRE_UNKNOWN}
        [finding] = evaluate(nacl_no_world_admin_ingress, types.NETWORK_ACL, {"ingress": [entry]})
        assert finding.unverifiable
        egress = {"egress": WIRE_UNKNOWN, "ruleAction": "allow"}
        assert evaluate(nacl_no_world_admin_ingress, types.NETWORK_ACL_RULE, egress)[0].unverifiable


class TestSubnetNoAutoPublicIp:
    @pytest.mark.parametrize("value", [False, DELETE, "false"])
    def test_compliance(self, value: object) -> None:
        inputs = changed({"cidrBlock": "10.0.1.0/24"}, "mapPublicIpOnLaunch", value)
        assert evaluate(subnet_no_auto_public_ip, types.SUBNET, inputs) == []

    def test_noncompliance(self) -> None:
        inputs = {"cidrBlock": "10.0.1.0/24", "mapPublicIpOnLaunch": True}
        assert messages(evaluate(subnet_no_auto_public_ip, types.SUBNET, inputs))[0].startswith(
            "mapPublicIpOnLaunch is true"
        )

    def test_unknown(self) -> None:
        inputs = {"mapPublicIpOnLaunch": WIRE_UNKNOWN}
        assert evaluate(subnet_no_auto_public_ip, types.SUBNET, inputs)[0].unverifiable
