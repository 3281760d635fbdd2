"""The offline mocks' invoke answers the program relies on."""

from __future__ import annotations

import pytest
from pulumi.runtime.mocks import MockCallArgs

from offline.mocks import PlatformMocks

GET_ADDON_VERSION = "aws:eks/getAddonVersion:getAddonVersion"


def call(token: str, args: dict[str, object]) -> tuple[dict[str, object], list[tuple[str, str]]]:
    mocks = PlatformMocks(preview=False, region="ap-northeast-2")
    return mocks.call(MockCallArgs(token, args, ""))


@pytest.mark.parametrize("version", ["1.34", "1.35"])
def test_addon_version_carries_the_kubernetes_version_asked_for(version: str) -> None:
    result, failures = call(
        GET_ADDON_VERSION,
        {"addonName": "coredns", "kubernetesVersion": version, "mostRecent": True},
    )
    assert failures == []
    assert result["version"] == f"v{version}.0-eksbuild.1+coredns"
    assert result["kubernetesVersion"] == version


def test_addon_version_of_an_unknown_addon_fails_loudly() -> None:
    result, failures = call(
        GET_ADDON_VERSION, {"addonName": "core-dns", "kubernetesVersion": "1.35"}
    )
    assert result == {}
    assert failures == [("addonName", "no mocked EKS add-on named 'core-dns'")]
