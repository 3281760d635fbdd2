"""Grafana dashboards for the engine, Kafka consumer lag and the API, over metrics that exist.

- Engine: Micrometer's JVM and process metrics, which Spring Boot Actuator's Prometheus endpoint
  serves (``jvm_memory_used_bytes``, ``jvm_gc_pause_seconds``, ``process_cpu_usage``), and
  Prometheus' own ``up`` of the engine job.
- Kafka: the MSK JMX exporter's names. Consumer lag is the MBean
  ``kafka.consumer.group:type=ConsumerLagMetrics`` on port 11001 (MSK Developer Guide, "Use
  Prometheus metrics": https://docs.aws.amazon.com/msk/latest/developerguide/prometheus-metrics.html),
  exported as ``kafka_consumer_group_ConsumerLagMetrics_Value`` with ``groupId``, ``topic`` and
  ``name`` (SumOffsetLag, MaxOffsetLag ...); broker CPU from the node exporter on 11002.
- API: kube-state-metrics and cAdvisor (both scraped by the chart) for the api Deployment. Its
  request rate, latency and 5xx come from the ALB and stay on the CloudWatch dashboard.

Each dashboard is a ConfigMap the Grafana sidecar loads (``chart.DASHBOARD_LABEL``).
"""

from __future__ import annotations

import json
from typing import Any

from components.services import Service
from components.workloads import NAMESPACE as SERVICES_NAMESPACE

from .chart import DATASOURCE_UID, ENGINE_JOB, KAFKA_JMX_JOB, KAFKA_NODE_JOB

_WIDTH = 12
_HEIGHT = 8
_DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}


def _panel(index: int, title: str, expr: str, unit: str, legend: str) -> dict[str, Any]:
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": title,
        "datasource": _DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "gridPos": {
            "x": (index % 2) * _WIDTH,
            "y": (index // 2) * _HEIGHT,
            "w": _WIDTH,
            "h": _HEIGHT,
        },
        "targets": [
            {"refId": "A", "datasource": _DATASOURCE, "expr": expr, "legendFormat": legend}
        ],
    }


def _dashboard(uid: str, title: str, panels: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["trading"],
        "timezone": "utc",
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "schemaVersion": 39,
        "panels": [_panel(i, *panel) for i, panel in enumerate(panels)],
    }


def engine_dashboard() -> dict[str, Any]:
    job = f'job="{ENGINE_JOB}"'
    return _dashboard(
        "trading-engine",
        "Matching engine",
        [
            ("Engines answering", f"sum(up{{{job}}})", "none", "up"),
            ("Process CPU", f"process_cpu_usage{{{job}}}", "percentunit", "{{instance}}"),
            (
                "Heap used",
                f'sum by (instance) (jvm_memory_used_bytes{{{job}, area="heap"}})',
                "bytes",
                "{{instance}}",
            ),
            (
                "Time in GC pauses",
                f"sum by (instance) (rate(jvm_gc_pause_seconds_sum{{{job}}}[5m]))",
                "percentunit",
                "{{instance}}",
            ),
            (
                "Longest GC pause",
                f"max by (instance) (jvm_gc_pause_seconds_max{{{job}}})",
                "s",
                "{{instance}}",
            ),
        ],
    )


def kafka_dashboard() -> dict[str, Any]:
    lag = "kafka_consumer_group_ConsumerLagMetrics_Value"
    jmx, node = f'job="{KAFKA_JMX_JOB}"', f'job="{KAFKA_NODE_JOB}"'
    return _dashboard(
        "trading-kafka",
        "Kafka consumer lag",
        [
            (
                "Lag per group and topic (messages)",
                f'sum by (groupId, topic) ({lag}{{{jmx}, name="SumOffsetLag"}})',
                "none",
                "{{groupId}} / {{topic}}",
            ),
            (
                "Worst partition lag per group",
                f'max by (groupId) ({lag}{{{jmx}, name="MaxOffsetLag"}})',
                "none",
                "{{groupId}}",
            ),
            (
                "Bytes in per topic",
                "sum by (topic) (kafka_server_BrokerTopicMetrics_OneMinuteRate"
                f'{{{jmx}, name="BytesInPerSec", topic!=""}})',
                "Bps",
                "{{topic}}",
            ),
            (
                "Under-replicated partitions",
                "sum(kafka_server_ReplicaManager_Value"
                f'{{{jmx}, name="UnderReplicatedPartitions"}})',
                "none",
                "under-replicated",
            ),
            (
                "Broker CPU",
                f'1 - avg by (broker) (rate(node_cpu_seconds_total{{{node}, mode="idle"}}[5m]))',
                "percentunit",
                "{{broker}}",
            ),
        ],
    )


def api_dashboard() -> dict[str, Any]:
    where = f'namespace="{SERVICES_NAMESPACE}", container="{Service.API}"'
    return _dashboard(
        "trading-api",
        "API",
        [
            (
                "Available replicas",
                "kube_deployment_status_replicas_available"
                f'{{namespace="{SERVICES_NAMESPACE}", deployment="{Service.API}"}}',
                "none",
                "available",
            ),
            (
                "CPU per pod",
                f"sum by (pod) (rate(container_cpu_usage_seconds_total{{{where}}}[5m]))",
                "none",
                "{{pod}}",
            ),
            (
                "Memory per pod",
                f"sum by (pod) (container_memory_working_set_bytes{{{where}}})",
                "bytes",
                "{{pod}}",
            ),
            (
                "Restarts (1h)",
                f"sum(increase(kube_pod_container_status_restarts_total{{{where}}}[1h]))",
                "none",
                "restarts",
            ),
        ],
    )


def dashboards() -> dict[str, str]:
    """ConfigMap data: file name -> dashboard JSON."""
    return {
        f"{board['uid']}.json": json.dumps(board, sort_keys=True)
        for board in (engine_dashboard(), kafka_dashboard(), api_dashboard())
    }
