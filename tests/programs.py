"""The real stacks' programs, run once per test session and shared (treat them as read-only)."""

from __future__ import annotations

from functools import cache

from offline.runner import ProgramRun, run_program

STACKS = [("dev", False), ("dev", True), ("prod", False), ("prod", True)]
IDS = ["dev-update", "dev-preview", "prod-update", "prod-preview"]


@cache
def stack(name: str, preview: bool) -> ProgramRun:
    """``Pulumi.<name>.yaml`` as it is, in update or preview mode."""
    return run_program(name, preview=preview)
