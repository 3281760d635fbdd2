"""InClusterMonitoring: Prometheus, Alertmanager and Grafana in the cluster (seed 002 section 6.2).

One kube-prometheus-stack release in its own namespace, with:

- Prometheus keeping ``retentionDays`` of samples on an encrypted gp3 volume (the cluster's
  default StorageClass), scraping the cluster, the engines and the MSK exporters
  (``chart.scrape_configs``), with a Pod Identity role that may only list EC2 instances;
- Alertmanager routing to the stack's alert topic with a Pod Identity role that may publish to
  that topic alone, and to Slack / PagerDuty from config secrets (``chart.alertmanager_config``);
- Grafana on its own gp3 volume, its admin password generated here and kept in Secrets Manager
  under this component's CMK, the engine, Kafka and API dashboards, and CloudWatch as a second
  data source through a Pod Identity role that may only read metrics.

Like every Helm release of the stack it exists only once the cluster is reachable
(``eks.imageTag`` set), so the caller creates it only then.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.aws_context import AwsContext, account_administers_key
from components.blocks import (
    add_on_identity,
    child_options,
    customer_managed_key,
    json_secret,
    statements_json,
)
from components.config.observability import MonitoringConfig
from components.matching_engine import METRICS_PATH

from . import chart
from .dashboards import dashboards

GRAFANA_PASSWORD_LENGTH = 32


@dataclass(frozen=True)
class InClusterMonitoringArgs:
    name_prefix: str
    config: MonitoringConfig
    context: AwsContext
    cluster_name: pulumi.Output[str]  # ServiceCluster's: exists once the Pod Identity agent does
    kubernetes_provider: k8s.Provider
    storage_class: k8s.storage.v1.StorageClass  # encrypted gp3 (ClusterServices)
    engine_asg_name: pulumi.Input[str]
    engine_metrics_port: int
    # MSK Provisioned: the SASL/IAM bootstrap string and the broker count; None on Serverless,
    # which has no open monitoring.
    kafka_bootstrap_brokers: pulumi.Input[str] | None
    kafka_broker_count: int
    alert_topic_arn: pulumi.Input[str]
    alert_key_arn: pulumi.Input[str]
    consumer_lag_messages: int  # observability.consumerLagMessages, for the lag rule
    # Config secrets (None: that receiver is off); they reach the cluster as a Secret only.
    slack_webhook_url: pulumi.Input[str] | None
    pager_duty_routing_key: pulumi.Input[str] | None
    protect: bool


class InClusterMonitoring(pulumi.ComponentResource):
    grafana_secret_arn: pulumi.Output[str]  # the admin login, in Secrets Manager
    namespace: str

    def __init__(
        self, name: str, args: InClusterMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:monitoring:InClusterMonitoring", name, None, opts)
        self._name, self._args = name, args
        ctx = args.context

        prometheus = add_on_identity(
            self,
            self._args,
            "prometheus",
            "Prometheus EC2 discovery of the engines",
            chart.PROMETHEUS,
            statements_json(chart.prometheus_statements(ctx)),
        )
        alertmanager = add_on_identity(
            self,
            self._args,
            "alertmanager",
            "Alertmanager to the alert topic",
            chart.ALERTMANAGER,
            statements_json(
                pulumi.Output.all(args.alert_topic_arn, args.alert_key_arn).apply(
                    lambda arns: chart.alertmanager_statements(arns[0], arns[1])
                )
            ),
        )
        grafana = add_on_identity(
            self,
            self._args,
            "grafana",
            "Grafana's CloudWatch data source",
            chart.GRAFANA,
            statements_json(chart.grafana_statements(ctx)),
        )
        password = random.RandomPassword(
            f"{name}-grafana-password",
            length=GRAFANA_PASSWORD_LENGTH,
            special=False,
            opts=child_options(self),
        )
        key = customer_managed_key(
            f"{name}-key",
            parent=self,
            label=f"{args.name_prefix}-monitoring",
            description=f"{args.name_prefix}: monitoring secrets (Grafana admin)",
            statements=[account_administers_key(ctx)],
            protect=args.protect,
        )
        stored = json_secret(
            f"{name}-grafana-admin",
            parent=self,
            kms_key_arn=key.arn,
            description=f"{args.name_prefix}: Grafana admin login (kube-prometheus-stack)",
            value={"username": chart.GRAFANA_ADMIN_USER, "password": password.result},
            name=f"{args.name_prefix}/monitoring/grafana-admin",
        )
        self.grafana_secret_arn = stored.arn
        self.namespace = chart.NAMESPACE

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=chart.NAMESPACE),
            opts=self._in_cluster(),
        )
        in_namespace = self._in_cluster(namespace)
        objects: list[pulumi.Resource] = [
            k8s.core.v1.Secret(
                f"{name}-grafana-admin-login",
                metadata=self._metadata(chart.GRAFANA_ADMIN_SECRET),
                string_data={
                    chart.GRAFANA_USER_KEY: chart.GRAFANA_ADMIN_USER,
                    chart.GRAFANA_PASSWORD_KEY: password.result,
                },
                opts=in_namespace,
            ),
            k8s.core.v1.ConfigMap(
                f"{name}-dashboards",
                metadata=self._metadata(
                    "trading-dashboards", {chart.DASHBOARD_LABEL: chart.DASHBOARD_LABEL_VALUE}
                ),
                data=dashboards(),
                opts=in_namespace,
            ),
        ]
        receiver_files = {
            key: value
            for key, value in (
                (chart.SLACK_URL_KEY, args.slack_webhook_url),
                (chart.PAGER_DUTY_KEY, args.pager_duty_routing_key),
            )
            if value is not None
        }
        if receiver_files:
            objects.append(
                k8s.core.v1.Secret(
                    f"{name}-receivers",
                    metadata=self._metadata(chart.RECEIVERS_SECRET),
                    string_data={k: pulumi.Output.secret(v) for k, v in receiver_files.items()},
                    opts=in_namespace,
                )
            )

        brokers = (
            pulumi.Output.from_input(args.kafka_bootstrap_brokers).apply(
                lambda bootstrap: chart.broker_hosts(bootstrap, args.kafka_broker_count)
            )
            if args.kafka_bootstrap_brokers is not None
            else None
        )
        # A plain tree with Outputs only at its leaves: known in a preview but for those.
        values = chart.helm_values(
            ctx,
            args.config,
            storage_class=args.storage_class.metadata.name,
            targets=chart.ScrapeTargets(
                engine_asg_name=args.engine_asg_name,
                engine_metrics_port=args.engine_metrics_port,
                engine_metrics_path=METRICS_PATH,
                kafka_brokers=brokers,
            ),
            receivers=chart.Receivers(
                alert_topic_arn=args.alert_topic_arn,
                slack=args.slack_webhook_url is not None,
                slack_channel=args.config.slack_channel,
                pager_duty=args.pager_duty_routing_key is not None,
            ),
            consumer_lag_messages=args.consumer_lag_messages,
        )
        k8s.helm.v3.Release(
            f"{name}-stack",
            name=chart.RELEASE_NAME,
            chart=chart.CHART,
            version=chart.CHART_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.REPOSITORY),
            namespace=chart.NAMESPACE,
            values=values,
            opts=child_options(
                self,
                provider=args.kubernetes_provider,
                # Pods start with their identities, volumes and secrets in place.
                depends_on=[
                    prometheus,
                    alertmanager,
                    grafana,
                    args.storage_class,
                    namespace,
                    *objects,
                ],
            ),
        )
        self.register_outputs(
            {"grafanaSecretArn": self.grafana_secret_arn, "namespace": self.namespace}
        )

    def _metadata(
        self, name: str, labels: dict[str, str] | None = None
    ) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=chart.NAMESPACE, labels=labels)

    def _in_cluster(self, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
        return child_options(
            self, provider=self._args.kubernetes_provider, depends_on=list(depends_on) or None
        )
