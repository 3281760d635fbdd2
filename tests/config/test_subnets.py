"""Subnet arithmetic: seed 002's layout inside any VPC large enough, as a property."""

from __future__ import annotations

import ipaddress
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config import SubnetTier
from components.config.subnets import check_subnets, default_subnets


@st.composite
def vpcs(draw: st.DrawFn) -> str:
    prefix = draw(st.integers(min_value=16, max_value=18))
    base = draw(st.integers(min_value=0, max_value=2**32 - 1))
    return str(ipaddress.IPv4Network((base, prefix), strict=False))


@given(vpc=vpcs(), az_count=st.integers(min_value=2, max_value=3))
def test_defaults_fit_the_vpc_without_overlap(vpc: str, az_count: int) -> None:
    plan = default_subnets(vpc, az_count)
    network = ipaddress.IPv4Network(vpc)
    subnets = [ipaddress.IPv4Network(c) for cidrs in plan.values() for c in cidrs]
    assert len(subnets) == 4 * az_count
    assert all(s.subnet_of(network) and s.prefixlen == 24 for s in subnets)
    assert not any(a.overlaps(b) for a, b in combinations(subnets, 2))
    assert check_subnets(vpc, plan) == []  # the validator agrees


def test_defaults_in_seed_vpc_match_seed_002() -> None:
    plan = default_subnets("10.0.0.0/16", 2)
    assert plan[SubnetTier.PUBLIC] == ["10.0.1.0/24", "10.0.2.0/24"]
    assert plan[SubnetTier.MATCHING_ENGINE] == ["10.0.31.0/24", "10.0.32.0/24"]


def test_defaults_refuse_a_vpc_too_small_for_the_layout() -> None:
    with pytest.raises(ValueError, match="/18 or larger"):
        default_subnets("10.0.0.0/20", 2)


def test_oversized_subnet_mask_is_rejected() -> None:
    plan = {SubnetTier.PUBLIC: ["10.0.0.0/29"]}
    (problem,) = check_subnets("10.0.0.0/16", plan)
    assert (problem.at, problem.problem) == (("public", 0), "10.0.0.0/29 has a /29 mask")
