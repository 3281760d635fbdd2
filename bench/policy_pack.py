"""Policy pack start-up time and analysis throughput over gRPC.

    python -m bench.policy_pack --count 2000 --config policies/config/prod.json

The resources come from a function (synthetic ones by default) so the captured prod stack can be
measured the same way: `run(lambda: captured_prod_stack, load_config(...))`.
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
) -> BenchResult:
    resources = list(source())
    with PolicyPackProcess(stack=stack) as pack:
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
    parser.add_argument("--count", type=int, default=1000, help="synthetic resources")
    parser.add_argument("--config", default="policies/config/prod.json")
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    print(run(lambda: synthetic_resources(args.count), load_config(args.config), stack=args.stack))


if __name__ == "__main__":
    main()
