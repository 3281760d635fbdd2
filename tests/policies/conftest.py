"""The pack configured for prod, one per session: in this process for the mutation suites' many
cases, and started as the CLI starts it for the round trips that keep gRPC covered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from offline.analyzer_client import PolicyPackProcess

# The suites' shared assertions live in a plain module; let pytest explain their failures.
pytest.register_assert_rewrite("tests.policies.mutation")

from .in_process import InProcessPack  # noqa: E402
from .mutation import PROD  # noqa: E402


def _in_process(*, dry_run: bool) -> Iterator[PolicyPackProcess]:
    with InProcessPack(stack="prod", dry_run=dry_run) as process:
        process.configure(PROD)
        yield process


@pytest.fixture(scope="session")
def pack() -> Iterator[PolicyPackProcess]:
    yield from _in_process(dry_run=False)


@pytest.fixture(scope="session")
def preview_pack() -> Iterator[PolicyPackProcess]:
    yield from _in_process(dry_run=True)


def _over_grpc(*, dry_run: bool) -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(stack="prod", dry_run=dry_run) as process:
        process.configure(PROD)
        yield process


@pytest.fixture(scope="session")
def grpc_pack() -> Iterator[PolicyPackProcess]:
    yield from _over_grpc(dry_run=False)


@pytest.fixture(scope="session")
def grpc_preview_pack() -> Iterator[PolicyPackProcess]:
    yield from _over_grpc(dry_run=True)
