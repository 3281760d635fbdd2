"""Shared fixtures: the real stack files as the CLI would read them."""

from __future__ import annotations

from typing import Any

import pytest

from offline.stack_files import read_stack_files


@pytest.fixture
def dev_values() -> dict[str, Any]:
    """dev's config (Pulumi.yaml defaults + Pulumi.dev.yaml) as full ``namespace:key`` values."""
    return dict(read_stack_files("dev").values)


@pytest.fixture
def prod_values() -> dict[str, Any]:
    return dict(read_stack_files("prod").values)
