"""``trading-platform:network``: VPC, subnets, NAT, endpoints and flow logs."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from .errors import ConfigError, SettingError, raise_all
from .schema import (
    CHOICE,
    PROJECT,
    RETENTION_DAYS,
    SCHEMA,
    Cidr,
    Integer,
    SettingName,
    Strings,
    Text,
    derived,
)
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
_ENDPOINT_SERVICE = Text(
    r"[a-z0-9]+([.-][a-z0-9]+)*",
    "the part after 'com.amazonaws.<region>.', e.g. 'ecr.dkr'",
    "service name",
)


_ZONE = Text(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "an AZ name such as ap-northeast-2a", "zone")


class NatStrategy(StrEnum):
    NONE = "none"  # no internet egress from private tiers; VPC endpoints only
    SINGLE = "single"  # one NAT gateway (cheaper, one AZ's failure cuts egress)
    PER_AZ = "per-az"  # one NAT gateway and private route table per AZ


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class NetworkConfig:
    vpc_cidr: Annotated[str, Cidr((16, 24), "is not a VPC size")] = Field(
        "10.0.0.0/16",
        description="VPC CIDR; seed 002's default subnet layout needs /18 or larger",
    )
    az_count: Annotated[int, Integer(2, MAX_AZS)] = Field(description="availability zones used")
    nat_strategy: Annotated[NatStrategy, CHOICE] = Field(
        description="`none` (endpoints only), `single` NAT gateway, or one `per-az`"
    )
    # Tiers left out get seed 002's /24 per AZ inside the VPC (see ``default_subnets``).
    subnets: dict[Annotated[SubnetTier, SettingName()], Annotated[tuple[str, ...], Strings()]] = (
        Field(
            default_factory=dict,
            description="one CIDR per AZ for each subnet tier",
            json_schema_extra=derived("seed 002's /24s (10.0.1.0/24, 10.0.11.0/24 ...)"),
        )
    )
    interface_endpoints: Annotated[tuple[str, ...], Strings(_ENDPOINT_SERVICE.validate)] = Field(
        DEFAULT_INTERFACE_ENDPOINTS, description="interface endpoints in the private tier"
    )
    flow_log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        90, description="VPC flow log retention (also the DR VPC's)"
    )
    # Pinned, so a change in what a live lookup returns never moves a subnet or a database.
    availability_zones: Annotated[tuple[str, ...], Strings(_ZONE.validate)] = Field(
        (),
        description="the AZ names used, in subnet order; pinned so nothing shifts by itself",
        json_schema_extra=derived("the region's first `azCount` standard zones"),
    )

    @model_validator(mode="after")
    def _complete_subnets(self) -> Self:
        problems: list[SettingError] = []
        vpc = ipaddress.IPv4Network(self.vpc_cidr)
        defaults = default_subnets(self.vpc_cidr, self.az_count) if vpc.prefixlen <= 18 else None
        subnets: dict[SubnetTier, tuple[str, ...]] = {}
        for tier in SubnetTier:
            cidrs = self.subnets.get(tier)
            if cidrs is None and defaults is None:
                problems.append(
                    SettingError(
                        "must be set: seed 002's default /24 layout needs a /18 or larger VPC, "
                        f"and vpcCidr is {self.vpc_cidr}",
                        at=("subnets", tier.value),
                    )
                )
                continue
            cidrs = cidrs if cidrs is not None else tuple(defaults[tier] if defaults else ())
            if len(cidrs) != self.az_count:
                problems.append(
                    SettingError(
                        f"has {len(cidrs)} CIDRs but azCount is {self.az_count}",
                        "one CIDR per availability zone",
                        at=("subnets", tier.value),
                    )
                )
            subnets[tier] = cidrs
        if not problems:
            problems += [
                SettingError(p.problem, p.allowed, at=("subnets", *p.at))
                for p in check_subnets(self.vpc_cidr, subnets)
            ]
        if "s3" in self.interface_endpoints:
            problems.append(
                SettingError(
                    "s3 is always a free gateway endpoint; remove it from the interface list",
                    at=("interfaceEndpoints",),
                )
            )
        if self.availability_zones and len(self.availability_zones) != self.az_count:
            problems.append(
                SettingError(
                    f"has {len(self.availability_zones)} zones but azCount is {self.az_count}",
                    "one zone per AZ",
                    at=("availabilityZones",),
                )
            )
        raise_all(problems)
        # A derived default, filled in once the keys it depends on are valid.
        object.__setattr__(self, "subnets", subnets)
        return self

    def check_offered_zones(self, zones: Sequence[str], region: str) -> None:
        """The one AZ check: ``region`` must offer the pinned zones (``zones``: what it offers)."""
        if len(zones) < self.az_count:
            raise ConfigError(
                f"{PROJECT}:network.azCount",
                f"is {self.az_count} but {region} offers {len(zones)} standard zones",
            )
        check_zones_offered(
            f"{PROJECT}:network.availabilityZones", self.availability_zones, zones, region
        )


def check_zones_offered(
    key: str, pinned: Sequence[str], offered: Sequence[str], region: str
) -> None:
    """Pinned zones the account does not see in ``region`` (a live lookup) are an error."""
    missing = [zone for zone in pinned if zone not in offered]
    if missing:
        raise ConfigError(
            key,
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not offered to this "
            f"account in {region}",
            ", ".join(offered),
        )
