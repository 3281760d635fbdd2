"""The monitoring stack in the real stacks: its flows are rules, its roles grant exactly what its
scrapes and alerts need, and its release points at the resources the stack created.

Computed here from the captured resources (update mode, so ARNs are the mocks' answers) and the
stack's config, independently of ``components/monitoring``: the rules each flow needs, and the
(action, resource) pairs each role needs, checked with ``offline.iam_eval``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import ConfigError
from components.config.monitoring import scrape_flows
from components.reachability import Role, rule_specs
from offline.iam_eval import grants, is_allowed, open_ended
from offline.runner import ProgramError, ProgramRun, run_program
from tests.programs import stack
from tests.test_workload_access import config_of

RULE_TYPES = {
    "ingress": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "egress": "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
}


def outputs_of(run: ProgramRun, type_token: str) -> list[dict[str, Any]]:
    return [r.outputs for r in run.of_type(type_token)]


def values(run: ProgramRun) -> dict[str, Any]:
    return run.named("monitoring-stack").get("values")


@pytest.mark.parametrize("preview", [False, True])
def test_every_monitoring_flow_is_a_rule_on_both_sides(preview: bool) -> None:
    run = stack("prod", preview)
    flows = scrape_flows(config_of("prod"))
    assert {(f.destination, f.from_port) for f in flows if f.destination is not Role.APP} == {
        (Role.MATCHING_ENGINE, 9404),
        (Role.KAFKA, 11001),
        (Role.KAFKA, 11002),
    }
    names = {r.name: r for r in run.resources}
    for spec in rule_specs(flows):
        rule = names[f"network-{spec.slug}"]
        assert rule.type == RULE_TYPES[spec.direction]
        assert (rule.get("fromPort"), rule.get("toPort")) == (spec.from_port, spec.to_port)
        assert rule.get("description") == spec.description
        # The other side is a security group (the app nodes' and pods'), never an address range.
        [peer] = rule.property_dependencies["referencedSecurityGroupId"]
        assert peer.endswith(f"network-{spec.peer}-sg")
        assert rule.get("cidrIpv4") is None


def test_the_startup_tier_runs_no_monitoring_stack_and_opens_nothing_for_it() -> None:
    run = stack("dev", False)
    assert config_of("dev").observability.monitoring.enabled is False
    assert scrape_flows(config_of("dev")) == ()
    assert not [r for r in run.resources if r.name.startswith("monitoring")]
    assert not [r for r in run.resources if r.name.endswith(("tcp11001", "tcp11002", "tcp9404"))]


def policy(run: ProgramRun, account: str) -> dict[str, Any]:
    return json.loads(run.named(f"monitoring-{account}-policy").get("policy"))


def test_the_roles_allow_exactly_what_scraping_and_alerting_need() -> None:
    run = stack("prod", False)
    topic = run.named("observability-alerts").outputs["arn"]
    key = run.named("observability-alerts-key").outputs["arn"]
    needed = {
        "prometheus": {("ec2:DescribeInstances", "*")},
        "grafana": {
            ("cloudwatch:GetMetricData", "*"),
            ("cloudwatch:GetMetricStatistics", "*"),
            ("cloudwatch:ListMetrics", "*"),
        },
        "alertmanager": {
            ("sns:Publish", topic),
            ("kms:GenerateDataKey*", key),
            ("kms:Decrypt", key),
        },
    }
    for account, want in needed.items():
        document = policy(run, account)
        for action, resource in want:
            assert is_allowed([document], action, resource), (account, action, resource)
        assert grants([document]) == want
        # Exactly those pairs (the "*" ones are calls without resource-level permissions), and
        # no NotAction / NotResource reach beyond them.
        assert not open_ended([document])
        association = run.named(f"monitoring-{account}-identity")
        assert (association.get("namespace"), association.get("serviceAccount")) == (
            "monitoring",
            account,
        )
    # The topic's key delegates to IAM, so the role's own grant is what lets it encrypt.
    key_policy = json.loads(run.named("observability-alerts-key").get("policy"))
    [admin] = [s for s in key_policy["Statement"] if s["Sid"] == "AccountAdministersKey"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    other_topic = topic.replace("alerts", "other")
    assert not is_allowed([policy(run, "alertmanager")], "sns:Publish", other_topic)


def test_the_release_scrapes_and_alerts_what_the_stack_built() -> None:
    run = stack("prod", False)
    tree = values(run)
    spec = tree["prometheus"]["prometheusSpec"]
    [storage_class] = run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    class_name = storage_class.get("metadata.name")
    assert storage_class.get("parameters.encrypted") == "true"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"] == class_name
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"] == {
        "storage": "100Gi"
    }
    assert spec["retention"] == "15d"
    jobs = {job["job_name"]: job for job in spec["additionalScrapeConfigs"]}
    [asg] = outputs_of(run, "aws:autoscaling/group:Group")
    [discovery] = jobs["matching-engine"]["ec2_sd_configs"]
    assert discovery["filters"][0]["values"] == [asg["name"]]
    assert discovery["port"] == config_of("prod").matching_engine.metrics_port
    [cluster] = outputs_of(run, "aws:msk/cluster:Cluster")
    domain = cluster["bootstrapBrokersSaslIam"].split(",")[0].split(".", 1)[1].split(":")[0]
    brokers = config_of("prod").kafka.broker_count
    for job, port in (("msk-jmx", 11001), ("msk-node", 11002)):
        [static] = jobs[job]["static_configs"]
        assert static["targets"] == [f"b-{i}.{domain}:{port}" for i in range(1, brokers + 1)]
    receivers = {r["name"]: r for r in tree["alertmanager"]["config"]["receivers"]}
    assert set(receivers) == {"null", "alert-topic"}  # prod sets no Slack or PagerDuty secret
    [sns] = receivers["alert-topic"]["sns_configs"]
    assert sns["topic_arn"] == run.named("observability-alerts").outputs["arn"]
    assert (
        run.outputs["grafanaAdminSecretArn"] == run.named("monitoring-grafana-admin").outputs["arn"]
    )


def test_the_program_refuses_a_receiver_secret_in_plain_text_before_any_resource() -> None:
    # The stack file's value is plain text, so Pulumi does not hold the key as a secret.
    webhook = "https://hooks.slack.com/services/T000/B000/XXXX"
    with pytest.raises(ProgramError) as error:
        run_program(
            "prod", preview=True, overrides={"trading-platform:alertSlackWebhookUrl": webhook}
        )
    assert isinstance(error.value.cause, ConfigError)
    assert error.value.cause.key == "trading-platform:alertSlackWebhookUrl"
    assert "plain text" in str(error.value.cause)
    assert webhook not in str(error.value.cause)
    assert [r for r in error.value.run.resources if r.custom] == []
