"""customer_managed_key: rotated, a 30-day window, the given policy, an alias, host children."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.blocks import KEY_DELETION_WINDOW_DAYS, customer_managed_key
from offline.runner import ProgramRun, resolve, run_component

from .conftest import Host, host_urn, run_in_host

STATEMENT = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "x"}, "Action": "kms:*"}


def key_run(
    preview: bool = False, grants: list[dict[str, Any]] | None = None, **options: Any
) -> ProgramRun:
    """One key ``k-key`` labelled ``trading-x`` under a host, with ``options`` on top; ``grants``
    become an Output inside the program (an Output belongs to the program's event loop)."""
    given: dict[str, Any] = {"protect": False, **options}

    def build(host: Any) -> Any:
        if grants is not None:
            given["grants"] = pulumi.Output.from_input(grants)
        return customer_managed_key(
            "k-key",
            parent=host,
            label="trading-x",
            description="d",
            statements=[STATEMENT],
            **given,
        )

    return run_in_host(build, preview=preview)


@pytest.mark.parametrize("preview", [False, True])
def test_key_is_rotated_with_the_longest_window_and_its_alias(preview: bool) -> None:
    run = key_run(preview, protect=True)
    key = run.named("k-key")
    alias = run.named("k-key-alias")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == KEY_DELETION_WINDOW_DAYS == 30
    assert json.loads(key.inputs["policy"])["Statement"] == [STATEMENT]
    assert key.inputs["tags"] == {"Name": "trading-x"}
    assert alias.inputs["name"] == "alias/trading-x"
    assert {key.parent, alias.parent} == {host_urn(run)}
    # The key holds the data; the alias is a pointer that can be recreated.
    assert (key.protect, alias.protect) == (True, False)


def test_alias_resource_name_and_region_are_passed_on() -> None:
    run = key_run(alias_resource_name="k-alias", region="us-east-1")
    assert run.named("k-alias").inputs["region"] == "us-east-1"
    assert run.named("k-key").inputs["region"] == "us-east-1"


def test_an_empty_key_policy_is_refused() -> None:
    errors: list[str] = []

    def build() -> None:
        try:
            customer_managed_key(
                "k", parent=Host(), label="l", description="d", statements=[], protect=False
            )
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert errors == ["key k: a key policy needs at least one statement"]
    assert not run.of_type("aws:kms/key:Key")


def test_returns_the_key_itself() -> None:
    keys: list[object] = []
    run_in_host(
        lambda host: keys.append(
            resolve(
                customer_managed_key(
                    "k",
                    parent=host,
                    label="l",
                    description="d",
                    statements=[STATEMENT],
                    protect=False,
                ).enable_key_rotation
            )
        )
    )
    assert keys == [True]


@pytest.mark.parametrize("preview", [False, True])
def test_grants_known_once_deployed_follow_the_fixed_statements(preview: bool) -> None:
    grant = {"Sid": "Later", "Effect": "Allow", "Principal": {"Service": "s"}, "Action": "kms:D"}
    run = key_run(preview, grants=[grant])
    assert json.loads(run.named("k-key").inputs["policy"])["Statement"] == [STATEMENT, grant]
