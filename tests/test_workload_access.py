"""Every flow of every workload works at the identity layer, and nothing more.

For each workload of the real stacks (update mode, so ARNs are the mocks' answers), the needed
(action, resource) pairs are computed here from the stack's ``access`` config and the captured
resources, independently of ``components/access.py``: MSK's action semantics, RDS Proxy's
``dbuser:prx-...`` resource, a secret read with its key. The role's captured policy must allow
each of them (``offline.iam_eval``) and name nothing else.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.access import KAFKA_REQUIRES
from components.config import load_stack_config
from components.config.access import WorkloadAccess
from offline.iam_eval import grants, is_allowed, open_ended
from offline.runner import ProgramRun
from offline.stack_files import read_stack_files
from tests.programs import stack

REGION, ACCOUNT = "ap-northeast-2", "123456789012"
WORKLOADS = ("api", "websocket", "consumer", "matching-engine")
POLICY_OF = {
    "api": "workloads-api-policy",
    "websocket": "workloads-websocket-policy",
    "consumer": "workloads-consumer-policy",
    "matching-engine": "matching-engine-data-access",
}


def outputs(run: ProgramRun, type_token: str) -> list[dict[str, Any]]:
    return [r.outputs for r in run.of_type(type_token)]


def targets(run: ProgramRun, name: str) -> dict[str, Any]:
    """The ARNs a workload can reach, read from the captured resources."""
    clusters = outputs(run, "aws:msk/cluster:Cluster") or outputs(
        run, "aws:msk/serverlessCluster:ServerlessCluster"
    )
    cluster = clusters[0]["arn"]
    topics = {t.get("name"): t.outputs["arn"] for t in run.of_type("aws:msk/topic:Topic")}
    if not topics:  # Serverless: topic/<cluster>/<uuid>/<name> (MSK's IAM resource format)
        topics = {
            topic.name: cluster.replace(":cluster/", ":topic/", 1) + f"/{topic.name}"
            for topic in config_of(name).kafka.topics
        }
    secrets = {s.get("name"): s for s in run.of_type("aws:secretsmanager/secret:Secret")}
    database = secrets[f"trading-{name}/app/database"]
    cache = secrets[f"trading-{name}/app/cache"]
    assert database.get("kmsKeyId") == cache.get("kmsKeyId")
    (proxy,) = outputs(run, "aws:rds/proxy:Proxy")
    caches = outputs(run, "aws:elasticache/replicationGroup:ReplicationGroup") or outputs(
        run, "aws:elasticache/serverlessCache:ServerlessCache"
    )
    iam_users = [
        user.outputs["arn"]
        for user in run.of_type("aws:elasticache/user:User")
        if user.get("authenticationMode.type") == "iam"
    ]
    return {
        # An IAM token names the cache and the user (ElastiCache's "Authenticating with IAM").
        "cache_connect": {caches[0]["arn"], *iam_users} if iam_users else set(),
        "cluster": cluster,
        "topics": topics,
        "group": lambda group: cluster.replace(":cluster/", ":group/", 1) + f"/{group}",
        "proxy_id": proxy["arn"].rsplit(":", 1)[1],
        "database_secret": database.outputs["arn"],
        "cache_secret": cache.outputs["arn"],
        "key": database.get("kmsKeyId"),
    }


def config_of(name: str) -> Any:
    return load_stack_config(dict(read_stack_files(name).values), stack=name)


def needed(access: WorkloadAccess, t: dict[str, Any]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    if access.produces or access.consumes:
        pairs.add(("kafka-cluster:Connect", t["cluster"]))
    if access.produces:
        pairs.add(("kafka-cluster:WriteDataIdempotently", t["cluster"]))
    for topic in access.produces:
        pairs |= {
            (a, t["topics"][topic])
            for a in ("kafka-cluster:DescribeTopic", "kafka-cluster:WriteData")
        }
    for topic in access.consumes:
        pairs |= {
            (a, t["topics"][topic])
            for a in ("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData")
        }
    if access.consumer_group:
        group = t["group"](access.consumer_group)
        pairs |= {("kafka-cluster:DescribeGroup", group), ("kafka-cluster:AlterGroup", group)}
    if access.database_user:
        user = f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{t['proxy_id']}/{access.database_user}"
        pairs.add(("rds-db:connect", user))
        pairs.add(("secretsmanager:GetSecretValue", t["database_secret"]))
    if access.cache:
        pairs.add(("secretsmanager:GetSecretValue", t["cache_secret"]))
        pairs |= {("elasticache:Connect", arn) for arn in t["cache_connect"]}
    if access.database_user or access.cache:
        pairs.add(("kms:Decrypt", t["key"]))
    return pairs


def policy(run: ProgramRun, workload: str) -> dict[str, Any]:
    document = run.named(POLICY_OF[workload]).get("policy")
    return json.loads(document)


CASES = [(name, workload) for name in ("dev", "prod") for workload in WORKLOADS]


@pytest.mark.parametrize(("name", "workload"), CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_the_role_allows_exactly_what_the_flows_need(name: str, workload: str) -> None:
    run = stack(name, False)
    access = config_of(name).access.by_workload()[workload]
    want = needed(access, targets(run, name))
    document = policy(run, workload)
    for action, resource in sorted(want):
        assert is_allowed([document], action, resource), (action, resource)
    assert grants([document]) == want
    assert not open_ended([document])
    statements = document["Statement"]
    assert not [s for s in statements if "*" in json.dumps(s["Action"])]
    # The only wildcard: a consumer-group prefix the config declares (one group per pod).
    prefixes = {f for f in [access.consumer_group] if f and f.endswith("*")}
    for statement in statements:
        for resource in (
            [statement["Resource"]]
            if isinstance(statement["Resource"], str)
            else (statement["Resource"])
        ):
            assert "*" not in resource or resource.rsplit("/", 1)[1] in prefixes, resource
    # Keys are used only by Secrets Manager on the role's behalf.
    for statement in statements:
        if statement["Action"] == "kms:Decrypt":
            assert statement["Condition"] == {
                "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
            }
    # MSK refuses an action whose required actions are missing.
    actions = {action for action, _ in want}
    for action in actions & set(KAFKA_REQUIRES):
        assert KAFKA_REQUIRES[action] <= actions, action


def test_a_workload_cannot_use_what_another_needs() -> None:
    run = stack("prod", False)
    t = targets(run, "prod")
    api, websocket = policy(run, "api"), policy(run, "websocket")
    assert is_allowed([api], "kafka-cluster:WriteData", t["topics"]["orders.commands"])
    assert not is_allowed([api], "kafka-cluster:ReadData", t["topics"]["trades.events"])
    assert not is_allowed([api], "kafka-cluster:WriteData", t["topics"]["trades.events"])
    assert not is_allowed([websocket], "kafka-cluster:WriteData", t["topics"]["market.data"])
    assert not is_allowed([websocket], "secretsmanager:GetSecretValue", t["database_secret"])
    other_user = f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{t['proxy_id']}/trading_consumer"
    assert not is_allowed([api], "rds-db:connect", other_user)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_each_pod_role_is_the_one_bound_to_its_service_account(name: str) -> None:
    run = stack(name, False)
    for service in ("api", "websocket", "consumer"):
        association = run.named(f"workloads-{service}-identity")
        assert association.get("namespace") == "trading"
        assert association.get("serviceAccount") == service
        role = run.named(f"workloads-{service}-role")
        assert role.urn in association.property_dependencies["roleArn"]
        attached = run.named(POLICY_OF[service])
        assert role.urn in attached.property_dependencies["role"]
    engine_role = run.named("matching-engine-role")
    attached = run.named(POLICY_OF["matching-engine"])
    assert engine_role.urn in attached.property_dependencies["role"]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_proxy_logs_in_as_each_workload_user_and_no_other(name: str) -> None:
    run = stack(name, False)
    config = config_of(name)
    users = sorted(a.database_user for a in config.access.by_workload().values() if a.database_user)
    database = run.of_type("aws:rds/instance:Instance") or run.of_type("aws:rds/cluster:Cluster")
    primary = next(d for d in database if not d.get("replicateSourceDb"))
    resource_id = primary.outputs.get("resourceId") or primary.outputs["clusterResourceId"]
    (proxy,) = run.of_type("aws:rds/proxy:Proxy")
    assert proxy.get("defaultAuthScheme") == "IAM_AUTH"
    document = json.loads(run.named("data-proxy-read-secret").get("policy"))
    connect = {r for a, r in grants([document]) if a == "rds-db:connect"}
    assert connect == {
        f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{resource_id}/{user}" for user in users
    }
    # The master login through the proxy stays (migrations, creating the users).
    assert [auth["authScheme"] for auth in proxy.get("auths")] == ["SECRETS"]
