"""KafkaCluster, built on its own under mocks, per tier (mode) and in update and preview mode."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws_context import AwsContext
from components.config import KafkaConfig, KafkaMode
from components.config.loader import load_section
from components.config.tiers import TIERS, merge
from components.kafka import (
    KafkaCluster,
    KafkaClusterArgs,
    KafkaEndpoints,
    kafka_resource_arn,
    server_properties,
)
from components.reachability import (
    KAFKA_IAM_PORT,
    KAFKA_SCRAM_PORT,
    REACHABILITY,
    Role,
    reachability,
    rule_specs,
)
from offline.capture import UNKNOWN, CapturedResource
from offline.mocks import ACCOUNT_ID
from offline.runner import ProgramRun, resolve, run_component

CONTEXT = AwsContext(ACCOUNT_ID, "aws", "ap-northeast-2", "amazonaws.com")
SUBNETS = ["subnet-private-a", "subnet-private-b", "subnet-private-c"]
KAFKA_SG = "sg-kafka"
LOGS_KEY = f"arn:aws:kms:ap-northeast-2:{ACCOUNT_ID}:key/logs"
MODES = pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
PROVISIONED_TIERS = pytest.mark.parametrize("tier", ["growth", "scale"])
CLUSTER = "aws:msk/cluster:Cluster"
SERVERLESS = "aws:msk/serverlessCluster:ServerlessCluster"
TOPIC = "aws:msk/topic:Topic"


def kafka_config(tier: str, **override: Any) -> KafkaConfig:
    raw = merge(TIERS[tier]["kafka"], override)
    return load_section(KafkaConfig, raw, key="kafka")


def build(
    tier: str, *, preview: bool, protect: bool = False, **override: Any
) -> tuple[ProgramRun, KafkaConfig, dict[str, Any]]:
    """Runs the component; the third item is its endpoints resolved (UNKNOWN in preview)."""
    kafka = kafka_config(tier, **override)
    az_count = TIERS[tier]["network"]["azCount"]
    endpoints: dict[str, Any] = {}

    def program() -> None:
        cluster = KafkaCluster(
            "kafka",
            KafkaClusterArgs(
                name_prefix="trading-test",
                kafka=kafka,
                subnet_ids=SUBNETS[:az_count],
                security_group_id=KAFKA_SG,
                logs_kms_key_arn=LOGS_KEY,
                context=CONTEXT,
                protect=protect,
            ),
        )
        # Consumers see only the protocol; pyright checks the component satisfies it.
        endpoints_view: KafkaEndpoints = cluster
        endpoints.update(
            cluster_arn=endpoints_view.cluster_arn,
            iam=endpoints_view.bootstrap_brokers_iam,
            scram=cluster.bootstrap_brokers_scram,
            topic_names=endpoints_view.topic_names,
            topic_specs=cluster.topic_specs,
            managed=cluster.topics_managed,
        )

    run = run_component(program, preview=preview)
    return run, kafka, {k: resolve(v) for k, v in endpoints.items()}


def one(run: ProgramRun, type_token: str) -> CapturedResource:
    (resource,) = run.of_type(type_token)
    return resource


# --- serverless (startup) ------------------------------------------------------------------


@MODES
def test_serverless_cluster_uses_iam_in_the_private_subnets(preview: bool) -> None:
    run, _, endpoints = build("startup", preview=preview)
    cluster = one(run, SERVERLESS)
    assert cluster.get("clientAuthentication.sasl.iam.enabled") is True
    assert cluster.get("vpcConfigs") == [{"subnetIds": SUBNETS[:2], "securityGroupIds": [KAFKA_SG]}]
    assert cluster.get("clusterName") == "trading-test-kafka"
    assert run.of_type(CLUSTER) == []
    assert run.of_type("aws:msk/configuration:Configuration") == []
    if preview:
        assert endpoints["iam"] == UNKNOWN
    else:
        assert endpoints["iam"].endswith(":9098")
        assert endpoints["cluster_arn"].startswith(
            f"arn:aws:kafka:ap-northeast-2:{ACCOUNT_ID}:cluster/trading-test-kafka/"
        )


@MODES
def test_serverless_topics_are_specs_not_resources(preview: bool) -> None:
    # AWS offers the topic API only on provisioned clusters: no aws.msk.Topic here.
    run, kafka, endpoints = build("startup", preview=preview)
    assert run.of_type(TOPIC) == []
    assert endpoints["managed"] is False
    assert [s["name"] for s in endpoints["topic_specs"]] == [t.name for t in kafka.topics]
    orders = endpoints["topic_specs"][0]
    assert (orders["partitions"], orders["replicationFactor"]) == (24, 3)
    assert "min.insync.replicas" not in orders["configs"]
    assert endpoints["scram"] is None


# --- provisioned (growth, scale) -----------------------------------------------------------


@PROVISIONED_TIERS
@MODES
def test_brokers_are_sized_per_tier(tier: str, preview: bool) -> None:
    run, kafka, _ = build(tier, preview=preview)
    cluster = one(run, CLUSTER)
    assert cluster.get("numberOfBrokerNodes") == kafka.broker_count
    assert (
        cluster.get("numberOfBrokerNodes") % len(cluster.get("brokerNodeGroupInfo.clientSubnets"))
        == 0
    )
    assert cluster.get("kafkaVersion") == "3.9.x"
    info = cluster.get("brokerNodeGroupInfo")
    assert info["instanceType"] == kafka.instance_type
    assert info["clientSubnets"] == SUBNETS[: TIERS[tier]["network"]["azCount"]]
    assert info["securityGroups"] == [KAFKA_SG]
    ebs = info["storageInfo"]["ebsStorageInfo"]
    assert ebs["volumeSize"] == kafka.ebs_volume_gb
    if kafka.provisioned_throughput_mibps:
        assert ebs["provisionedThroughput"] == {"enabled": True, "volumeThroughput": 250}
    else:
        assert "provisionedThroughput" not in ebs
    assert cluster.get("enhancedMonitoring") == kafka.enhanced_monitoring


@PROVISIONED_TIERS
@MODES
def test_cluster_encrypts_and_authenticates(tier: str, preview: bool) -> None:
    run, _, endpoints = build(tier, preview=preview)
    cluster = one(run, CLUSTER)
    assert cluster.get("encryptionInfo.encryptionInTransit") == {
        "clientBroker": "TLS",
        "inCluster": True,
    }
    key = one(run, "aws:kms/key:Key")
    assert key.get("enableKeyRotation") is True
    assert key.urn in cluster.property_dependencies["encryptionInfo"]
    assert cluster.get("clientAuthentication") == {
        "sasl": {"iam": True, "scram": False},
        "unauthenticated": False,
    }
    assert cluster.get("clientAuthentication.tls") is None
    if not preview:
        assert cluster.get("encryptionInfo.encryptionAtRestKmsKeyArn").startswith(
            f"arn:aws:kms:ap-northeast-2:{ACCOUNT_ID}:key/"
        )
        assert endpoints["iam"].count(":9098") == 3
        assert endpoints["scram"] is None


@PROVISIONED_TIERS
@MODES
def test_broker_logs_and_monitoring(tier: str, preview: bool) -> None:
    run, kafka, _ = build(tier, preview=preview)
    cluster = one(run, CLUSTER)
    (log_group,) = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.get("name") == "/trading-test/msk/brokers"
    assert log_group.get("kmsKeyId") == LOGS_KEY
    assert log_group.get("retentionInDays") == kafka.log_retention_days
    assert cluster.get("loggingInfo.brokerLogs.cloudwatchLogs") == {
        "enabled": True,
        "logGroup": "/trading-test/msk/brokers",
    }
    assert cluster.get("openMonitoring.prometheus") == {
        "jmxExporter": {"enabledInBroker": True},
        "nodeExporter": {"enabledInBroker": True},
    }


@PROVISIONED_TIERS
@MODES
def test_configuration_carries_the_broker_settings(tier: str, preview: bool) -> None:
    run, kafka, _ = build(tier, preview=preview)
    configuration = one(run, "aws:msk/configuration:Configuration")
    # No version list: a Kafka version bump then never replaces the (fixed-name) configuration.
    assert configuration.get("kafkaVersions") is None
    lines = configuration.get("serverProperties").splitlines()
    for expected in (
        "auto.create.topics.enable=false",
        "default.replication.factor=3",
        "min.insync.replicas=2",
        f"log.retention.hours={kafka.retention_hours}",
        "compression.type=lz4",
        "message.max.bytes=10485760",
        "replica.fetch.max.bytes=10485760",
        "unclean.leader.election.enable=false",
    ):
        assert expected in lines, expected
    cluster = one(run, CLUSTER)
    assert configuration.urn in cluster.property_dependencies["configurationInfo"]
    assert cluster.get("configurationInfo.revision") == (UNKNOWN if preview else 1)


@MODES
def test_a_kafka_version_bump_changes_the_cluster_not_its_configuration(preview: bool) -> None:
    # MSK upgrades a cluster's version in place; the configuration (fixed name, attached to the
    # cluster) must not see the bump, or it would be replaced while still in use.
    before, _, _ = build("growth", preview=preview, kafkaVersion="3.8.x")
    after, _, _ = build("growth", preview=preview, kafkaVersion="3.9.x")
    configurations = [one(run, "aws:msk/configuration:Configuration") for run in (before, after)]
    assert configurations[0].inputs == configurations[1].inputs
    clusters = [one(run, CLUSTER) for run in (before, after)]
    assert [c.get("kafkaVersion") for c in clusters] == ["3.8.x", "3.9.x"]
    assert clusters[0].urn == clusters[1].urn


@PROVISIONED_TIERS
@MODES
def test_topics_are_resources_with_their_configs(tier: str, preview: bool) -> None:
    run, kafka, endpoints = build(tier, preview=preview)
    cluster = one(run, CLUSTER)
    topics = {t.get("name"): t for t in run.of_type(TOPIC)}
    # Registration order is the engine's; the component's own list keeps the config's order.
    assert sorted(topics) == sorted(t.name for t in kafka.topics)
    assert endpoints["topic_names"] == [t.name for t in kafka.topics]
    assert endpoints["managed"] is True
    expected = {
        "orders.commands": (24, "delete"),
        "trades.events": (24, "delete"),
        "market.data": (12, "delete"),
        "positions.updates": (12, "compact"),
    }
    for name, (partitions, cleanup) in expected.items():
        topic = topics[name]
        assert (topic.get("partitionCount"), topic.get("replicationFactor")) == (partitions, 3)
        configs = json.loads(topic.get("configs"))
        assert configs["cleanup.policy"] == cleanup
        assert configs["min.insync.replicas"] == "2"
        assert cluster.urn in topic.property_dependencies["clusterArn"]
    assert json.loads(topics["market.data"].get("configs"))["retention.ms"] == "86400000"


@pytest.mark.parametrize("protect", [True, False])
def test_stateful_resources_follow_the_protect_flag(protect: bool) -> None:
    run, _, _ = build("scale", preview=True, protect=protect)
    for type_token in (CLUSTER, "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", TOPIC):
        resources = run.of_type(type_token)
        assert resources
        assert all(r.protect is protect for r in resources), type_token
    run, _, _ = build("startup", preview=True, protect=protect)
    assert one(run, SERVERLESS).protect is protect


@pytest.mark.parametrize("tier", ["startup", "growth", "scale"])
@MODES
def test_every_child_is_parented_to_the_component(tier: str, preview: bool) -> None:
    run, _, _ = build(tier, preview=preview)
    (component,) = [r for r in run.resources if r.is_component]
    assert component.type == "trading:kafka:KafkaCluster"
    assert all(r.parent == component.urn for r in run.resources if r is not component)


@MODES
def test_security_group_is_only_the_kafka_role(preview: bool) -> None:
    run, _, _ = build("scale", preview=preview)
    assert not [r for r in run.resources if "securityGroup" in r.type]
    assert one(run, CLUSTER).get("brokerNodeGroupInfo.securityGroups") == [KAFKA_SG]
    # The table opens the IAM listener to the roles that use Kafka, and only that port.
    kafka_ingress = {
        (s.peer, s.from_port)
        for s in rule_specs()
        if s.role is Role.KAFKA and s.direction == "ingress"
    }
    assert kafka_ingress == {(Role.APP, KAFKA_IAM_PORT), (Role.MATCHING_ENGINE, KAFKA_IAM_PORT)}


# --- SCRAM (optional, provisioned only) ----------------------------------------------------


@MODES
def test_scram_adds_a_cmk_encrypted_amazonmsk_secret(preview: bool) -> None:
    run, _, endpoints = build("scale", preview=preview, scram=True)
    cluster = one(run, CLUSTER)
    assert cluster.get("clientAuthentication.sasl") == {"iam": True, "scram": True}
    secret = one(run, "aws:secretsmanager/secret:Secret")
    assert secret.get("name").startswith("AmazonMSK_")
    key = one(run, "aws:kms/key:Key")
    assert key.urn in secret.property_dependencies["kmsKeyId"]
    association = one(run, "aws:msk/scramSecretAssociation:ScramSecretAssociation")
    assert secret.urn in association.property_dependencies["secretArnLists"]
    assert cluster.urn in association.property_dependencies["clusterArn"]
    version = one(run, "aws:secretsmanager/secretVersion:SecretVersion")
    # MSK checks the secret's value on association, so the value exists first.
    assert version.urn in association.dependencies
    if not preview:
        assert endpoints["scram"].count(":9096") == 3


def test_scram_port_is_in_the_table_only_when_enabled() -> None:
    def scram_rules(flows: tuple[Any, ...]) -> set[tuple[Role, str, Any]]:
        return {
            (s.role, s.direction, s.peer)
            for s in rule_specs(flows)
            if s.from_port == KAFKA_SCRAM_PORT
        }

    assert scram_rules(reachability(kafka_scram=False, cache_serverless=False)) == set()
    assert reachability(kafka_scram=False, cache_serverless=False) == REACHABILITY
    assert scram_rules(reachability(kafka_scram=True, cache_serverless=False)) == {
        (Role.KAFKA, "ingress", Role.APP),
        (Role.APP, "egress", Role.KAFKA),
    }


# --- pure helpers --------------------------------------------------------------------------


def test_kafka_resource_arns_follow_the_cluster_arn() -> None:
    cluster = "arn:aws:kafka:ap-northeast-2:123456789012:cluster/trading-prod-kafka/abc-3"
    assert kafka_resource_arn(cluster, "topic", "orders.commands") == (
        "arn:aws:kafka:ap-northeast-2:123456789012:topic/trading-prod-kafka/abc-3/orders.commands"
    )
    assert kafka_resource_arn(cluster, "group", "engine*").endswith(
        ":group/trading-prod-kafka/abc-3/engine*"
    )
    with pytest.raises(ValueError, match="not an MSK cluster ARN"):
        kafka_resource_arn("arn:aws:s3:::bucket", "topic", "x")


def test_server_properties_follow_the_config() -> None:
    kafka = kafka_config("growth", minInsyncReplicas=1, retentionHours=-1, maxMessageBytes=2048)
    lines = server_properties(kafka).splitlines()
    assert "min.insync.replicas=1" in lines
    assert "log.retention.hours=-1" in lines
    assert "message.max.bytes=2048" in lines
    assert "replica.fetch.max.bytes=2048" in lines
    assert kafka.mode is KafkaMode.PROVISIONED
