"""``trading-platform:network``: VPC, subnets, NAT, endpoints and flow logs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import ConfigError
from .reader import ConfigReader, parse_cidr
from .subnets import MAX_AZS, SubnetTier, check_subnets, default_subnets

# What private workloads need without a NAT: SSM sessions, logs/metrics, secrets, keys, images.
DEFAULT_INTERFACE_ENDPOINTS = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "logs",
    "monitoring",
    "secretsmanager",
    "kms",
    "sts",
    "ecr.api",
    "ecr.dkr",
)
_ENDPOINT_SERVICE = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")


class NatStrategy(StrEnum):
    NONE = "none"  # no internet egress from private tiers; VPC endpoints only
    SINGLE = "single"  # one NAT gateway (cheaper, one AZ's failure cuts egress)
    PER_AZ = "per-az"  # one NAT gateway and private route table per AZ


@dataclass(frozen=True)
class NetworkConfig:
    vpc_cidr: str
    az_count: int
    nat_strategy: NatStrategy
    subnets: dict[SubnetTier, tuple[str, ...]]
    interface_endpoints: tuple[str, ...]
    flow_log_retention_days: int


def parse_network(section: ConfigReader) -> NetworkConfig:
    vpc_cidr = section.string("vpcCidr", "10.0.0.0/16")
    vpc = parse_cidr(section.key("vpcCidr"), vpc_cidr)
    if not 16 <= vpc.prefixlen <= 24:
        raise ConfigError(
            section.key("vpcCidr"), f"/{vpc.prefixlen} is not a VPC size", "/16 to /24"
        )
    az_count = section.integer("azCount", minimum=2, maximum=MAX_AZS)
    nat = NatStrategy(section.string("natStrategy", choices=[s.value for s in NatStrategy]))

    subnets_section = section.section("subnets")
    defaults = default_subnets(vpc_cidr, az_count) if vpc.prefixlen <= 18 else None
    subnets: dict[SubnetTier, list[str]] = {}
    for tier in SubnetTier:
        if defaults is None and not subnets_section.has(tier.value):
            raise ConfigError(
                subnets_section.key(tier.value),
                f"must be set: seed 002's default /24 layout needs a /18 or larger VPC, "
                f"and vpcCidr is {vpc_cidr}",
            )
        cidrs = subnets_section.string_list(tier.value, defaults[tier] if defaults else None)
        if len(cidrs) != az_count:
            raise ConfigError(
                subnets_section.key(tier.value),
                f"has {len(cidrs)} CIDRs but azCount is {az_count}",
                "one CIDR per availability zone",
            )
        subnets[tier] = cidrs
    subnets_section.done()
    check_subnets(subnets_section.path, vpc_cidr, subnets)

    endpoints = section.string_list("interfaceEndpoints", list(DEFAULT_INTERFACE_ENDPOINTS))
    for index, service in enumerate(endpoints):
        if not _ENDPOINT_SERVICE.fullmatch(service):
            raise ConfigError(
                f"{section.key('interfaceEndpoints')}[{index}]",
                f"malformed service name {service!r}",
                "the part after 'com.amazonaws.<region>.', e.g. 'ecr.dkr'",
            )
    if "s3" in endpoints:
        raise ConfigError(
            section.key("interfaceEndpoints"),
            "s3 is always a free gateway endpoint; remove it from the interface list",
        )
    retention = section.log_retention_days("flowLogRetentionDays", 90)
    section.done()
    return NetworkConfig(
        vpc_cidr=vpc_cidr,
        az_count=az_count,
        nat_strategy=nat,
        subnets={tier: tuple(cidrs) for tier, cidrs in subnets.items()},
        interface_endpoints=tuple(endpoints),
        flow_log_retention_days=retention,
    )
