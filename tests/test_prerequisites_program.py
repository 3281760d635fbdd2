"""The program's prerequisites: a new account fails at preview with the fix, or the stack
creates the service-linked role before the keys that name it."""

from __future__ import annotations

import dataclasses

import pytest

from components.config import ConfigError
from components.prerequisites import CREATE_ROLE_KEY
from offline import mocks
from offline.runner import ProgramError, run_program

CREATE = {"trading-platform:prerequisites": {"createAutoScalingServiceLinkedRole": True}}


@pytest.fixture
def new_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        mocks, "ACCOUNT", dataclasses.replace(mocks.ACCOUNT, service_linked_roles=set())
    )


@pytest.mark.usefixtures("new_account")
def test_a_new_account_fails_at_preview_before_any_key_naming_the_fix() -> None:
    with pytest.raises(ProgramError) as error:
        run_program("dev", preview=True)
    assert isinstance(error.value.cause, ConfigError)
    assert CREATE_ROLE_KEY in str(error.value)
    assert not any(r.type == "aws:kms/key:Key" for r in error.value.run.resources)


@pytest.mark.usefixtures("new_account")
def test_the_stack_creates_the_role_and_both_volume_keys_wait_for_it() -> None:
    run = run_program("dev", preview=True, overrides=CREATE)
    (role,) = run.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    waiting = {key.name for key in run.of_type("aws:kms/key:Key") if role.urn in key.dependencies}
    assert waiting == {"matching-engine-key", "services-key"}


def test_a_missing_hosted_zone_fails_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mocks, "ACCOUNT", dataclasses.replace(mocks.ACCOUNT, hosted_zones=set()))
    with pytest.raises(ProgramError) as error:
        run_program("dev", preview=True)
    assert "trading-platform:edge.hostedZoneName" in str(error.value)
