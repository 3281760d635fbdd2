"""The pack started as the CLI starts it, configured for prod, shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from offline.analyzer_client import PolicyPackProcess

# The suites' shared assertions live in a plain module; let pytest explain their failures.
pytest.register_assert_rewrite("tests.policies.mutation")

from .mutation import PROD  # noqa: E402


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(stack="prod", dry_run=False) as process:
        process.configure(PROD)
        yield process


@pytest.fixture(scope="module")
def preview_pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(stack="prod", dry_run=True) as process:
        process.configure(PROD)
        yield process
