"""``trading-platform:matchingEngine``: the latency-critical EC2 fleet."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from components.reachability import ENGINE_GRPC_PORT, ENGINE_METRICS_PORT, ENGINE_TCP_PORT

from .errors import SettingError, raise_all
from .instances import Architecture, architecture, check_al2023
from .schema import (
    FLAG,
    RETENTION_DAYS,
    SCHEMA,
    Choice,
    InstanceType,
    Integer,
    Text,
    Version,
    check_scaling,
    derived,
)

# Memory (GiB) per instance type, so a heap that cannot fit is an error at config time rather
# than an engine that the kernel OOM-kills on boot. The families here keep a fixed memory per
# vCPU across these sizes (compute 2, general purpose 4, memory optimised 8 GiB), Graviton
# (c7g, m7g, r7g ...) as much as x86; any other type needs an explicit ``memoryGib``.
_GIB_PER_VCPU = {
    "c6i": 2,
    "c6in": 2,
    "c7i": 2,
    "m6i": 4,
    "m7i": 4,
    "r6i": 8,
    "r7i": 8,
    "c6g": 2,
    "c7g": 2,
    "m6g": 4,
    "m7g": 4,
    "r6g": 8,
    "r7g": 8,
}
_VCPUS = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
INSTANCE_MEMORY_GIB: dict[str, int] = {
    f"{family}.{size}": ratio * vcpus
    for family, ratio in _GIB_PER_VCPU.items()
    for size, vcpus in _VCPUS.items()
    # Graviton 2 and 3 families stop at 16xlarge.
    if not (family.endswith("g") and size == "24xlarge")
}
# What the heap must leave for the OS, metaspace, thread stacks, direct buffers and the
# CloudWatch agent.
HEAP_HEADROOM_GIB = 1
_SIZE = Integer(1)
# The engine's own listeners; the metrics port must be another.
_TRAFFIC_PORTS = (ENGINE_TCP_PORT, ENGINE_GRPC_PORT)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class MatchingEngineConfig:
    instance_type: Annotated[str, InstanceType()] = Field(
        description="engine hosts; a Graviton type (c7g ...) gets the arm64 AL2023 AMI"
    )
    min: Annotated[int, _SIZE] = Field(description="fewest engines")
    desired: Annotated[int, _SIZE] = Field(description="engines at deploy time")
    max: Annotated[int, _SIZE] = Field(description="most engines")
    tenancy: Annotated[str, Choice(("default", "dedicated"))] = Field(
        description="`default` (shared hosts) or `dedicated`"
    )
    cluster_placement: Annotated[bool, FLAG] = Field(description="cluster placement group (one AZ)")
    heap_gb: Annotated[int, _SIZE] = Field(
        description=f"fixed JVM heap; must leave {HEAP_HEADROOM_GIB} GiB of memory"
    )
    # 0: from ``INSTANCE_MEMORY_GIB``, filled in by the validator below.
    memory_gib: Annotated[int, Integer(0)] = Field(
        0,
        description="host memory; required for types outside c6i/c6in/c7i/m6i/m7i/r6i/r7i "
        "and c6g/c7g/m6g/m7g/r6g/r7g",
        json_schema_extra=derived("from the instance type"),
    )
    volume_gb: Annotated[int, Integer(8, 16384)] = Field(description="gp3 root volume size")
    # gp3 limits: 3,000-16,000 IOPS and 125-1,000 MiB/s.
    volume_iops: Annotated[int, Integer(3000, 16000)] = Field(description="gp3 root volume IOPS")
    volume_throughput: Annotated[int, Integer(125, 1000)] = Field(
        description="gp3 root volume MiB/s"
    )
    artifact_prefix: Annotated[
        str,
        Text(
            r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*",
            "an S3 key prefix without leading or trailing '/', e.g. 'matching-engine'",
        ),
    ] = Field("matching-engine", description="S3 prefix of the engine builds")
    # None until CI has pushed a build: the fleet then stays at 0 hosts, because a host without
    # its build fails its health checks and the ASG would replace it every few minutes.
    artifact_version: (
        Annotated[
            str,
            Version(
                r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}",
                "one S3 key segment: letters, digits and . _ - (e.g. '1.4.2')",
                "artifact version",
            ),
        ]
        | None
    ) = Field(
        None,
        description="the build under `<artifactPrefix>/<version>/`; unset: no engines run "
        "(min and desired 0) until one is pushed",
    )
    log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        description="application and GC log groups"
    )
    # None follows Amazon Linux 2023's latest AMI, so a new AMI rolls the fleet on the next
    # deploy; an id pins it until changed here.
    ami_id: Annotated[str, Text(r"ami-[0-9a-f]{8,17}", "e.g. 'ami-0abc1234'")] | None = Field(
        None, description="pins the AMI; unset follows the latest AL2023"
    )

    # Spring Boot Actuator's Prometheus endpoint on a management port of its own, so metrics
    # are never served on the order-traffic listeners the NLB forwards.
    metrics_port: Annotated[int, Integer(1024, 65535)] = Field(
        ENGINE_METRICS_PORT,
        description="the engine's Prometheus metrics port (Actuator management port)",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = check_scaling(self.min, self.desired, self.max)
        if self.metrics_port in _TRAFFIC_PORTS:
            problems.append(
                SettingError(
                    f"{self.metrics_port} is an order-traffic port of the engine; metrics get "
                    "a port of their own",
                    f"1024..65535 except {', '.join(map(str, _TRAFFIC_PORTS))}",
                    at=("metricsPort",),
                )
            )
        try:
            check_al2023(self.instance_type)
        except SettingError as problem:
            problems.append(SettingError(problem.problem, problem.allowed, at=("instanceType",)))
        memory = self.memory_gib or INSTANCE_MEMORY_GIB.get(self.instance_type, 0)
        if not memory:
            problems.append(
                SettingError(
                    f"is required: the memory of {self.instance_type!r} is not in the known "
                    "table, so the heap cannot be checked against it",
                    "the instance type's memory in GiB",
                    at=("memoryGib",),
                )
            )
        elif self.heap_gb > memory - HEAP_HEADROOM_GIB:
            problems.append(
                SettingError(
                    f"{self.heap_gb} GiB does not fit {self.instance_type} ({memory} GiB) with "
                    f"{HEAP_HEADROOM_GIB} GiB left for the OS and off-heap memory",
                    f"1..{memory - HEAP_HEADROOM_GIB}",
                    at=("heapGb",),
                )
            )
        raise_all(problems)
        object.__setattr__(self, "memory_gib", memory)
        return self

    @property
    def fleet_min(self) -> int:
        """The ASG's minimum: ``min``, or 0 while no artifact version is configured."""
        return self.min if self.artifact_version else 0

    @property
    def fleet_desired(self) -> int:
        """The ASG's desired capacity: ``desired``, or 0 while no artifact version is set."""
        return self.desired if self.artifact_version else 0

    @property
    def architecture(self) -> Architecture:
        """The hosts' CPU architecture, from the instance type (it picks the AMI)."""
        return architecture(self.instance_type)
