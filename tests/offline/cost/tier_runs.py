"""One program run per tier in us-east-1 (where the price table has the most sourced figures),
shared by the cost tests: dev is the startup tier, dev with ``tier: growth`` the growth tier,
prod the scale tier."""

from __future__ import annotations

from functools import cache

from components.config import StackConfig, load_stack_config
from offline.cost.resources import CostResource, from_run
from offline.runner import run_program
from offline.stack_files import read_stack_files

TIER_STACKS = {"startup": ("dev", {}), "growth": ("dev", {"trading-platform:tier": "growth"}),
               "scale": ("prod", {})}  # fmt: skip
REGION = "us-east-1"


def _overrides(tier: str) -> dict[str, object]:
    stack, extra = TIER_STACKS[tier]
    # A released engine build, so the fleet runs its desired count (0 while none is set).
    engine = {"artifactVersion": "1.0.0"}
    overrides: dict[str, object] = {
        "aws:region": REGION,
        "trading-platform:matchingEngine": engine,
        **extra,
    }
    if stack == "prod":
        overrides["trading-platform:drRegion"] = "us-west-2"
    return overrides


@cache
def tier_resources(tier: str) -> tuple[CostResource, ...]:
    stack, _ = TIER_STACKS[tier]
    return tuple(from_run(run_program(stack, preview=False, overrides=_overrides(tier))))


@cache
def tier_config(tier: str) -> StackConfig:
    stack, _ = TIER_STACKS[tier]
    return load_stack_config(
        read_stack_files(stack, overrides=_overrides(tier)).values, stack=stack
    )
