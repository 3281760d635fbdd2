"""Wall time and peak memory of the offline plan, next to the floor.

The floor is a process that only imports the SDK modules the plan ends up using (recorded from a
real plan run), so the difference is what the program, the mocks and the plan themselves cost.
Each figure is the median of several fresh processes. Run: ``python -m bench.offline_plan``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SDK_PREFIXES = ("pulumi", "grpc", "google.protobuf")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_plan(stack: str, with_policy: str) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from offline.__main__ import main

    flags = [] if with_policy == "policy" else ["--no-policy"]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main([stack, *flags])
    modules = sorted(m for m in sys.modules if m.startswith(SDK_PREFIXES))
    return {"code": code, "rss": _peak_rss_mib(), "modules": modules}


def child_floor(modules: list[str]) -> dict[str, object]:
    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    return {"code": 0, "rss": _peak_rss_mib()}


def measure(args: list[str], stdin: str = "") -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "plan":
            result = child_plan(rest[0], rest[1])
        else:
            result = child_floor(json.loads(sys.stdin.read()))
        print(json.dumps(result))
        return

    print(f"{'what':<14}{'wall s (median)':>15}{'peak RSS MiB':>15}{'x floor (time)':>16}")
    print("(+policy: the plan with the pack's report; the pack runs in its own process)")
    for stack in ("dev", "prod"):
        plans = [measure(["plan", stack, "plan-only"]) for _ in range(args.runs)]
        modules = plans[0][1]["modules"]
        floors = [measure(["floor"], json.dumps(modules)) for _ in range(args.runs)]
        with_policy = [measure(["plan", stack, "policy"]) for _ in range(args.runs)]
        floor_s = statistics.median(t for t, _ in floors)
        for label, runs in (
            (f"{stack} floor", floors),
            (f"{stack} plan", plans),
            (f"{stack} +policy", with_policy),
        ):
            wall = statistics.median(t for t, _ in runs)
            rss = statistics.median(float(r["rss"]) for _, r in runs)
            print(f"{label:<14}{wall:>15.2f}{rss:>15.0f}{wall / floor_s:>16.2f}")
        print(f"  ({len(modules)} SDK modules imported by the {stack} plan)")


if __name__ == "__main__":
    main()
