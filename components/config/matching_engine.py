"""``trading-platform:matchingEngine``: the latency-critical EC2 fleet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError
from .reader import ConfigReader, check_scaling

# Memory (GiB) per instance type, so a heap that cannot fit is an error at config time rather
# than an engine that the kernel OOM-kills on boot. The families here keep a fixed memory per
# vCPU across these sizes (compute 2, general purpose 4, memory optimised 8 GiB); any other type
# needs an explicit ``memoryGib``.
_GIB_PER_VCPU = {"c6i": 2, "c6in": 2, "c7i": 2, "m6i": 4, "m7i": 4, "r6i": 8, "r7i": 8}
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
}
# What the heap must leave for the OS, metaspace, thread stacks, direct buffers and the
# CloudWatch agent.
HEAP_HEADROOM_GIB = 1
_AMI_ID = re.compile(r"^ami-[0-9a-f]{8,17}$")
_ARTIFACT_PREFIX = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


@dataclass(frozen=True)
class MatchingEngineConfig:
    instance_type: str
    min: int
    desired: int
    max: int
    tenancy: str
    cluster_placement: bool
    heap_gb: int
    memory_gib: int
    volume_gb: int
    volume_iops: int
    volume_throughput: int
    artifact_prefix: str
    log_retention_days: int
    # None follows Amazon Linux 2023's latest AMI, so a new AMI rolls the fleet on the next
    # deploy; an id pins it until changed here.
    ami_id: str | None


def _memory_gib(section: ConfigReader, instance_type: str) -> int:
    override = section.integer("memoryGib", 0, minimum=0)
    if override:
        return override
    if instance_type not in INSTANCE_MEMORY_GIB:
        raise ConfigError(
            section.key("memoryGib"),
            f"is required: the memory of {instance_type!r} is not in the known table, "
            "so the heap cannot be checked against it",
            "the instance type's memory in GiB",
        )
    return INSTANCE_MEMORY_GIB[instance_type]


def parse_matching_engine(section: ConfigReader) -> MatchingEngineConfig:
    minimum, desired, maximum = (section.positive(k) for k in ("min", "desired", "max"))
    check_scaling(section.path, minimum, desired, maximum)
    instance_type = section.instance_type("instanceType")
    memory = _memory_gib(section, instance_type)
    heap = section.positive("heapGb")
    if heap > memory - HEAP_HEADROOM_GIB:
        raise ConfigError(
            section.key("heapGb"),
            f"{heap} GiB does not fit {instance_type} ({memory} GiB) with "
            f"{HEAP_HEADROOM_GIB} GiB left for the OS and off-heap memory",
            f"1..{memory - HEAP_HEADROOM_GIB}",
        )
    prefix = section.string(
        "artifactPrefix",
        "matching-engine",
        pattern=_ARTIFACT_PREFIX,
        describe="an S3 key prefix without leading or trailing '/', e.g. 'matching-engine'",
    )
    config = MatchingEngineConfig(
        instance_type=instance_type,
        min=minimum,
        desired=desired,
        max=maximum,
        tenancy=section.string("tenancy", choices=("default", "dedicated")),
        cluster_placement=section.boolean("clusterPlacement"),
        heap_gb=heap,
        memory_gib=memory,
        volume_gb=section.integer("volumeGb", minimum=8, maximum=16384),
        # gp3 limits: 3,000-16,000 IOPS and 125-1,000 MiB/s.
        volume_iops=section.integer("volumeIops", minimum=3000, maximum=16000),
        volume_throughput=section.integer("volumeThroughput", minimum=125, maximum=1000),
        artifact_prefix=prefix,
        log_retention_days=section.log_retention_days("logRetentionDays"),
        ami_id=section.optional_string("amiId", pattern=_AMI_ID, describe="e.g. 'ami-0abc1234'"),
    )
    section.done()
    return config
