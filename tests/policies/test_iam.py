"""IAM: wildcard administrator, public trust, administrator managed policies."""

import json

import pytest

from policies.rules import service_types as st
from policies.rules.iam import iam_no_admin_attachment, iam_no_wildcard_admin, iam_trust_not_public

from .helpers import WIRE_UNKNOWN, evaluate, messages

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def doc(*statements: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class TestWildcardAdmin:
    def test_scoped_policy_passes(self) -> None:
        assert evaluate(iam_no_wildcard_admin, ROLE_POLICY, {"policy": doc(READ)}) == []

    @pytest.mark.parametrize(
        "statement",
        [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]},
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:Pass*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["*"]},
        ],
    )
    def test_admin_statements(self, statement: dict[str, object]) -> None:
        findings = evaluate(iam_no_wildcard_admin, ROLE_POLICY, {"policy": doc(READ, statement)})
        assert len(findings) == 1

    def test_service_wildcard_on_named_resources_passes(self) -> None:
        scoped = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
        assert evaluate(iam_no_wildcard_admin, ROLE_POLICY, {"policy": doc(scoped)}) == []

    def test_deny_star_is_fine_and_role_inline_policies_are_read(self) -> None:
        deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
        assert evaluate(iam_no_wildcard_admin, ROLE_POLICY, {"policy": doc(deny)}) == []
        admin = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
        role = {"assumeRolePolicy": doc(TRUST), "inlinePolicies": [{"policy": admin}]}
        [message] = messages(evaluate(iam_no_wildcard_admin, st.IAM_ROLE, role))
        assert message.startswith("inlinePolicies.0.policy:")

    def test_unknown_document_is_read_at_update(self) -> None:
        assert evaluate(iam_no_wildcard_admin, ROLE_POLICY, {"policy": WIRE_UNKNOWN}) == []


class TestTrustNotPublic:
    def test_service_trust_passes(self) -> None:
        assert evaluate(iam_trust_not_public, st.IAM_ROLE, {"assumeRolePolicy": doc(TRUST)}) == []

    @pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::*:root"]}])
    def test_anyone(self, principal: object) -> None:
        trust = doc({**TRUST, "Principal": principal})
        assert len(evaluate(iam_trust_not_public, st.IAM_ROLE, {"assumeRolePolicy": trust})) == 1

    def test_org_condition_restricts(self) -> None:
        condition = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
        trust = doc({**TRUST, "Principal": {"AWS": "*"}, "Condition": condition})
        assert evaluate(iam_trust_not_public, st.IAM_ROLE, {"assumeRolePolicy": trust}) == []

    def test_unknown_principal_inside_known_document(self) -> None:
        trust = {"Statement": [{**TRUST, "Principal": {"AWS": WIRE_UNKNOWN}}]}
        [finding] = evaluate(iam_trust_not_public, st.IAM_ROLE, {"assumeRolePolicy": trust})
        assert finding.unverifiable


class TestAdminAttachment:
    @pytest.mark.parametrize(
        ("arn", "count"),
        [
            ("arn:aws:iam::aws:policy/AdministratorAccess", 1),
            ("arn:aws:iam::aws:policy/PowerUserAccess", 1),
            ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", 0),
            ("arn:aws:iam::123456789012:policy/AdministratorAccess", 0),
            (WIRE_UNKNOWN, 0),
        ],
    )
    def test_policy_arns(self, arn: str, count: int) -> None:
        assert len(evaluate(iam_no_admin_attachment, ATTACHMENT, {"policyArn": arn})) == count

    def test_role_managed_policy_arns(self) -> None:
        role = {"managedPolicyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]}
        assert len(evaluate(iam_no_admin_attachment, st.IAM_ROLE, role)) == 1
