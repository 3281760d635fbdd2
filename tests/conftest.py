"""Shared fixtures: the real stack files as the CLI would read them."""

from __future__ import annotations

import shutil
import uuid
from typing import Any

import pytest

from offline.stack_files import read_stack_files
from tests.programs import shared_runs_dir


def pytest_configure(config: pytest.Config) -> None:
    """The controller picks the run id its xdist workers share runs under (see programs.py)."""
    if hasattr(config, "workerinput") or not hasattr(config.option, "testrunuid"):
        return
    if config.option.testrunuid is None:
        config.option.testrunuid = uuid.uuid4().hex


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller removes the shared runs once every worker is done."""
    run_id = getattr(session.config.option, "testrunuid", None)
    if not hasattr(session.config, "workerinput") and run_id:
        shutil.rmtree(shared_runs_dir(run_id), ignore_errors=True)


@pytest.fixture
def dev_values() -> dict[str, Any]:
    """dev's config (Pulumi.yaml defaults + Pulumi.dev.yaml) as full ``namespace:key`` values."""
    return dict(read_stack_files("dev").values)


@pytest.fixture
def prod_values() -> dict[str, Any]:
    return dict(read_stack_files("prod").values)
