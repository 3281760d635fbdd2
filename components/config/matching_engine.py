"""``trading-platform:matchingEngine``: the latency-critical EC2 fleet."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigReader, check_scaling


@dataclass(frozen=True)
class MatchingEngineConfig:
    instance_type: str
    min: int
    desired: int
    max: int
    tenancy: str
    cluster_placement: bool
    heap_gb: int
    volume_gb: int
    volume_iops: int
    volume_throughput: int


def parse_matching_engine(section: ConfigReader) -> MatchingEngineConfig:
    minimum, desired, maximum = (section.positive(k) for k in ("min", "desired", "max"))
    check_scaling(section.path, minimum, desired, maximum)
    config = MatchingEngineConfig(
        instance_type=section.instance_type("instanceType"),
        min=minimum,
        desired=desired,
        max=maximum,
        tenancy=section.string("tenancy", choices=("default", "dedicated")),
        cluster_placement=section.boolean("clusterPlacement"),
        heap_gb=section.positive("heapGb"),
        volume_gb=section.integer("volumeGb", minimum=8, maximum=16384),
        # gp3 limits: 3,000-16,000 IOPS and 125-1,000 MiB/s.
        volume_iops=section.integer("volumeIops", minimum=3000, maximum=16000),
        volume_throughput=section.integer("volumeThroughput", minimum=125, maximum=1000),
    )
    section.done()
    return config
