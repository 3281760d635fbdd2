"""eks.privateAccess* and eks.accessEntries: bad values are refused with the key named."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from components.config.cluster import AccessPolicy
from tests.stack_values import base_values

P = "trading-platform"
CI = "arn:aws:iam::123456789012:role/ci-deployer"


def load(eks: dict[str, Any]) -> Any:
    return load_stack_config({**base_values("startup"), f"{P}:eks": eks}, stack="test").eks


def test_defaults_give_no_path_and_no_entries() -> None:
    eks = load({})
    assert not eks.has_private_access_path
    assert eks.access_entries == ()


def test_entries_by_name_with_policy_and_namespaces() -> None:
    eks = load({"accessEntries": {"oncall": {"principalArn": CI, "policy": "view",
                                             "namespaces": ["trading"]}},
                "privateAccessSecurityGroupIds": ["sg-0123456789abcdef0"]})  # fmt: skip
    (entry,) = eks.access_entries
    assert (entry.name, entry.policy, entry.namespaces) == (
        "oncall",
        AccessPolicy.VIEW,
        ("trading",),
    )
    assert eks.has_private_access_path


@pytest.mark.parametrize(
    ("eks", "key", "words"),
    [
        ({"privateAccessCidrs": ["0.0.0.0/0"]}, "eks.privateAccessCidrs[0]", "whole internet"),
        ({"privateAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}, "eks.privateAccessCidrs[0]",
         "whole internet"),
        ({"publicAccessCidrs": ["64.0.0.0/4"]}, "eks.publicAccessCidrs[0]", "whole internet"),
        ({"privateAccessCidrs": ["10.0.0.1/16"]}, "eks.privateAccessCidrs[0]", "CIDR"),
        ({"privateAccessSecurityGroupIds": ["sg-xyz"]}, "eks.privateAccessSecurityGroupIds[0]",
         "malformed id"),
        ({"accessEntries": {"ci": {"principalArn": "arn:aws:iam::1:role/x", "policy": "view"}}},
         "eks.accessEntries.ci.principalArn", "malformed principal ARN"),
        ({"accessEntries": {"ci": {"principalArn": CI, "policy": "root"}}},
         "eks.accessEntries.ci.policy", "unknown value 'root'"),
        ({"accessEntries": {"ci": {"principalArn": CI, "policy": "cluster-admin",
                                   "namespaces": ["trading"]}}},
         "eks.accessEntries.ci.namespaces", "cluster-wide"),
        ({"accessEntries": {"ci": {"policy": "view"}}}, "eks.accessEntries.ci.principalArn",
         "required"),
    ],
)  # fmt: skip
def test_bad_values_name_the_key(eks: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(StackConfigError) as caught:
        load(eks)
    keys = [e.key for e in caught.value.errors]
    assert f"{P}:{key}" in keys
    assert words in str(caught.value)
