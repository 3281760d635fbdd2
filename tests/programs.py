"""The real stacks' programs, run once per test run and shared (treat them as read-only).

A mocked run of a whole stack costs seconds. Under xdist each worker is its own process, so a
per-process cache would repeat every run on every worker; instead the first worker to need a
run writes it to a directory the whole test run shares (xdist gives every worker the same run
id), under a file lock, and the others load it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from filelock import FileLock

from offline.runner import ProgramRun, run_program

STACKS = [("dev", False), ("dev", True), ("prod", False), ("prod", True)]
IDS = ["dev-update", "dev-preview", "prod-update", "prod-preview"]
SHARED_RUNS_PREFIX = "trading-platform-runs-"


def shared_runs_dir(run_id: str) -> Path:
    return Path(tempfile.gettempdir()) / f"{SHARED_RUNS_PREFIX}{run_id}"


@cache
def stack(name: str, preview: bool) -> ProgramRun:
    """``Pulumi.<name>.yaml`` as it is, in update or preview mode."""
    return variant(name, preview)


def variant(name: str, preview: bool, overrides: dict[str, Any] | None = None) -> ProgramRun:
    """``Pulumi.<name>.yaml`` with ``overrides`` (config values by full key), run once per run."""
    key = json.dumps([name, preview, overrides or {}], sort_keys=True)
    return _variant(key)


@cache
def _variant(key: str) -> ProgramRun:
    name, preview, overrides = json.loads(key)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:  # one process: the in-memory cache is enough
        return run_program(name, preview=preview, overrides=overrides or None)
    directory = shared_runs_dir(run_id)
    directory.mkdir(exist_ok=True)
    path = directory / hashlib.sha256(key.encode()).hexdigest()[:24]
    with FileLock(f"{path}.lock"):
        if path.exists():
            return pickle.loads(path.read_bytes())
        run = run_program(name, preview=preview, overrides=overrides or None)
        path.write_bytes(pickle.dumps(run))
        return run
