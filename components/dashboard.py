"""The stack's CloudWatch dashboard body, as a pure function of resolved resource names.

One screen for an operator: API latency, traffic and errors first, then the stores behind
them (PostgreSQL, cache, Kafka), the matching engines, the edge firewall and recent errors in
the application logs. Every dimension value comes from a component output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WIDTH = 12  # two widgets per row on the 24-column grid
HEIGHT = 6
PERIOD_SECONDS = 60
# A CLOUDFRONT-scope web ACL reports to us-east-1, with WebACL and Rule dimensions only.
WAF_METRICS_REGION = "us-east-1"


@dataclass(frozen=True)
class DashboardTargets:
    region: str
    alb_arn_suffix: str
    target_group_arn_suffixes: Mapping[str, str]  # by exposed service (services.Service)
    database: dict[str, str]  # DBInstanceIdentifier or DBClusterIdentifier
    cache: list[dict[str, str]]  # per node (CacheClusterId) or the Serverless cache (clusterId)
    cache_serverless: bool
    kafka_cluster_name: str
    kafka_broker_count: int  # 0 for MSK Serverless, which has no brokers to name
    kafka_topics: list[str]
    consumer_groups: dict[str, list[str]]
    nlb_arn_suffix: str
    engine_target_group_arn_suffixes: dict[str, str]  # by port
    web_acl_name: str
    log_groups: list[str]  # application logs, the engine's included


def _metric(title: str, region: str, metrics: list[list[Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "period": PERIOD_SECONDS,
            "metrics": metrics,
            **extra,
        },
    }


def _dims(dimensions: dict[str, str]) -> list[str]:
    return [part for item in sorted(dimensions.items()) for part in item]


def _api(t: DashboardTargets) -> list[dict[str, Any]]:
    ns = "AWS/ApplicationELB"
    latency = [
        [
            ns,
            "TargetResponseTime",
            "LoadBalancer",
            t.alb_arn_suffix,
            "TargetGroup",
            suffix,
            {"stat": stat, "label": f"{role} {stat}"},
        ]
        for role, suffix in sorted(t.target_group_arn_suffixes.items())
        for stat in ("p99", "p95", "Average")
    ]
    requests = [
        [
            ns,
            "RequestCount",
            "LoadBalancer",
            t.alb_arn_suffix,
            "TargetGroup",
            suffix,
            {"stat": "Sum", "label": role},
        ]
        for role, suffix in sorted(t.target_group_arn_suffixes.items())
    ]
    alb = ["LoadBalancer", t.alb_arn_suffix]
    errors = [
        [ns, "HTTPCode_Target_5XX_Count", *alb, {"id": "target", "stat": "Sum", "visible": False}],
        [ns, "HTTPCode_ELB_5XX_Count", *alb, {"id": "elb", "stat": "Sum", "visible": False}],
        [ns, "RequestCount", *alb, {"id": "requests", "stat": "Sum", "visible": False}],
        [{"expression": "100 * (FILL(target, 0) + FILL(elb, 0)) / requests", "label": "5xx %"}],
    ]
    return [
        _metric("API response time (s)", t.region, latency),
        _metric("API requests", t.region, requests),
        _metric("5xx rate (%)", t.region, errors),
    ]


def _database(t: DashboardTargets) -> list[dict[str, Any]]:
    dims = _dims(t.database)
    return [
        _metric(
            "PostgreSQL writer: CPU (%) and connections",
            t.region,
            [
                ["AWS/RDS", "CPUUtilization", *dims, {"stat": "Average"}],
                ["AWS/RDS", "DatabaseConnections", *dims, {"stat": "Maximum", "yAxis": "right"}],
            ],
        )
    ]


def _cache(t: DashboardTargets) -> list[dict[str, Any]]:
    ns = "AWS/ElastiCache"
    if t.cache_serverless:
        dims = _dims(t.cache[0])
        return [
            _metric(
                "Cache (Serverless): data, ECPUs, evictions",
                t.region,
                [
                    [ns, "BytesUsedForCache", *dims, {"stat": "Maximum"}],
                    [ns, "ElastiCacheProcessingUnits", *dims, {"stat": "Sum", "yAxis": "right"}],
                    [ns, "Evictions", *dims, {"stat": "Sum", "yAxis": "right"}],
                ],
            )
        ]
    nodes = [_dims(node) for node in t.cache]
    return [
        _metric(
            "Cache memory (%)",
            t.region,
            [[ns, "DatabaseMemoryUsagePercentage", *d, {"stat": "Average"}] for d in nodes],
        ),
        _metric(
            "Cache engine CPU (%) and evictions",
            t.region,
            [[ns, "EngineCPUUtilization", *d, {"stat": "Average"}] for d in nodes]
            + [[ns, "Evictions", *d, {"stat": "Sum", "yAxis": "right"}] for d in nodes],
        ),
    ]


def _kafka(t: DashboardTargets) -> list[dict[str, Any]]:
    ns, cluster = "AWS/Kafka", ["Cluster Name", t.kafka_cluster_name]
    # Provisioned MSK reports bytes per broker at the DEFAULT level; Serverless has no brokers
    # and reports them per topic.
    if t.kafka_broker_count:
        scopes = [["Broker ID", str(b)] for b in range(1, t.kafka_broker_count + 1)]
    else:
        scopes = [["Topic", topic] for topic in t.kafka_topics]
    throughput = [
        [ns, metric, *cluster, *scope, {"stat": "Average"}]
        for metric in ("BytesInPerSec", "BytesOutPerSec")
        for scope in scopes
    ]
    lag = [
        [ns, "SumOffsetLag", *cluster, "Consumer Group", group, "Topic", topic, {"stat": "Maximum"}]
        for group, topics in sorted(t.consumer_groups.items())
        for topic in topics
    ]
    return [
        _metric("Kafka bytes in / out (per second)", t.region, throughput),
        _metric("Kafka consumer lag (messages)", t.region, lag),
    ]


def _engine(t: DashboardTargets) -> list[dict[str, Any]]:
    return [
        _metric(
            "Matching engines: healthy hosts",
            t.region,
            [
                [
                    "AWS/NetworkELB",
                    "HealthyHostCount",
                    "LoadBalancer",
                    t.nlb_arn_suffix,
                    "TargetGroup",
                    suffix,
                    {"stat": "Minimum", "label": f"port {port}"},
                ]
                for port, suffix in sorted(t.engine_target_group_arn_suffixes.items())
            ],
        )
    ]


def _edge(t: DashboardTargets) -> list[dict[str, Any]]:
    return [
        _metric(
            "WAF blocked requests",
            WAF_METRICS_REGION,
            [
                [
                    "AWS/WAFV2",
                    "BlockedRequests",
                    "WebACL",
                    t.web_acl_name,
                    "Rule",
                    "ALL",
                    {"stat": "Sum"},
                ]
            ],
        )
    ]


def _errors(t: DashboardTargets) -> dict[str, Any]:
    sources = " | ".join(f"SOURCE '{group}'" for group in t.log_groups)
    return {
        "type": "log",
        "properties": {
            "title": "Recent application errors",
            "region": t.region,
            "view": "table",
            "query": f"{sources} | fields @timestamp, @log, @message "
            "| filter @message like /(?i)(error|exception)/ | sort @timestamp desc | limit 50",
        },
    }


def dashboard_body(targets: DashboardTargets) -> str:
    """The dashboard JSON, widgets laid out left to right, two per row."""
    widgets = [
        *_api(targets),
        *_database(targets),
        *_cache(targets),
        *_kafka(targets),
        *_engine(targets),
        *_edge(targets),
        _errors(targets),
    ]
    placed = [
        {"x": (i % 2) * WIDTH, "y": (i // 2) * HEIGHT, "width": WIDTH, "height": HEIGHT, **w}
        for i, w in enumerate(widgets)
    ]
    return json.dumps({"widgets": placed}, sort_keys=True)
