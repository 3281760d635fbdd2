"""components/access.py: the statements each kind of need becomes, and their edge cases."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from components.access import (
    AccessTargets,
    access_policy,
    connection_environment,
    db_user_arn,
    proxy_resource_id,
    workload_statements,
)
from components.aws_context import AwsContext
from components.config.access import WorkloadAccess

CTX = AwsContext("123456789012", "aws", "ap-northeast-2", "amazonaws.com")
CLUSTER = "arn:aws:kafka:ap-northeast-2:123456789012:cluster/k/uuid-3"
TARGETS = AccessTargets(
    context=CTX,
    kafka_cluster_arn=CLUSTER,
    topic_arns={"a": "arn:topic/a", "b": "arn:topic/b"},
    proxy_arn="arn:aws:rds:ap-northeast-2:123456789012:db-proxy:prx-0abc",
    database_secret_arn="arn:secret:db",
    cache_secret_arn="arn:secret:cache",
    secrets_key_arn="arn:key",
)


def needs(**given: Any) -> WorkloadAccess:
    fields: dict[str, Any] = {
        "produces": (),
        "consumes": (),
        "consumer_group": None,
        "database_user": None,
        "cache": False,
    }
    return WorkloadAccess(**{**fields, **given})


def by_sid(access: WorkloadAccess) -> dict[str, dict[str, object]]:
    return {s["Sid"]: s for s in workload_statements(access, TARGETS)}


def test_a_producer_writes_idempotently_and_a_pure_consumer_does_not() -> None:
    producer = by_sid(needs(produces=("a",)))
    assert producer["KafkaCluster"]["Action"] == [
        "kafka-cluster:Connect",
        "kafka-cluster:WriteDataIdempotently",
    ]
    assert producer["KafkaProduce"]["Resource"] == ["arn:topic/a"]
    consumer = by_sid(needs(consumes=("b", "a"), consumer_group="g"))
    assert consumer["KafkaCluster"]["Action"] == ["kafka-cluster:Connect"]
    assert consumer["KafkaConsume"]["Resource"] == ["arn:topic/a", "arn:topic/b"]
    assert consumer["KafkaConsumerGroup"]["Resource"] == (
        "arn:aws:kafka:ap-northeast-2:123456789012:group/k/uuid-3/g"
    )
    assert "KafkaProduce" not in consumer


def test_the_database_user_is_the_proxys_and_the_secret_read_goes_through_the_key() -> None:
    statements = by_sid(needs(database_user="trading_api"))
    assert statements["ConnectThroughProxy"]["Resource"] == (
        "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:prx-0abc/trading_api"
    )
    assert statements["ReadConnectionSettings"]["Resource"] == ["arn:secret:db"]
    decrypt = statements["DecryptConnectionSettingsThroughSecretsManager"]
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.ap-northeast-2.amazonaws.com"}
    }
    cache_only = by_sid(needs(cache=True))
    assert cache_only["ReadConnectionSettings"]["Resource"] == ["arn:secret:cache"]
    assert "ConnectThroughProxy" not in cache_only


def test_an_iam_cache_is_connected_to_on_the_cache_and_its_user_only() -> None:
    arns = ("arn:cache:user/app", "arn:cache:replicationgroup/c")
    iam = {
        s["Sid"]: s
        for s in workload_statements(needs(cache=True), replace(TARGETS, cache_connect_arns=arns))
    }
    assert iam["ConnectToCacheWithIam"]["Action"] == "elasticache:Connect"
    assert iam["ConnectToCacheWithIam"]["Resource"] == sorted(arns)
    # The settings secret is still read (host, port, user name); a stored credential gets no
    # Connect grant, and a workload without the cache gets none either.
    assert iam["ReadConnectionSettings"]["Resource"] == ["arn:secret:cache"]
    assert "ConnectToCacheWithIam" not in by_sid(needs(cache=True))
    no_cache = workload_statements(
        needs(database_user="trading_api"), replace(TARGETS, cache_connect_arns=arns)
    )
    assert "elasticache:Connect" not in json.dumps(no_cache)


def test_a_workload_that_needs_nothing_gets_no_document() -> None:
    assert access_policy(needs(), None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:rds:ap-northeast-2:1:db:prod",  # a database, not a proxy
        "arn:aws:rds:ap-northeast-2:1:db-proxy:",
        "prx-0abc",
    ],
)
def test_a_proxy_id_comes_only_from_a_proxy_arn(arn: str) -> None:
    with pytest.raises(ValueError, match="not an RDS Proxy ARN"):
        proxy_resource_id(arn)


def test_db_user_arns_name_the_resource_id() -> None:
    assert (
        db_user_arn(CTX, "db-ABC", "u")
        == "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:db-ABC/u"
    )


def test_the_environment_names_only_what_the_workload_uses() -> None:
    env = connection_environment(
        needs(consumes=("a",), consumer_group="g", cache=True),
        region="ap-northeast-2",
        kafka_bootstrap_servers="b:9098",
        database_secret_arn="arn:secret:db",
        cache_secret_arn="arn:secret:cache",
    )
    assert env == {
        "AWS_REGION": "ap-northeast-2",
        "KAFKA_BOOTSTRAP_SERVERS": "b:9098",
        "KAFKA_CONSUMER_GROUP": "g",
        "CACHE_SECRET_ARN": "arn:secret:cache",
    }
