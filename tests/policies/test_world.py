"""The one definition of world-open: every spelling of the internet, never a private range."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.world import WORLD_OPEN_SHARE, parse_cidr, public_share, world_open, world_open_union


@pytest.mark.parametrize(
    "cidr",
    [
        "0.0.0.0/0",
        " 0.0.0.0/0 ",
        "1.2.3.4/0",
        "::/0",
        "0.0.0.0/1",
        "128.0.0.0/1",
        "0.0.0.0/2",
        "64.0.0.0/3",
        "0.0.0.0/4",
        "52.0.0.0/7",
        "2000::/3",
        "2000::/4",
        "::/1",
        "2600::/8",
    ],
)
def test_world_spellings_are_world_open(cidr: str) -> None:
    assert world_open(cidr)


@pytest.mark.parametrize(
    "cidr",
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "203.0.113.0/24",
        "52.94.0.0/16",
        "198.51.100.7/32",
        "fc00::/7",
        "fe80::/10",
        "2001:db8::/32",
        "2600:1f18::/32",
        "not a cidr",
        "",
        "10.0.0.0/33",
    ],
)
def test_private_and_narrow_ranges_are_not(cidr: str) -> None:
    assert not world_open(cidr)


def test_split_halves_are_world_open_together_only_in_the_union() -> None:
    halves = ["0.0.0.0/1", "128.0.0.0/1"]
    assert world_open_union(halves)
    assert public_share(halves)[0] == pytest.approx(1.0)


def test_many_narrow_ranges_add_up() -> None:
    # 32 public /13s: each is 1/512 of the space, below the threshold alone, above together.
    ranges = [f"{first}.0.0.0/13" for first in range(1, 9)] + [
        f"{first}.{second}.0.0/13"
        for first in (20, 30, 40)
        for second in (0, 8, 16, 24, 32, 40, 48, 56)
    ]
    assert not any(world_open(cidr) for cidr in ranges)
    assert world_open_union(ranges)


def test_a_slash_eight_of_public_space_is_world_open_and_a_slash_nine_is_not() -> None:
    assert public_share(["52.0.0.0/8"])[0] > WORLD_OPEN_SHARE
    assert not world_open("52.0.0.0/9")


def test_families_are_measured_apart() -> None:
    v4, v6 = public_share(["0.0.0.0/0", "2600:1f18::/32"])
    assert v4 == pytest.approx(1.0)
    assert v6 < WORLD_OPEN_SHARE


def test_parse_cidr_ignores_host_bits_and_refuses_garbage() -> None:
    assert parse_cidr("10.0.0.5/8") == ipaddress.ip_network("10.0.0.0/8")
    assert parse_cidr(None) is None
    assert parse_cidr(42) is None
    assert parse_cidr("0/0") is None


_V4 = st.builds(
    lambda address, prefix: str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)),
    st.ip_addresses(v=4),
    st.integers(min_value=0, max_value=32),
)
_V6 = st.builds(
    lambda address, prefix: str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)),
    st.ip_addresses(v=6),
    st.integers(min_value=0, max_value=128),
)
_CIDR = _V4 | _V6


@given(_CIDR)
def test_a_network_is_world_open_iff_its_two_halves_are_together(cidr: str) -> None:
    network = ipaddress.ip_network(cidr)
    if network.prefixlen == network.max_prefixlen:
        return
    halves = [str(half) for half in network.subnets(prefixlen_diff=1)]
    assert world_open(cidr) == world_open_union(halves)


@given(st.lists(_CIDR, max_size=6), _CIDR)
def test_adding_a_range_never_closes_a_grant(cidrs: list[str], extra: str) -> None:
    if world_open_union(cidrs):
        assert world_open_union([*cidrs, extra])


@given(st.lists(_CIDR, max_size=6))
def test_duplicates_do_not_count_twice(cidrs: list[str]) -> None:
    assert public_share(cidrs) == public_share(cidrs + cidrs)
    assert all(0.0 <= share <= 1.0 for share in public_share(cidrs))


@given(_V4)
def test_a_range_inside_private_space_is_never_world_open(cidr: str) -> None:
    network = ipaddress.IPv4Network(cidr)
    if network.subnet_of(ipaddress.IPv4Network("10.0.0.0/8")):
        assert public_share([cidr]) == (0.0, 0.0)
