"""Subnet CIDR arithmetic for the four subnet tiers: pure functions, no Pulumi."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from enum import StrEnum
from itertools import combinations

from .errors import SettingError
from .schema import parse_cidr


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


def check_subnets(vpc_cidr: str, subnets: Mapping[SubnetTier, Sequence[str]]) -> list[SettingError]:
    """Each subnet is a valid CIDR inside the VPC, sized for AWS, and none overlaps another.

    Problems are ``at`` (tier, index) under ``network.subnets``.
    """
    vpc = ipaddress.IPv4Network(vpc_cidr)
    problems: list[SettingError] = []
    parsed: list[tuple[tuple[str, int], ipaddress.IPv4Network]] = []
    for tier, cidrs in subnets.items():
        for index, cidr in enumerate(cidrs):
            where = (tier.value, index)
            try:
                network = parse_cidr(cidr)
            except SettingError as problem:
                problems.append(SettingError(problem.problem, problem.allowed, at=where))
                continue
            if not 16 <= network.prefixlen <= 28:
                problems.append(
                    SettingError(f"{cidr} has a /{network.prefixlen} mask", "/16 to /28", at=where)
                )
            elif not network.subnet_of(vpc):
                problems.append(SettingError(f"{cidr} is outside the VPC {vpc_cidr}", at=where))
            else:
                parsed.append((where, network))
    for (where_a, a), (where_b, b) in combinations(parsed, 2):
        if a.overlaps(b):
            tier, index = where_a
            problems.append(SettingError(f"{b} overlaps {a} at {tier}[{index}]", at=where_b))
    return problems
