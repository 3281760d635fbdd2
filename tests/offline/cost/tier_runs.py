"""One program run per tier, shared by the cost tests, priced at us-east-1's list prices (where
the price table has the most sourced figures): dev with a released engine build is the startup
tier, the same with ``tier: growth`` the growth tier, and prod (already run for other tests,
tests/programs.py) the scale tier. Inputs that name their own region (the DR replica, the WAF
ACL) keep it."""

from __future__ import annotations

from functools import cache
from typing import Any

from components.config import StackConfig, load_stack_config
from offline.cost.resources import CostResource, from_run
from offline.stack_files import read_stack_files
from tests.programs import stack, variant

REGION = "us-east-1"
# A released engine build, so the fleet runs its desired count (0 while none is set).
_RELEASED = {"trading-platform:matchingEngine": {"artifactVersion": "1.0.0"}}
_DEV_TIERS: dict[str, dict[str, Any]] = {
    "startup": _RELEASED,
    "growth": {**_RELEASED, "trading-platform:tier": "growth"},
}


@cache
def tier_resources(tier: str) -> tuple[CostResource, ...]:
    if tier == "scale":
        return tuple(from_run(stack("prod", False)))
    return tuple(from_run(variant("dev", False, _DEV_TIERS[tier])))


@cache
def tier_config(tier: str) -> StackConfig:
    name, overrides = ("prod", {}) if tier == "scale" else ("dev", _DEV_TIERS[tier])
    return load_stack_config(read_stack_files(name, overrides=overrides).values, stack=name)
