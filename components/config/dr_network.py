"""``trading-platform:drNetwork`` and the DR VPC's layout.

The DR VPC (``postgres.drVpcCidr``) gets the primary's subnet tiers at the primary's offsets, its
routes and the security groups of the same reachability table at all times: they cost nothing.
What bills by the hour idle (NAT gateways, interface endpoints) belongs to the failover stack,
which brings it with the apps (``components.config.failover``). ``drNetwork.failover`` records
in this stack that the replica was promoted; ``python -m offline.failover`` writes it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from .errors import SettingError
from .network import NatStrategy, NetworkConfig
from .schema import FLAG, SCHEMA
from .subnets import SubnetTier


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class DrNetworkConfig:
    failover: Annotated[bool, FLAG] = Field(
        default=False,
        description="the DR replica was promoted: declare it without `replicateSourceDb`",
    )

    @property
    def is_default(self) -> bool:
        return self == DrNetworkConfig()


def dr_subnets(primary: NetworkConfig, dr_vpc_cidr: str) -> dict[SubnetTier, tuple[str, ...]]:
    """The primary's subnets moved into the DR VPC: each keeps its offset from the VPC's start."""
    shift = int(ipaddress.IPv4Network(dr_vpc_cidr).network_address) - int(
        ipaddress.IPv4Network(primary.vpc_cidr).network_address
    )
    return {
        tier: tuple(
            str(ipaddress.IPv4Network((int(net.network_address) + shift, net.prefixlen)))
            for net in map(ipaddress.IPv4Network, cidrs)
        )
        for tier, cidrs in primary.subnets.items()
    }


def dr_problems(
    dr: DrNetworkConfig, primary: NetworkConfig, dr_vpc_cidr: str, *, has_dr_replica: bool
) -> list[SettingError]:
    """What the whole stack must agree on; ``at`` is relative to the config's root."""
    if not has_dr_replica:
        if dr.is_default:
            return []
        return [
            SettingError(
                "is true but there is no DR replica to have promoted (postgres.crossRegionReplica "
                "is off or drRegion unset)",
                at=("drNetwork", "failover"),
            )
        ]
    vpc = ipaddress.IPv4Network(dr_vpc_cidr)
    problems: list[SettingError] = []
    moved = dr_subnets(primary, dr_vpc_cidr)
    outside = [
        (tier, cidr, target)
        for tier in SubnetTier
        for cidr, target in zip(primary.subnets[tier], moved[tier], strict=True)
        if not ipaddress.IPv4Network(target).subnet_of(vpc)
    ]
    if outside:
        tier, cidr, target = outside[0]
        problems.append(
            SettingError(
                f"{vpc} cannot hold the primary's {tier.value} subnet {cidr} at the same offset "
                f"({target})",
                f"a DR VPC as large as the part of {primary.vpc_cidr} the subnets use",
                at=("postgres", "drVpcCidr"),
            )
        )
    return problems


def dr_network_config(
    primary: NetworkConfig, dr_vpc_cidr: str, zones: Sequence[str]
) -> NetworkConfig:
    """The DR VPC as a ``NetworkConfig``, so the primary's network builder builds it too."""
    return NetworkConfig(
        vpc_cidr=dr_vpc_cidr,
        az_count=primary.az_count,
        # Nothing that bills by the hour while standing by: the failover stack adds NAT and the
        # interface endpoints when the apps arrive.
        nat_strategy=NatStrategy.NONE,
        subnets=dr_subnets(primary, dr_vpc_cidr),
        interface_endpoints=(),
        flow_log_retention_days=primary.flow_log_retention_days,
        availability_zones=tuple(zones),
    )
