"""Wall time and peak memory of the offline plan, next to the floor.

The floor is a process that only imports the SDK modules the plan ends up using (recorded from a
real plan run), so the difference is what the program, the mocks and the plan themselves cost.
Each figure is the median of several fresh processes. Run: ``python bench/offline_plan.py``.
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


def child_plan(stack: str) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from offline.__main__ import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main([stack])
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
        result = (
            child_plan(rest[0]) if kind == "plan" else child_floor(json.loads(sys.stdin.read()))
        )
        print(json.dumps(result))
        return

    print(f"{'what':<12}{'wall s (median)':>17}{'peak RSS MiB':>15}{'x floor (time)':>16}")
    for stack in ("dev", "prod"):
        plans = [measure(["plan", stack]) for _ in range(args.runs)]
        modules = plans[0][1]["modules"]
        floors = [measure(["floor"], json.dumps(modules)) for _ in range(args.runs)]
        plan_s = statistics.median(t for t, _ in plans)
        floor_s = statistics.median(t for t, _ in floors)
        plan_rss = statistics.median(float(r["rss"]) for _, r in plans)
        floor_rss = statistics.median(float(r["rss"]) for _, r in floors)
        print(f"{stack + ' plan':<12}{plan_s:>17.2f}{plan_rss:>15.0f}{plan_s / floor_s:>16.2f}")
        print(f"{stack + ' floor':<12}{floor_s:>17.2f}{floor_rss:>15.0f}{1:>16.2f}")
        print(f"  ({len(modules)} SDK modules imported by the {stack} plan)")


if __name__ == "__main__":
    main()
