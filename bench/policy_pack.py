"""Policy pack start-up time and analysis throughput over gRPC.

    python -m bench.policy_pack                 # the captured prod stack, update and preview
    python -m bench.policy_pack --synthetic 2000

The resources come from a function, so the real stack and synthetic loads are measured alike.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
                f"start-up (process start -> port printed): {self.startup_seconds:.2f} s",
                (
                    f"Analyze: {self.resources} resources in {self.analyze_seconds:.2f} s "
                    f"({self.resources_per_second:.0f} resources/s)"
                ),
                f"AnalyzeStack: {self.analyze_stack_seconds:.2f} s",
                f"diagnostics: {self.diagnostics}",
            ]
        )


def run(
    source: Callable[[], Sequence[CapturedResource]],
    config: Mapping[str, Any],
    *,
    stack: str = "prod",
    dry_run: bool = False,
) -> BenchResult:
    resources = list(source())
    with PolicyPackProcess(stack=stack, dry_run=dry_run) as pack:
        pack.configure(config)
        started = time.perf_counter()
        found = [d for resource in resources for d in pack.resource_diagnostics(resource)]
        analyzed = time.perf_counter()
        found += pack.stack_diagnostics(resources)
        finished = time.perf_counter()
        return BenchResult(
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
    args = parser.parse_args()
    config = load_config(f"policies/config/{args.stack}.json")
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
