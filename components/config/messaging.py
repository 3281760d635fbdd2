"""``trading-platform:kafka``: the order, trade and market-data streams."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .reader import ConfigReader


class KafkaMode(StrEnum):
    SERVERLESS = "serverless"  # MSK Serverless, IAM auth only
    PROVISIONED = "provisioned"  # MSK brokers sized by the tier


@dataclass(frozen=True)
class KafkaConfig:
    mode: KafkaMode
    broker_count: int
    instance_type: str
    ebs_volume_gb: int
    provisioned_throughput_mibps: int


def parse_kafka(section: ConfigReader) -> KafkaConfig:
    mode = KafkaMode(section.string("mode", choices=[m.value for m in KafkaMode]))
    provisioned = mode is KafkaMode.PROVISIONED
    # Serverless has no brokers to size; the broker keys are then neither required nor used.
    config = KafkaConfig(
        mode=mode,
        broker_count=section.positive("brokerCount") if provisioned else 0,
        instance_type=section.instance_type("instanceType", prefix="kafka.") if provisioned else "",
        ebs_volume_gb=section.integer("ebsVolumeGb", minimum=1, maximum=16384)
        if provisioned
        else 0,
        provisioned_throughput_mibps=(
            section.integer("provisionedThroughputMiBps", 0, minimum=0) if provisioned else 0
        ),
    )
    section.done()
    return config
