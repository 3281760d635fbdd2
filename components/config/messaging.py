"""``trading-platform:kafka``: the order, trade and market-data streams."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass

from .errors import SettingError, raise_all
from .schema import (
    CHOICE,
    FLAG,
    RETENTION_DAYS,
    SCHEMA,
    Choice,
    InstanceType,
    Integer,
    Text,
    Version,
    derived,
    named,
)


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
# Never a number (it has three parts), but `pulumi config set --path kafka.kafkaVersion 3.9`
# writes one; Version says to quote it.
_KAFKA_VERSION = Version(
    r"\d+\.\d+\.(\d+|x)(\.tiered|\.kraft)?", "e.g. '3.9.x' or '3.6.0'", "Kafka version"
)
_TOPIC_NAME = Text(r"[a-zA-Z0-9._-]{1,249}", "1-249 of [a-zA-Z0-9._-]", "topic name")
# Keys MSK Serverless decides itself: set there, they would be silently ignored.
PROVISIONED_ONLY = (
    "kafkaVersion",
    "defaultReplicationFactor",
    "minInsyncReplicas",
    "enhancedMonitoring",
    "scram",
    "provisionedThroughputMiBps",
    "logRetentionDays",
)
# Broker sizing, which Serverless does not have at all.
BROKER_SIZING = ("brokerCount", "instanceType", "ebsVolumeGb")
_HOUR_MS = 3_600_000


class _RetentionHours(Integer):
    def validate(self, value: Any) -> int:
        hours = super().validate(value)
        if hours == 0:
            raise SettingError("0 would delete data at once", "-1 (forever) or >= 1")
        return hours

    def describe(self) -> str:
        return "hours, -1 keeps forever"


_RETENTION = _RetentionHours(-1)
_POSITIVE = Integer(1)


def _min_isr_problem(min_isr: int, replication: int) -> SettingError | None:
    # With min ISR equal to the replication factor, one broker down stops every acks=all write.
    if min_isr >= replication:
        return SettingError(
            f"{min_isr} is not below the replication factor {replication}; "
            "losing one replica would block writes",
            f"1..{replication - 1}" if replication > 1 else "replication factor of 2 or more",
            at=("minInsyncReplicas",),
        )
    return None


@dataclass(frozen=True, config=SCHEMA)
class TopicConfig:
    """A topic; unset keys take the cluster's defaults (``kafka.defaultReplicationFactor``...)."""

    name: Annotated[str, _TOPIC_NAME] = Field(description="the topic's key under `kafka.topics`")
    partitions: Annotated[int, _POSITIVE] = Field(description="partitions")
    replication_factor: Annotated[int, _POSITIVE] = Field(
        description="default `kafka.defaultReplicationFactor` (3, fixed on Serverless)"
    )
    # None on serverless, where MSK fixes it.
    min_insync_replicas: Annotated[int, _POSITIVE] | None = Field(
        description="default `kafka.minInsyncReplicas`; not settable on Serverless"
    )
    retention_hours: Annotated[int, _RETENTION] = Field(
        description="default `kafka.retentionHours`; -1 keeps data forever"
    )
    cleanup_policy: Annotated[CleanupPolicy, CHOICE] = Field(
        description="`delete` (default), `compact` or `compact,delete`"
    )
    max_message_bytes: Annotated[int, _POSITIVE] = Field(
        description="default `kafka.maxMessageBytes`"
    )

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


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class KafkaConfig:
    mode: Annotated[KafkaMode, CHOICE] = Field(
        description="`serverless` (MSK Serverless) or `provisioned` (MSK brokers)"
    )
    # "" on serverless, where MSK picks the version.
    kafka_version: Annotated[str, _KAFKA_VERSION] = Field(
        "3.9.x", description="provisioned; 3.6.0 or later (the topic API)"
    )
    # The broker sizing keys are 0 / "" on serverless and required when provisioned.
    broker_count: Annotated[int, _POSITIVE] = Field(
        0, description="provisioned; a multiple of `network.azCount`"
    )
    instance_type: Annotated[str, InstanceType("kafka.")] = Field(
        "", description="provisioned broker size"
    )
    ebs_volume_gb: Annotated[int, Integer(1, 16384)] = Field(
        0, description="provisioned; storage per broker"
    )
    provisioned_throughput_mibps: Annotated[int, Integer(0)] = Field(
        0,
        alias="provisionedThroughputMiBps",
        description="provisioned; 0, or 250 up to the size's maximum on kafka.m5.4xlarge / "
        "kafka.m7g.2xlarge and larger",
    )
    default_replication_factor: Annotated[int, _POSITIVE] = Field(
        3, description="provisioned; topic default (Serverless fixes 3)"
    )
    min_insync_replicas: Annotated[int, _POSITIVE] = Field(
        2, description="provisioned; topic default (Serverless fixes 2)"
    )
    retention_hours: Annotated[int, _RETENTION] = Field(168, description="topic default")
    # 0: the seed's 10 MiB on brokers, MSK Serverless's own default (about 1 MiB) there.
    max_message_bytes: Annotated[int, _POSITIVE] = Field(
        0,
        description=f"topic default; at most {SERVERLESS_MAX_MESSAGE_BYTES} on Serverless",
        json_schema_extra=derived(
            f"10485760 (provisioned), {SERVERLESS_DEFAULT_MESSAGE_BYTES} (serverless)"
        ),
    )
    enhanced_monitoring: Annotated[str, Choice(ENHANCED_MONITORING)] = Field(
        "DEFAULT", description="provisioned; CloudWatch metrics level"
    )
    scram: Annotated[bool, FLAG] = Field(
        False, description="provisioned; adds SCRAM auth, its secret and port 9096"
    )
    # Broker logs exist only where we run brokers: 0 on serverless, required when provisioned.
    log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        0, description="provisioned; broker log group"
    )
    topics: tuple[TopicConfig, ...] = Field(
        (),
        description="topics by name: `partitions`, `replicationFactor`, `minInsyncReplicas`, "
        "`retentionHours`, `cleanupPolicy`, `maxMessageBytes`; `null` drops a tier's topic",
    )

    @property
    def is_provisioned(self) -> bool:
        """MSK brokers we size, rather than MSK Serverless."""
        return self.mode is KafkaMode.PROVISIONED

    @property
    def provisioned_broker_count(self) -> int:
        """Brokers we run: 0 on MSK Serverless."""
        return self.broker_count if self.is_provisioned else 0

    @model_validator(mode="before")
    @classmethod
    def _serverless_has_no_brokers(cls, data: Any) -> Any:
        # Refused before the keys are validated, so these are the section's only problems.
        if not isinstance(data, dict) or data.get("mode") != KafkaMode.SERVERLESS.value:
            return data
        problems = [
            SettingError(
                "unknown setting on mode 'serverless': MSK Serverless has no brokers to size"
                if key in BROKER_SIZING
                else "applies only to mode 'provisioned'",
                at=(key,),
            )
            for key in data
            if key in PROVISIONED_ONLY or key in BROKER_SIZING
        ]
        raise_all(problems)
        return data

    @field_validator("topics", mode="before")
    @classmethod
    def _topics_with_cluster_defaults(cls, value: Any, info: ValidationInfo) -> Any:
        topics = named(value)
        if not isinstance(topics, list):
            return topics
        cluster = info.data
        serverless = cluster.get("mode") is not KafkaMode.PROVISIONED
        defaults: dict[str, Any] = {
            "replicationFactor": SERVERLESS_REPLICATION_FACTOR
            if serverless
            else cluster.get("default_replication_factor", 3),
            "minInsyncReplicas": None if serverless else cluster.get("min_insync_replicas", 2),
            "retentionHours": cluster.get("retention_hours", 168),
            "maxMessageBytes": cluster.get("max_message_bytes")
            or _default_message_bytes(serverless),
            "cleanupPolicy": CleanupPolicy.DELETE.value,
        }
        return [{**defaults, **t} if isinstance(t, dict) else t for t in topics]

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = self._topic_problems()
        if self.is_provisioned:
            problems += self._broker_problems()
        raise_all(problems)
        if self.is_provisioned:
            fixed: dict[str, Any] = {
                "max_message_bytes": self.max_message_bytes or _default_message_bytes(False)
            }
        else:
            fixed = {
                "kafka_version": "",
                "default_replication_factor": SERVERLESS_REPLICATION_FACTOR,
                "min_insync_replicas": 2,
                "max_message_bytes": self.max_message_bytes or _default_message_bytes(True),
                "enhanced_monitoring": "",
            }
        for name, value in fixed.items():
            object.__setattr__(self, name, value)
        return self

    def _broker_problems(self) -> list[SettingError]:
        problems = [
            SettingError("is required but not set", at=(key,))
            for key, value in (
                ("brokerCount", self.broker_count),
                ("instanceType", self.instance_type),
                ("ebsVolumeGb", self.ebs_volume_gb),
                ("logRetentionDays", self.log_retention_days),
            )
            if not value
        ]
        try:
            _check_version(self.kafka_version)
        except SettingError as problem:
            problems.append(SettingError(problem.problem, problem.allowed, at=("kafkaVersion",)))
        if self.broker_count and self.default_replication_factor > self.broker_count:
            problems.append(
                SettingError(
                    f"{self.default_replication_factor} is more than the {self.broker_count} "
                    "brokers",
                    f"1..{self.broker_count}",
                    at=("defaultReplicationFactor",),
                )
            )
        problem = _min_isr_problem(self.min_insync_replicas, self.default_replication_factor)
        if problem:
            problems.append(problem)
        if self.provisioned_throughput_mibps and self.instance_type:
            problems += _throughput_problems(self.provisioned_throughput_mibps, self.instance_type)
        return problems

    def _topic_problems(self) -> list[SettingError]:
        problems: list[SettingError] = []
        for index, topic in enumerate(self.topics):
            at = ("topics", index)
            if not self.is_provisioned and topic.min_insync_replicas is not None:
                problems.append(
                    SettingError(
                        "cannot be set on MSK Serverless, which fixes it at 2",
                        at=(*at, "minInsyncReplicas"),
                    )
                )
            if not self.is_provisioned:
                if topic.replication_factor != SERVERLESS_REPLICATION_FACTOR:
                    problems.append(
                        SettingError(
                            f"must be {SERVERLESS_REPLICATION_FACTOR}.."
                            f"{SERVERLESS_REPLICATION_FACTOR}, got {topic.replication_factor}",
                            f"{SERVERLESS_REPLICATION_FACTOR} on MSK Serverless",
                            at=(*at, "replicationFactor"),
                        )
                    )
                if topic.max_message_bytes > SERVERLESS_MAX_MESSAGE_BYTES:
                    problems.append(
                        SettingError(
                            f"must be 1..{SERVERLESS_MAX_MESSAGE_BYTES}, got "
                            f"{topic.max_message_bytes}",
                            f"1..{SERVERLESS_MAX_MESSAGE_BYTES}",
                            at=(*at, "maxMessageBytes"),
                        )
                    )
            elif (topic.min_insync_replicas, topic.replication_factor) != (
                self.min_insync_replicas,
                self.default_replication_factor,
            ) and topic.min_insync_replicas is not None:
                # Checked here only when the topic sets its own; the cluster's are checked once.
                problem = _min_isr_problem(topic.min_insync_replicas, topic.replication_factor)
                if problem:
                    problems.append(
                        SettingError(problem.problem, problem.allowed, at=(*at, *problem.at))
                    )
            if (
                self.is_provisioned
                and self.broker_count
                and topic.replication_factor > self.broker_count
            ):
                problems.append(
                    SettingError(
                        f"{topic.replication_factor} is more than the {self.broker_count} brokers",
                        f"1..{self.broker_count}",
                        at=(*at, "replicationFactor"),
                    )
                )
        if not self.is_provisioned:
            if self.max_message_bytes > SERVERLESS_MAX_MESSAGE_BYTES:
                problems.append(
                    SettingError(
                        f"must be 1..{SERVERLESS_MAX_MESSAGE_BYTES}, got {self.max_message_bytes}",
                        f"1..{SERVERLESS_MAX_MESSAGE_BYTES}",
                        at=("maxMessageBytes",),
                    )
                )
            total = sum(t.partitions for t in self.topics)
            if total > SERVERLESS_MAX_PARTITIONS:
                problems.append(
                    SettingError(
                        f"{total} partitions exceed MSK Serverless's {SERVERLESS_MAX_PARTITIONS} "
                        "per cluster",
                        at=("topics",),
                    )
                )
        return problems


def _default_message_bytes(serverless: bool) -> int:
    return SERVERLESS_DEFAULT_MESSAGE_BYTES if serverless else 10 * 1024 * 1024


def _check_version(version: str) -> None:
    major, minor = (int(part) for part in version.split(".")[:2])
    if (major, minor) < MIN_TOPIC_API_VERSION:
        raise SettingError(
            f"{version} is older than 3.6.0, which topics managed as resources need",
            "3.6.0 or later",
        )


def _throughput_problems(throughput: int, instance_type: str) -> list[SettingError]:
    at = ("provisionedThroughputMiBps",)
    maximum = MAX_PROVISIONED_THROUGHPUT.get(instance_type)
    if maximum is None:
        return [
            SettingError(
                f"{instance_type} brokers cannot have provisioned storage throughput",
                "0, or brokers of kafka.m5.4xlarge / kafka.m7g.2xlarge and larger",
                at=at,
            )
        ]
    if not MIN_PROVISIONED_THROUGHPUT <= throughput <= maximum:
        return [
            SettingError(
                f"{throughput} MiB/s is outside what {instance_type} offers",
                f"0 or {MIN_PROVISIONED_THROUGHPUT}..{maximum}",
                at=at,
            )
        ]
    return []
