"""kube-prometheus-stack (seed 002 section 6.2): its Helm values and its three AWS identities.

Prometheus scrapes the cluster (the chart's own jobs: kubelet and cAdvisor, kube-state-metrics,
node exporter, CoreDNS, the API server) and, through ``additionalScrapeConfigs``:

- the matching engines, EC2 hosts of an Auto Scaling group outside the cluster, found with EC2
  service discovery filtered on the group's ``aws:autoscaling:groupName`` tag (Prometheus
  ``ec2_sd_config``). A static list cannot follow the group's replacements and scale-outs.
- the MSK brokers' open-monitoring exporters, JMX on 11001 and node exporter on 11002 (MSK
  Developer Guide, "Set up a Prometheus host on an Amazon EC2 instance":
  https://docs.aws.amazon.com/msk/latest/developerguide/set-up-prometheus-host.html). MSK names
  its brokers ``b-<id>.<cluster domain>``; the SASL/IAM bootstrap string gives the domain, but
  lists no more than three brokers, so the targets are ``b-1`` .. ``b-<brokerCount>``.

Alertmanager always sends to the stack's alert topic (SNS, SigV4 with its Pod Identity role),
critical alerts also to PagerDuty and warnings also to Slack when their config secrets are set.
The secrets reach Alertmanager as files of a Kubernetes Secret (``alertmanagerSpec.secrets``,
mounted at ``/etc/alertmanager/secrets/<secret>/<key>``), never as chart values, so neither the
Helm release in Pulumi's state nor the chart's ConfigMaps hold them.

Grafana's admin login comes from an existing Kubernetes Secret (``grafana.admin.existingSecret``)
the program writes from a generated password, which it also keeps in Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.aws_context import AwsContext
from components.blocks import ServiceAccount
from components.config.observability import MonitoringConfig
from components.reachability import KAFKA_JMX_EXPORTER_PORT, KAFKA_NODE_EXPORTER_PORT

CHART = "kube-prometheus-stack"
REPOSITORY = "https://prometheus-community.github.io/helm-charts"
# Unverified against a cluster: the newest release seen in the prometheus-community/helm-charts
# release feed (https://newreleases.io/project/github/prometheus-community/helm-charts/release/
# kube-prometheus-stack-91.5.0); no offline check can prove it supports EKS 1.35.
CHART_VERSION = "91.5.0"
NAMESPACE = "monitoring"
RELEASE_NAME = "monitoring"
PROMETHEUS = ServiceAccount(NAMESPACE, "prometheus")
ALERTMANAGER = ServiceAccount(NAMESPACE, "alertmanager")
GRAFANA = ServiceAccount(NAMESPACE, "grafana")
GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_ADMIN_USER = "admin"
GRAFANA_USER_KEY = "admin-user"
GRAFANA_PASSWORD_KEY = "admin-password"
RECEIVERS_SECRET = "alertmanager-receivers"
SLACK_URL_KEY = "slack-webhook-url"
PAGER_DUTY_KEY = "pagerduty-routing-key"
# The Grafana sidecar loads every ConfigMap with this label as a dashboard (the chart's default
# label and value, set explicitly so the dashboards here cannot drift from it).
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
DATASOURCE_UID = "prometheus"
CLOUDWATCH_DATASOURCE_UID = "cloudwatch"
# Jobs of additionalScrapeConfigs; the dashboards and rules select on them.
ENGINE_JOB = "matching-engine"
KAFKA_JMX_JOB = "msk-jmx"
KAFKA_NODE_JOB = "msk-node"
# Prometheus stops at this share of its volume, before the disk fills (retentionSize).
RETENTION_SIZE_SHARE = 0.9
# The severities that reach people (the chart's rules also use info and none).
PAGED_SEVERITIES = ("critical", "warning")

# ec2:DescribeInstances supports no resource-level permissions and no condition key on the
# instances it returns (Service Authorization Reference, "Actions defined by Amazon EC2":
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html), so it
# can only be granted on "*"; it reveals instance metadata of the account, not data. The region
# condition keeps it to this stack's region. DescribeAvailabilityZones is optional (it only adds
# the zone-ID label) and is not granted.
DISCOVERY_ACTIONS = ("ec2:DescribeInstances",)
# Grafana's CloudWatch data source (seed 002 section 6.2), metrics only: the reads of
# AmazonGrafanaCloudWatchAccess's first statement that have no resource type, so "*" is their
# only resource (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
# AmazonGrafanaCloudWatchAccess.html). Not its Logs Insights queries, which would read the
# services' logs, nor the tag and EC2 lookups that only fill the editor's drop-downs.
CLOUDWATCH_READ_ACTIONS = (
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
)
# Publishing to an SSE-KMS topic needs the topic's key (SNS Developer Guide, "Setting up topic
# encryption": the publisher needs kms:GenerateDataKey* and kms:Decrypt on the key).
PUBLISH_KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:Decrypt")


@dataclass(frozen=True)
class ScrapeTargets:
    """What Prometheus scrapes outside the cluster. The values may be Outputs: they stay leaves
    of the values tree, so the rest of it is known in a preview (and checked by the pack)."""

    engine_asg_name: pulumi.Input[str]
    engine_metrics_port: int
    engine_metrics_path: str
    # Broker host names; None: no MSK exporters (MSK Serverless has no open monitoring).
    kafka_brokers: pulumi.Input[Sequence[str]] | None


@dataclass(frozen=True)
class Receivers:
    alert_topic_arn: pulumi.Input[str]
    slack: bool  # alertSlackWebhookUrl is set
    slack_channel: str | None
    pager_duty: bool  # alertPagerDutyRoutingKey is set


def broker_hosts(bootstrap_brokers: str, broker_count: int) -> list[str]:
    """Every broker's host, from the bootstrap string's domain and the broker count."""
    first = bootstrap_brokers.split(",", maxsplit=1)[0].strip().rsplit(":", 1)[0]
    prefix, _, domain = first.partition(".")
    if not prefix.startswith("b-") or not domain:
        raise ValueError(f"not an MSK broker address: {first!r}")
    return [f"b-{index}.{domain}" for index in range(1, broker_count + 1)]


def _with_port(hosts: pulumi.Input[Sequence[str]], port: int) -> pulumi.Input[list[str]]:
    if isinstance(hosts, Sequence) and not isinstance(hosts, str):
        return [f"{host}:{port}" for host in hosts]
    return pulumi.Output.from_input(hosts).apply(lambda known: [f"{h}:{port}" for h in known])


def _in_region(sid: str, actions: Sequence[str], ctx: AwsContext) -> list[dict[str, Any]]:
    """Actions with no resource-level permission: on ``*``, but only in this stack's region."""
    return [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ctx.region}},
        }
    ]


def prometheus_statements(ctx: AwsContext) -> list[dict[str, Any]]:
    return _in_region("DiscoverEngineHosts", DISCOVERY_ACTIONS, ctx)


def grafana_statements(ctx: AwsContext) -> list[dict[str, Any]]:
    return _in_region("ReadCloudWatchMetrics", CLOUDWATCH_READ_ACTIONS, ctx)


def alertmanager_statements(topic_arn: str, key_arn: str) -> list[dict[str, Any]]:
    """Publish to the alert topic and no other, with its key and no other."""
    return [
        {
            "Sid": "PublishToTheAlertTopic",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": topic_arn,
        },
        {
            "Sid": "EncryptForTheAlertTopic",
            "Effect": "Allow",
            "Action": list(PUBLISH_KEY_ACTIONS),
            "Resource": key_arn,
        },
    ]


def scrape_configs(ctx: AwsContext, targets: ScrapeTargets) -> list[dict[str, Any]]:
    """Prometheus ``scrape_config`` entries for the engines and the MSK exporters."""
    engine: dict[str, Any] = {
        "job_name": ENGINE_JOB,
        "metrics_path": targets.engine_metrics_path,
        "ec2_sd_configs": [
            {
                "region": ctx.region,
                "port": targets.engine_metrics_port,
                "refresh_interval": "60s",
                "filters": [
                    {"name": "tag:aws:autoscaling:groupName", "values": [targets.engine_asg_name]},
                    {"name": "instance-state-name", "values": ["running"]},
                ],
            }
        ],
        # The private IP is the default address; the instance ID and AZ name the series.
        "relabel_configs": [
            {"source_labels": ["__meta_ec2_instance_id"], "target_label": "instance"},
            {"source_labels": ["__meta_ec2_availability_zone"], "target_label": "zone"},
        ],
    }
    jobs = [engine]
    if targets.kafka_brokers is None:
        return jobs
    for job, port in (
        (KAFKA_JMX_JOB, KAFKA_JMX_EXPORTER_PORT),
        (KAFKA_NODE_JOB, KAFKA_NODE_EXPORTER_PORT),
    ):
        jobs.append(
            {
                "job_name": job,
                "static_configs": [{"targets": _with_port(targets.kafka_brokers, port)}],
                # host:port -> the broker's short name (b-1, b-2 ...).
                "relabel_configs": [
                    {
                        "source_labels": ["__address__"],
                        "regex": r"(b-\d+)\..*",
                        "target_label": "broker",
                    }
                ],
            }
        )
    return jobs


def alertmanager_config(ctx: AwsContext, receivers: Receivers) -> dict[str, Any]:
    """Critical and warning alerts to the alert topic; critical ones also to PagerDuty and
    warnings also to Slack when their secrets are set. Other severities (the chart's ``info``
    and ``none``: Watchdog, InfoInhibitor) page nobody and stay in Alertmanager and Grafana.

    Routes are tried in order and the first match wins unless it says ``continue``; a route
    without ``continue`` that matched ends the search (Alertmanager docs, "Configuration":
    route). Alertmanager's ``sns_configs`` sign with SigV4 from the default credential chain,
    here the pod's Pod Identity role.
    """
    secrets = f"/etc/alertmanager/secrets/{RECEIVERS_SECRET}"
    routes: list[dict[str, Any]] = []
    named: list[dict[str, Any]] = [
        {"name": "null"},
        {
            "name": "alert-topic",
            "sns_configs": [
                {
                    "topic_arn": receivers.alert_topic_arn,
                    "sigv4": {"region": ctx.region},
                    "subject": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
                    "send_resolved": True,
                }
            ],
        },
    ]
    if receivers.pager_duty:
        routes.append(
            {"matchers": ['severity="critical"'], "receiver": "pagerduty", "continue": True}
        )
        named.append(
            {
                "name": "pagerduty",
                "pagerduty_configs": [
                    {"routing_key_file": f"{secrets}/{PAGER_DUTY_KEY}", "send_resolved": True}
                ],
            }
        )
    if receivers.slack:
        slack: dict[str, Any] = {
            "api_url_file": f"{secrets}/{SLACK_URL_KEY}",
            "send_resolved": True,
        }
        if receivers.slack_channel:
            slack["channel"] = receivers.slack_channel
        routes.append({"matchers": ['severity="warning"'], "receiver": "slack", "continue": True})
        named.append({"name": "slack", "slack_configs": [slack]})
    routes.append(
        {"matchers": [f'severity=~"{"|".join(PAGED_SEVERITIES)}"'], "receiver": "alert-topic"}
    )
    return {
        "route": {
            # Seed 002 section 6.2's grouping and timing.
            "group_by": ["alertname", "severity"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "12h",
            "receiver": "null",
            "routes": routes,
        },
        "receivers": named,
    }


def _volume(storage_class: pulumi.Input[str], size_gb: int) -> dict[str, Any]:
    return {
        "volumeClaimTemplate": {
            "spec": {
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{size_gb}Gi"}},
            }
        }
    }


def alert_rules(consumer_lag_messages: int) -> dict[str, Any]:
    """Rules of our own beside the chart's: an engine that stops answering, and consumer lag
    over ``observability.consumerLagMessages`` (the CloudWatch alarm's threshold)."""
    return {
        "trading": {
            "groups": [
                {
                    "name": "trading",
                    "rules": [
                        {
                            "alert": "MatchingEngineDown",
                            "expr": f'up{{job="{ENGINE_JOB}"}} == 0',
                            "for": "2m",
                            "labels": {"severity": "critical"},
                            "annotations": {
                                "summary": "Matching engine {{ $labels.instance }} is not "
                                "answering Prometheus"
                            },
                        },
                        {
                            "alert": "KafkaConsumerLagHigh",
                            "expr": (
                                "sum by (groupId, topic) (kafka_consumer_group_ConsumerLagMetrics"
                                f'_Value{{job="{KAFKA_JMX_JOB}", name="SumOffsetLag"}}) > '
                                f"{consumer_lag_messages}"
                            ),
                            "for": "10m",
                            "labels": {"severity": "warning"},
                            "annotations": {
                                "summary": "{{ $labels.groupId }} lags on {{ $labels.topic }}"
                            },
                        },
                    ],
                }
            ]
        }
    }


def helm_values(
    ctx: AwsContext,
    config: MonitoringConfig,
    *,
    storage_class: pulumi.Input[str],
    targets: ScrapeTargets,
    receivers: Receivers,
    consumer_lag_messages: int,
) -> dict[str, Any]:
    memory = f"{config.prometheus_memory_gb}Gi"
    retention_size = int(config.prometheus_storage_gb * RETENTION_SIZE_SHARE)
    return {
        "fullnameOverride": RELEASE_NAME,
        # EKS runs these on the control plane, out of the cluster's reach; scraping them would
        # only raise "target down" alerts. kube-proxy serves metrics on localhost only.
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "prometheus": {
            "serviceAccount": {"create": True, "name": PROMETHEUS.name},
            "prometheusSpec": {
                "retention": f"{config.retention_days}d",
                "retentionSize": f"{retention_size}GB",
                "scrapeInterval": f"{config.scrape_interval_seconds}s",
                "resources": {"requests": {"memory": memory}, "limits": {"memory": memory}},
                "storageSpec": _volume(storage_class, config.prometheus_storage_gb),
                "additionalScrapeConfigs": scrape_configs(ctx, targets),
            },
        },
        "additionalPrometheusRulesMap": alert_rules(consumer_lag_messages),
        "alertmanager": {
            "serviceAccount": {"create": True, "name": ALERTMANAGER.name},
            "alertmanagerSpec": {
                "storage": _volume(storage_class, config.alertmanager_storage_gb),
                "secrets": [RECEIVERS_SECRET] if receivers.slack or receivers.pager_duty else [],
            },
            "config": alertmanager_config(ctx, receivers),
        },
        "grafana": {
            "serviceAccount": {"create": True, "name": GRAFANA.name},
            # The Secret's keys are the chart's defaults (admin.userKey, admin.passwordKey).
            "admin": {"existingSecret": GRAFANA_ADMIN_SECRET},
            "persistence": {
                "enabled": True,
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "size": f"{config.grafana_storage_gb}Gi",
            },
            # A ReadWriteOnce volume attaches to one pod: the old pod goes before the new.
            "deploymentStrategy": {"type": "Recreate"},
            "sidecar": {
                "dashboards": {
                    "enabled": True,
                    "label": DASHBOARD_LABEL,
                    "labelValue": DASHBOARD_LABEL_VALUE,
                },
                "datasources": {"enabled": True, "uid": DATASOURCE_UID},
            },
            # Credentials from the default chain: the pod's Pod Identity role.
            "additionalDataSources": [
                {
                    "name": "CloudWatch",
                    "type": "cloudwatch",
                    "uid": CLOUDWATCH_DATASOURCE_UID,
                    "jsonData": {"authType": "default", "defaultRegion": ctx.region},
                }
            ],
        },
    }
