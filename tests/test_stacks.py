"""The whole program from the real stack YAML, in update and preview mode."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.capture import UNKNOWN
from offline.runner import ProgramError, run_program
from offline.stack_files import MissingConfigError
from tests.config.test_stack_config import BAD_INPUTS
from tests.programs import IDS, STACKS, stack
from tests.resources import world_ingress


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_stack_evaluates_end_to_end(name: str, preview: bool) -> None:
    run = stack(name, preview)
    assert run.outputs["tier"] == {"dev": "startup", "prod": "scale"}[name]
    assert set(run.outputs["subnetIds"]) == {"public", "private", "database", "matchingEngine"}
    vpc_id = run.outputs["vpcId"]
    assert (vpc_id == UNKNOWN) if preview else vpc_id.startswith("vpc-")
    assert world_ingress(run.resources) == []


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_every_aws_resource_uses_the_tagging_provider(name: str, preview: bool) -> None:
    run = stack(name, preview)
    (provider,) = run.of_type("pulumi:providers:aws")
    # Provider inputs travel JSON-encoded on the wire.
    tags = json.loads(provider.inputs["defaultTags"])["tags"]
    assert tags["Stack"] == name
    assert tags["Environment"] == name
    assert {"Project", "Owner", "CostCenter"} <= set(tags)
    for resource in run.resources:
        if resource.custom and resource.type.startswith("aws:"):
            assert resource.provider.startswith(provider.urn + "::"), resource.name


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_every_component_child_has_its_component_as_parent(name: str, preview: bool) -> None:
    run = stack(name, preview)
    components = {r.urn for r in run.resources if r.type.startswith("trading:")}
    for resource in run.resources:
        if resource.type.startswith("aws:") and resource.custom:
            assert resource.parent in components, f"{resource.name} is not inside a component"


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_prod_protects_stateful_resources_and_dev_does_not(preview: bool) -> None:
    prod = {r.type for r in stack("prod", preview).resources if r.protect}
    assert {"aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup"} <= prod
    assert not any(r.protect for r in stack("dev", preview).resources)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [(case[1], case[2]) for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_config_fails_before_any_resource(overrides: dict[str, Any], key: str) -> None:
    # A key Pulumi.yaml declares without a default is refused by the CLI before the program
    # runs (MissingConfigError); everything else by the config model, before any resource.
    with pytest.raises((ProgramError, MissingConfigError)) as raised:
        run_program("dev", preview=True, overrides=overrides)
    error = raised.value
    if isinstance(error, ProgramError):
        assert str(error).startswith(f"{key}: ")
        assert error.run.resources == []
    else:
        assert f"'{key}'" in str(error)


def test_region_with_too_few_zones_fails_before_cloud_resources() -> None:
    overrides = {
        "aws:region": "us-west-1",
        "trading-platform:network": {
            "azCount": 3,
            "availabilityZones": ["us-west-1a", "us-west-1b", "us-west-1c"],
        },
    }
    with pytest.raises(ProgramError) as raised:
        run_program("dev", preview=False, overrides=overrides)
    assert str(raised.value) == (
        "trading-platform:network.azCount: is 3 but us-west-1 offers 2 standard zones"
    )
    assert [r.type for r in raised.value.run.resources] == ["pulumi:providers:aws"]


def test_every_config_problem_is_reported_before_any_resource() -> None:
    overrides = {
        "trading-platform:network": {"flowLogRetentionDays": 45, "azCount": 5},
        "trading-platform:postgres": {"iops": "fast"},
    }
    with pytest.raises(ProgramError) as raised:
        run_program("dev", preview=True, overrides=overrides)
    # Pulumi.dev.yaml sets network (flowLogRetentionDays) and not postgres: file order first.
    assert [line.split(": ")[0] for line in str(raised.value).splitlines()] == [
        "trading-platform:network.flowLogRetentionDays",
        "trading-platform:network.azCount",
        "trading-platform:postgres.iops",
        "(3 problems in Pulumi.dev.yaml)",
    ]
    assert raised.value.run.resources == []
