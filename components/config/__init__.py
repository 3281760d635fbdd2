"""Typed stack config: tiers, per-key overrides and validation with clear errors."""

from .cluster import CapacityType, EksConfig, NodeGroupConfig, Taint
from .data import (
    CacheAuth,
    CacheConfig,
    CacheEngine,
    CacheMode,
    PostgresConfig,
    PostgresEngine,
    ProxyIamAuth,
)
from .edge import EdgeConfig, WafConfig, WafRule
from .errors import ConfigError, StackConfigError
from .instances import Architecture
from .matching_engine import MatchingEngineConfig
from .messaging import CleanupPolicy, KafkaConfig, KafkaMode, TopicConfig
from .network import NatStrategy, NetworkConfig
from .observability import ObservabilityConfig
from .stack import PROJECT, BudgetConfig, Environment, StackConfig, from_pulumi, load_stack_config
from .subnets import SubnetTier
from .tiers import TIERS

__all__ = [
    "PROJECT",
    "TIERS",
    "Architecture",
    "BudgetConfig",
    "CacheAuth",
    "CacheConfig",
    "CacheEngine",
    "CacheMode",
    "CapacityType",
    "CleanupPolicy",
    "ConfigError",
    "EdgeConfig",
    "EksConfig",
    "Environment",
    "KafkaConfig",
    "KafkaMode",
    "MatchingEngineConfig",
    "NatStrategy",
    "NetworkConfig",
    "NodeGroupConfig",
    "ObservabilityConfig",
    "PostgresConfig",
    "PostgresEngine",
    "ProxyIamAuth",
    "StackConfig",
    "StackConfigError",
    "SubnetTier",
    "Taint",
    "TopicConfig",
    "WafConfig",
    "WafRule",
    "from_pulumi",
    "load_stack_config",
]
