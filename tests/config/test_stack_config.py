"""The stack-config model: tiers, per-key overrides and every bad input's error message."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import (
    TIERS,
    ConfigError,
    Environment,
    KafkaMode,
    NatStrategy,
    SubnetTier,
    load_stack_config,
)

P = "trading-platform"


def with_overrides(values: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    updated = dict(values)
    for section, override in sections.items():
        updated[f"{P}:{section}"] = {**(values.get(f"{P}:{section}") or {}), **override}
    return updated


def test_dev_is_startup_in_seoul(dev_values: dict[str, Any]) -> None:
    config = load_stack_config(dev_values, stack="dev")
    # Nothing in dev sets drRegion: the backup copies and the artifact replica default to Tokyo.
    assert (config.tier, config.region, config.dr_region) == (
        "startup",
        "ap-northeast-2",
        "ap-northeast-1",
    )
    assert config.environment is Environment.DEV
    assert not config.protect_stateful
    assert config.network.az_count == 2
    assert config.network.nat_strategy is NatStrategy.SINGLE
    assert [g.name for g in config.eks.node_groups] == ["general"]
    assert config.matching_engine.instance_type == "c6i.large"
    assert config.matching_engine.tenancy == "default"
    assert config.kafka.mode is KafkaMode.SERVERLESS
    assert config.postgres.instance_class == "db.t4g.large"
    assert config.budget.monthly_usd == 1362


def test_prod_is_scale_with_tokyo_dr(prod_values: dict[str, Any]) -> None:
    config = load_stack_config(prod_values, stack="prod")
    assert (config.tier, config.region, config.dr_region) == (
        "scale",
        "ap-northeast-2",
        "ap-northeast-1",
    )
    assert config.protect_stateful
    assert config.network.az_count == 3
    assert config.network.nat_strategy is NatStrategy.PER_AZ
    groups = {g.name: g for g in config.eks.node_groups}
    assert set(groups) == {"api", "websocket", "consumer", "batch"}
    assert [g.name for g in config.eks.node_groups if g.spot] == ["batch"]
    assert (groups["api"].min, groups["api"].desired, groups["api"].max) == (3, 6, 20)
    websocket_taint = groups["websocket"].taint
    assert websocket_taint is not None
    assert (websocket_taint.key, websocket_taint.value, websocket_taint.effect) == (
        "dedicated",
        "websocket",
        "NoSchedule",
    )
    assert config.matching_engine.tenancy == "dedicated"
    assert config.matching_engine.heap_gb == 24
    assert config.postgres.replica_count == 2
    assert config.postgres.cross_region_replica
    assert config.cache.cluster_mode
    assert config.cache.shards == 3
    assert config.kafka.broker_count == 6
    assert config.network.flow_log_retention_days == 365


def test_default_subnets_are_seed_002s(prod_values: dict[str, Any]) -> None:
    subnets = load_stack_config(prod_values, stack="prod").network.subnets
    assert subnets[SubnetTier.PUBLIC] == ("10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24")
    assert subnets[SubnetTier.PRIVATE] == ("10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24")
    assert subnets[SubnetTier.DATABASE] == ("10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24")
    assert subnets[SubnetTier.MATCHING_ENGINE] == ("10.0.31.0/24", "10.0.32.0/24", "10.0.33.0/24")


def test_overrides_apply_per_key_over_the_tier(dev_values: dict[str, Any]) -> None:
    values = with_overrides(
        dev_values,
        matchingEngine={"instanceType": "c6i.xlarge", "max": 4},
        network={"azCount": 3, "natStrategy": "per-az"},
    )
    config = load_stack_config(values, stack="dev")
    engine = config.matching_engine
    assert (engine.instance_type, engine.max) == ("c6i.xlarge", 4)
    assert engine.heap_gb == TIERS["startup"]["matchingEngine"]["heapGb"]  # untouched keys stay
    assert config.network.az_count == 3
    assert len(config.network.subnets[SubnetTier.PUBLIC]) == 3


def test_every_tier_loads(dev_values: dict[str, Any]) -> None:
    for tier in TIERS:
        values = {**dev_values, f"{P}:tier": tier, f"{P}:drRegion": "ap-northeast-1"}
        assert load_stack_config(values, stack="dev").tier == tier


def test_engine_passes_objects_as_json_strings(dev_values: dict[str, Any]) -> None:
    values = {**dev_values, f"{P}:network": '{"azCount": 3, "natStrategy": "per-az"}'}
    config = load_stack_config(values, stack="dev")
    assert config.network.nat_strategy is NatStrategy.PER_AZ


def test_protection_can_be_forced_on_outside_prod(dev_values: dict[str, Any]) -> None:
    values = {**dev_values, f"{P}:protectStatefulResources": "true"}
    assert load_stack_config(values, stack="dev").protect_stateful


def test_default_tags_name_owner_and_cost_center(dev_values: dict[str, Any]) -> None:
    tags = load_stack_config(dev_values, stack="dev").default_tags
    assert tags == {
        "Project": "trading-platform",
        "Stack": "dev",
        "Environment": "dev",
        "Owner": "platform-engineering",
        "CostCenter": "trading-dev",
        "ManagedBy": "pulumi",
    }


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, overrides as {full key: value}, key named in the error, words in the message)
    ("unknown tier", {f"{P}:tier": "huge"}, f"{P}:tier", "unknown value 'huge'"),
    (
        "malformed VPC CIDR",
        {f"{P}:network": {"vpcCidr": "10.0.0.0/33"}},
        f"{P}:network.vpcCidr",
        "malformed CIDR",
    ),
    (
        "VPC CIDR with host bits",
        {f"{P}:network": {"vpcCidr": "10.0.0.1/16"}},
        f"{P}:network.vpcCidr",
        "malformed CIDR",
    ),
    (
        "subnet outside the VPC",
        {f"{P}:network": {"subnets": {"public": ["10.0.1.0/24", "10.1.2.0/24"]}}},
        f"{P}:network.subnets.public[1]",
        "outside the VPC",
    ),
    (
        "overlapping subnets",
        {f"{P}:network": {"subnets": {"database": ["10.0.11.0/24", "10.0.22.0/24"]}}},
        f"{P}:network.subnets.database[0]",
        "overlaps 10.0.11.0/24",
    ),
    (
        "malformed subnet CIDR",
        {f"{P}:network": {"subnets": {"private": ["10.0.11.0/24", "banana"]}}},
        f"{P}:network.subnets.private[1]",
        "malformed CIDR",
    ),
    (
        "subnet count differs from AZ count",
        {f"{P}:network": {"subnets": {"public": ["10.0.1.0/24"]}}},
        f"{P}:network.subnets.public",
        "has 1 CIDRs but azCount is 2",
    ),
    ("one AZ", {f"{P}:network": {"azCount": 1}}, f"{P}:network.azCount", "must be 2..3"),
    ("four AZs", {f"{P}:network": {"azCount": 4}}, f"{P}:network.azCount", "must be 2..3"),
    (
        "unknown NAT strategy",
        {f"{P}:network": {"natStrategy": "per-region"}},
        f"{P}:network.natStrategy",
        "unknown value 'per-region'",
    ),
    (
        "zero size",
        {f"{P}:matchingEngine": {"min": 0}},
        f"{P}:matchingEngine.min",
        "must be positive, got 0",
    ),
    (
        "negative size",
        {f"{P}:eks": {"nodeGroups": {"general": {"max": -3}}}},
        f"{P}:eks.nodeGroups.general.max",
        "must be positive, got -3",
    ),
    (
        "min above max",
        {f"{P}:matchingEngine": {"min": 3, "max": 2}},
        f"{P}:matchingEngine.min",
        "min (3) is greater than max (2)",
    ),
    (
        "desired outside min..max",
        {f"{P}:eks": {"nodeGroups": {"general": {"desired": 9}}}},
        f"{P}:eks.nodeGroups.general.desired",
        "desired (9) is outside min..max (2..6)",
    ),
    (
        "malformed EC2 instance type",
        {f"{P}:matchingEngine": {"instanceType": "c6i-large"}},
        f"{P}:matchingEngine.instanceType",
        "malformed instance type",
    ),
    (
        "RDS class without db. prefix",
        {f"{P}:postgres": {"instanceClass": "r6i.xlarge"}},
        f"{P}:postgres.instanceClass",
        "malformed instance type",
    ),
    ("missing owner", {f"{P}:owner": None}, f"{P}:owner", "is required but not set"),
    ("missing region", {"aws:region": None}, "aws:region", "is required but not set"),
    ("malformed region", {"aws:region": "seoul"}, "aws:region", "malformed value 'seoul'"),
    (
        "unknown environment",
        {f"{P}:environment": "production"},
        f"{P}:environment",
        "unknown value 'production'",
    ),
    (
        "typo in a section key",
        {f"{P}:network": {"natStrategey": "single"}},
        f"{P}:network.natStrategey",
        "unknown setting, did you mean 'natStrategy'?",
    ),
    ("unknown top-level key", {f"{P}:tiers": "scale"}, f"{P}:tiers", "unknown setting"),
    (
        "DR region equal to the primary",
        {f"{P}:drRegion": "ap-northeast-2"},
        f"{P}:drRegion",
        "is the primary region",
    ),
    (
        "DR region AWS does not have",
        {f"{P}:drRegion": "ap-northeast-9"},
        f"{P}:drRegion",
        "unknown region 'ap-northeast-9'",
    ),
    (
        "malformed taint",
        {f"{P}:eks": {"nodeGroups": {"general": {"taint": "dedicated:NoSchedule"}}}},
        f"{P}:eks.nodeGroups.general.taint",
        "malformed taint",
    ),
    (
        "flow log retention CloudWatch does not offer",
        {f"{P}:network": {"flowLogRetentionDays": 45}},
        f"{P}:network.flowLogRetentionDays",
        "not a CloudWatch Logs retention period",
    ),
    (
        "S3 as an interface endpoint",
        {f"{P}:network": {"interfaceEndpoints": ["s3"]}},
        f"{P}:network.interfaceEndpoints",
        "gateway endpoint",
    ),
    (
        "storage ceiling below the start",
        {f"{P}:postgres": {"maxAllocatedStorageGb": 50}},
        f"{P}:postgres.maxAllocatedStorageGb",
        "below allocatedStorageGb",
    ),
    (
        "zero budget",
        {f"{P}:budget": {"monthlyUsd": 0}},
        f"{P}:budget.monthlyUsd",
        "must be positive",
    ),
    (
        "boolean given as text",
        {f"{P}:matchingEngine": {"clusterPlacement": "yes"}},
        f"{P}:matchingEngine.clusterPlacement",
        "must be true or false",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_names_the_key(
    dev_values: dict[str, Any], overrides: dict[str, Any], key: str, words: str
) -> None:
    values = {**dev_values, **overrides}
    values = {k: v for k, v in values.items() if v is not None}
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, stack="dev")
    assert raised.value.key == key
    assert str(raised.value).startswith(f"{key}: ")
    assert words in str(raised.value)


def test_unknown_tier_lists_the_allowed_tiers(dev_values: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"allowed: growth, scale, startup"):
        load_stack_config({**dev_values, f"{P}:tier": "medium"}, stack="dev")


def test_small_vpc_needs_explicit_subnets(dev_values: dict[str, Any]) -> None:
    values = {**dev_values, f"{P}:network": {"vpcCidr": "10.0.0.0/20"}}
    with pytest.raises(ConfigError, match=r"network\.subnets\.public: must be set"):
        load_stack_config(values, stack="dev")


def test_small_vpc_with_explicit_subnets_loads(dev_values: dict[str, Any]) -> None:
    subnets = {
        "public": ["10.0.0.0/24", "10.0.1.0/24"],
        "private": ["10.0.4.0/23", "10.0.6.0/23"],
        "database": ["10.0.8.0/25", "10.0.8.128/25"],
        "matchingEngine": ["10.0.9.0/25", "10.0.9.128/25"],
    }
    values = {**dev_values, f"{P}:network": {"vpcCidr": "10.0.0.0/20", "subnets": subnets}}
    config = load_stack_config(values, stack="dev")
    assert config.network.subnets[SubnetTier.PRIVATE] == ("10.0.4.0/23", "10.0.6.0/23")
