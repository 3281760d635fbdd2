"""``matchingEngine`` and ``kafka`` config: tier defaults, overrides and each bad input's error."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import (
    CleanupPolicy,
    ConfigError,
    KafkaMode,
    StackConfig,
    TopicConfig,
    load_stack_config,
)
from components.config.matching_engine import INSTANCE_MEMORY_GIB
from tests.stack_values import base_values

P = "trading-platform"
SEED_TOPICS = {
    "orders.commands": 24,
    "trades.events": 24,
    "market.data": 12,
    "positions.updates": 12,
}


def load(tier: str = "startup", **sections: Any) -> StackConfig:
    """A valid stack of ``tier`` with ``sections`` (matchingEngine=..., kafka=...) overridden."""
    values: dict[str, Any] = base_values(tier)
    values.update({f"{P}:{name}": section for name, section in sections.items()})
    return load_stack_config(values, stack="test")


def error_of(tier: str = "startup", **sections: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tier, **sections)
    return info.value


# --- matching engine -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "instance_type", "heap", "memory", "tenancy", "placement", "retention"),
    [
        ("startup", "c6i.large", 3, 4, "default", False, 14),
        ("growth", "c6i.xlarge", 6, 8, "default", True, 30),
        ("scale", "c6i.4xlarge", 24, 32, "dedicated", True, 90),
    ],
)
def test_engine_tier_defaults(
    tier: str,
    instance_type: str,
    heap: int,
    memory: int,
    tenancy: str,
    placement: bool,
    retention: int,
) -> None:
    engine = load(tier).matching_engine
    assert (engine.instance_type, engine.heap_gb, engine.memory_gib) == (
        instance_type,
        heap,
        memory,
    )
    assert (engine.tenancy, engine.cluster_placement) == (tenancy, placement)
    assert engine.log_retention_days == retention
    assert engine.artifact_prefix == "matching-engine"
    assert engine.ami_id is None


def test_memory_table_covers_the_tiers_and_common_families() -> None:
    assert INSTANCE_MEMORY_GIB["c6i.large"] == 4
    assert INSTANCE_MEMORY_GIB["c6i.4xlarge"] == 32
    assert INSTANCE_MEMORY_GIB["m7i.2xlarge"] == 32
    assert INSTANCE_MEMORY_GIB["r6i.xlarge"] == 32


def test_heap_larger_than_the_instance_memory_is_an_error() -> None:
    error = error_of(matchingEngine={"heapGb": 4})
    assert error.key == f"{P}:matchingEngine.heapGb"
    assert "c6i.large (4 GiB)" in str(error)
    assert error.allowed == "1..3"


def test_bigger_instance_admits_the_bigger_heap() -> None:
    engine = load(matchingEngine={"instanceType": "r6i.large", "heapGb": 15}).matching_engine
    assert (engine.memory_gib, engine.heap_gb) == (16, 15)


def test_unknown_instance_type_needs_explicit_memory() -> None:
    error = error_of(matchingEngine={"instanceType": "x2idn.16xlarge"})
    assert error.key == f"{P}:matchingEngine.memoryGib"
    assert "x2idn.16xlarge" in str(error)


def test_explicit_memory_is_checked_against_the_heap() -> None:
    engine = load(matchingEngine={"instanceType": "z1d.large", "memoryGib": 16}).matching_engine
    assert engine.memory_gib == 16
    error = error_of(matchingEngine={"instanceType": "z1d.large", "memoryGib": 3})
    assert error.key == f"{P}:matchingEngine.heapGb"


@pytest.mark.parametrize(
    ("override", "key", "fragment"),
    [
        ({"min": 1, "desired": 3, "max": 2}, "desired", "outside min..max (1..2)"),
        ({"min": 3, "desired": 3, "max": 2}, "min", "min (3) is greater than max (2)"),
        ({"desired": 0}, "desired", "must be positive"),
        ({"tenancy": "host"}, "tenancy", "unknown value 'host'"),
        ({"amiId": "al2023"}, "amiId", "malformed value 'al2023'"),
        ({"artifactPrefix": "/engine/"}, "artifactPrefix", "malformed value"),
        ({"artifactVersion": "v1/engine"}, "artifactVersion", "malformed artifact version"),
        ({"artifactVersion": "../1.4.2"}, "artifactVersion", "malformed artifact version"),
        ({"artifactVersion": "."}, "artifactVersion", "malformed artifact version"),
        ({"artifactVersion": ""}, "artifactVersion", "must be a non-empty string"),
        ({"artifactVersion": 1.5}, "artifactVersion", "write the version quoted"),
        ({"logRetentionDays": 10}, "logRetentionDays", "not a CloudWatch Logs retention"),
        ({"volumeIops": 20000}, "volumeIops", "3000..16000"),
        ({"heapSize": 3}, "heapSize", "unknown setting"),
    ],
)
def test_engine_bad_inputs_name_their_key(
    override: dict[str, Any], key: str, fragment: str
) -> None:
    error = error_of(matchingEngine=override)
    assert error.key == f"{P}:matchingEngine.{key}"
    assert fragment in str(error)


@pytest.mark.parametrize("tier", ["startup", "growth", "scale"])
def test_no_engines_run_until_an_artifact_version_is_configured(tier: str) -> None:
    engine = load(tier).matching_engine
    assert engine.artifact_version is None
    assert (engine.fleet_min, engine.fleet_desired) == (0, 0)
    # The configured sizes stay what they are, ready for the first release.
    assert engine.min >= 1
    assert engine.max >= engine.desired >= engine.min


@pytest.mark.parametrize("tier", ["startup", "growth", "scale"])
def test_a_configured_artifact_version_applies_the_sizes(tier: str) -> None:
    engine = load(tier, matchingEngine={"artifactVersion": "1.4.2"}).matching_engine
    assert engine.artifact_version == "1.4.2"
    assert (engine.fleet_min, engine.fleet_desired) == (engine.min, engine.desired)


def test_an_artifact_version_written_as_an_integer_is_its_digits() -> None:
    engine = load(matchingEngine={"artifactVersion": 20261201}).matching_engine
    assert engine.artifact_version == "20261201"


def test_ami_can_be_pinned() -> None:
    engine = load(matchingEngine={"amiId": "ami-0123456789abcdef0"}).matching_engine
    assert engine.ami_id == "ami-0123456789abcdef0"


# --- kafka ---------------------------------------------------------------------------------


def test_startup_is_serverless_with_the_seed_topics() -> None:
    kafka = load("startup").kafka
    assert kafka.mode is KafkaMode.SERVERLESS
    assert {t.name: t.partitions for t in kafka.topics} == SEED_TOPICS
    assert all(t.replication_factor == 3 for t in kafka.topics)
    # MSK Serverless fixes min ISR; the topic must not try to set it.
    assert all(t.min_insync_replicas is None for t in kafka.topics)
    assert all("min.insync.replicas" not in t.kafka_configs() for t in kafka.topics)
    assert (kafka.broker_count, kafka.instance_type, kafka.kafka_version) == (0, "", "")


@pytest.mark.parametrize(
    ("tier", "brokers", "instance_type", "throughput", "monitoring", "retention_hours"),
    [
        ("growth", 4, "kafka.m5.large", 0, "PER_BROKER", 72),
        ("scale", 6, "kafka.m7g.2xlarge", 250, "PER_TOPIC_PER_BROKER", 168),
    ],
)
def test_provisioned_tier_defaults(
    tier: str,
    brokers: int,
    instance_type: str,
    throughput: int,
    monitoring: str,
    retention_hours: int,
) -> None:
    kafka = load(tier).kafka
    assert kafka.mode is KafkaMode.PROVISIONED
    assert (kafka.broker_count, kafka.instance_type) == (brokers, instance_type)
    assert kafka.provisioned_throughput_mibps == throughput
    assert kafka.enhanced_monitoring == monitoring
    assert (kafka.default_replication_factor, kafka.min_insync_replicas) == (3, 2)
    assert kafka.retention_hours == retention_hours
    assert {t.name: t.partitions for t in kafka.topics} == SEED_TOPICS
    orders = kafka.topics[0]
    assert orders.kafka_configs() == {
        "cleanup.policy": "delete",
        "retention.ms": str(retention_hours * 3_600_000),
        "max.message.bytes": str(10 * 1024 * 1024),
        "min.insync.replicas": "2",
    }


def test_topic_settings_override_per_topic_and_null_removes_one() -> None:
    kafka = load(
        "scale",
        kafka={
            "topics": {
                "market.data": None,
                "orders.commands": {"partitions": 48, "retentionHours": -1},
                "audit.log": {"partitions": 6, "cleanupPolicy": "compact,delete"},
            }
        },
        # Nobody may still produce or consume the removed topic.
        access={
            "websocket": {"consumes": ["positions.updates"]},
            "matchingEngine": {"produces": ["trades.events"]},
        },
    ).kafka
    topics = {t.name: t for t in kafka.topics}
    assert "market.data" not in topics
    assert topics["orders.commands"].partitions == 48
    assert topics["orders.commands"].kafka_configs()["retention.ms"] == "-1"
    assert topics["audit.log"].cleanup_policy is CleanupPolicy.COMPACT_DELETE


def test_topic_configs_are_kafka_strings() -> None:
    topic = TopicConfig("t", 1, 3, 2, 24, CleanupPolicy.COMPACT, 1024)
    assert topic.kafka_configs() == {
        "cleanup.policy": "compact",
        "retention.ms": "86400000",
        "max.message.bytes": "1024",
        "min.insync.replicas": "2",
    }


@pytest.mark.parametrize(
    ("tier", "override", "key", "fragment"),
    [
        # Broker count must spread evenly over the AZs (growth has 2).
        ("growth", {"brokerCount": 3}, "brokerCount", "not a multiple of network.azCount (2)"),
        ("scale", {"brokerCount": 4}, "brokerCount", "not a multiple of network.azCount (3)"),
        # Replication above the broker count.
        (
            "growth",
            {"brokerCount": 2, "defaultReplicationFactor": 3},
            "defaultReplicationFactor",
            "3 is more than the 2 brokers",
        ),
        (
            "growth",
            {"topics": {"orders.commands": {"replicationFactor": 5}}},
            "topics.orders.commands.replicationFactor",
            "5 is more than the 4 brokers",
        ),
        # Min ISR at or above the replication factor.
        ("growth", {"minInsyncReplicas": 3}, "minInsyncReplicas", "not below the replication"),
        (
            "scale",
            {"topics": {"trades.events": {"replicationFactor": 2, "minInsyncReplicas": 2}}},
            "topics.trades.events.minInsyncReplicas",
            "not below the replication factor 2",
        ),
        # Partitions below 1.
        (
            "scale",
            {"topics": {"market.data": {"partitions": 0}}},
            "topics.market.data.partitions",
            "must be positive",
        ),
        ("startup", {"topics": {"x": {"partitions": -3}}}, "topics.x.partitions", "positive"),
        # Provisioned throughput only on the sizes that offer it, within their range.
        (
            "growth",
            {"provisionedThroughputMiBps": 250},
            "provisionedThroughputMiBps",
            "kafka.m5.large brokers cannot",
        ),
        (
            "scale",
            {"provisionedThroughputMiBps": 400},
            "provisionedThroughputMiBps",
            "400 MiB/s is outside",
        ),
        ("scale", {"kafkaVersion": "3.5.1"}, "kafkaVersion", "older than 3.6.0"),
        ("scale", {"kafkaVersion": "latest"}, "kafkaVersion", "malformed Kafka version"),
        ("scale", {"enhancedMonitoring": "PER_TOPIC"}, "enhancedMonitoring", "unknown value"),
        ("scale", {"retentionHours": 0}, "retentionHours", "0 would delete data"),
        ("scale", {"topics": {"bad topic": {"partitions": 1}}}, "topics.bad topic", "malformed"),
        (
            "scale",
            {"topics": {"market.data": {"cleanupPolicy": "purge"}}},
            "topics.market.data.cleanupPolicy",
            "unknown value 'purge'",
        ),
        (
            "scale",
            {"topics": {"market.data": {"partition": 3}}},
            "topics.market.data.partition",
            "did you mean 'partitions'",
        ),
        # Serverless: what MSK fixes cannot be set, and its limits hold.
        (
            "startup",
            {"topics": {"orders.commands": {"replicationFactor": 2}}},
            "topics.orders.commands.replicationFactor",
            "must be 3..3",
        ),
        (
            "startup",
            {"topics": {"orders.commands": {"minInsyncReplicas": 2}}},
            "topics.orders.commands.minInsyncReplicas",
            "fixes it at 2",
        ),
        (
            "startup",
            {"topics": {"orders.commands": {"maxMessageBytes": 10485760}}},
            "topics.orders.commands.maxMessageBytes",
            "must be 1..8388608",
        ),
        ("startup", {"scram": True}, "scram", "applies only to mode 'provisioned'"),
        ("startup", {"kafkaVersion": "3.9.x"}, "kafkaVersion", "only to mode 'provisioned'"),
        ("startup", {"brokerCount": 3}, "brokerCount", "unknown setting"),
        (
            "startup",
            {"topics": {"huge": {"partitions": 2400}}},
            "topics",
            "exceed MSK Serverless's 2400",
        ),
    ],
)
def test_kafka_bad_inputs_name_their_key(
    tier: str, override: dict[str, Any], key: str, fragment: str
) -> None:
    error = error_of(tier, kafka=override)
    assert error.key == f"{P}:kafka.{key}"
    assert fragment in str(error)


def test_scram_is_opt_in_on_provisioned() -> None:
    assert load("scale").kafka.scram is False
    assert load("scale", kafka={"scram": True}).kafka.scram is True
