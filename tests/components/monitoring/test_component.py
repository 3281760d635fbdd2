"""InClusterMonitoring under the mocks: what it registers, and that no secret leaks."""

from __future__ import annotations

import functools
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.config.loader import load_section
from components.config.observability import MonitoringConfig
from components.monitoring import InClusterMonitoring, InClusterMonitoringArgs, chart
from offline.capture import UNKNOWN, CapturedResource
from offline.iam_eval import grants
from offline.mock_outputs import MOCK_SECRET_MARKER
from offline.runner import ProgramRun, run_component
from tests.components.edge_cluster_fixtures import CONTEXT, document, is_secret, reveal
from tests.resources import linked_one

RELEASE = "kubernetes:helm.sh/v3:Release"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
K8S_SECRET = "kubernetes:core/v1:Secret"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXX"
ROUTING_KEY = "R0UT1NGKEY0123456789"
BOOTSTRAP = "b-1.trading-test-kafka.abc123.c3.kafka.ap-northeast-2.amazonaws.com:9098"
TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:trading-test-alerts"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/alerts"


@functools.cache
def monitoring_run(preview: bool) -> ProgramRun:
    def build() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        storage_class = k8s.storage.v1.StorageClass(
            "storage-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="gp3-encrypted"),
            provisioner="ebs.csi.aws.com",
            opts=pulumi.ResourceOptions(provider=provider),
        )
        InClusterMonitoring(
            "monitoring",
            InClusterMonitoringArgs(
                name_prefix="trading-test",
                config=load_section(
                    MonitoringConfig,
                    {"mode": "self-hosted", "slackChannel": "#exchange-alerts"},
                    key="monitoring",
                ),
                context=CONTEXT,
                cluster_name=pulumi.Output.from_input("trading-test"),
                kubernetes_provider=provider,
                storage_class=storage_class,
                engine_asg_name="trading-test-matching-engine",
                engine_metrics_port=9404,
                kafka_bootstrap_brokers=pulumi.Output.from_input(BOOTSTRAP),
                kafka_broker_count=4,
                alert_topic_arn=pulumi.Output.from_input(TOPIC),
                alert_key_arn=KEY,
                consumer_lag_messages=50_000,
                slack_webhook_url=WEBHOOK,
                pager_duty_routing_key=ROUTING_KEY,
                protect=False,
            ),
        )

    return run_component(build, preview=preview)


def release(run: ProgramRun) -> CapturedResource:
    [found] = [r for r in run.of_type(RELEASE) if r.get("chart") == chart.CHART]
    return found


@pytest.mark.parametrize("preview", [False, True])
def test_one_pinned_release_waiting_for_its_identities_secrets_and_volumes(preview: bool) -> None:
    run = monitoring_run(preview)
    stack = release(run)
    assert (stack.get("version"), stack.get("namespace")) == (chart.CHART_VERSION, "monitoring")
    assert stack.get("repositoryOpts.repo") == chart.REPOSITORY
    associations = {a.get("serviceAccount"): a for a in run.of_type(ASSOCIATION)}
    assert set(associations) == {"prometheus", "alertmanager", "grafana"}
    for association in associations.values():
        assert association.get("namespace") == "monitoring"
        assert association.urn in stack.dependencies
        role = linked_one(association, "roleArn", run.resources)
        [policy] = [
            p
            for p in run.of_type("aws:iam/rolePolicy:RolePolicy")
            if role.urn in p.property_dependencies["role"]
        ]
        assert policy.urn in association.dependencies  # the role can act before pods start
    waited = {r.type for r in run.resources if r.urn in stack.dependencies}
    assert {
        "kubernetes:core/v1:Namespace",
        K8S_SECRET,
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:storage.k8s.io/v1:StorageClass",
    } <= waited
    # Only the scrape targets and the topic ARN wait for other resources: the rest of the
    # values is known in a preview, so the policy pack can read it.
    values = stack.get("values")
    assert values is not UNKNOWN
    assert values["prometheus"]["prometheusSpec"]["retention"] == "15d"


def test_the_values_point_at_the_topic_the_brokers_and_the_mounted_receiver_files() -> None:
    values = release(monitoring_run(False)).get("values")
    jobs = {
        j["job_name"]: j for j in values["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]
    }
    domain = BOOTSTRAP.split(":", maxsplit=1)[0].split(".", 1)[1]
    assert jobs[chart.KAFKA_JMX_JOB]["static_configs"][0]["targets"] == [
        f"b-{i}.{domain}:11001" for i in range(1, 5)
    ]
    receivers = {r["name"]: r for r in values["alertmanager"]["config"]["receivers"]}
    assert receivers["alert-topic"]["sns_configs"][0]["topic_arn"] == TOPIC
    assert set(receivers) == {"null", "alert-topic", "pagerduty", "slack"}
    # The secrets are files of a Secret, never values of the release.
    text = json.dumps(values)
    assert WEBHOOK not in text
    assert ROUTING_KEY not in text
    assert MOCK_SECRET_MARKER not in text


def k8s_secret(run: ProgramRun, name: str) -> CapturedResource:
    [found] = [s for s in run.of_type(K8S_SECRET) if s.get("metadata.name") == name]
    return found


def test_receiver_secrets_and_the_grafana_password_are_secret_everywhere() -> None:
    run = monitoring_run(False)
    # The whole stringData is a secret envelope in the state.
    receivers = k8s_secret(run, chart.RECEIVERS_SECRET).get("stringData")
    assert is_secret(receivers)
    assert reveal(receivers) == {chart.SLACK_URL_KEY: WEBHOOK, chart.PAGER_DUTY_KEY: ROUTING_KEY}
    login = k8s_secret(run, chart.GRAFANA_ADMIN_SECRET).get("stringData")
    assert is_secret(login)
    password = reveal(login)[chart.GRAFANA_PASSWORD_KEY]
    assert password.startswith(MOCK_SECRET_MARKER)
    assert reveal(login)[chart.GRAFANA_USER_KEY] == chart.GRAFANA_ADMIN_USER
    # Secrets Manager holds the same login, under the monitoring CMK.
    [stored] = run.of_type("aws:secretsmanager/secret:Secret")
    assert stored.get("name") == "trading-test/monitoring/grafana-admin"
    key = linked_one(stored, "kmsKeyId", run.resources)
    assert key.type == "aws:kms/key:Key"
    assert key.get("enableKeyRotation") is True
    [version] = run.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert is_secret(version.get("secretString"))
    assert json.loads(reveal(version.get("secretString"))) == {
        "username": chart.GRAFANA_ADMIN_USER,
        "password": password,
    }


def test_the_roles_trust_only_their_service_accounts_and_grant_only_their_calls() -> None:
    run = monitoring_run(False)
    for account, wanted in (
        ("prometheus", {("ec2:DescribeInstances", "*")}),
        ("grafana", {(action, "*") for action in chart.CLOUDWATCH_READ_ACTIONS}),
        (
            "alertmanager",
            {("sns:Publish", TOPIC), ("kms:GenerateDataKey*", KEY), ("kms:Decrypt", KEY)},
        ),
    ):
        role = run.named(f"monitoring-{account}-role")
        [statement] = document(role.get("assumeRolePolicy"))["Statement"]
        condition: dict[str, Any] = statement["Condition"]["StringEquals"]
        assert condition["aws:RequestTag/kubernetes-namespace"] == "monitoring"
        assert condition["aws:RequestTag/kubernetes-service-account"] == account
        assert grants([document(run.named(f"monitoring-{account}-policy").get("policy"))]) == wanted


def test_the_dashboards_are_a_configmap_the_sidecar_loads() -> None:
    [config_map] = monitoring_run(False).of_type("kubernetes:core/v1:ConfigMap")
    assert config_map.get("metadata.namespace") == "monitoring"
    assert config_map.get("metadata.labels") == {chart.DASHBOARD_LABEL: chart.DASHBOARD_LABEL_VALUE}
    assert sorted(config_map.get("data")) == [
        "trading-api.json",
        "trading-engine.json",
        "trading-kafka.json",
    ]
