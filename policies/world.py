"""The one definition of "open to the world" every rule of the pack uses.

A range is world-open when it covers more than `WORLD_OPEN_SHARE` of the public unicast space of
its address family, alone or together with the other ranges of the same grant: `0.0.0.0/0` is,
and so are `0.0.0.0/1` + `128.0.0.0/1`, `0.0.0.0/4`, `2000::/3` or a list of /3s. A private,
shared or reserved range (10.0.0.0/8, 100.64.0.0/10, fc00::/7) covers no public address at all,
so a VPC's own CIDR is never world-open however large it is.

The public space is what IANA's special-purpose registries leave of each family: for IPv4 the
whole space less the special-purpose blocks, multicast and the reserved 240.0.0.0/4; for IPv6 the
global unicast block 2000::/3 (RFC 4291 2.4; everything else is reserved, link-local, unique-local
or multicast).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

WORLD_OPEN_SHARE: Final = 1 / 256
"""More than this share of a family's public space is "the world".

1/256 is about one IPv4 /8 of public space (16.7 M addresses) and an IPv6 /11. No organisation a
rule could legitimately admit owns that much: RIRs receive /12s of IPv6 from IANA and the largest
IPv4 holdings are a few /8s, while partner, office and VPN ranges are /16 or smaller. Every
spelling of the whole internet (halves, quarters, /4s, 2000::/3) covers far more.
"""

# https://www.iana.org/assignments/iana-ipv4-special-registry/ : blocks that are not globally
# reachable unicast, plus multicast (224.0.0.0/4) and reserved (240.0.0.0/4).
_IPV4_NOT_PUBLIC: Final = tuple(
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_IPV6_PUBLIC: Final = ipaddress.IPv6Network("2000::/3")


def _intervals(networks: Iterable[IPNetwork]) -> list[tuple[int, int]]:
    """Merged, sorted [first, last] address intervals."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(
        (int(net.network_address), int(net.broadcast_address)) for net in networks
    ):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _complement(intervals: list[tuple[int, int]], top: int) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    start = 0
    for first, last in intervals:
        if first > start:
            result.append((start, first - 1))
        start = last + 1
    if start <= top:
        result.append((start, top))
    return result


_IPV4_PUBLIC_INTERVALS: Final = _complement(_intervals(_IPV4_NOT_PUBLIC), 2**32 - 1)
_IPV6_PUBLIC_INTERVALS: Final = _intervals([_IPV6_PUBLIC])


def _size(intervals: list[tuple[int, int]]) -> int:
    return sum(last - first + 1 for first, last in intervals)


_IPV4_PUBLIC_SIZE: Final = _size(_IPV4_PUBLIC_INTERVALS)
_IPV6_PUBLIC_SIZE: Final = _size(_IPV6_PUBLIC_INTERVALS)


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Addresses in both merged interval lists (a two-pointer sweep)."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        first, last = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if first <= last:
            total += last - first + 1
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def parse_cidr(value: object) -> IPNetwork | None:
    """A CIDR or bare address as a network (host bits ignored, as EC2 does); None if not one."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def public_share(cidrs: Iterable[str]) -> tuple[float, float]:
    """The shares (IPv4, IPv6) of each family's public space the ranges cover together.

    Strings that are not CIDRs cover nothing (the API refuses them).
    """
    networks = [net for net in map(parse_cidr, cidrs) if net is not None]
    v4 = _intervals(net for net in networks if net.version == 4)
    v6 = _intervals(net for net in networks if net.version == 6)
    return (
        _overlap(v4, _IPV4_PUBLIC_INTERVALS) / _IPV4_PUBLIC_SIZE,
        _overlap(v6, _IPV6_PUBLIC_INTERVALS) / _IPV6_PUBLIC_SIZE,
    )


def world_open_union(cidrs: Iterable[str]) -> bool:
    """Whether the ranges together cover more than `WORLD_OPEN_SHARE` of a family's public space."""
    return any(share > WORLD_OPEN_SHARE for share in public_share(cidrs))


def world_open(cidr: str) -> bool:
    """Whether one range alone is world-open (see `world_open_union` for a grant's list)."""
    return world_open_union([cidr])
