"""Policy pack start-up time and analysis throughput over gRPC.

    python -m bench.policy_pack                 # the captured prod stack, update and preview
    python -m bench.policy_pack --synthetic 2000
    python -m bench.policy_pack --awsguard DIR  # side by side with @pulumi/awsguard
    python -m bench.policy_pack --awsguard DIR --repeat 5  # medians of 5 interleaved runs

For `--awsguard`, DIR holds `npm install @pulumi/awsguard @pulumi/policy`. A Node policy pack
serves the analyzer protocol itself: constructing `PolicyPack` (here `new AwsGuard(...)`) starts
@pulumi/policy's gRPC server and prints its port, which is all the CLI's policy pack host does
with it, so both packs are started and driven by the same client. awsguard's
`acm-certificate-expiration` calls the ACM API and is disabled (there is no AWS here).

The resources come from a function, so the real stack and synthetic loads are measured alike.
On a shared machine one run says little: `--repeat N` alternates the packs N times and reports
each figure's median.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from offline.analyzer_client import PolicyPackProcess, load_config
from offline.capture import UNKNOWN, CapturedResource
from offline.runner import run_program

_TEMPLATES: list[tuple[str, dict[str, Any]]] = [
    (
        "aws:ec2/securityGroup:SecurityGroup",
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}
            ]
        },
    ),
    (
        "aws:rds/instance:Instance",
        {"storageEncrypted": True, "kmsKeyId": UNKNOWN, "backupRetentionPeriod": 7},
    ),
    (
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
            "metadataOptions": {"httpTokens": "required"},
        },
    ),
    ("aws:lb/listener:Listener", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]}),
    ("aws:s3/bucket:Bucket", {}),
    ("aws:sns/topic:Topic", {"kmsMasterKeyId": UNKNOWN}),
]


def synthetic_resources(count: int) -> list[CapturedResource]:
    """`count` resources cycling through a mix of compliant and violating shapes."""
    resources = []
    for index, (type_, inputs) in zip(range(count), itertools.cycle(_TEMPLATES), strict=False):
        name = f"bench-{index}"
        resources.append(
            CapturedResource(
                urn=f"urn:pulumi:bench::trading-platform::{type_}::{name}",
                type=type_,
                name=name,
                custom=True,
                inputs=inputs,
                parent="",
                protect=False,
            )
        )
    return resources


@dataclass(frozen=True)
class BenchResult:
    policies: int
    resources: int
    startup_seconds: float
    analyze_seconds: float
    analyze_stack_seconds: float
    diagnostics: int

    @property
    def resources_per_second(self) -> float:
        return self.resources / self.analyze_seconds if self.analyze_seconds else float("inf")

    def __str__(self) -> str:
        return "\n".join(
            [
                f"policies: {self.policies}",
                f"start-up (process start -> port printed): {self.startup_seconds:.2f} s",
                (
                    f"Analyze: {self.resources} resources in {self.analyze_seconds:.2f} s "
                    f"({self.resources_per_second:.0f} resources/s)"
                ),
                f"AnalyzeStack: {self.analyze_stack_seconds:.2f} s",
                f"diagnostics: {self.diagnostics}",
            ]
        )


AWSGUARD_CONFIG: Final = {"all": "mandatory", "acm-certificate-expiration": "disabled"}
_AWSGUARD_PACK: Final = """const { AwsGuard } = require("@pulumi/awsguard");
new AwsGuard({ all: "mandatory" });
"""
# PolicyPackProcess starts `<python> -u -m pulumi.policy <engine> .` in the pack directory; this
# stands in for the interpreter and starts the Node pack instead.
_AWSGUARD_LAUNCHER: Final = """#!/bin/sh
exec node awsguard-pack.js
"""


def awsguard_process(directory: Path, *, stack: str, dry_run: bool) -> PolicyPackProcess:
    """@pulumi/awsguard served over the analyzer protocol from an npm install in `directory`."""
    if not (directory / "node_modules" / "@pulumi" / "awsguard").is_dir():
        raise SystemExit(f"run `npm install @pulumi/awsguard @pulumi/policy` in {directory}")
    (directory / "awsguard-pack.js").write_text(_AWSGUARD_PACK)
    launcher = directory / "awsguard-launch.sh"
    launcher.write_text(_AWSGUARD_LAUNCHER)
    launcher.chmod(0o755)
    return PolicyPackProcess(directory, str(launcher), stack=stack, dry_run=dry_run)


def median(results: Sequence[BenchResult]) -> BenchResult:
    """Each figure's median over repeated runs of the same pack on the same resources."""
    return BenchResult(
        policies=results[0].policies,
        resources=results[0].resources,
        startup_seconds=statistics.median(r.startup_seconds for r in results),
        analyze_seconds=statistics.median(r.analyze_seconds for r in results),
        analyze_stack_seconds=statistics.median(r.analyze_stack_seconds for r in results),
        diagnostics=results[0].diagnostics,
    )


def run(
    source: Callable[[], Sequence[CapturedResource]],
    config: Mapping[str, Any],
    *,
    stack: str = "prod",
    dry_run: bool = False,
    process: PolicyPackProcess | None = None,
) -> BenchResult:
    resources = list(source())
    with process or PolicyPackProcess(stack=stack, dry_run=dry_run) as pack:
        pack.configure(config)
        policies = len(pack.info().policies)
        started = time.perf_counter()
        found = [d for resource in resources for d in pack.resource_diagnostics(resource)]
        analyzed = time.perf_counter()
        found += pack.stack_diagnostics(resources)
        finished = time.perf_counter()
        return BenchResult(
            policies=policies,
            resources=len(resources),
            startup_seconds=pack.startup_seconds,
            analyze_seconds=analyzed - started,
            analyze_stack_seconds=finished - analyzed,
            diagnostics=len(found),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Policy pack start-up time and throughput.")
    parser.add_argument("--synthetic", type=int, default=0, help="N synthetic resources instead")
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--awsguard", type=Path, help="npm install dir of @pulumi/awsguard")
    parser.add_argument("--repeat", type=int, default=1, help="runs per pack (medians reported)")
    args = parser.parse_args()
    config = load_config(f"policies/config/{args.stack}.json")
    if args.awsguard:
        for preview in (False, True):
            captured = run_program(args.stack, preview=preview).resources
            ours: list[BenchResult] = []
            theirs: list[BenchResult] = []
            for _ in range(args.repeat):
                ours.append(run(lambda c=captured: c, config, stack=args.stack, dry_run=preview))
                guard = awsguard_process(args.awsguard, stack=args.stack, dry_run=preview)
                theirs.append(run(lambda c=captured: c, AWSGUARD_CONFIG, process=guard))
            mode = "preview" if preview else "update"
            print(f"stack {args.stack}, {mode} mode, trading-platform-policies:")
            print(median(ours))
            print(f"stack {args.stack}, {mode} mode, @pulumi/awsguard:")
            print(median(theirs))
        return
    if args.synthetic:
        print(f"{args.synthetic} synthetic resources:")
        print(run(lambda: synthetic_resources(args.synthetic), config, stack=args.stack))
        return
    for preview in (False, True):
        captured = run_program(args.stack, preview=preview).resources
        print(f"stack {args.stack}, {'preview' if preview else 'update'} mode:")
        print(run(lambda c=captured: c, config, stack=args.stack, dry_run=preview))


if __name__ == "__main__":
    main()
