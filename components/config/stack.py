"""The whole stack's typed config: the tier's defaults, then the stack YAML's overrides.

``load_stack_config`` is pure (a mapping in, a frozen dataclass out) so every validation is
testable without Pulumi; ``from_pulumi`` feeds it the config the engine hands the program.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .cluster import EksConfig, parse_eks
from .data import CacheConfig, PostgresConfig, parse_cache, parse_postgres
from .edge import EdgeConfig, parse_edge
from .errors import ConfigError
from .matching_engine import MatchingEngineConfig, parse_matching_engine
from .messaging import KafkaConfig, parse_kafka
from .network import NetworkConfig, parse_network
from .observability import ObservabilityConfig, parse_observability
from .reader import ConfigReader
from .tiers import TIERS, merge

PROJECT = "trading-platform"
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{1,256}$")
_TAG_RULE = "a tag value: 1-256 letters, digits, spaces, _.:/=+-@"

# Objects under ``trading-platform:`` that a tier fills in and the stack may override per key.
TIERED_SECTIONS = (
    "network",
    "eks",
    "matchingEngine",
    "postgres",
    "cache",
    "kafka",
    "budget",
    "edge",
    "observability",
)


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


@dataclass(frozen=True)
class BudgetConfig:
    monthly_usd: int


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    tier: str
    environment: Environment
    region: str
    dr_region: str | None
    owner: str
    cost_center: str
    protect_stateful: bool
    network: NetworkConfig
    eks: EksConfig
    matching_engine: MatchingEngineConfig
    postgres: PostgresConfig
    cache: CacheConfig
    kafka: KafkaConfig
    budget: BudgetConfig
    edge: EdgeConfig
    observability: ObservabilityConfig

    @property
    def name_prefix(self) -> str:
        """Prefix for Name tags and physical names: short, unique per stack."""
        return f"trading-{self.stack}"

    @property
    def default_tags(self) -> dict[str, str]:
        return {
            "Project": self.project,
            "Stack": self.stack,
            "Environment": self.environment.value,
            "Owner": self.owner,
            "CostCenter": self.cost_center,
            "ManagedBy": "pulumi",
        }


def _decode(value: Any) -> Any:
    """The engine passes objects and lists as JSON strings; YAML in tests passes them parsed."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _region(reader: ConfigReader, name: str, default: Any = ...) -> str:
    args = () if default is ... else (default,)
    return reader.string(
        name, *args, pattern=_REGION, describe="an AWS region such as ap-northeast-2"
    )


def load_stack_config(values: Mapping[str, Any], *, stack: str) -> StackConfig:
    """Validates the stack's config (full ``namespace:key`` names) and applies its tier."""
    prefix = f"{PROJECT}:"
    own = {k[len(prefix) :]: _decode(v) for k, v in values.items() if k.startswith(prefix)}
    root = ConfigReader(own, prefix)
    aws = ConfigReader({"region": values.get("aws:region")}, "aws:")

    region = _region(aws, "region")
    tier_name = root.string("tier", choices=TIERS)
    tier = TIERS[tier_name]
    merged: dict[str, Any] = {}
    for section in TIERED_SECTIONS:
        merged[section] = merge(tier.get(section, {}), root.section(section).raw())
    tiered = ConfigReader(merged, prefix)

    environment = Environment(root.string("environment", choices=[e.value for e in Environment]))
    owner = root.string("owner", pattern=_TAG_VALUE, describe=_TAG_RULE)
    cost_center = root.string("costCenter", pattern=_TAG_VALUE, describe=_TAG_RULE)
    dr_region = root.optional_string(
        "drRegion", pattern=_REGION, describe="an AWS region such as ap-northeast-1"
    )
    if dr_region == region:
        raise ConfigError(
            root.key("drRegion"), f"is the primary region {region}; DR needs another region"
        )

    postgres = parse_postgres(tiered.section("postgres"))
    if postgres.cross_region_replica and dr_region is None:
        raise ConfigError(
            root.key("drRegion"),
            "is required because postgres.crossRegionReplica is on (the scale tier turns it on)",
        )
    budget_section = tiered.section("budget")
    budget = BudgetConfig(monthly_usd=budget_section.positive("monthlyUsd"))
    budget_section.done()

    network = parse_network(tiered.section("network"))
    kafka = parse_kafka(tiered.section("kafka"), network.az_count)
    config = StackConfig(
        project=PROJECT,
        stack=stack,
        tier=tier_name,
        environment=environment,
        region=region,
        dr_region=dr_region,
        owner=owner,
        cost_center=cost_center,
        protect_stateful=root.boolean("protectStatefulResources", environment is Environment.PROD),
        network=network,
        eks=parse_eks(tiered.section("eks"), f"trading-{stack}"),
        matching_engine=parse_matching_engine(tiered.section("matchingEngine")),
        postgres=postgres,
        cache=parse_cache(tiered.section("cache")),
        kafka=kafka,
        budget=budget,
        edge=parse_edge(tiered.section("edge")),
        observability=parse_observability(
            tiered.section("observability"), [t.name for t in kafka.topics]
        ),
    )
    dr_vpc = ipaddress.ip_network(config.postgres.dr_vpc_cidr)
    if config.postgres.cross_region_replica and dr_vpc.overlaps(
        ipaddress.ip_network(config.network.vpc_cidr)
    ):
        raise ConfigError(
            root.key("postgres.drVpcCidr"),
            f"{dr_vpc} overlaps network.vpcCidr {config.network.vpc_cidr}; the two VPCs could "
            "never be peered for a failover",
        )
    root.done()
    return config


def from_pulumi() -> StackConfig:
    """Reads the config the engine gave the program (stack YAML plus Pulumi.yaml defaults)."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return load_stack_config(values, stack=pulumi.get_stack())
