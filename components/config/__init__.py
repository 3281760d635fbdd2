"""Typed stack config: tiers, per-key overrides and validation with clear errors."""

from .cluster import EksConfig, NodeGroupConfig, Taint
from .data import CacheConfig, PostgresConfig
from .edge import EdgeConfig, WafConfig, WafRule
from .errors import ConfigError
from .matching_engine import MatchingEngineConfig
from .messaging import KafkaConfig, KafkaMode
from .network import NatStrategy, NetworkConfig
from .stack import PROJECT, BudgetConfig, Environment, StackConfig, from_pulumi, load_stack_config
from .subnets import SubnetTier
from .tiers import TIERS

__all__ = [
    "PROJECT",
    "TIERS",
    "BudgetConfig",
    "CacheConfig",
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
    "PostgresConfig",
    "StackConfig",
    "SubnetTier",
    "Taint",
    "WafConfig",
    "WafRule",
    "from_pulumi",
    "load_stack_config",
]
