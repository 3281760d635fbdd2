"""KafkaCluster: the order, trade and market-data streams on Amazon MSK.

``provisioned`` runs brokers sized by the tier with the seed's broker settings, TLS everywhere,
IAM (and optionally SCRAM) authentication and topics as resources. ``serverless`` is MSK
Serverless: IAM only, broker settings fixed by AWS, and no topic API (AWS offers the MSK topic
operations only on provisioned clusters), so its topics are created by a Kafka admin client from
the ``topic_specs`` this component exports.

Whoever runs the brokers, consumers depend only on ``KafkaEndpoints``; a Strimzi-on-EKS cluster
would be another component satisfying it, chosen by a new ``KafkaMode``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .aws_context import AwsContext, account_administers_key
from .blocks import child_options, customer_managed_key, encrypted_log_group, json_secret
from .config import KafkaConfig, KafkaMode, TopicConfig


class KafkaEndpoints(Protocol):
    """What a Kafka client needs, independent of who runs the brokers."""

    cluster_arn: pulumi.Output[str]
    bootstrap_brokers_iam: pulumi.Output[str]  # SASL/IAM over TLS
    topic_names: list[str]


def kafka_resource_arn(cluster_arn: str, kind: str, name: str) -> str:
    """The IAM resource ARN of a topic or group: the cluster's ARN with ``cluster/`` replaced by
    ``topic/`` or ``group/`` and the name appended (arn:...:topic/<cluster>/<uuid>/<name>)."""
    head, marker, tail = cluster_arn.partition(":cluster/")
    if not marker:
        raise ValueError(f"not an MSK cluster ARN: {cluster_arn!r}")
    return f"{head}:{kind}/{tail}/{name}"


def server_properties(kafka: KafkaConfig) -> str:
    """The brokers' server.properties (seed 002 section 4, with the stack's figures)."""
    properties = {
        # Every topic is declared in config; a typo in a client must not create one.
        "auto.create.topics.enable": "false",
        "default.replication.factor": kafka.default_replication_factor,
        "min.insync.replicas": kafka.min_insync_replicas,
        "log.retention.hours": kafka.retention_hours,
        "compression.type": "lz4",
        "message.max.bytes": kafka.max_message_bytes,
        # Followers must be able to fetch the largest message or replication stalls.
        "replica.fetch.max.bytes": kafka.max_message_bytes,
        # Never elect an out-of-sync replica: losing acknowledged trades is worse than waiting.
        "unclean.leader.election.enable": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in properties.items())


def topic_spec(topic: TopicConfig) -> dict[str, Any]:
    return {
        "name": topic.name,
        "partitions": topic.partitions,
        "replicationFactor": topic.replication_factor,
        "configs": topic.kafka_configs(),
    }


@dataclass(frozen=True)
class KafkaClusterArgs:
    name_prefix: str
    kafka: KafkaConfig
    subnet_ids: Sequence[pulumi.Input[str]]  # the private tier, one per AZ
    security_group_id: pulumi.Input[str]  # Role.KAFKA
    logs_kms_key_arn: pulumi.Input[str]
    context: AwsContext
    protect: bool


@dataclass(frozen=True)
class KafkaBuild:
    """What either cluster shape yields; the component assigns it once."""

    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    bootstrap_brokers_iam: pulumi.Output[str]
    # By config name: the topic resource's outputs (provisioned), or names and ARNs derived
    # from the cluster's ARN (Serverless, whose topics an admin client creates).
    topics: dict[str, pulumi.Output[str]]
    topic_arns: dict[str, pulumi.Output[str]]
    bootstrap_brokers_scram: pulumi.Output[str] | None = None
    kms_key_arn: pulumi.Output[str] | None = None
    broker_log_group_name: pulumi.Output[str] | None = None


class KafkaCluster(pulumi.ComponentResource):
    """Satisfies ``KafkaEndpoints``. There is no plain-TLS listener to export: unauthenticated
    and mutual-TLS access are both off, so clients authenticate with IAM (or SCRAM)."""

    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]  # CloudWatch's "Cluster Name" dimension
    bootstrap_brokers_iam: pulumi.Output[str]
    topic_names: list[str]
    # By config name, from the topics' own outputs, so whatever names a topic (IAM grants, lag
    # alarms, the dashboard) waits for it to exist.
    topics: dict[str, pulumi.Output[str]]
    topic_arns: dict[str, pulumi.Output[str]]
    bootstrap_brokers_scram: pulumi.Output[str] | None  # only with SCRAM on
    kms_key_arn: pulumi.Output[str] | None  # provisioned only; Serverless encrypts with AWS's
    broker_log_group_name: pulumi.Output[str] | None  # provisioned only
    topic_specs: list[dict[str, Any]]
    topics_managed: bool  # True when the topics are resources of this component

    def __init__(
        self, name: str, args: KafkaClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:kafka:KafkaCluster", name, None, opts)
        self._name = name
        self._args = args
        kafka = args.kafka
        self.topic_names = [t.name for t in kafka.topics]
        self.topic_specs = [topic_spec(t) for t in kafka.topics]
        self.topics_managed = kafka.mode is KafkaMode.PROVISIONED
        built = self._provisioned() if self.topics_managed else self._serverless()
        self.cluster_arn = built.cluster_arn
        self.cluster_name = built.cluster_name
        self.bootstrap_brokers_iam = built.bootstrap_brokers_iam
        self.topics = built.topics
        self.topic_arns = built.topic_arns
        self.bootstrap_brokers_scram = built.bootstrap_brokers_scram
        self.kms_key_arn = built.kms_key_arn
        self.broker_log_group_name = built.broker_log_group_name

        outputs: dict[str, Any] = {
            "clusterArn": self.cluster_arn,
            "clusterName": self.cluster_name,
            "bootstrapBrokersIam": self.bootstrap_brokers_iam,
            "topicNames": self.topic_names,
            "topicsManaged": self.topics_managed,
        }
        optional = {
            "bootstrapBrokersScram": self.bootstrap_brokers_scram,
            "kmsKeyArn": self.kms_key_arn,
            "brokerLogGroupName": self.broker_log_group_name,
        }
        outputs.update({key: value for key, value in optional.items() if value is not None})
        self.register_outputs(outputs)

    def _serverless(self) -> KafkaBuild:
        name, args = self._name, self._args
        cluster = aws.msk.ServerlessCluster(
            f"{name}-serverless",
            cluster_name=f"{args.name_prefix}-kafka",
            vpc_configs=[
                aws.msk.ServerlessClusterVpcConfigArgs(
                    subnet_ids=list(args.subnet_ids), security_group_ids=[args.security_group_id]
                )
            ],
            client_authentication=aws.msk.ServerlessClusterClientAuthenticationArgs(
                sasl=aws.msk.ServerlessClusterClientAuthenticationSaslArgs(
                    iam=aws.msk.ServerlessClusterClientAuthenticationSaslIamArgs(enabled=True)
                )
            ),
            tags={"Name": f"{args.name_prefix}-kafka"},
            opts=child_options(self, protect=args.protect),
        )
        names = [t.name for t in args.kafka.topics]
        return KafkaBuild(
            cluster_arn=cluster.arn,
            cluster_name=cluster.cluster_name,
            bootstrap_brokers_iam=cluster.bootstrap_brokers_sasl_iam,
            topics={topic: pulumi.Output.from_input(topic) for topic in names},
            topic_arns={
                topic: cluster.arn.apply(
                    lambda arn, topic=topic: kafka_resource_arn(arn, "topic", topic)
                )
                for topic in names
            },
        )

    def _provisioned(self) -> KafkaBuild:
        name, args = self._name, self._args
        kafka = args.kafka
        prefix = args.name_prefix
        child = child_options(self)
        stateful = child_options(self, protect=args.protect)

        # Data at rest and the SCRAM secrets: MSK refuses secrets under AWS's default key.
        key = customer_managed_key(
            f"{name}-key",
            parent=self,
            label=f"{prefix}-kafka",
            description=f"{prefix}: Kafka data at rest and SCRAM secrets",
            statements=[account_administers_key(args.context)],
            protect=args.protect,
        )

        log_group = encrypted_log_group(
            f"{name}-broker-logs",
            parent=self,
            name=f"/{prefix}/msk/brokers",
            kms_key_arn=args.logs_kms_key_arn,
            retention_in_days=kafka.log_retention_days,
            protect=args.protect,
        )

        # No kafka_versions (optional: without it the configuration fits any version). With it a
        # version bump would replace the configuration (CloudFormation AWS::MSK::Configuration:
        # KafkaVersionsList "Update requires: Replacement") under the same fixed name while the
        # cluster still uses the old one; server_properties changes are new revisions in place.
        configuration = aws.msk.Configuration(
            f"{name}-config",
            name=f"{prefix}-kafka",
            description=f"{prefix}: broker settings",
            server_properties=server_properties(kafka),
            opts=child,
        )
        throughput = (
            aws.msk.ClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfoProvisionedThroughputArgs(
                enabled=True, volume_throughput=kafka.provisioned_throughput_mibps
            )
            if kafka.provisioned_throughput_mibps
            else None
        )
        cluster = aws.msk.Cluster(
            f"{name}-cluster",
            cluster_name=f"{prefix}-kafka",
            kafka_version=kafka.kafka_version,
            number_of_broker_nodes=kafka.broker_count,
            broker_node_group_info=aws.msk.ClusterBrokerNodeGroupInfoArgs(
                instance_type=kafka.instance_type,
                client_subnets=list(args.subnet_ids),
                security_groups=[args.security_group_id],
                storage_info=aws.msk.ClusterBrokerNodeGroupInfoStorageInfoArgs(
                    ebs_storage_info=aws.msk.ClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfoArgs(
                        volume_size=kafka.ebs_volume_gb, provisioned_throughput=throughput
                    )
                ),
            ),
            configuration_info=aws.msk.ClusterConfigurationInfoArgs(
                arn=configuration.arn, revision=configuration.latest_revision
            ),
            encryption_info=aws.msk.ClusterEncryptionInfoArgs(
                encryption_at_rest_kms_key_arn=key.arn,
                encryption_in_transit=aws.msk.ClusterEncryptionInfoEncryptionInTransitArgs(
                    client_broker="TLS", in_cluster=True
                ),
            ),
            client_authentication=aws.msk.ClusterClientAuthenticationArgs(
                sasl=aws.msk.ClusterClientAuthenticationSaslArgs(iam=True, scram=kafka.scram),
                unauthenticated=False,
            ),
            logging_info=aws.msk.ClusterLoggingInfoArgs(
                broker_logs=aws.msk.ClusterLoggingInfoBrokerLogsArgs(
                    cloudwatch_logs=aws.msk.ClusterLoggingInfoBrokerLogsCloudwatchLogsArgs(
                        enabled=True, log_group=log_group.name
                    )
                )
            ),
            # Prometheus scrapes brokers (JMX) and hosts (node exporter) on 11001/11002.
            open_monitoring=aws.msk.ClusterOpenMonitoringArgs(
                prometheus=aws.msk.ClusterOpenMonitoringPrometheusArgs(
                    jmx_exporter=aws.msk.ClusterOpenMonitoringPrometheusJmxExporterArgs(
                        enabled_in_broker=True
                    ),
                    node_exporter=aws.msk.ClusterOpenMonitoringPrometheusNodeExporterArgs(
                        enabled_in_broker=True
                    ),
                )
            ),
            enhanced_monitoring=kafka.enhanced_monitoring,
            tags={"Name": f"{prefix}-kafka"},
            opts=stateful,
        )
        if kafka.scram:
            self._scram_secret(cluster, key)

        topics = {
            topic.name: aws.msk.Topic(
                f"{name}-topic-{topic.name}",
                cluster_arn=cluster.arn,
                name=topic.name,
                partition_count=topic.partitions,
                replication_factor=topic.replication_factor,
                configs=json.dumps(topic.kafka_configs(), sort_keys=True),
                opts=stateful,
            )
            for topic in kafka.topics
        }
        return KafkaBuild(
            cluster_arn=cluster.arn,
            cluster_name=cluster.cluster_name,
            bootstrap_brokers_iam=cluster.bootstrap_brokers_sasl_iam,
            topics={key: topic.name for key, topic in topics.items()},
            topic_arns={key: topic.arn for key, topic in topics.items()},
            bootstrap_brokers_scram=cluster.bootstrap_brokers_sasl_scram if kafka.scram else None,
            kms_key_arn=key.arn,
            broker_log_group_name=log_group.name,
        )

    def _scram_secret(self, cluster: aws.msk.Cluster, key: aws.kms.Key) -> None:
        """A SCRAM user for clients that cannot sign with IAM. MSK validates the secret's
        username/password JSON when associating it, so the secret gets a generated password
        (kept encrypted in the Pulumi state as a secret); rotate it in Secrets Manager."""
        name, args = self._name, self._args
        password = random.RandomPassword(
            f"{name}-scram-password",
            length=32,
            special=False,  # SCRAM clients put it in a JAAS string; quoting is error-prone
            opts=child_options(self),
        )
        secret = json_secret(
            f"{name}-scram",
            parent=self,
            kms_key_arn=key.arn,
            description=f"{args.name_prefix}: SCRAM credentials for Kafka clients",
            value={"username": "trading-clients", "password": password.result},
            # MSK only associates secrets whose name starts with AmazonMSK_.
            name=f"AmazonMSK_{args.name_prefix}-kafka-clients",
            protect=args.protect,
            version_resource_name=f"{name}-scram-credentials",
        )
        aws.msk.ScramSecretAssociation(
            f"{name}-scram-association",
            cluster_arn=cluster.arn,
            secret_arn_lists=[secret.arn],
            opts=child_options(self, depends_on=[secret.version]),
        )
