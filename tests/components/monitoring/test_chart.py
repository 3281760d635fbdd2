"""kube-prometheus-stack's values, scrape jobs, routing, identities and dashboards (pure)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components.config.loader import load_section
from components.config.observability import MonitoringConfig
from components.monitoring import chart
from components.monitoring.dashboards import dashboards
from components.reachability import (
    KAFKA_JMX_EXPORTER_PORT,
    KAFKA_NODE_EXPORTER_PORT,
    Role,
    monitoring_flows,
)
from offline.iam_eval import grants, is_allowed
from tests.components.edge_cluster_fixtures import CONTEXT

BOOTSTRAP = ",".join(
    f"b-{i}.trading-test-kafka.abc123.c3.kafka.ap-northeast-2.amazonaws.com:9098" for i in (1, 2, 3)
)
DOMAIN = "trading-test-kafka.abc123.c3.kafka.ap-northeast-2.amazonaws.com"
TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:trading-test-alerts"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/alerts"


def monitoring(**raw: Any) -> MonitoringConfig:
    return load_section(MonitoringConfig, {"mode": "self-hosted", **raw}, key="monitoring")


SCALE = monitoring(prometheusStorageGb=100, prometheusMemoryGb=8, retentionDays=15)


def targets(brokers: list[str] | None, port: int = 9404) -> chart.ScrapeTargets:
    return chart.ScrapeTargets(
        engine_asg_name="trading-test-matching-engine",
        engine_metrics_port=port,
        engine_metrics_path="/actuator/prometheus",
        kafka_brokers=brokers,
    )


def receivers(*, slack: bool = False, pager_duty: bool = False) -> chart.Receivers:
    return chart.Receivers(
        alert_topic_arn=TOPIC,
        slack=slack,
        slack_channel="#exchange-alerts" if slack else None,
        pager_duty=pager_duty,
    )


def values(config: MonitoringConfig = SCALE, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "storage_class": "gp3-encrypted",
        "targets": targets(chart.broker_hosts(BOOTSTRAP, 6)),
        "receivers": receivers(),
        "consumer_lag_messages": 100_000,
        **changes,
    }
    return chart.helm_values(CONTEXT, config, **arguments)


def claim(volume: dict[str, Any]) -> tuple[str, str, list[str]]:
    spec = volume["volumeClaimTemplate"]["spec"]
    return spec["storageClassName"], spec["resources"]["requests"]["storage"], spec["accessModes"]


def test_prometheus_keeps_its_retention_on_its_encrypted_gp3_volume() -> None:
    spec = values()["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "15d"
    assert spec["retentionSize"] == "90GB"  # stops before the 100 GiB volume fills
    assert claim(spec["storageSpec"]) == ("gp3-encrypted", "100Gi", ["ReadWriteOnce"])
    assert spec["resources"]["requests"] == spec["resources"]["limits"] == {"memory": "8Gi"}
    assert spec["scrapeInterval"] == "30s"
    growth = values(monitoring(prometheusStorageGb=50))
    assert claim(growth["prometheus"]["prometheusSpec"]["storageSpec"])[1] == "50Gi"
    assert growth["prometheus"]["prometheusSpec"]["retentionSize"] == "45GB"


def test_alertmanager_and_grafana_have_their_own_volumes_and_grafana_an_existing_secret() -> None:
    tree = values()
    assert claim(tree["alertmanager"]["alertmanagerSpec"]["storage"]) == (
        "gp3-encrypted",
        "10Gi",
        ["ReadWriteOnce"],
    )
    grafana = tree["grafana"]
    assert grafana["persistence"]["enabled"] is True
    assert (grafana["persistence"]["storageClassName"], grafana["persistence"]["size"]) == (
        "gp3-encrypted",
        "20Gi",
    )
    assert grafana["deploymentStrategy"] == {"type": "Recreate"}  # one RWO volume
    assert grafana["admin"] == {"existingSecret": chart.GRAFANA_ADMIN_SECRET}
    assert "adminPassword" not in grafana
    # The service accounts are the ones the Pod Identity roles trust.
    assert tree["prometheus"]["serviceAccount"]["name"] == chart.PROMETHEUS.name
    assert tree["alertmanager"]["serviceAccount"]["name"] == chart.ALERTMANAGER.name
    assert grafana["serviceAccount"]["name"] == chart.GRAFANA.name
    # Seed 002 section 6.2's second data source, with the pod's own credentials.
    [cloudwatch] = grafana["additionalDataSources"]
    assert (cloudwatch["type"], cloudwatch["jsonData"]) == (
        "cloudwatch",
        {"authType": "default", "defaultRegion": "ap-northeast-2"},
    )


def test_every_scrape_job_outside_the_cluster_is_a_flow_of_the_table() -> None:
    jobs = {
        job["job_name"]: job
        for job in values()["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]
    }
    assert set(jobs) == {chart.ENGINE_JOB, chart.KAFKA_JMX_JOB, chart.KAFKA_NODE_JOB}
    [discovery] = jobs[chart.ENGINE_JOB]["ec2_sd_configs"]
    assert discovery["region"] == "ap-northeast-2"
    assert {f["name"]: f["values"] for f in discovery["filters"]} == {
        "tag:aws:autoscaling:groupName": ["trading-test-matching-engine"],
        "instance-state-name": ["running"],
    }
    assert jobs[chart.ENGINE_JOB]["metrics_path"] == "/actuator/prometheus"
    flows = monitoring_flows(engine_metrics_port=discovery["port"], kafka_exporters=True)
    opened = {(f.destination, f.from_port) for f in flows}
    assert (Role.MATCHING_ENGINE, discovery["port"]) in opened
    for job, port in (
        (chart.KAFKA_JMX_JOB, KAFKA_JMX_EXPORTER_PORT),
        (chart.KAFKA_NODE_JOB, KAFKA_NODE_EXPORTER_PORT),
    ):
        [static] = jobs[job]["static_configs"]
        assert static["targets"] == [f"b-{i}.{DOMAIN}:{port}" for i in range(1, 7)]
        assert (Role.KAFKA, port) in opened


def test_the_engine_job_follows_the_configured_metrics_port() -> None:
    [engine] = chart.scrape_configs(CONTEXT, targets(None, port=9500))
    assert engine["ec2_sd_configs"][0]["port"] == 9500


def test_msk_serverless_has_no_exporter_jobs() -> None:
    jobs = chart.scrape_configs(CONTEXT, targets(None))
    assert [job["job_name"] for job in jobs] == [chart.ENGINE_JOB]


def test_every_broker_is_a_target_though_the_bootstrap_string_lists_three() -> None:
    assert chart.broker_hosts(BOOTSTRAP, 6) == [f"b-{i}.{DOMAIN}" for i in range(1, 7)]
    assert chart.broker_hosts(f"b-2.{DOMAIN}:9098", 2) == [f"b-1.{DOMAIN}", f"b-2.{DOMAIN}"]
    with pytest.raises(ValueError, match="not an MSK broker"):
        chart.broker_hosts("boot-abc.c2.kafka-serverless.ap-northeast-2.amazonaws.com:9098", 3)


def route_of(config: dict[str, Any], severity: str) -> list[str]:
    """The receivers an alert of ``severity`` reaches (first match, then ``continue``)."""
    reached: list[str] = []
    for route in config["route"]["routes"]:
        [matcher] = route["matchers"]
        wanted = re.fullmatch(r'severity(=~?)"(.*)"', matcher)
        assert wanted is not None
        if re.fullmatch(wanted.group(2), severity):
            reached.append(route["receiver"])
            if not route.get("continue"):
                return reached
    return reached or [config["route"]["receiver"]]


def test_alerts_reach_the_alert_topic_and_only_it_without_receiver_secrets() -> None:
    config = chart.alertmanager_config(CONTEXT, receivers())
    assert {r["name"] for r in config["receivers"]} == {"null", "alert-topic"}
    [sns] = next(r for r in config["receivers"] if r["name"] == "alert-topic")["sns_configs"]
    assert sns["topic_arn"] == TOPIC
    assert sns["sigv4"] == {"region": "ap-northeast-2"}  # Pod Identity credentials
    assert route_of(config, "critical") == ["alert-topic"]
    assert route_of(config, "warning") == ["alert-topic"]
    assert route_of(config, "info") == ["null"]
    assert route_of(config, "none") == ["null"]  # Watchdog, InfoInhibitor
    assert values()["alertmanager"]["alertmanagerSpec"]["secrets"] == []


def test_pager_duty_and_slack_add_to_the_topic_and_read_their_secrets_from_files() -> None:
    config = chart.alertmanager_config(CONTEXT, receivers(slack=True, pager_duty=True))
    assert route_of(config, "critical") == ["pagerduty", "alert-topic"]
    assert route_of(config, "warning") == ["slack", "alert-topic"]
    named = {r["name"]: r for r in config["receivers"]}
    mount = f"/etc/alertmanager/secrets/{chart.RECEIVERS_SECRET}"
    assert named["pagerduty"]["pagerduty_configs"] == [
        {"routing_key_file": f"{mount}/{chart.PAGER_DUTY_KEY}", "send_resolved": True}
    ]
    [slack] = named["slack"]["slack_configs"]
    assert slack["api_url_file"] == f"{mount}/{chart.SLACK_URL_KEY}"
    assert slack["channel"] == "#exchange-alerts"
    tree = values(receivers=receivers(slack=True, pager_duty=True))
    assert tree["alertmanager"]["alertmanagerSpec"]["secrets"] == [chart.RECEIVERS_SECRET]


def test_prometheus_may_only_list_instances_in_its_region() -> None:
    document = {"Version": "2012-10-17", "Statement": chart.prometheus_statements(CONTEXT)}
    assert grants([document]) == {("ec2:DescribeInstances", "*")}
    [statement] = document["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": "ap-northeast-2"}}


def test_grafana_may_only_read_metrics_in_its_region() -> None:
    document = {"Version": "2012-10-17", "Statement": chart.grafana_statements(CONTEXT)}
    assert grants([document]) == {
        ("cloudwatch:GetMetricData", "*"),
        ("cloudwatch:GetMetricStatistics", "*"),
        ("cloudwatch:ListMetrics", "*"),
    }
    assert not is_allowed([document], "logs:StartQuery", "*")  # not the services' logs
    [statement] = document["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": "ap-northeast-2"}}


def test_alertmanager_may_only_publish_to_the_alert_topic_with_its_key() -> None:
    document = {"Version": "2012-10-17", "Statement": chart.alertmanager_statements(TOPIC, KEY)}
    assert grants([document]) == {
        ("sns:Publish", TOPIC),
        ("kms:GenerateDataKey*", KEY),
        ("kms:Decrypt", KEY),
    }
    assert is_allowed([document], "kms:GenerateDataKey", KEY)
    assert not is_allowed([document], "sns:Publish", TOPIC.replace("alerts", "other"))


def test_our_alert_rules_use_the_lag_threshold_and_the_engine_job() -> None:
    [group] = values(consumer_lag_messages=50_000)["additionalPrometheusRulesMap"]["trading"][
        "groups"
    ]
    rules = {rule["alert"]: rule for rule in group["rules"]}
    assert rules["MatchingEngineDown"]["expr"] == f'up{{job="{chart.ENGINE_JOB}"}} == 0'
    assert rules["MatchingEngineDown"]["labels"]["severity"] == "critical"
    assert rules["KafkaConsumerLagHigh"]["expr"].endswith("> 50000")
    assert 'name="SumOffsetLag"' in rules["KafkaConsumerLagHigh"]["expr"]


def test_dashboards_query_the_jobs_scraped_through_the_provisioned_datasource() -> None:
    boards = {name: json.loads(text) for name, text in dashboards().items()}
    assert set(boards) == {"trading-engine.json", "trading-kafka.json", "trading-api.json"}
    jobs = {chart.ENGINE_JOB, chart.KAFKA_JMX_JOB, chart.KAFKA_NODE_JOB}
    for board in boards.values():
        assert board["panels"]
        for panel in board["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": chart.DATASOURCE_UID}
            [target] = panel["targets"]
            named = set(re.findall(r'job="([^"]+)"', target["expr"]))
            assert named <= jobs, target["expr"]
    lag = [p["targets"][0]["expr"] for p in boards["trading-kafka.json"]["panels"]]
    assert any("kafka_consumer_group_ConsumerLagMetrics_Value" in expr for expr in lag)
    api = [p["targets"][0]["expr"] for p in boards["trading-api.json"]["panels"]]
    assert all('namespace="trading"' in expr for expr in api)
    assert values()["grafana"]["sidecar"]["datasources"]["uid"] == chart.DATASOURCE_UID
    assert values()["grafana"]["sidecar"]["dashboards"]["label"] == chart.DASHBOARD_LABEL
