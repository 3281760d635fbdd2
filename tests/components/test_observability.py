"""Observability, built on its own per tier, and as wired into the real dev and prod stacks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.alarms import AlarmTargets, ServerlessCacheLimits
from components.cache import member_cluster_suffixes
from components.config import StackConfig, load_stack_config
from components.observability import Observability, ObservabilityArgs
from components.services import Service
from offline.capture import UNKNOWN, CapturedResource
from offline.runner import ProgramRun, run_component
from tests.components.edge_cluster_fixtures import CONTEXT
from tests.programs import IDS, STACKS, stack
from tests.resources import linked, linked_one
from tests.stack_values import P, base_values

TIERS = ("startup", "growth", "scale")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUDGET = "aws:budgets/budget:Budget"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs"
ALB = "app/trading-test-alb/50dc6c495c0c9188"
NLB = "net/trading-test-engine/3f2a6c495c0c9188"
ENGINE_TGS = {8080: "targetgroup/engine-tcp/aaaa", 9090: "targetgroup/engine-grpc/bbbb"}
API_TGS = {
    Service.API: "targetgroup/api/cccc",
    Service.WEBSOCKET: "targetgroup/websocket/dddd",
}
# The tiers' figures: seed 002 section 13.1 (p99, lag), postgres.maxConnections, engine min.
EXPECTED = {
    "startup": {"p99": 0.5, "lag": 10_000, "connections": 80, "engine_min": 1, "nodes": 2},
    "growth": {"p99": 0.3, "lag": 50_000, "connections": 160, "engine_min": 2, "nodes": 3},
    "scale": {"p99": 0.1, "lag": 100_000, "connections": 400, "engine_min": 3, "nodes": 9},
}
MISSING_DATA = {
    "api-latency-p99": "notBreaching",
    "api-5xx-rate": "notBreaching",
    "db-cpu": "breaching",
    "db-connections": "missing",
    "memory": "breaching",
    "cpu": "missing",
    "evictions": "notBreaching",
    "storage": "breaching",
    "ecpu": "missing",
    "lag": "notBreaching",
    "healthy": "breaching",
}


def config_of(
    tier: str, *, artifact_version: str | None = "1.4.2", **observability: Any
) -> StackConfig:
    """A ``tier`` stack whose engine fleet runs ``artifact_version`` (None: none pushed yet)."""
    values = base_values(tier)
    if observability:
        values[f"{P}:observability"] = observability
    if artifact_version is not None:
        values[f"{P}:matchingEngine"] = {"artifactVersion": artifact_version}
    return load_stack_config(values, stack="test")


def build(
    config: StackConfig, *, preview: bool = False, serverless_cache: bool = False
) -> ProgramRun:
    cache = config.cache
    nodes = member_cluster_suffixes(
        cache.shards if cache.cluster_mode else None, cache.replicas_per_shard
    )
    dims = (
        [{"clusterId": "trading-test-cache"}]
        if serverless_cache
        else [{"CacheClusterId": f"trading-test-cache-{n}"} for n in nodes]
    )

    def program() -> None:
        Observability(
            "observability",
            ObservabilityArgs(
                name_prefix="trading-test",
                stack="test",
                config=config.observability,
                monthly_budget_usd=config.budget.monthly_usd,
                context=CONTEXT,
                logs_kms_key_arn=LOGS_KEY,
                alarms=AlarmTargets(
                    alb_arn_suffix=ALB,
                    api_target_group_arn_suffix=API_TGS[Service.API],
                    database={"DBInstanceIdentifier": "trading-test-postgres"},
                    max_connections=config.postgres.max_connections,
                    cache=dims,
                    kafka_cluster_name="trading-test-kafka",
                    kafka_topics={t.name: t.name for t in config.kafka.topics},
                    consumer_groups=config.access.consumer_groups,
                    nlb_arn_suffix=NLB,
                    engine_target_group_arn_suffixes=ENGINE_TGS,
                    engine_min_healthy=config.matching_engine.fleet_min,
                    serverless_cache=ServerlessCacheLimits(
                        cache.serverless.max_storage_gb, cache.serverless.max_ecpu_per_second
                    )
                    if serverless_cache
                    else None,
                ),
                web_acl_name="trading-test-web-acl",
                alb_target_group_arn_suffixes=API_TGS,
                cache_serverless=serverless_cache,
                kafka_broker_count=config.kafka.broker_count,
                kafka_topics={t.name: t.name for t in config.kafka.topics},
                engine_log_groups=["/trading-test/matching-engine/application"],
                protect=False,
            ),
        )

    return run_component(program, preview=preview)


def alarms_by_key(run: ProgramRun) -> dict[str, CapturedResource]:
    return {a.inputs["name"].removeprefix("trading-test-"): a for a in run.of_type(ALARM)}


def missing_data_kind(key: str) -> str:
    for kind in (key, key.rsplit("-", 1)[-1], key.split("-")[1]):
        if kind in MISSING_DATA:
            return MISSING_DATA[kind]
    raise KeyError(key)


@pytest.mark.parametrize("tier", TIERS)
def test_alarm_set_and_thresholds_follow_the_tier(tier: str) -> None:
    expected = EXPECTED[tier]
    run = build(config_of(tier))
    alarms = alarms_by_key(run)
    nodes = [
        f"cache-{i}-{m}"
        for i in range(1, expected["nodes"] + 1)
        for m in ("memory", "cpu", "evictions")
    ]
    lag = ["kafka-lag-matching-engine-orders-commands", "kafka-lag-trading-consumers-trades-events"]
    assert sorted(alarms) == sorted(
        [
            "api-latency-p99",
            "api-5xx-rate",
            "db-cpu",
            "db-connections",
            *nodes,
            *lag,
            "engine-healthy-8080",
            "engine-healthy-9090",
        ]
    )
    threshold = {key: alarm.inputs["threshold"] for key, alarm in alarms.items()}
    assert threshold["api-latency-p99"] == expected["p99"]
    assert alarms["api-latency-p99"].inputs["extendedStatistic"] == "p99"
    assert threshold["api-5xx-rate"] == 1
    assert threshold["db-cpu"] == 70
    assert threshold["db-connections"] == expected["connections"]  # 80 % of max_connections
    assert threshold["cache-1-memory"] == 80
    assert threshold["cache-1-cpu"] == 70
    assert threshold["cache-1-evictions"] == 100  # seed 001
    assert {threshold[k] for k in lag} == {expected["lag"]}
    assert threshold["engine-healthy-8080"] == expected["engine_min"]
    assert alarms["engine-healthy-8080"].inputs["comparisonOperator"] == "LessThanThreshold"


@pytest.mark.parametrize("tier", TIERS)
def test_an_intentionally_empty_engine_fleet_pages_nobody(tier: str) -> None:
    # No artifact version yet: the ASG is at 0 on purpose, so no healthy-host alarm exists.
    alarms = alarms_by_key(build(config_of(tier, artifact_version=None)))
    assert not [key for key in alarms if key.startswith("engine-")]
    assert "api-latency-p99" in alarms


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_every_alarm_notifies_on_alarm_and_ok_with_a_runbook(preview: bool) -> None:
    run = build(config_of("startup"), preview=preview)
    (topic,) = run.of_type(TOPIC)
    for key, alarm in alarms_by_key(run).items():
        assert linked_one(alarm, "alarmActions", run.resources) is topic
        assert linked_one(alarm, "okActions", run.resources) is topic
        assert alarm.inputs["treatMissingData"] == missing_data_kind(key), key
        assert "Runbook: " in alarm.inputs["alarmDescription"]


def test_the_5xx_alarm_is_a_rate_of_the_api_target_group() -> None:
    alarm = alarms_by_key(build(config_of("startup")))["api-5xx-rate"]
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["rate"]["expression"] == "100 * FILL(errors, 0) / requests"
    assert queries["rate"]["returnData"] is True
    for metric_id, name in (("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount")):
        metric = queries[metric_id]["metric"]
        assert metric["metricName"] == name
        assert metric["dimensions"] == {"LoadBalancer": ALB, "TargetGroup": API_TGS[Service.API]}


def test_serverless_cache_alarms_use_its_own_metrics() -> None:
    config = config_of("startup")
    alarms = alarms_by_key(build(config, serverless_cache=True))
    cache = {k: a for k, a in alarms.items() if k.startswith("cache-")}
    assert sorted(cache) == ["cache-ecpu", "cache-evictions", "cache-storage"]
    for alarm in cache.values():
        assert alarm.inputs["dimensions"] == {"clusterId": "trading-test-cache"}
    limits = config.cache.serverless
    assert cache["cache-storage"].inputs["threshold"] == 0.8 * limits.max_storage_gb * 10**9
    assert cache["cache-ecpu"].inputs["threshold"] == 0.7 * limits.max_ecpu_per_second * 60


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_topic_is_encrypted_with_a_key_alarms_and_budgets_may_use(preview: bool) -> None:
    run = build(config_of("startup"), preview=preview)
    (topic,) = run.of_type(TOPIC)
    key = linked_one(topic, "kmsMasterKeyId", run.resources)
    assert key.type == KEY
    assert key.inputs["enableKeyRotation"] is True
    policy = json.loads(key.inputs["policy"])
    (service,) = [s for s in policy["Statement"] if s["Sid"] == "AlarmsAndBudgetsPublish"]
    assert sorted(service["Principal"]["Service"]) == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
    ]
    assert sorted(service["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert service["Condition"] == {"StringEquals": {"aws:SourceAccount": CONTEXT.account_id}}


def test_topic_policy_lets_only_this_accounts_alarms_and_budgets_publish() -> None:
    run = build(config_of("startup"))
    (policy_resource,) = run.of_type("aws:sns/topicPolicy:TopicPolicy")
    statements = {s["Sid"]: s for s in json.loads(policy_resource.inputs["policy"])["Statement"]}
    topic_arn = "arn:aws:sns:ap-northeast-2:123456789012:trading-test-alerts"
    for sid, service in (("CloudWatchAlarmsPublish", "cloudwatch"), ("BudgetsPublish", "budgets")):
        statement = statements[sid]
        assert statement["Principal"] == {"Service": f"{service}.amazonaws.com"}
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == topic_arn
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_subscriptions_come_from_config() -> None:
    config = config_of(
        "startup",
        alertEmails=["oncall@example.com", "finance@example.com"],
        pagerHttpsEndpoint="https://events.pager.example.com/hook",
    )
    run = build(config)
    subscriptions = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("email", "finance@example.com"),
        ("email", "oncall@example.com"),
        ("https", "https://events.pager.example.com/hook"),
    ]
    assert not build(config_of("startup")).of_type("aws:sns/topicSubscription:TopicSubscription")


@pytest.mark.parametrize(("tier", "usd"), [("startup", 1362), ("growth", 3421), ("scale", 21895)])
def test_budget_is_the_tiers_monthly_cost_with_two_notifications(tier: str, usd: int) -> None:
    run = build(config_of(tier))
    (budget,) = run.of_type(BUDGET)
    (topic,) = run.of_type(TOPIC)
    assert budget.inputs["budgetType"] == "COST"
    assert budget.inputs["timeUnit"] == "MONTHLY"
    assert budget.inputs["limitAmount"] == str(usd)
    assert budget.inputs["limitUnit"] == "USD"
    assert budget.inputs["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Stack$test"]}]
    notifications = sorted(
        (n["notificationType"], n["threshold"], n["thresholdType"], n["comparisonOperator"])
        for n in budget.inputs["notifications"]
    )
    assert notifications == [
        ("ACTUAL", 100, "PERCENTAGE", "GREATER_THAN"),
        ("FORECASTED", 80, "PERCENTAGE", "GREATER_THAN"),
    ]
    assert linked_one(budget, "notifications", run.resources) is topic


@pytest.mark.parametrize(("tier", "days"), [("startup", 14), ("growth", 30), ("scale", 90)])
def test_service_log_groups_are_encrypted_with_the_tiers_retention(tier: str, days: int) -> None:
    groups = build(config_of(tier)).of_type(LOG_GROUP)
    assert sorted(g.inputs["name"] for g in groups) == [
        "/trading-test/services/api",
        "/trading-test/services/consumer",
        "/trading-test/services/websocket",
    ]
    for group in groups:
        assert group.inputs["kmsKeyId"] == LOGS_KEY
        assert group.inputs["retentionInDays"] == days


def test_dashboard_names_the_resources_it_was_given() -> None:
    (dashboard,) = build(config_of("growth")).of_type(DASHBOARD)
    assert dashboard.inputs["dashboardName"] == "trading-test"
    body = json.loads(dashboard.inputs["dashboardBody"])
    text = json.dumps(body)
    for name in (
        ALB,
        NLB,
        *API_TGS.values(),
        *ENGINE_TGS.values(),
        "trading-test-postgres",
        "trading-test-cache-001",
        "trading-test-kafka",
        "trading-test-web-acl",
        "/trading-test/services/api",
        "/trading-test/matching-engine/application",
    ):
        assert name in text, name
    titles = [w["properties"]["title"] for w in body["widgets"]]
    assert "API response time (s)" in titles
    (waf,) = [w for w in body["widgets"] if w["properties"]["title"] == "WAF blocked requests"]
    assert waf["properties"]["region"] == "us-east-1"
    assert waf["properties"]["metrics"][0][:6] == [
        "AWS/WAFV2",
        "BlockedRequests",
        "WebACL",
        "trading-test-web-acl",
        "Rule",
        "ALL",
    ]
    # Growth runs 4 provisioned brokers: bytes in and out per broker.
    (kafka,) = [w for w in body["widgets"] if w["properties"]["title"].startswith("Kafka bytes")]
    assert len(kafka["properties"]["metrics"]) == 8


# --- The real stacks: every alarm dimension is an output of the resource it watches. ---

# Which resource types must feed each namespace's dimensions.
SOURCES = {
    "AWS/ApplicationELB": {"aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"},
    "AWS/NetworkELB": {"aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"},
    "AWS/RDS": {"aws:rds/instance:Instance"},
    "AWS/ElastiCache": {"aws:elasticache/replicationGroup:ReplicationGroup"},
    "AWS/Kafka": {
        "aws:msk/serverlessCluster:ServerlessCluster",
        "aws:msk/cluster:Cluster",
        "aws:msk/topic:Topic",  # lag alarms name the topic by its output
    },
}


def _dimension_values(alarm: CapturedResource) -> tuple[str, dict[str, Any], str]:
    """(namespace, dimensions, the input property carrying them) of an alarm."""
    if alarm.inputs.get("metricQueries"):
        metric = alarm.inputs["metricQueries"][1]["metric"]
        return metric["namespace"], metric["dimensions"], "metricQueries"
    return alarm.inputs["namespace"], alarm.inputs["dimensions"], "dimensions"


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_real_stack_alarms_watch_existing_resources(name: str, preview: bool) -> None:
    run = stack(name, preview)
    alarms = run.of_type(ALARM)
    assert alarms
    for alarm in alarms:
        namespace, dimensions, prop = _dimension_values(alarm)
        sources = linked(alarm, prop, run.resources)
        source_types = {s.type for s in sources}
        assert source_types, alarm.name
        assert source_types <= SOURCES[namespace], alarm.name
        if preview:
            continue
        # Update mode: each value is the name, id or arn suffix of a linked resource (an
        # unnamed resource's physical name comes from its logical name).
        names = [s.name for s in sources] + [
            str(s.inputs.get(k))
            for s in sources
            for k in ("name", "identifier", "replicationGroupId", "clusterName")
            if s.inputs.get(k)
        ]
        for dimension, value in dimensions.items():
            if dimension in ("Consumer Group", "Topic"):
                continue  # the application's names, from config
            assert value != UNKNOWN
            assert any(n in value for n in names), (alarm.name, dimension, value, names)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_real_stack_dashboard_is_json_naming_its_resources(name: str) -> None:
    run = stack(name, False)
    (dashboard,) = run.of_type(DASHBOARD)
    body = json.loads(dashboard.inputs["dashboardBody"])
    text = json.dumps(body)
    (alb,) = [
        r for r in run.of_type("aws:lb/loadBalancer:LoadBalancer") if not r.inputs.get("internal")
    ]
    for resource_name in (alb.inputs["name"], f"trading-{name}-postgres", f"trading-{name}-kafka"):
        assert resource_name in text
    assert run.outputs["dashboardName"] == f"trading-{name}"
    assert run.outputs["budgetName"] == f"trading-{name}-monthly"
    assert run.outputs["alertTopicArn"].endswith(f":trading-{name}-alerts")
