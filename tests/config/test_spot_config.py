"""eks.nodeGroups.<name>.capacityType spot: per-tier defaults and the rules, each naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import CapacityType, StackConfigError, Taint, load_stack_config
from components.config.cluster import SERVICE_NODE_GROUPS
from components.services import SERVICES
from tests.stack_values import base_values

P = "trading-platform"
SPOT_TAINT = "spot=true:NoSchedule"
TYPES = ["c6i.xlarge", "c5.xlarge", "c5a.xlarge"]


def groups_of(tier: str, groups: dict[str, Any] | None = None) -> dict[str, Any]:
    values = base_values(tier)
    if groups is not None:
        values[f"{P}:eks"] = {"nodeGroups": groups}
    config = load_stack_config(values, stack="test")
    return {group.name: group for group in config.eks.node_groups}


def problems(tier: str, groups: dict[str, Any]) -> dict[str, str]:
    """Every problem's key (without the project) and its messages, one a line."""
    with pytest.raises(StackConfigError) as caught:
        groups_of(tier, groups)
    found: dict[str, str] = {}
    for error in caught.value.errors:
        key = error.key.removeprefix(f"{P}:")
        found[key] = "\n".join(filter(None, [found.get(key), error.line]))
    return found


def spot_group(**overrides: Any) -> dict[str, Any]:
    group = {
        "capacityType": "spot",
        "instanceTypes": TYPES,
        "min": 0,
        "desired": 0,
        "max": 4,
        "taint": SPOT_TAINT,
    }
    return {**group, **overrides}


@pytest.mark.parametrize("tier", ["startup", "growth"])
def test_only_the_scale_tier_asks_for_spot(tier: str) -> None:
    groups = groups_of(tier)
    assert {g.capacity_type for g in groups.values()} == {CapacityType.ON_DEMAND}


def test_the_scale_tiers_batch_group() -> None:
    groups = groups_of("scale")
    batch = groups["batch"]
    assert batch.spot
    assert batch.capacity_type.eks_value == "SPOT"
    assert batch.ec2_instance_types == tuple(TYPES)
    assert batch.instance_type is None
    assert (batch.min, batch.desired, batch.max) == (0, 0, 10)
    assert batch.taint == Taint("spot", "true", "NoSchedule")
    assert [g.name for g in groups.values() if g.spot] == ["batch"]
    # On-demand groups keep their one type.
    assert groups["api"].ec2_instance_types == ("c6i.2xlarge",)


def test_the_batch_group_can_be_dropped_or_turned_on_elsewhere() -> None:
    assert "batch" not in groups_of("scale", {"batch": None})
    growth = groups_of("growth", {"batch": spot_group()})
    assert growth["batch"].spot
    assert growth["api"].capacity_type is CapacityType.ON_DEMAND


def test_the_services_groups_are_the_ones_that_may_not_be_spot() -> None:
    assert set(SERVICE_NODE_GROUPS) == {spec.node_group for spec in SERVICES.values()}


@pytest.mark.parametrize("group", SERVICE_NODE_GROUPS)
def test_no_services_group_may_be_spot(group: str) -> None:
    found = problems("scale", {group: spot_group(instanceType=None, min=1, desired=1)})
    key = f"eks.nodeGroups.{group}.capacityType"
    assert list(found) == [key]
    assert f"the {group} service runs on this group" in found[key]


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        ({"taint": None}, "taint", "a spot group needs a taint that keeps other pods off"),
        ({"taint": "spot=true:PreferNoSchedule"}, "taint", "keeps other pods off"),
        ({"instanceTypes": None}, "instanceTypes", "needs two or more types"),
        ({"instanceTypes": ["c6i.xlarge"]}, "instanceTypes", "needs two or more types"),
        (
            {"instanceTypes": ["c6i.xlarge", "c7g.xlarge"]},
            "instanceTypes",
            "mixes architectures: c6i.xlarge (x86_64), c7g.xlarge (arm64)",
        ),
        ({"instanceTypes": ["c6i.xlarge", "c5.2xlarge"]}, "instanceTypes", "mixes sizes"),
        ({"instanceTypes": ["c6i.xlarge", "r6i.xlarge"]}, "instanceTypes", "mixes sizes"),
        ({"instanceType": "c6i.xlarge"}, "instanceType", "lists its types in `instanceTypes`"),
    ],
)
def test_a_bad_spot_group_is_refused(overrides: dict[str, Any], key: str, words: str) -> None:
    found = problems("growth", {"jobs": spot_group(**overrides)})
    assert list(found) == [f"eks.nodeGroups.jobs.{key}"]
    assert words in found[f"eks.nodeGroups.jobs.{key}"]


def test_each_spot_type_needs_an_al2023_ami() -> None:
    found = problems("growth", {"jobs": spot_group(instanceTypes=["mac1.metal", "mac2.metal"])})
    assert sorted(found) == [
        "eks.nodeGroups.jobs.instanceTypes[0]",
        "eks.nodeGroups.jobs.instanceTypes[1]",
    ]
    assert (
        "mac2.metal has no Amazon Linux 2023 AMI" in found["eks.nodeGroups.jobs.instanceTypes[1]"]
    )


@pytest.mark.parametrize(
    ("group", "key", "words"),
    [
        ({"instanceTypes": TYPES}, "instanceTypes", "only a spot group lists several types"),
        ({"min": 0, "desired": 0}, "min", "only a spot group may scale to zero"),
    ],
)
def test_a_bad_on_demand_group_is_refused(group: dict[str, Any], key: str, words: str) -> None:
    found = problems("growth", {"api": group})
    assert list(found) == [f"eks.nodeGroups.api.{key}"]
    assert words in found[f"eks.nodeGroups.api.{key}"]


def test_an_on_demand_group_needs_its_type() -> None:
    found = problems("growth", {"extra": {"min": 1, "desired": 1, "max": 2}})
    assert list(found) == ["eks.nodeGroups.extra.instanceType"]


def test_every_problem_of_a_spot_group_at_once() -> None:
    bad = spot_group(instanceType=None, instanceTypes=["c6i.xlarge", "m7g.2xlarge"], taint=None)
    found = problems("scale", {"websocket": bad})
    assert sorted(found) == [
        "eks.nodeGroups.websocket.capacityType",
        "eks.nodeGroups.websocket.instanceTypes",
        "eks.nodeGroups.websocket.taint",
    ]
    types = found["eks.nodeGroups.websocket.instanceTypes"].splitlines()
    assert ["mixes architectures" in types[0], "mixes sizes" in types[1]] == [True, True]


def test_a_cluster_of_spot_groups_only_is_refused() -> None:
    found = problems("startup", {"general": spot_group(instanceType=None)})
    assert list(found) == ["eks.nodeGroups"]
    assert "the services need an on-demand group" in found["eks.nodeGroups"]
