"""The real stacks hold what the blocks guarantee: the recipes are no longer re-typed anywhere."""

from __future__ import annotations

import pytest

from components.blocks import KEY_DELETION_WINDOW_DAYS, SECRET_RECOVERY_DAYS
from offline.runner import ProgramRun
from tests.programs import stack as shared_stack

STACKS = ["dev", "prod"]


def stack_run(stack: str) -> ProgramRun:
    return shared_stack(stack, False)


@pytest.mark.parametrize("stack", STACKS)
def test_every_key_is_rotated_and_has_an_alias(stack: str) -> None:
    run = stack_run(stack)
    keys = run.of_type("aws:kms/key:Key")
    aliased = {
        urn
        for alias in run.of_type("aws:kms/alias:Alias")
        for urn in alias.property_dependencies.get("targetKeyId", ())
    }
    assert keys
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == KEY_DELETION_WINDOW_DAYS
        assert key.urn in aliased, key.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_has_a_cmk_and_the_same_recovery_window(stack: str) -> None:
    secrets = stack_run(stack).of_type("aws:secretsmanager/secret:Secret")
    assert secrets
    for secret in secrets:
        assert secret.inputs["kmsKeyId"], secret.name
        assert secret.inputs["recoveryWindowInDays"] == SECRET_RECOVERY_DAYS, secret.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_log_group_is_encrypted(stack: str) -> None:
    groups = stack_run(stack).of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups
    assert all(group.inputs.get("kmsKeyId") for group in groups)
