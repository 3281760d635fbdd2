"""One finding of the deploy checks: what would fail or surprise on a real `pulumi up`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class DeployFinding:
    check: str  # e.g. "ordering-race", "version-support", "prerequisite", "stateful-replacement"
    level: Literal["error", "warning"]
    resource: str  # the URN it concerns, "" for the stack as a whole
    message: str
