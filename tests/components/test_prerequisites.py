"""Prerequisites are looked up at preview and fail with the key and the fix, or are created."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from components.config import ConfigError
from components.prerequisites import (
    CREATE_ROLE_KEY,
    autoscaling_service_linked_role,
    hosted_zone_id,
)
from offline import mocks
from offline.runner import resolve, run_component


def _run(build: Any, preview: bool = True) -> Any:
    result: dict[str, Any] = {}

    def program() -> None:
        result["value"] = build()

    run = run_component(program, preview=preview)
    return run, result.get("value")


@pytest.fixture
def bare_account(monkeypatch: pytest.MonkeyPatch) -> mocks.MockAccount:
    account = dataclasses.replace(mocks.ACCOUNT, service_linked_roles=set(), hosted_zones=set())
    monkeypatch.setattr(mocks, "ACCOUNT", account)
    return account


def _role(create: bool) -> list[Any]:
    import pulumi

    return autoscaling_service_linked_role(
        create=create, opts=pulumi.ResourceOptions(), invoke=pulumi.InvokeOptions()
    )


def test_an_existing_role_is_found_and_nothing_is_created() -> None:
    run, needed = _run(lambda: _role(create=False))
    assert needed == []
    assert run.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole") == []


def test_a_missing_role_fails_at_preview_naming_the_key_and_the_fix(
    bare_account: mocks.MockAccount,
) -> None:
    with pytest.raises(ConfigError) as error:
        _run(lambda: _role(create=False))
    assert CREATE_ROLE_KEY in str(error.value)
    assert "create-service-linked-role" in str(error.value)


def test_the_stack_creates_the_role_when_asked(bare_account: mocks.MockAccount) -> None:
    run, needed = _run(lambda: _role(create=True))
    (role,) = run.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
    assert len(needed) == 1


def _zone(zone_id: str | None, zone_name: str | None, domain: str) -> str:
    import pulumi

    return hosted_zone_id(zone_id, zone_name, domain, pulumi.InvokeOptions())


def test_the_zone_is_found_by_name_and_must_contain_the_domain() -> None:
    _, zone = _run(lambda: _zone(None, "trading.example.com", "dev.trading.example.com"))
    assert resolve(zone).startswith("Z")
    with pytest.raises(ConfigError, match=r"edge\.domainName") as error:
        _run(lambda: _zone(None, "trading.example.com", "dev.other.example.net"))
    assert "not inside the hosted zone trading.example.com" in str(error.value)


def test_a_missing_zone_fails_naming_the_key(bare_account: mocks.MockAccount) -> None:
    with pytest.raises(ConfigError, match=r"edge\.hostedZoneName") as error:
        _run(lambda: _zone(None, "trading.example.com", "trading.example.com"))
    assert "create it" in str(error.value)


def test_a_private_zone_is_refused_by_id_and_not_found_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = dataclasses.replace(mocks.ACCOUNT, private_zones={"internal.example.com"})
    monkeypatch.setattr(mocks, "ACCOUNT", account)
    private_id = mocks.zone_id_of("internal.example.com")
    with pytest.raises(ConfigError, match="private zone"):
        _run(lambda: _zone(private_id, None, "internal.example.com"))
    with pytest.raises(ConfigError, match="no public Route 53 hosted zone"):
        _run(lambda: _zone(None, "internal.example.com", "internal.example.com"))
