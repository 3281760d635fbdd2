"""Run the program, or one component, under mocks and capture what it registers.

``run_program("dev", preview=True)`` is what ``pulumi preview --stack dev`` would have sent the
engine: every resource with its wire-form inputs and options, plus the stack outputs.
"""

from __future__ import annotations

import asyncio
import contextlib
import runpy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.stack import run_pulumi_func, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from .capture import UNKNOWN, CapturedResource, CapturingMonitor
from .mocks import PlatformMocks
from .stack_files import PROJECT_DIR, read_stack_files


@dataclass
class ProgramRun:
    stack: str
    preview: bool
    resources: list[CapturedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()
    """Stack outputs exported as secrets: plans show them masked."""
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """The invokes the program made (token, arguments), in order."""

    def of_type(self, type_token: str) -> list[CapturedResource]:
        """Resources of one type, by name (registration order is not deterministic)."""
        return sorted((r for r in self.resources if r.type == type_token), key=lambda r: r.name)

    def named(self, name: str) -> CapturedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def children_of(self, parent: CapturedResource) -> list[CapturedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def by_urn(self) -> dict[str, CapturedResource]:
        return {r.urn: r for r in self.resources}


class ProgramError(Exception):
    """The program failed; ``run`` holds whatever was registered before it did."""

    def __init__(self, cause: BaseException, run: ProgramRun) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.run = run


@contextmanager
def _mocked(
    project: str, stack: str, preview: bool, region: str, config: dict[str, str], secrets: list[str]
) -> Iterator[CapturingMonitor]:
    _fresh_event_loop()
    mocks = PlatformMocks(preview=preview, region=region)
    monitor = CapturingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config, secrets)
    try:
        yield monitor
    finally:
        pulumi.runtime.set_all_config({}, [])


def _calls(monitor: CapturingMonitor) -> list[tuple[str, dict[str, Any]]]:
    """The invokes the run's mocks answered (a live list: it fills as the program runs)."""
    mocks = monitor.mocks
    return mocks.calls if isinstance(mocks, PlatformMocks) else []


def _fresh_event_loop() -> None:
    """Closes the previous run's loop and starts a new one for this run.

    A run's loop stays open after it returns so that its Outputs can still be resolved; closing
    it here, with its executor, keeps a long test session from piling up descriptors.
    """
    with contextlib.suppress(RuntimeError):
        previous = asyncio.get_event_loop_policy().get_event_loop()
        if not previous.is_running() and not previous.is_closed():
            previous.run_until_complete(previous.shutdown_default_executor())
            previous.close()
    asyncio.set_event_loop(asyncio.new_event_loop())


def _execute(body: Callable[[], Any]) -> None:
    """Runs ``body`` as the language host does and waits for every registration to finish."""

    async def program() -> None:
        await run_pulumi_func(body)
        await wait_for_rpcs()

    _sync_await(program())


async def _resolve(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        if not await value.is_known():
            return UNKNOWN
        return await _resolve(await value.future())
    if isinstance(value, dict):
        return {k: await _resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [await _resolve(v) for v in value]
    return value


def _root_outputs() -> dict[str, Any]:
    root = settings.get_root_resource()
    return dict(getattr(root, "outputs", {}) or {})


def _stack_outputs() -> dict[str, Any]:
    return _sync_await(_resolve(_root_outputs()))


def _secret_outputs() -> frozenset[str]:
    async def secret(value: Any) -> bool:
        return isinstance(value, pulumi.Output) and await value.is_secret()

    return frozenset(name for name, value in _root_outputs().items() if _sync_await(secret(value)))


def run_program(
    stack: str,
    *,
    preview: bool,
    project_dir: Path = PROJECT_DIR,
    overrides: dict[str, Any] | None = None,
) -> ProgramRun:
    """Runs ``__main__.py`` with the named stack's real YAML (plus optional overrides)."""
    files = read_stack_files(stack, project_dir=project_dir, overrides=overrides)
    region = str(files.values.get("aws:region", "ap-northeast-2"))
    with _mocked(
        files.project, stack, preview, region, files.engine_config(), sorted(files.secret_keys)
    ) as monitor:
        run = ProgramRun(stack, preview, monitor.captured, invokes=_calls(monitor))
        try:
            _execute(lambda: runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__"))
        except Exception as error:
            raise ProgramError(error, run) from error
        run.outputs = _stack_outputs()
        run.secret_outputs = _secret_outputs()
    return run


def run_component(
    build: Callable[[], Any],
    *,
    preview: bool,
    stack: str = "test",
    region: str = "ap-northeast-2",
    config: dict[str, str] | None = None,
) -> ProgramRun:
    """Runs ``build`` (which creates one or more components) under the same mocks."""
    with _mocked("trading-platform", stack, preview, region, config or {}, []) as monitor:
        run = ProgramRun(stack, preview, monitor.captured, invokes=_calls(monitor))
        _execute(build)
        run.outputs = _stack_outputs()
        run.secret_outputs = _secret_outputs()
    return run


def resolve(value: Any) -> Any:
    """Resolves Outputs to plain values (UNKNOWN where not known), for assertions."""
    return _sync_await(_resolve(value))
