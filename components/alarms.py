"""The stack's alarms as data: what each watches, when it fires and what to do about it.

``alarm_table`` is a pure function from the monitored resources' dimensions (component outputs)
and the tier's thresholds to ``AlarmSpec``s; ``create_alarm`` turns one spec into a CloudWatch
alarm that notifies a topic on ALARM and on OK.

Missing data is decided per alarm, by what silence means for that metric:
- ``breaching``: the metric is published every minute while the resource lives, so silence
  means it is gone (no healthy engine registered, database or cache node down).
- ``missing`` (keep the state): a second alarm on the same resource already treats silence
  as an outage; this one speaks only of saturation and should not page twice.
- ``notBreaching``: the metric exists only while there is traffic or work (latency, 5xx, lag
  of a group that has not committed yet, evictions): a quiet market is not an incident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .config import ObservabilityConfig

PERIOD_SECONDS = 60
# ElastiCache Serverless limits are in decimal gigabytes.
BYTES_PER_GB = 10**9


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str  # Average, Minimum, Maximum, Sum, or a percentile such as p99


@dataclass(frozen=True)
class AlarmSpec:
    key: str  # unique within the stack; the alarm is named <prefix>-<key>
    summary: str
    runbook: str
    comparison: str
    threshold: float
    missing_data: str
    metrics: Mapping[str, Metric]  # by metric-math id; exactly one unless ``expression``
    expression: str | None = None
    evaluation_periods: int = 3
    datapoints_to_alarm: int = 3


@dataclass(frozen=True)
class ServerlessCacheLimits:
    max_storage_gb: int
    max_ecpu_per_second: int


@dataclass(frozen=True)
class AlarmTargets:
    """Dimension values of everything alarmed on, all taken from component outputs."""

    alb_arn_suffix: pulumi.Input[str]
    api_target_group_arn_suffix: pulumi.Input[str]
    database: Mapping[str, pulumi.Input[str]]  # DBInstanceIdentifier or DBClusterIdentifier
    max_connections: int
    cache: Sequence[Mapping[str, pulumi.Input[str]]]  # one per node, or the Serverless cache
    kafka_cluster_name: pulumi.Input[str]
    # Topic outputs by config name, and the shared consumer groups with the topics they read.
    kafka_topics: Mapping[str, pulumi.Input[str]]
    consumer_groups: Mapping[str, Sequence[str]]
    nlb_arn_suffix: pulumi.Input[str]
    engine_target_group_arn_suffixes: Mapping[int, pulumi.Input[str]]  # by port
    engine_min_healthy: int  # 0 while the fleet is intentionally empty: no engine alarms
    # Set for ElastiCache Serverless, which has no nodes, CPU or memory percentage.
    serverless_cache: ServerlessCacheLimits | None = None


def _one(metric: Metric) -> dict[str, Metric]:
    return {"m1": metric}


def _api_alarms(t: AlarmTargets, c: ObservabilityConfig) -> list[AlarmSpec]:
    api = {"LoadBalancer": t.alb_arn_suffix, "TargetGroup": t.api_target_group_arn_suffix}
    return [
        AlarmSpec(
            key="api-latency-p99",
            summary=f"API p99 response time above {c.api_latency_p99_ms} ms for 3 minutes.",
            runbook="Check the api HPA and node group headroom, RDS Proxy borrow waits and "
            "cache latency; scale the api Deployment or the tier (seed 002 13.1).",
            comparison="GreaterThanThreshold",
            threshold=c.api_latency_p99_ms / 1000,  # TargetResponseTime is in seconds
            missing_data="notBreaching",
            metrics=_one(Metric("AWS/ApplicationELB", "TargetResponseTime", api, "p99")),
        ),
        AlarmSpec(
            key="api-5xx-rate",
            summary=f"More than {c.api_5xx_percent:g}% of API requests answered 5xx.",
            runbook="Read the api log group for errors, check the last deployment (roll back) "
            "and the database and cache alarms.",
            comparison="GreaterThanThreshold",
            threshold=c.api_5xx_percent,
            missing_data="notBreaching",
            metrics={
                "errors": Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", api, "Sum"),
                "requests": Metric("AWS/ApplicationELB", "RequestCount", api, "Sum"),
            },
            expression="100 * FILL(errors, 0) / requests",
        ),
    ]


def _database_alarms(t: AlarmTargets, c: ObservabilityConfig) -> list[AlarmSpec]:
    connections = c.db_connections_percent * t.max_connections / 100
    return [
        AlarmSpec(
            key="db-cpu",
            summary=f"PostgreSQL writer CPU above {c.cpu_percent:g}% (silence: writer down).",
            runbook="Performance Insights: top SQL and waits; move reads to replicas, or scale "
            "postgres.instanceClass.",
            comparison="GreaterThanThreshold",
            threshold=c.cpu_percent,
            missing_data="breaching",
            metrics=_one(Metric("AWS/RDS", "CPUUtilization", t.database, "Average")),
        ),
        AlarmSpec(
            key="db-connections",
            summary=f"PostgreSQL connections above {c.db_connections_percent:g}% of "
            f"max_connections ({t.max_connections}).",
            runbook="Look for connection leaks (pg_stat_activity by application), check RDS "
            "Proxy pinning; raise postgres.maxConnections with the instance class.",
            comparison="GreaterThanThreshold",
            threshold=connections,
            missing_data="missing",
            metrics=_one(Metric("AWS/RDS", "DatabaseConnections", t.database, "Maximum")),
        ),
    ]


def _node_cache_alarms(t: AlarmTargets, c: ObservabilityConfig) -> list[AlarmSpec]:
    alarms: list[AlarmSpec] = []
    for index, node in enumerate(t.cache, start=1):
        alarms += [
            AlarmSpec(
                key=f"cache-{index}-memory",
                summary=f"Cache node {index} memory above {c.memory_percent:g}% "
                "(silence: node down).",
                runbook="Find big or TTL-less keys (--bigkeys), check volatile-lru evictions; "
                "scale cache.nodeType or add shards.",
                comparison="GreaterThanThreshold",
                threshold=c.memory_percent,
                missing_data="breaching",
                metrics=_one(
                    Metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", node, "Average")
                ),
            ),
            AlarmSpec(
                key=f"cache-{index}-cpu",
                summary=f"Cache node {index} engine CPU above {c.cpu_percent:g}%.",
                runbook="SLOWLOG in the slow-log group, hot keys, O(N) commands; spread with "
                "cluster mode or a larger node type.",
                comparison="GreaterThanThreshold",
                threshold=c.cpu_percent,
                missing_data="missing",
                metrics=_one(Metric("AWS/ElastiCache", "EngineCPUUtilization", node, "Average")),
            ),
            _evictions(f"cache-{index}-evictions", node, c),
        ]
    return alarms


def _serverless_cache_alarms(
    t: AlarmTargets, limits: ServerlessCacheLimits, c: ObservabilityConfig
) -> list[AlarmSpec]:
    cache = t.cache[0]
    return [
        AlarmSpec(
            key="cache-storage",
            summary=f"Serverless cache data above {c.memory_percent:g}% of its "
            f"{limits.max_storage_gb} GB limit.",
            runbook="Find big or TTL-less keys; raise cache.serverless.maxStorageGb.",
            comparison="GreaterThanThreshold",
            threshold=c.memory_percent / 100 * limits.max_storage_gb * BYTES_PER_GB,
            missing_data="breaching",
            metrics=_one(Metric("AWS/ElastiCache", "BytesUsedForCache", cache, "Maximum")),
        ),
        AlarmSpec(
            key="cache-ecpu",
            summary=f"Serverless cache ECPU use above {c.cpu_percent:g}% of its "
            f"{limits.max_ecpu_per_second}/s limit.",
            runbook="Look for hot or O(N) commands; raise cache.serverless.maxEcpuPerSecond.",
            comparison="GreaterThanThreshold",
            # ECPUs are summed per minute; the limit is per second.
            threshold=c.cpu_percent / 100 * limits.max_ecpu_per_second * PERIOD_SECONDS,
            missing_data="missing",
            metrics=_one(Metric("AWS/ElastiCache", "ElastiCacheProcessingUnits", cache, "Sum")),
        ),
        _evictions("cache-evictions", cache, c),
    ]


def _evictions(
    key: str, dims: Mapping[str, pulumi.Input[str]], c: ObservabilityConfig
) -> AlarmSpec:
    return AlarmSpec(
        key=key,
        summary=f"Cache evicting more than {c.cache_evictions_per_minute} keys a minute.",
        runbook="Memory is full: keys with a TTL are being dropped early (volatile-lru); "
        "see the memory alarm and scale the cache.",
        comparison="GreaterThanThreshold",
        threshold=c.cache_evictions_per_minute,
        missing_data="notBreaching",
        metrics=_one(Metric("AWS/ElastiCache", "Evictions", dims, "Sum")),
    )


def _kafka_alarms(t: AlarmTargets, c: ObservabilityConfig) -> list[AlarmSpec]:
    # MSK publishes lag only for a group that is STABLE or EMPTY: a group stuck rebalancing (a
    # crash-looping consumer) goes silent rather than lagging, and that silence cannot page
    # without also paging for every group not yet deployed. Watch the consumers' own health.
    return [
        AlarmSpec(
            key=f"kafka-lag-{group}-{topic}".replace(".", "-"),
            summary=f"Consumer group {group} is more than {c.consumer_lag_messages} messages "
            f"behind on {topic}.",
            runbook="Check the group's consumers (crash loops, rebalances, slow downstream "
            "writes); add consumers up to the topic's partition count.",
            comparison="GreaterThanThreshold",
            threshold=c.consumer_lag_messages,
            missing_data="notBreaching",
            metrics=_one(
                Metric(
                    "AWS/Kafka",
                    "SumOffsetLag",
                    {
                        "Cluster Name": t.kafka_cluster_name,
                        "Consumer Group": group,
                        "Topic": t.kafka_topics[topic],
                    },
                    "Maximum",
                )
            ),
        )
        for group, topics in t.consumer_groups.items()
        for topic in topics
    ]


def _engine_alarms(t: AlarmTargets) -> list[AlarmSpec]:
    # 0: the fleet is empty on purpose (no engine build configured yet); nothing to watch.
    if t.engine_min_healthy == 0:
        return []
    return [
        AlarmSpec(
            key=f"engine-healthy-{port}",
            summary=f"Fewer than {t.engine_min_healthy} healthy matching engines on port {port}.",
            runbook="Check the matching-engine application and GC log groups and the ASG's "
            "activity; a failed instance refresh is rolled back from the ASG.",
            comparison="LessThanThreshold",
            threshold=t.engine_min_healthy,
            missing_data="breaching",
            metrics=_one(
                Metric(
                    "AWS/NetworkELB",
                    "HealthyHostCount",
                    {"LoadBalancer": t.nlb_arn_suffix, "TargetGroup": suffix},
                    "Minimum",
                )
            ),
            evaluation_periods=2,
            datapoints_to_alarm=2,
        )
        for port, suffix in sorted(t.engine_target_group_arn_suffixes.items())
    ]


def alarm_table(targets: AlarmTargets, config: ObservabilityConfig) -> list[AlarmSpec]:
    cache = (
        _serverless_cache_alarms(targets, targets.serverless_cache, config)
        if targets.serverless_cache
        else _node_cache_alarms(targets, config)
    )
    return [
        *_api_alarms(targets, config),
        *_database_alarms(targets, config),
        *cache,
        *_kafka_alarms(targets, config),
        *_engine_alarms(targets),
    ]


def _query(query_id: str, metric: Metric) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """An input of a metric-math alarm; only the expression's result is returned."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions=dict(metric.dimensions),
            period=PERIOD_SECONDS,
            stat=metric.statistic,
        ),
    )


def create_alarm(
    spec: AlarmSpec,
    *,
    name: str,
    name_prefix: str,
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """One alarm, notifying ``topic_arn`` when it fires and when it recovers."""
    single = None if spec.expression is not None else next(iter(spec.metrics.values()))
    percentile = single is not None and single.statistic.startswith("p")
    queries = (
        None
        if spec.expression is None
        else [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="rate", expression=spec.expression, label=spec.key, return_data=True
            ),
            *(_query(query_id, metric) for query_id, metric in spec.metrics.items()),
        ]
    )
    return aws.cloudwatch.MetricAlarm(
        name,
        name=f"{name_prefix}-{spec.key}",
        alarm_description=f"{spec.summary} Runbook: {spec.runbook}",
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=spec.evaluation_periods,
        datapoints_to_alarm=spec.datapoints_to_alarm,
        treat_missing_data=spec.missing_data,
        namespace=single.namespace if single else None,
        metric_name=single.name if single else None,
        dimensions=dict(single.dimensions) if single else None,
        period=PERIOD_SECONDS if single else None,
        statistic=single.statistic if single and not percentile else None,
        extended_statistic=single.statistic if single and percentile else None,
        metric_queries=queries,
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags={"Name": f"{name_prefix}-{spec.key}"},
        opts=opts,
    )
