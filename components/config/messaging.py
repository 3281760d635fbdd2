"""``trading-platform:kafka``: the order, trade and market-data streams."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from .errors import ConfigError
from .reader import ConfigReader


class KafkaMode(StrEnum):
    """Who runs the brokers. A Strimzi-on-EKS mode would be a third member with its own component
    satisfying ``components.kafka.KafkaEndpoints``; it is not offered until it exists."""

    SERVERLESS = "serverless"  # MSK Serverless, IAM auth only
    PROVISIONED = "provisioned"  # MSK brokers sized by the tier


class CleanupPolicy(StrEnum):
    DELETE = "delete"
    COMPACT = "compact"
    COMPACT_DELETE = "compact,delete"


# CloudWatch enhanced-monitoring levels MSK Provisioned accepts.
ENHANCED_MONITORING = ("DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION")
# MSK Serverless fixes these (its developer guide, "Configuration properties for MSK Serverless
# clusters"): replication factor 3, min ISR 2, and max.message.bytes at most 8 MiB.
SERVERLESS_REPLICATION_FACTOR = 3
SERVERLESS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024
SERVERLESS_DEFAULT_MESSAGE_BYTES = 1_048_588
# MSK Serverless's default quota of partitions per cluster, from memory of the MSK quotas page
# (not re-checked offline); an account with a raised quota overrides nothing here yet.
SERVERLESS_MAX_PARTITIONS = 2400
# Provisioned storage throughput (MiB/s): only these broker sizes offer it, from 250 up to the
# size's maximum (MSK developer guide, "Manage storage throughput for Standard brokers").
MIN_PROVISIONED_THROUGHPUT = 250
MAX_PROVISIONED_THROUGHPUT: dict[str, int] = {
    "kafka.m5.4xlarge": 593,
    "kafka.m5.8xlarge": 850,
    "kafka.m5.12xlarge": 1000,
    "kafka.m5.16xlarge": 1000,
    "kafka.m5.24xlarge": 1000,
    "kafka.m7g.2xlarge": 312,
    "kafka.m7g.4xlarge": 625,
    "kafka.m7g.8xlarge": 1000,
    "kafka.m7g.12xlarge": 1000,
    "kafka.m7g.16xlarge": 1000,
}
# The MSK topic APIs behind ``aws.msk.Topic`` need Kafka 3.6.0 or later on a provisioned cluster.
MIN_TOPIC_API_VERSION = (3, 6)
_KAFKA_VERSION = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)\.(\d+|x)(\.tiered|\.kraft)?$")
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
_HOUR_MS = 3_600_000


@dataclass(frozen=True)
class TopicConfig:
    name: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int | None  # None on serverless, where MSK fixes it
    retention_hours: int  # -1 keeps data forever
    cleanup_policy: CleanupPolicy
    max_message_bytes: int

    def kafka_configs(self) -> dict[str, str]:
        """Topic-level Kafka settings as the MSK topic API takes them (strings)."""
        configs = {
            "cleanup.policy": self.cleanup_policy.value,
            "retention.ms": str(max(-1, self.retention_hours * _HOUR_MS)),
            "max.message.bytes": str(self.max_message_bytes),
        }
        if self.min_insync_replicas is not None:
            configs["min.insync.replicas"] = str(self.min_insync_replicas)
        return configs


@dataclass(frozen=True)
class KafkaConfig:
    mode: KafkaMode
    kafka_version: str  # "" on serverless, where MSK picks the version
    broker_count: int
    instance_type: str
    ebs_volume_gb: int
    provisioned_throughput_mibps: int
    default_replication_factor: int
    min_insync_replicas: int
    retention_hours: int
    max_message_bytes: int
    enhanced_monitoring: str
    scram: bool
    log_retention_days: int
    topics: tuple[TopicConfig, ...]


def _check_version(key: str, version: str) -> None:
    match = _KAFKA_VERSION.fullmatch(version)
    if not match:
        raise ConfigError(key, f"malformed Kafka version {version!r}", "e.g. '3.9.x' or '3.6.0'")
    if (int(match["major"]), int(match["minor"])) < MIN_TOPIC_API_VERSION:
        raise ConfigError(
            key,
            f"{version} is older than 3.6.0, which topics managed as resources need",
            "3.6.0 or later",
        )


def _parse_topic(
    name: str, section: ConfigReader, cluster: KafkaConfig, serverless: bool
) -> TopicConfig:
    if not _TOPIC_NAME.fullmatch(name):
        raise ConfigError(section.path, f"malformed topic name {name!r}", "1-249 of [a-zA-Z0-9._-]")
    partitions = section.positive("partitions")
    if serverless:
        replication = section.integer(
            "replicationFactor",
            SERVERLESS_REPLICATION_FACTOR,
            minimum=SERVERLESS_REPLICATION_FACTOR,
            maximum=SERVERLESS_REPLICATION_FACTOR,
        )
        if section.has("minInsyncReplicas"):
            raise ConfigError(
                section.key("minInsyncReplicas"),
                "cannot be set on MSK Serverless, which fixes it at 2",
            )
        min_isr = None
    else:
        replication = section.positive("replicationFactor", cluster.default_replication_factor)
        if replication > cluster.broker_count:
            raise ConfigError(
                section.key("replicationFactor"),
                f"{replication} is more than the {cluster.broker_count} brokers",
                f"1..{cluster.broker_count}",
            )
        min_isr = section.positive("minInsyncReplicas", cluster.min_insync_replicas)
        _check_min_isr(section.key("minInsyncReplicas"), min_isr, replication)
    max_bytes = section.positive(
        "maxMessageBytes",
        cluster.max_message_bytes,
        maximum=SERVERLESS_MAX_MESSAGE_BYTES if serverless else None,
    )
    topic = TopicConfig(
        name=name,
        partitions=partitions,
        replication_factor=replication,
        min_insync_replicas=min_isr,
        retention_hours=_retention_hours(section, cluster.retention_hours),
        cleanup_policy=CleanupPolicy(
            section.string("cleanupPolicy", "delete", choices=[p.value for p in CleanupPolicy])
        ),
        max_message_bytes=max_bytes,
    )
    section.done()
    return topic


def _retention_hours(section: ConfigReader, default: int) -> int:
    hours = section.integer("retentionHours", default, minimum=-1)
    if hours == 0:
        raise ConfigError(
            section.key("retentionHours"), "0 would delete data at once", "-1 (forever) or >= 1"
        )
    return hours


def _throughput(section: ConfigReader, instance_type: str) -> int:
    throughput = section.integer("provisionedThroughputMiBps", 0, minimum=0)
    if not throughput:
        return 0
    maximum = MAX_PROVISIONED_THROUGHPUT.get(instance_type)
    if maximum is None:
        raise ConfigError(
            section.key("provisionedThroughputMiBps"),
            f"{instance_type} brokers cannot have provisioned storage throughput",
            "0, or brokers of kafka.m5.4xlarge / kafka.m7g.2xlarge and larger",
        )
    if not MIN_PROVISIONED_THROUGHPUT <= throughput <= maximum:
        raise ConfigError(
            section.key("provisionedThroughputMiBps"),
            f"{throughput} MiB/s is outside what {instance_type} offers",
            f"0 or {MIN_PROVISIONED_THROUGHPUT}..{maximum}",
        )
    return throughput


def _check_min_isr(key: str, min_isr: int, replication: int) -> None:
    # With min ISR equal to the replication factor, one broker down stops every acks=all write.
    if min_isr >= replication:
        raise ConfigError(
            key,
            f"{min_isr} is not below the replication factor {replication}; "
            "losing one replica would block writes",
            f"1..{replication - 1}" if replication > 1 else "replication factor of 2 or more",
        )


def parse_kafka(section: ConfigReader, az_count: int) -> KafkaConfig:
    mode = KafkaMode(section.string("mode", choices=[m.value for m in KafkaMode]))
    provisioned = mode is KafkaMode.PROVISIONED
    version = section.string("kafkaVersion", "3.9.x") if provisioned else ""
    if provisioned:
        _check_version(section.key("kafkaVersion"), version)
    # Serverless has no brokers to size; the broker keys are then neither required nor used.
    broker_count = section.positive("brokerCount") if provisioned else 0
    if provisioned and broker_count % az_count:
        raise ConfigError(
            section.key("brokerCount"),
            f"{broker_count} is not a multiple of network.azCount ({az_count}); MSK spreads "
            "brokers evenly over the client subnets",
            f"a multiple of {az_count}",
        )
    if provisioned:
        replication = section.positive("defaultReplicationFactor", 3)
        if replication > broker_count:
            raise ConfigError(
                section.key("defaultReplicationFactor"),
                f"{replication} is more than the {broker_count} brokers",
                f"1..{broker_count}",
            )
        min_isr = section.positive("minInsyncReplicas", 2)
        _check_min_isr(section.key("minInsyncReplicas"), min_isr, replication)
    else:
        # MSK Serverless owns its broker settings; these keys would be silently ignored there.
        for key in (
            "kafkaVersion",
            "defaultReplicationFactor",
            "minInsyncReplicas",
            "enhancedMonitoring",
            "scram",
            "provisionedThroughputMiBps",
            "logRetentionDays",
        ):
            if section.has(key):
                raise ConfigError(section.key(key), "applies only to mode 'provisioned'")
        replication, min_isr = SERVERLESS_REPLICATION_FACTOR, 2
    instance_type = section.instance_type("instanceType", prefix="kafka.") if provisioned else ""
    config = KafkaConfig(
        mode=mode,
        kafka_version=version,
        broker_count=broker_count,
        instance_type=instance_type,
        ebs_volume_gb=section.integer("ebsVolumeGb", minimum=1, maximum=16384)
        if provisioned
        else 0,
        provisioned_throughput_mibps=_throughput(section, instance_type) if provisioned else 0,
        default_replication_factor=replication,
        min_insync_replicas=min_isr,
        retention_hours=_retention_hours(section, 168),
        # The seed's 10 MiB on brokers; MSK Serverless's own default (about 1 MiB) there.
        max_message_bytes=section.positive(
            "maxMessageBytes",
            10 * 1024 * 1024 if provisioned else SERVERLESS_DEFAULT_MESSAGE_BYTES,
            maximum=None if provisioned else SERVERLESS_MAX_MESSAGE_BYTES,
        ),
        enhanced_monitoring=section.string(
            "enhancedMonitoring", "DEFAULT", choices=ENHANCED_MONITORING
        )
        if provisioned
        else "",
        scram=section.boolean("scram", False) if provisioned else False,
        # Broker logs exist only where we run brokers.
        log_retention_days=section.log_retention_days("logRetentionDays") if provisioned else 0,
        topics=(),
    )
    topics = tuple(
        _parse_topic(name, topic, config, serverless=not provisioned)
        for name, topic in section.sections("topics").items()
    )
    if not provisioned:
        total = sum(t.partitions for t in topics)
        if total > SERVERLESS_MAX_PARTITIONS:
            raise ConfigError(
                section.key("topics"),
                f"{total} partitions exceed MSK Serverless's {SERVERLESS_MAX_PARTITIONS} "
                "per cluster",
            )
    section.done()
    return replace(config, topics=topics)
