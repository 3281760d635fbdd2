"""The IAM half of every flow: what each workload's role may do, scoped to the exact ARNs.

``trading-platform:access`` (``components/config/access.py``) says what each workload needs;
the config already refused a need without a flow of the right kind in the reachability table.
Here the needs become statements:

- Kafka (MSK IAM access control; the actions and what each requires are MSK's "Semantics of IAM
  authorization policy actions and resources"): ``Connect`` on the cluster; a producer
  ``DescribeTopic`` + ``WriteData`` on its topics and ``WriteDataIdempotently`` on the cluster
  (Kafka clients 3.0+ enable idempotence by default, and MSK refuses it without this); a consumer
  ``DescribeTopic`` + ``ReadData`` on its topics and ``DescribeGroup`` + ``AlterGroup`` on its
  group.
- The database: ``rds-db:connect`` on ``dbuser:prx-<proxy id>/<user>`` (RDS Proxy's IAM
  authentication: the resource is the proxy's, not the database's), and read access to the
  connection-settings secret.
- The cache: read access to its connection-settings secret (which holds the AUTH token or the
  RBAC password unless the cache uses IAM authentication) and, with IAM authentication,
  ``elasticache:Connect`` on the cache and on its application user, the two resources a client's
  signed token names (ElastiCache user guide, "Authenticating with IAM").
- A secret read is ``secretsmanager:GetSecretValue`` on that secret and ``kms:Decrypt`` on its
  key only through Secrets Manager (``kms:ViaService``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .aws_context import AwsContext, policy_json
from .config.access import WorkloadAccess
from .kafka import kafka_resource_arn

# MSK's "Required actions" column, for the actions granted here: granting one without the other
# fails at the broker with an authorization error, so the tests check the closure.
KAFKA_REQUIRES: Mapping[str, frozenset[str]] = {
    "kafka-cluster:Connect": frozenset(),
    "kafka-cluster:DescribeTopic": frozenset({"kafka-cluster:Connect"}),
    "kafka-cluster:WriteData": frozenset({"kafka-cluster:Connect", "kafka-cluster:DescribeTopic"}),
    "kafka-cluster:ReadData": frozenset(
        {"kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterGroup"}
    ),
    "kafka-cluster:WriteDataIdempotently": frozenset(
        {"kafka-cluster:Connect", "kafka-cluster:WriteData"}
    ),
    "kafka-cluster:DescribeGroup": frozenset({"kafka-cluster:Connect"}),
    "kafka-cluster:AlterGroup": frozenset({"kafka-cluster:Connect", "kafka-cluster:DescribeGroup"}),
}


@dataclass(frozen=True)
class AccessTargets:
    """The ARNs workloads reach, resolved (plain strings): what the statements name."""

    context: AwsContext
    kafka_cluster_arn: str
    topic_arns: Mapping[str, str]  # by config name (``kafka.topics`` keys)
    proxy_arn: str  # arn:...:rds:<region>:<account>:db-proxy:prx-...
    database_secret_arn: str
    cache_secret_arn: str
    secrets_key_arn: str  # the key both connection-settings secrets are encrypted with
    # The cache and its IAM-authenticated user, or () when the cache takes a stored credential.
    cache_connect_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessTargetInputs:
    """The same, as the components' outputs."""

    context: AwsContext
    kafka_cluster_arn: pulumi.Input[str]
    topic_arns: Mapping[str, pulumi.Input[str]]
    proxy_arn: pulumi.Input[str]
    database_secret_arn: pulumi.Input[str]
    cache_secret_arn: pulumi.Input[str]
    secrets_key_arn: pulumi.Input[str]
    cache_connect_arns: Sequence[pulumi.Input[str]] = ()

    def resolved(self) -> pulumi.Output[AccessTargets]:
        return pulumi.Output.all(
            cluster=self.kafka_cluster_arn,
            topics=dict(self.topic_arns),
            proxy=self.proxy_arn,
            database=self.database_secret_arn,
            cache=self.cache_secret_arn,
            key=self.secrets_key_arn,
            cache_connect=list(self.cache_connect_arns),
        ).apply(
            lambda v: AccessTargets(
                context=self.context,
                kafka_cluster_arn=v["cluster"],
                topic_arns=v["topics"],
                proxy_arn=v["proxy"],
                database_secret_arn=v["database"],
                cache_secret_arn=v["cache"],
                secrets_key_arn=v["key"],
                cache_connect_arns=tuple(v["cache_connect"]),
            )
        )


def proxy_resource_id(proxy_arn: str) -> str:
    """``prx-...`` from a proxy's ARN (arn:aws:rds:<region>:<account>:db-proxy:prx-...)."""
    head, marker, resource_id = proxy_arn.rpartition(":db-proxy:")
    if not marker or not head or not resource_id.startswith("prx-"):
        raise ValueError(f"not an RDS Proxy ARN: {proxy_arn!r}")
    return resource_id


def db_user_arn(ctx: AwsContext, resource_id: str, user: str) -> str:
    """The ``rds-db:connect`` resource of one database user behind a proxy (``prx-...``) or a
    database (``db-...``, ``cluster-...``): RDS user guide, "Creating and using an IAM policy for
    IAM database access"."""
    return ctx.arn("rds-db", f"dbuser:{resource_id}/{user}")


def _read_secret(
    sid: str, secret_arns: Sequence[str], key_arn: str, ctx: AwsContext
) -> list[dict[str, Any]]:
    return [
        {
            "Sid": f"Read{sid}",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": sorted(secret_arns),
        },
        {
            "Sid": f"Decrypt{sid}ThroughSecretsManager",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": ctx.service_principal("secretsmanager")}
            },
        },
    ]


def _kafka(access: WorkloadAccess, t: AccessTargets) -> list[dict[str, Any]]:
    if not access.uses_kafka:
        return []
    cluster_actions = ["kafka-cluster:Connect"]
    if access.produces:
        cluster_actions.append("kafka-cluster:WriteDataIdempotently")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "KafkaCluster",
            "Effect": "Allow",
            "Action": cluster_actions,
            "Resource": t.kafka_cluster_arn,
        }
    ]
    for sid, topics, action in (
        ("KafkaProduce", access.produces, "kafka-cluster:WriteData"),
        ("KafkaConsume", access.consumes, "kafka-cluster:ReadData"),
    ):
        if topics:
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Action": ["kafka-cluster:DescribeTopic", action],
                    "Resource": sorted(t.topic_arns[topic] for topic in topics),
                }
            )
    if access.consumer_group is not None:
        statements.append(
            {
                "Sid": "KafkaConsumerGroup",
                "Effect": "Allow",
                "Action": ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                "Resource": kafka_resource_arn(t.kafka_cluster_arn, "group", access.consumer_group),
            }
        )
    return statements


def workload_statements(access: WorkloadAccess, t: AccessTargets) -> list[dict[str, Any]]:
    """Every statement ``access`` needs, and nothing more."""
    ctx = t.context
    statements = _kafka(access, t)
    if access.database_user is not None:
        statements.append(
            {
                "Sid": "ConnectThroughProxy",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": db_user_arn(ctx, proxy_resource_id(t.proxy_arn), access.database_user),
            }
        )
    secrets = [
        arn
        for arn, wanted in (
            (t.database_secret_arn, access.database_user is not None),
            (t.cache_secret_arn, access.cache),
        )
        if wanted
    ]
    if secrets:
        statements += _read_secret("ConnectionSettings", secrets, t.secrets_key_arn, ctx)
    if access.cache and t.cache_connect_arns:
        statements.append(
            {
                "Sid": "ConnectToCacheWithIam",
                "Effect": "Allow",
                "Action": "elasticache:Connect",
                "Resource": sorted(t.cache_connect_arns),
            }
        )
    return statements


def access_policy(access: WorkloadAccess, targets: AccessTargetInputs) -> pulumi.Output[str] | None:
    """The workload's policy document, or None when it needs nothing (IAM refuses an empty
    statement list)."""
    if not (access.uses_kafka or access.reads_secrets):
        return None
    return targets.resolved().apply(lambda t: policy_json(workload_statements(access, t)))


def connection_environment(
    access: WorkloadAccess,
    *,
    region: str,
    kafka_bootstrap_servers: pulumi.Input[str],
    database_secret_arn: pulumi.Input[str],
    cache_secret_arn: pulumi.Input[str],
) -> dict[str, pulumi.Input[str]]:
    """The environment that tells a workload where its flows go (never a credential: those are
    its role's, or read from the secrets named here)."""
    environment: dict[str, pulumi.Input[str]] = {"AWS_REGION": region}
    if access.uses_kafka:
        environment["KAFKA_BOOTSTRAP_SERVERS"] = kafka_bootstrap_servers
    if access.consumer_group is not None:
        environment["KAFKA_CONSUMER_GROUP"] = access.consumer_group
    if access.database_user is not None:
        environment["DATABASE_SECRET_ARN"] = database_secret_arn
        environment["DATABASE_USER"] = access.database_user
    if access.cache:
        environment["CACHE_SECRET_ARN"] = cache_secret_arn
    return environment
