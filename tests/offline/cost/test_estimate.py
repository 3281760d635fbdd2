"""The estimate of each tier's resources from a fixed price table: exact figures, and every
resource either priced, known free, usage-billed or reported as unknown (never priced at zero)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from components.config.messaging import CleanupPolicy, TopicConfig
from offline.cost.estimate import (
    NON_BILLABLE,
    PRICED_TYPES,
    USAGE_BILLED,
    Context,
    Estimate,
    KafkaTopics,
    estimate,
)
from offline.cost.prices import Price, PriceTable
from offline.cost.resources import CostResource
from tests.offline.cost.tier_runs import REGION, tier_config, tier_resources

TODAY = date(2026, 12, 1)
# Every key the tiers use, at $1 a unit in every region: each line's monthly figure is then its
# quantity, which the tiers' config fixes.
KEYS = [
    "eks.cluster.standard",
    "eks.cluster.extended",
    "ebs.gp3.gb",
    "ebs.gp3.iops",
    "ebs.gp3.throughput",
    "rds.gp3.gb",
    "rds.gp3.iops",
    "rds.proxy.vcpu",
    "nat.hour",
    "nat.gb",
    "eip.hour",
    "vpce.interface.hour",
    "alb.hour",
    "alb.lcu",
    "nlb.hour",
    "kms.key",
    "secrets.secret",
    "secrets.api10k",
    "cloudwatch.alarm.metric",
    "cloudwatch.logs.ingest.gb",
    "cloudwatch.dashboard",
    "waf.acl",
    "waf.rule",
    "waf.requests.million",
    "route53.zone",
    "route53.healthcheck",
    "route53.healthcheck.feature",
    "transfer.out.gb",
    "cloudfront.gb",
    "s3.standard.gb",
    "ecr.storage",
    "sns.requests",
    "budgets.budget",
    "elasticache.serverless",
    "msk.serverless.cluster",
    "msk.serverless.partition",
    "msk.serverless.in.gb",
    "msk.serverless.out.gb",
    "msk.serverless.storage.gb",
    "msk.storage.gb",
    "msk.throughput",
    "backup.storage",
    "s3.replication.transfer",
]


def _flat_table(extra: tuple[str, ...]) -> PriceTable:
    keys = (*KEYS, *extra)
    return PriceTable(730, {k: {"*": Price(k, "unit", 1.0, "test", "test")} for k in keys}, {})


def _instance_keys(resources: tuple[CostResource, ...]) -> tuple[str, ...]:
    keys: set[str] = set()
    for r in resources:
        if r.type == "aws:eks/nodeGroup:NodeGroup":
            keys.add(f"ec2.{r.inputs['instanceTypes'][0]}")
        elif r.type == "aws:ec2/launchTemplate:LaunchTemplate" and "instanceType" in r.inputs:
            tenancy = r.get("placement.tenancy", "default")
            prefix = "ec2." if tenancy == "default" else f"ec2.{tenancy}."
            keys.add(prefix + r.inputs["instanceType"])
        elif r.type == "aws:rds/instance:Instance":
            keys.add(f"rds.postgres.{r.inputs['instanceClass']}")
        elif r.type == "aws:elasticache/replicationGroup:ReplicationGroup":
            keys.add(f"elasticache.{r.inputs['nodeType']}")
        elif r.type == "aws:msk/cluster:Cluster":
            keys.add(f"msk.{r.inputs['brokerNodeGroupInfo']['instanceType']}")
    return tuple(sorted(keys))


def _estimate(tier: str) -> Estimate:
    resources = tier_resources(tier)
    table = _flat_table(_instance_keys(resources))
    config = tier_config(tier)
    context = Context(REGION, config.usage, TODAY, KafkaTopics.of(config.kafka.topics))
    return estimate(resources, table, context)


def _monthly(result: Estimate, resource: str, key: str) -> float:
    (line,) = [x for x in result.lines if x.resource == resource and x.price_key == key]
    assert line.monthly is not None
    return line.monthly


# (tier, resource, price key, quantity a month): 730 hours a month times the tier's counts.
EXPECTED_LINES = [
    ("startup", "services-general", "ec2.c6i.xlarge", 3 * 730),
    ("startup", "matching-engine-asg", "ec2.c6i.large", 2 * 730),
    ("startup", "data-postgres-primary", "rds.postgres.db.t4g.large", 730),
    ("startup", "data-postgres-primary", "rds.gp3.gb", 100),
    ("startup", "data-proxy-proxy", "rds.proxy.vcpu", 2 * 730),  # db.t4g.large: 2 vCPUs
    ("startup", "data-cache-group", "elasticache.cache.t4g.medium", 2 * 730),
    ("startup", "network-nat-0", "nat.gb", 1000),
    # MSK Serverless: 72 partitions; 5,000 messages/s of 512 bytes in and out (6,266 GiB); kept
    # 237.67 hours on average (24 + 24 partitions for 168 h, 12 for 24 h, 12 compacted: 730 h).
    ("startup", "kafka-serverless", "msk.serverless.cluster", 730),
    ("startup", "kafka-serverless", "msk.serverless.partition", 72 * 730),
    ("startup", "kafka-serverless", "msk.serverless.in.gb", 6266),
    ("startup", "kafka-serverless", "msk.serverless.out.gb", 6266),
    ("startup", "kafka-serverless", "msk.serverless.storage.gb", 2040.06),
    ("growth", "services-websocket", "ec2.r6i.large", 2 * 730),
    ("growth", "data-postgres-primary", "rds.postgres.db.r6i.xlarge", 2 * 730),  # Multi-AZ
    ("growth", "data-postgres-primary", "rds.gp3.gb", 2 * 200),
    ("growth", "data-cache-group", "elasticache.cache.r6g.large", 3 * 730),
    ("growth", "kafka-cluster", "msk.kafka.m5.large", 4 * 730),
    ("growth", "kafka-cluster", "msk.storage.gb", 4 * 500),
    ("scale", "services-api", "ec2.c6i.2xlarge", 6 * 730),
    ("scale", "matching-engine-asg", "ec2.dedicated.c6i.4xlarge", 3 * 730),
    ("scale", "matching-engine-asg", "ebs.gp3.iops", 3 * (16000 - 3000)),
    ("scale", "matching-engine-asg", "ebs.gp3.throughput", 3 * (1000 - 125)),
    ("scale", "data-postgres-replica-1", "rds.gp3.gb", 500),  # a replica stores its source's GB
    ("scale", "data-cache-group", "elasticache.cache.r6g.xlarge", 9 * 730),
    ("scale", "data-proxy-proxy", "rds.proxy.vcpu", 16 * 730),  # the primary's, not its standby's
    ("scale", "edge-site-health", "route53.healthcheck.feature", 1),  # HTTPS
    ("scale", "kafka-cluster", "msk.throughput", 6 * 250),
    ("scale", "edge-waf-acl", "waf.requests.million", 10),
    ("scale", "edge-alb", "eip.hour", 3 * 730),  # internet-facing: a public IPv4 per AZ
]


@pytest.mark.parametrize(("tier", "resource", "key", "quantity"), EXPECTED_LINES)
def test_line_of_each_tier(tier: str, resource: str, key: str, quantity: float) -> None:
    assert _monthly(_estimate(tier), resource, key) == quantity


# The whole estimate at $1 a unit: any new, dropped or resized billable item moves it.
# The static bucket's CMK added one key (a fixed table: one unit a key) to each tier; the proxy
# counts its target's vCPU-hours and the health check its HTTPS feature. In-cluster monitoring
# added a key and a secret (Grafana's admin) to the released scale stack. DR (issue #16): the
# engine's DR key and its replication (+2 everywhere); startup and growth also the two backup
# vaults and their keys (+4). MSK Serverless's partitions, bytes and storage (startup).
EXPECTED_TOTALS = {"startup": 100174.06, "growth": 51629.0, "scale": 165896.99}
# Two AZs: 10 interface endpoints x 2 AZs x 730 h, one NAT gateway and its address (730 h each),
# and the 1,000 GB it processes.
STARTUP_NETWORK = 10 * 2 * 730 + 730 + 730 + 1000


@pytest.mark.parametrize("tier", sorted(EXPECTED_TOTALS))
def test_total_of_each_tier_from_a_fixed_table(tier: str) -> None:
    result = _estimate(tier)
    assert result.unpriced == ()
    assert result.total == EXPECTED_TOTALS[tier]


def test_network_component_of_startup() -> None:
    assert _estimate("startup").by_component()["network"] == STARTUP_NETWORK


def test_interface_endpoints_are_billed_per_az_and_gateway_endpoints_not() -> None:
    result = _estimate("scale")
    endpoints = [x for x in result.lines if x.type == "aws:ec2/vpcEndpoint:VpcEndpoint"]
    assert {x.quantity for x in endpoints} == {3 * 730}
    assert "network-s3" not in {x.resource for x in endpoints}


def test_every_captured_type_is_accounted_for() -> None:
    types = {r.type for tier in EXPECTED_TOTALS for r in tier_resources(tier)}
    known = PRICED_TYPES | NON_BILLABLE | set(USAGE_BILLED)
    unknown = {t for t in types if t not in known and not t.startswith(("kubernetes:", "random:"))}
    assert unknown <= {"pulumi:providers:aws", "pulumi:providers:kubernetes"}


def test_an_unknown_billable_type_is_reported_unpriced_not_free() -> None:
    stranger = CostResource("urn:x", "aws:opensearch/domain:Domain", "search", "search", {})
    result = estimate(
        [stranger], _flat_table(()), Context(REGION, tier_config("startup").usage, TODAY)
    )
    (line,) = [x for x in result.lines if x.resource == "search"]
    assert line.unit_price is None
    assert line.monthly is None
    assert "neither priced nor known to be free" in line.note
    assert line in result.unpriced


def test_a_price_missing_for_the_region_is_unpriced_not_zero() -> None:
    nat = CostResource("urn:n", "aws:ec2/natGateway:NatGateway", "nat", "network", {})
    table = PriceTable(
        730, {"nat.hour": {"us-east-1": Price("nat.hour", "h", 0.045, "s", "d")}}, {}
    )
    usage = tier_config("startup").usage
    result = estimate([nat], table, Context("ap-northeast-2", usage, TODAY))
    hourly = next(x for x in result.lines if x.price_key == "nat.hour")
    assert hourly.monthly is None
    assert "no ap-northeast-2 price for nat.hour" in hourly.note


def test_eks_past_standard_support_is_priced_as_extended() -> None:
    cluster = CostResource("urn:c", "eks:index:Cluster", "eks", "services", {"version": "1.32"})
    usage = tier_config("startup").usage
    table = _flat_table(())
    before = estimate([cluster], table, Context(REGION, usage, date(2026, 3, 1)))
    after = estimate([cluster], table, Context(REGION, usage, date(2026, 4, 1)))
    assert [x.price_key for x in before.lines if x.resource == "eks"] == ["eks.cluster.standard"]
    assert [x.price_key for x in after.lines if x.resource == "eks"] == ["eks.cluster.extended"]


def test_a_fleet_scaled_to_zero_costs_nothing_even_unpriced() -> None:
    fleet = CostResource(
        "urn:a", "aws:autoscaling/group:Group", "asg", "engine", {"desiredCapacity": 0}
    )
    result = estimate(
        [fleet], _flat_table(()), Context(REGION, tier_config("startup").usage, TODAY)
    )
    lines = [x for x in result.lines if x.resource == "asg"]
    assert lines
    assert all(x.monthly == 0.0 for x in lines)
    assert result.unpriced == ()


def _spot_group(desired: int, types: list[str]) -> CostResource:
    inputs = {
        "capacityType": "SPOT",
        "instanceTypes": types,
        "scalingConfig": {"minSize": 0, "desiredSize": desired, "maxSize": 10},
    }
    return CostResource("urn:s", "aws:eks/nodeGroup:NodeGroup", "batch", "services", inputs)


def _price_table(prices: dict[str, float]) -> PriceTable:
    return PriceTable(
        730,
        {k: {REGION: Price(k, "instance-hour", usd, "t", "t")} for k, usd in prices.items()},
        {},
    )


def test_spot_nodes_are_priced_at_the_dearest_on_demand_rate_as_an_upper_bound() -> None:
    table = _price_table({"ec2.c6i.xlarge": 0.192, "ec2.c5.xlarge": 0.2, "ec2.c5a.xlarge": 0.17})
    usage = tier_config("scale").usage
    group = _spot_group(2, ["c6i.xlarge", "c5.xlarge", "c5a.xlarge"])
    result = estimate([group], table, Context(REGION, usage, TODAY))
    [line] = [x for x in result.lines if x.resource == "batch" and x.unit == "instance-hours"]
    assert line.price_key == "ec2.c5.xlarge"
    assert line.monthly == round(2 * 730 * 0.2, 2)
    assert "spot c6i.xlarge/c5.xlarge/c5a.xlarge" in line.item
    assert "On-Demand price, an upper bound" in line.item


def test_spot_nodes_with_an_unpriced_type_have_no_bound() -> None:
    table = _price_table({"ec2.c6i.xlarge": 0.192})
    usage = tier_config("scale").usage
    group = _spot_group(1, ["c6i.xlarge", "c5.xlarge"])
    result = estimate([group], table, Context(REGION, usage, TODAY))
    [line] = [x for x in result.lines if x.resource == "batch" and x.unit == "instance-hours"]
    assert line.price_key == "ec2.c5.xlarge"
    assert line in result.unpriced


def test_the_scale_tiers_batch_group_costs_nothing_at_rest() -> None:
    [line] = [
        x
        for x in _estimate("scale").lines
        if x.resource == "services-batch" and x.unit == "instance-hours"
    ]
    assert line.quantity == 0
    assert line.monthly == 0.0
    assert "upper bound" in line.item


def _proxy_fronting(instance_class: str) -> list[CostResource]:
    proxy = CostResource("urn:p", "aws:rds/proxy:Proxy", "proxy", "data", {"name": "px"})
    target = CostResource(
        "urn:t",
        "aws:rds/proxyTarget:ProxyTarget",
        "target",
        "data",
        {"dbProxyName": "px", "dbInstanceIdentifier": "db"},
    )
    db = CostResource(
        "urn:d",
        "aws:rds/instance:Instance",
        "db",
        "data",
        {"identifier": "db", "instanceClass": instance_class, "multiAz": True},
    )
    return [proxy, target, db]


def test_a_proxy_is_billed_per_vcpu_of_its_target_not_per_proxy() -> None:
    table = _price_table({"rds.proxy.vcpu": 0.015})
    result = estimate(
        _proxy_fronting("db.r6i.2xlarge"), table, Context(REGION, tier_config("scale").usage, TODAY)
    )
    [line] = [x for x in result.lines if x.resource == "proxy"]
    assert line.quantity == 8 * 730
    assert line.monthly == round(8 * 730 * 0.015, 2)


def test_a_proxy_whose_target_has_unknown_vcpus_is_unpriced_not_free() -> None:
    table = _price_table({"rds.proxy.vcpu": 0.015})
    result = estimate(
        _proxy_fronting("db.x9.huge"), table, Context(REGION, tier_config("scale").usage, TODAY)
    )
    [line] = [x for x in result.lines if x.resource == "proxy"]
    assert line in result.unpriced
    assert "db.x9.huge" in line.note


def test_a_health_check_pays_for_each_optional_feature() -> None:
    inputs = {"type": "HTTPS_STR_MATCH", "measureLatency": True, "requestInterval": 10}
    check = CostResource("urn:h", "aws:route53/healthCheck:HealthCheck", "hc", "edge", inputs)
    plain = CostResource(
        "urn:p", "aws:route53/healthCheck:HealthCheck", "plain", "edge", {"type": "HTTP"}
    )
    result = estimate(
        [check, plain], _flat_table(()), Context(REGION, tier_config("scale").usage, TODAY)
    )
    features = {x.resource: x.quantity for x in result.lines if x.unit == "feature-months"}
    assert features == {"hc": 4}  # HTTPS, string matching, latency, 10-second interval
    assert {x.region for x in result.lines if x.resource in ("hc", "plain")} == {"global"}


def _topic(
    partitions: int, hours: int, policy: CleanupPolicy = CleanupPolicy.DELETE
) -> TopicConfig:
    return TopicConfig(
        name=f"t.{partitions}.{abs(hours)}.{policy.name.lower()}",
        partitions=partitions,
        replication_factor=3,
        min_insync_replicas=None,
        retention_hours=hours,
        cleanup_policy=policy,
        max_message_bytes=1_048_576,
    )


def test_serverless_storage_keeps_each_topics_retention_weighted_by_its_partitions() -> None:
    topics = [
        _topic(10, 100),
        _topic(30, 2000),  # longer than a month: a month's writes at most
        _topic(5, 48, CleanupPolicy.COMPACT_DELETE),  # deletes too: its retention counts
        _topic(5, 24, CleanupPolicy.COMPACT),  # compacted: kept, a month's writes at most
    ]
    result = KafkaTopics.of(topics)
    assert result == KafkaTopics(50, (10 * 100 + 30 * 730 + 5 * 48 + 5 * 730) / 50)


def test_topics_kept_forever_count_a_month_and_no_topics_bill_nothing() -> None:
    assert KafkaTopics.of([_topic(4, -1)]) == KafkaTopics(4, 730)
    assert KafkaTopics.of([]) == KafkaTopics(0, 0.0)


def test_serverless_kafka_bills_cluster_partitions_bytes_and_storage() -> None:
    serverless = "aws:msk/serverlessCluster:ServerlessCluster"
    cluster = CostResource("urn:msk", serverless, "k", "kafka", {})
    usage = replace(tier_config("startup").usage, kafka_in_gib=1000, kafka_out_gib=3000)
    context = Context(REGION, usage, TODAY, KafkaTopics(10, 73.0))
    result = estimate([cluster], _flat_table(()), context)
    quantities = {line.price_key: line.quantity for line in result.lines if line.resource == "k"}
    assert quantities == {
        "msk.serverless.cluster": 730,
        "msk.serverless.partition": 10 * 730,
        "msk.serverless.in.gb": 1000,
        "msk.serverless.out.gb": 3000,
        "msk.serverless.storage.gb": 100,  # 1,000 GiB a month kept a tenth of it
    }
