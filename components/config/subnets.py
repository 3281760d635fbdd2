"""Subnet CIDR arithmetic for the four subnet tiers: pure functions, no Pulumi."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from itertools import combinations

from .errors import ConfigError
from .reader import parse_cidr


class SubnetTier(StrEnum):
    """The subnet tiers, by their config key under ``network.subnets``."""

    PUBLIC = "public"  # ALB, NAT gateways
    PRIVATE = "private"  # EKS nodes, MSK, interface endpoints
    DATABASE = "database"  # RDS, RDS Proxy, ElastiCache: no route to the internet
    MATCHING_ENGINE = "matchingEngine"  # the latency-critical EC2 fleet


# Seed 002's layout: 10.0.1-3.0/24, 10.0.11-13.0/24, 10.0.21-23.0/24, 10.0.31-33.0/24.
# Offsets are /24 blocks from the start of the VPC, so any VPC of /18 or larger keeps the shape.
DEFAULT_OFFSETS: dict[SubnetTier, int] = {
    SubnetTier.PUBLIC: 1,
    SubnetTier.PRIVATE: 11,
    SubnetTier.DATABASE: 21,
    SubnetTier.MATCHING_ENGINE: 31,
}
SUBNET_PREFIX = 24
MAX_AZS = 3


def default_subnets(vpc_cidr: str, az_count: int) -> dict[SubnetTier, list[str]]:
    """Seed 002's /24 per tier per AZ, placed inside ``vpc_cidr``."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    if vpc.prefixlen > 18:
        raise ValueError(f"default subnets need a /18 or larger VPC, got {vpc_cidr}")
    base = int(vpc.network_address)
    block = 2 ** (32 - SUBNET_PREFIX)
    return {
        tier: [
            str(ipaddress.IPv4Network((base + (offset + az) * block, SUBNET_PREFIX)))
            for az in range(az_count)
        ]
        for tier, offset in DEFAULT_OFFSETS.items()
    }


def check_subnets(key: str, vpc_cidr: str, subnets: dict[SubnetTier, list[str]]) -> None:
    """Each subnet is a valid CIDR inside the VPC, sized for AWS, and none overlaps another."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    parsed: list[tuple[str, ipaddress.IPv4Network]] = []
    for tier, cidrs in subnets.items():
        for index, cidr in enumerate(cidrs):
            where = f"{key}.{tier}[{index}]"
            network = parse_cidr(where, cidr)
            if not 16 <= network.prefixlen <= 28:
                raise ConfigError(where, f"{cidr} has a /{network.prefixlen} mask", "/16 to /28")
            if not network.subnet_of(vpc):
                raise ConfigError(where, f"{cidr} is outside the VPC {vpc_cidr}")
            parsed.append((where, network))
    for (key_a, a), (key_b, b) in combinations(parsed, 2):
        if a.overlaps(b):
            raise ConfigError(key_b, f"{b} overlaps {a} at {key_a}")
