"""Blocks run inside a bare host component, under the same mocks as the program."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from offline.runner import ProgramRun, run_component

HOST_TYPE = "test:blocks:Host"


class Host(pulumi.ComponentResource):
    def __init__(self, name: str = "host", *, protect: bool = False) -> None:
        super().__init__(HOST_TYPE, name, None, pulumi.ResourceOptions(protect=protect))


def run_in_host(build: Callable[[Host], Any], *, preview: bool = False) -> ProgramRun:
    """Runs ``build`` with a fresh host component as the parent of what it creates."""
    return run_component(lambda: build(Host()), preview=preview)


def host_urn(run: ProgramRun) -> str:
    return run.named("host").urn
