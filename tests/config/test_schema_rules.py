"""The schema's cross-field rules, one case each, and what the loader does with many problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config

from components.config import (
    Architecture,
    ConfigError,
    KafkaConfig,
    StackConfig,
    StackConfigError,
    from_pulumi,
    load_stack_config,
)
from components.config.instances import EKS_AMI_TYPES, architecture
from components.config.loader import load_section
from components.config.stack import tier_problems
from components.config.tiers import TIERS
from tests.stack_values import base_values

P = "trading-platform"


def load(tier: str = "startup", **sections: Any) -> StackConfig:
    values: dict[str, Any] = base_values(tier)
    values.update({f"{P}:{name}": section for name, section in sections.items()})
    return load_stack_config(values, stack="test")


def errors_of(values: dict[str, Any], **kwargs: Any) -> StackConfigError:
    with pytest.raises(StackConfigError) as caught:
        load_stack_config(values, stack="test", **kwargs)
    return caught.value


def keys_of(error: StackConfigError) -> list[str]:
    return [e.key for e in error.errors]


# (rule, tier, {section: override}, key, words in the message)
CROSS_FIELD_RULES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "postgres windows apart",
        "startup",
        {"postgres": {"maintenanceWindow": "mon:03:30-mon:04:30"}},
        "postgres.maintenanceWindow",
        "overlaps the backup window '03:00-04:00'",
    ),
    (
        "cache windows apart",
        "startup",
        {"cache": {"snapshotWindow": "04:00-06:00"}},
        "cache.maintenanceWindow",
        "overlaps the backup window '04:00-06:00'",
    ),
    (
        "gp3 IOPS need 400 GB",
        "startup",
        {"postgres": {"iops": 6000}},
        "postgres.iops",
        "needs allocatedStorageGb >= 400",
    ),
    (
        "gp3 throughput needs 400 GB",
        "startup",
        {"postgres": {"storageThroughput": 250}},
        "postgres.iops",
        "3000 IOPS / 250 MiB/s needs allocatedStorageGb >= 400",
    ),
    (
        "Aurora has no cross-region replica here",
        "scale",
        {"postgres": {"engine": "aurora-postgresql"}},
        "postgres.crossRegionReplica",
        "cross-region Aurora needs a global database",
    ),
    (
        "Aurora Multi-AZ needs a reader",
        "growth",
        {"postgres": {"engine": "aurora-postgresql", "replicaCount": 0}},
        "postgres.replicaCount",
        "Multi-AZ needs at least one",
    ),
    (
        "storage ceiling at or above the start",
        "growth",
        {"postgres": {"maxAllocatedStorageGb": 150}},
        "postgres.maxAllocatedStorageGb",
        "(150) is below allocatedStorageGb (200)",
    ),
    (
        "DR VPC apart from the primary",
        "scale",
        {"network": {"vpcCidr": "10.1.0.0/16"}},
        "postgres.drVpcCidr",
        "10.1.0.0/16 overlaps network.vpcCidr 10.1.0.0/16",
    ),
    (
        "DR region not the primary",
        "startup",
        {"drRegion": "ap-northeast-2"},
        "drRegion",
        "is the primary region ap-northeast-2",
    ),
    (
        "brokers a multiple of the AZs",
        "scale",
        {"kafka": {"brokerCount": 8}},
        "kafka.brokerCount",
        "8 is not a multiple of network.azCount (3)",
    ),
    (
        "a workload consumes existing topics",
        "startup",
        {"access": {"consumer": {"consumes": ["trades.events", "positions.update"]}}},
        "access.consumer.consumes[1]",
        "unknown topic 'positions.update'",
    ),
    (
        "a node group's type has an AL2023 AMI",
        "startup",
        {"eks": {"nodeGroups": {"general": {"instanceType": "a1.large"}}}},
        "eks.nodeGroups.general.instanceType",
        "a1.large has no Amazon Linux 2023 AMI",
    ),
    (
        "the engine's type has an AL2023 AMI",
        "startup",
        {"matchingEngine": {"instanceType": "mac2.metal", "memoryGib": 16}},
        "matchingEngine.instanceType",
        "mac2.metal has no Amazon Linux 2023 AMI",
    ),
    (
        "the heap fits a Graviton engine",
        "startup",
        {"matchingEngine": {"instanceType": "c7g.large", "heapGb": 4}},
        "matchingEngine.heapGb",
        "4 GiB does not fit c7g.large (4 GiB)",
    ),
]


@pytest.mark.parametrize(
    ("tier", "sections", "key", "words"),
    [case[1:] for case in CROSS_FIELD_RULES],
    ids=[case[0] for case in CROSS_FIELD_RULES],
)
def test_cross_field_rule(tier: str, sections: dict[str, Any], key: str, words: str) -> None:
    values = {**base_values(tier), **{f"{P}:{k}": v for k, v in sections.items()}}
    error = errors_of(values)
    assert keys_of(error) == [f"{P}:{key}"]
    assert words in str(error)


def test_drregion_is_required_by_the_cross_region_replica_where_no_default() -> None:
    # sa-east-1 has no partner in components/config/dr.py; Seoul would default to Tokyo.
    values = {k: v for k, v in base_values("scale").items() if k != f"{P}:drRegion"}
    values["aws:region"] = "sa-east-1"
    error = errors_of(values)
    assert keys_of(error) == [f"{P}:drRegion"]
    assert "is required because postgres.crossRegionReplica and" in str(error)
    assert "sa-east-1 has no default DR region" in str(error)


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    values = base_values("startup")
    values[f"{P}:postgres"] = {"iops": "lots", "backupRetentionDays": 0}
    values[f"{P}:network"] = {"azCount": 9, "natStrategey": "single"}
    values[f"{P}:owner"] = ""
    error = errors_of(values)
    # The stack file's order (base_values puts owner before postgres and network), not the
    # schema's (network before postgres).
    assert keys_of(error) == [
        f"{P}:owner",
        f"{P}:postgres.iops",
        f"{P}:postgres.backupRetentionDays",
        f"{P}:network.azCount",
        f"{P}:network.natStrategey",
    ]
    lines = str(error).splitlines()
    assert lines[0] == f"{P}:owner: must be a non-empty string, got ''"
    assert lines[4] == (
        f"{P}:network.natStrategey: unknown setting, did you mean 'natStrategy'? (allowed: "
        "availabilityZones, azCount, flowLogRetentionDays, interfaceEndpoints, natStrategy, "
        "subnets, vpcCidr)"
    )
    assert lines[-1] == "(5 problems in Pulumi.test.yaml)"
    assert (error.key, error.problem) == (f"{P}:owner", "must be a non-empty string, got ''")


def test_the_stack_files_order_wins_over_the_mappings() -> None:
    values = base_values("startup")
    values[f"{P}:postgres"] = {"iops": "lots"}
    values[f"{P}:network"] = {"azCount": 9}
    file_order = {f"{P}:network": {}, f"{P}:postgres": {}}
    error = errors_of(values, file_order=file_order)
    assert keys_of(error) == [f"{P}:network.azCount", f"{P}:postgres.iops"]


def test_an_error_is_still_a_config_error() -> None:
    with pytest.raises(ConfigError, match=rf"^{P}:tier: unknown value 'huge'"):
        load_stack_config({**base_values(), f"{P}:tier": "huge"}, stack="test")


def test_null_removes_a_tier_node_group() -> None:
    eks = load("growth", eks={"nodeGroups": {"websocket": None}}).eks
    assert [g.name for g in eks.node_groups] == ["api", "consumer"]


def test_removing_every_node_group_is_refused() -> None:
    groups = {"api": None, "websocket": None, "consumer": None}
    error = errors_of({**base_values("growth"), f"{P}:eks": {"nodeGroups": groups}})
    assert keys_of(error) == [f"{P}:eks.nodeGroups"]
    assert "must define at least one node group" in str(error)


def test_null_falls_back_to_the_keys_default_or_is_required() -> None:
    assert load(postgres={"engineVersion": None}).postgres.engine_version == "16"
    error = errors_of({**base_values(), f"{P}:postgres": {"instanceClass": None}})
    assert keys_of(error) == [f"{P}:postgres.instanceClass"]
    assert "is required but not set" in str(error)


def test_versions_and_tags_may_be_numbers() -> None:
    config = load(eks={"version": 1.35, "imageTag": 20240101}, cache={"engineVersion": 8.0})
    assert (config.eks.version, config.eks.image_tag) == ("1.35", "20240101")
    assert config.cache.engine_version == "8.0"
    assert load(postgres={"engineVersion": 17}).postgres.engine_version == "17"


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("eks", "version", 1.3),
        ("postgres", "engineVersion", 16.1),
        ("eks", "imageTag", 1.5),
        ("kafka", "kafkaVersion", 3.9),
    ],
)
def test_a_number_that_may_have_lost_a_zero_must_be_quoted(
    section: str, key: str, value: float
) -> None:
    error = errors_of({**base_values("growth"), f"{P}:{section}": {key: value}})
    assert keys_of(error) == [f"{P}:{section}.{key}"]
    assert f"got the number {value}" in str(error)
    assert "write the version quoted" in str(error)


def test_a_boolean_is_not_an_integer() -> None:
    error = errors_of({**base_values(), f"{P}:network": {"azCount": True}})
    assert "must be an integer, got True" in str(error)


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("c6i.xlarge", Architecture.X86_64),
        ("m7a.large", Architecture.X86_64),
        ("m7i-flex.large", Architecture.X86_64),
        ("c7g.large", Architecture.ARM64),
        ("m7gd.xlarge", Architecture.ARM64),
        ("r6g.2xlarge", Architecture.ARM64),
        ("t4g.medium", Architecture.ARM64),
        ("c6gn.large", Architecture.ARM64),
    ],
)
def test_architecture_follows_the_instance_family(instance_type: str, arch: Architecture) -> None:
    assert architecture(instance_type) is arch


def test_graviton_node_groups_and_engines_are_arm64() -> None:
    config = load(
        eks={
            "nodeGroups": {
                "graviton": {"instanceType": "c7g.xlarge", "min": 1, "desired": 1, "max": 2}
            }
        },
        matchingEngine={"instanceType": "m7g.xlarge", "heapGb": 12},
    )
    groups = {g.name: g for g in config.eks.node_groups}
    assert groups["general"].architecture is Architecture.X86_64
    assert groups["graviton"].architecture is Architecture.ARM64
    assert EKS_AMI_TYPES[groups["graviton"].architecture] == "AL2023_ARM_64_STANDARD"
    assert EKS_AMI_TYPES[groups["general"].architecture] == "AL2023_x86_64_STANDARD"
    engine = config.matching_engine
    assert (engine.architecture, engine.memory_gib) == (Architecture.ARM64, 16)


def test_domain_facts_of_the_config() -> None:
    startup, growth = load("startup"), load("growth")
    assert startup.kafka.provisioned_broker_count == 0
    assert growth.kafka.provisioned_broker_count == 4
    assert not startup.cache.is_serverless
    assert load(cache={"mode": "serverless"}).cache.is_serverless
    assert not load("startup").has_dr_replica
    assert load("scale").has_dr_replica


def test_the_region_must_offer_the_zones() -> None:
    network = load(network={"azCount": 3}).network
    offered = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]
    network.check_offered_zones(offered, "ap-northeast-2")
    with pytest.raises(ConfigError) as caught:
        network.check_offered_zones(["a", "b"], "us-west-1")
    assert str(caught.value) == f"{P}:network.azCount: is 3 but us-west-1 offers 2 standard zones"
    with pytest.raises(ConfigError) as missing:
        network.check_offered_zones(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2d"],
                                    "ap-northeast-2")  # fmt: skip
    assert missing.value.key == f"{P}:network.availabilityZones"
    assert "ap-northeast-2c is not offered to this account" in str(missing.value)


def test_zones_are_pinned_from_the_region_table_or_config() -> None:
    assert load().network.availability_zones == ("ap-northeast-2a", "ap-northeast-2b")
    scale = load("scale")
    assert scale.network.availability_zones == tuple(f"ap-northeast-2{x}" for x in "abc")
    assert scale.dr_availability_zones == tuple(f"ap-northeast-1{x}" for x in "acd")
    chosen = load(network={"availabilityZones": ["ap-northeast-2c", "ap-northeast-2d"]})
    assert chosen.network.availability_zones == ("ap-northeast-2c", "ap-northeast-2d")


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        ({"network": {"availabilityZones": ["ap-northeast-2a"]}}, "network.availabilityZones",
         "has 1 zones but azCount is 2"),
        ({"network": {"availabilityZones": ["us-east-1a", "us-east-1b"]}},
         "network.availabilityZones", "not in ap-northeast-2"),
        ({"network": {"availabilityZones": ["ap-northeast-2", "x"]}},
         "network.availabilityZones[0]", "malformed zone"),
    ],
)  # fmt: skip
def test_bad_pinned_zones_are_refused(overrides: dict[str, Any], key: str, words: str) -> None:
    values = {**base_values("startup"), **{f"{P}:{k}": v for k, v in overrides.items()}}
    error = errors_of(values)
    assert f"{P}:{key}" in keys_of(error)
    assert words in str(error)


def test_a_region_whose_zone_names_differ_per_account_needs_them_set() -> None:
    values = {**base_values("startup"), "aws:region": "us-west-1"}
    error = errors_of(values)
    assert keys_of(error) == [f"{P}:network.availabilityZones"]
    assert "differ per account" in str(error)


def test_a_section_validates_on_its_own_with_full_keys() -> None:
    kafka = load_section(KafkaConfig, {"mode": "serverless"}, key="kafka")
    assert kafka.topics == ()
    with pytest.raises(StackConfigError) as caught:
        load_section(KafkaConfig, {"mode": "provisioned", "brokerCount": 0}, key="kafka")
    assert keys_of(caught.value)[0] == f"{P}:kafka.brokerCount"
    assert "must be positive, got 0" in str(caught.value)


@pytest.mark.parametrize("tier", list(TIERS))
def test_each_tier_is_a_typed_partial_config(tier: str) -> None:
    assert tier_problems(tier) == []


def test_a_tier_with_a_typo_or_a_wrong_type_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {**TIERS["startup"], "network": {"azCount": "two", "natStrategey": "single"}}
    monkeypatch.setitem(TIERS, "startup", broken)
    assert [(e.key, e.problem) for e in tier_problems("startup")] == [
        (f"{P}:network.azCount", "must be an integer, got 'two'"),
        (
            f"{P}:network.natStrategey",
            "unknown setting, did you mean 'natStrategy'?",
        ),
    ]


@pytest.mark.parametrize(
    ("section", "value", "key", "words"),
    [
        ("network", "banana", "network", "must be an object, got str"),
        ("postgres", {"proxy": ["REQUIRED"]}, "postgres.proxy", "must be an object, got list"),
        ("network", {"interfaceEndpoints": "ssm"}, "network.interfaceEndpoints", "list of strings"),
        (
            "eks",
            {"nodeGroups": {"general": {"taint": 3}}},
            "eks.nodeGroups.general.taint",
            "malformed taint 3",
        ),
    ],
)
def test_wrong_shapes_name_their_key(section: str, value: Any, key: str, words: str) -> None:
    error = errors_of({**base_values(), f"{P}:{section}": value})
    assert keys_of(error) == [f"{P}:{key}"]
    assert words in str(error)


def test_from_pulumi_orders_problems_as_the_stack_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine hands the config over as a map (sorted keys: cache before network); the stack
    # file has network first, and that is the order a user reads.
    (tmp_path / "Pulumi.t.yaml").write_text(
        "config:\n"
        "  trading-platform:network:\n    azCount: 9\n"
        "  trading-platform:cache:\n    shards: 0\n"
    )
    values = {
        **base_values(),
        f"{P}:network": json.dumps({"azCount": 9}),
        f"{P}:cache": json.dumps({"shards": 0}),
    }
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pulumi, "get_stack", lambda: "t")
    monkeypatch.setattr(runtime_config, "get_config_env", lambda: dict(sorted(values.items())))
    with pytest.raises(StackConfigError) as caught:
        from_pulumi()
    assert keys_of(caught.value) == [f"{P}:network.azCount", f"{P}:cache.shards"]
    assert str(caught.value).endswith("(2 problems in Pulumi.t.yaml)")
