"""``trading-platform:drNetwork``: what the DR network runs while it waits, and at failover.

The DR VPC (``postgres.drVpcCidr``) gets the primary's subnet tiers at the primary's offsets, its
routes and the security groups of the same reachability table at all times: they cost nothing.
What costs money idle (NAT gateways, interface endpoints) is off until a failover turns it on;
``python -m offline.failover`` writes these keys.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from .errors import SettingError, raise_all
from .network import _ENDPOINT_SERVICE, NatStrategy, NetworkConfig
from .schema import CHOICE, FLAG, SCHEMA, Strings
from .subnets import SubnetTier


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class DrNetworkConfig:
    nat_strategy: Annotated[NatStrategy, CHOICE] = Field(
        default=NatStrategy.NONE,
        description="NAT in the DR VPC: `none` while standing by (a gateway bills by the hour)",
    )
    interface_endpoints: Annotated[tuple[str, ...], Strings(_ENDPOINT_SERVICE.validate)] = Field(
        default=(), description="interface endpoints in the DR private tier; none while standing by"
    )
    failover: Annotated[bool, FLAG] = Field(
        default=False,
        description="the DR replica is promoted (no `replicateSourceDb`); the DR region serves",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if "s3" in self.interface_endpoints:
            raise_all(
                [
                    SettingError(
                        "s3 is always a free gateway endpoint; remove it from the interface list",
                        at=("interfaceEndpoints",),
                    )
                ]
            )
        return self

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
                "is set but there is no DR network: it comes with postgres.crossRegionReplica",
                at=("drNetwork",),
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
    if dr.failover:
        missing = [s for s in primary.interface_endpoints if s not in dr.interface_endpoints]
        if missing:
            problems.append(
                SettingError(
                    f"lacks {', '.join(missing)}, which the apps use in the primary "
                    "(network.interfaceEndpoints); after a failover they run here",
                    at=("drNetwork", "interfaceEndpoints"),
                )
            )
        if dr.nat_strategy is NatStrategy.NONE and primary.nat_strategy is not NatStrategy.NONE:
            problems.append(
                SettingError(
                    "is none, but the services' external broker APIs go out through NAT "
                    f"(network.natStrategy is {primary.nat_strategy}); after a failover they "
                    "run here",
                    at=("drNetwork", "natStrategy"),
                )
            )
    return problems


def dr_network_config(
    dr: DrNetworkConfig, primary: NetworkConfig, dr_vpc_cidr: str, zones: Sequence[str]
) -> NetworkConfig:
    """The DR VPC as a ``NetworkConfig``, so the primary's network builder builds it too."""
    return NetworkConfig(
        vpc_cidr=dr_vpc_cidr,
        az_count=primary.az_count,
        nat_strategy=dr.nat_strategy,
        subnets=dr_subnets(primary, dr_vpc_cidr),
        interface_endpoints=dr.interface_endpoints,
        flow_log_retention_days=primary.flow_log_retention_days,
        availability_zones=tuple(zones),
    )
