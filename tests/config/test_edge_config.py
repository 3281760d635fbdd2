"""``trading-platform:edge`` and the EKS endpoint keys: defaults per tier and each bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.config import ConfigError, StackConfig, WafRule, load_stack_config
from offline.stack_files import read_stack_files

EDGE = "trading-platform:edge"
EKS = "trading-platform:eks"
VALID_EDGE: dict[str, Any] = {
    "domainName": "trading.example.com",
    "hostedZoneId": "Z0123456789EXAMPLE",
    "waf": {"adminAllowCidrs": ["203.0.113.10/32"]},
}


def load(overrides: dict[str, Any] | None = None, stack: str = "dev") -> StackConfig:
    files = read_stack_files(stack, overrides=overrides)
    return load_stack_config(files.values, stack=stack)


def edge_with(**changes: Any) -> StackConfig:
    return load({EDGE: {**VALID_EDGE, **changes}})


def waf_with(**changes: Any) -> StackConfig:
    return edge_with(waf={**VALID_EDGE["waf"], **changes})


def raises(key: str, match: str) -> Any:
    """The error names the full key first, so the user finds the line in the stack YAML."""
    return pytest.raises(ConfigError, match=f"^{re.escape(key)}: .*{re.escape(match)}")


@pytest.mark.parametrize(("tier", "retention"), [("startup", 30), ("growth", 90), ("scale", 365)])
def test_tier_defaults(tier: str, retention: int) -> None:
    # prod carries the drRegion the scale tier's cross-region replica needs.
    config = load({"trading-platform:tier": tier, EDGE: VALID_EDGE}, stack="prod")
    edge = config.edge
    assert edge.log_retention_days == retention
    assert edge.access_log_expiration_days == retention
    assert edge.price_class == "PriceClass_200"
    assert edge.waf.rate_limit == 2000
    assert edge.waf.login_rate_limit == 100
    assert edge.waf.blocked_countries == ("KP", "IR", "CU", "SY")
    assert edge.waf.admin_paths == ("/admin",)
    assert len(set(edge.waf.priorities.values())) == len(WafRule)
    assert config.eks.public_access_cidrs == ()
    assert edge.origin_secret_generation == 1


def test_origin_secret_generation_is_set_per_stack() -> None:
    assert edge_with(originSecretGeneration=7).edge.origin_secret_generation == 7


@pytest.mark.parametrize("bad", [0, -1, "next", 1.5])
def test_origin_secret_generation_must_be_a_positive_integer(bad: object) -> None:
    with raises(f"{EDGE}.originSecretGeneration", ""):
        edge_with(originSecretGeneration=bad)


def test_stack_files_configure_the_edge() -> None:
    dev, prod = load(), load(stack="prod")
    assert dev.edge.hosted_zone_name == "trading.example.com"
    assert dev.edge.domain_name.endswith(".trading.example.com")
    assert prod.edge.hosted_zone_id is not None
    assert prod.edge.log_retention_days == 365


def test_bare_addresses_become_host_cidrs() -> None:
    config = waf_with(adminAllowCidrs=["198.51.100.7"], tradingViewCidrs=["192.0.2.1"])
    assert config.edge.waf.admin_allow_cidrs == ("198.51.100.7/32",)
    assert config.edge.waf.trading_view_cidrs == ("192.0.2.1/32",)


def test_priorities_can_be_reordered() -> None:
    config = waf_with(priorities={"geoBlock": 50})
    assert config.edge.waf.priorities[WafRule.GEO_BLOCK] == 50


def test_public_endpoint_cidrs_are_accepted() -> None:
    config = load({EKS: {"publicAccessCidrs": ["198.51.100.0/24"]}})
    assert config.eks.public_access_cidrs == ("198.51.100.0/24",)


def test_domain_without_hosted_zone() -> None:
    with raises(f"{EDGE}.hostedZoneId", "needs the Route 53 hosted zone"):
        load({EDGE: {"domainName": "trading.example.com", "waf": VALID_EDGE["waf"]}})


def test_zone_that_cannot_hold_the_domain() -> None:
    with raises(f"{EDGE}.hostedZoneName", "cannot hold records for trading.example.com"):
        load({EDGE: {**VALID_EDGE, "hostedZoneId": None, "hostedZoneName": "example.org"}})


def test_zone_id_and_name_together() -> None:
    with raises(f"{EDGE}.hostedZoneName", "not both"):
        edge_with(hostedZoneName="example.com")


def test_malformed_domain() -> None:
    with raises(f"{EDGE}.domainName", "malformed value 'Trading_Example'"):
        edge_with(domainName="Trading_Example")


@pytest.mark.parametrize("bad", ["10.0.0.300/32", "not-an-ip", "198.51.100.1/24", "2001:db8::/32"])
def test_invalid_ip_in_admin_set(bad: str) -> None:
    with raises(f"{EDGE}.waf.adminAllowCidrs[1]", "malformed CIDR"):
        waf_with(adminAllowCidrs=["203.0.113.10/32", bad])


def test_invalid_ip_in_tradingview_set() -> None:
    with raises(f"{EDGE}.waf.tradingViewCidrs[0]", "malformed CIDR '52.89.214/32'"):
        waf_with(tradingViewCidrs=["52.89.214/32"])


def test_world_in_an_allow_list() -> None:
    with raises(f"{EDGE}.waf.adminAllowCidrs[0]", "matches every address"):
        waf_with(adminAllowCidrs=["0.0.0.0/0"])


def test_overlapping_priorities() -> None:
    with raises(f"{EDGE}.waf.priorities.common", "priority 3 is already used by loginRateLimit"):
        waf_with(priorities={"common": 3})


def test_unknown_priority_name() -> None:
    with raises(f"{EDGE}.waf.priorities.sqlInjection", "unknown setting (allowed: adminAllowList"):
        waf_with(priorities={"sqlInjection": 20})


def test_empty_admin_allow_list_with_restricted_paths() -> None:
    with raises(f"{EDGE}.waf.adminAllowCidrs", "is empty while adminPaths"):
        waf_with(adminAllowCidrs=[])


def test_no_admin_paths_needs_no_allow_list() -> None:
    config = waf_with(adminAllowCidrs=[], adminPaths=[])
    assert config.edge.waf.admin_paths == ()


def test_malformed_path_and_country() -> None:
    with raises(f"{EDGE}.waf.loginPaths[0]", "malformed path prefix 'login'"):
        waf_with(loginPaths=["login"])
    with raises(f"{EDGE}.waf.blockedCountries[0]", "malformed country code 'kp'"):
        waf_with(blockedCountries=["kp"])


def test_rate_limit_below_waf_minimum() -> None:
    with raises(f"{EDGE}.waf.rateLimit", "must be 10..2000000000, got 5"):
        waf_with(rateLimit=5)


def test_log_retention_must_be_a_cloudwatch_period() -> None:
    with raises(f"{EDGE}.logRetentionDays", "not a CloudWatch Logs retention period"):
        edge_with(logRetentionDays=45)


def test_public_endpoint_open_to_the_world() -> None:
    with raises(f"{EKS}.publicAccessCidrs[1]", "whole internet"):
        load({EKS: {"publicAccessCidrs": ["198.51.100.0/24", "0.0.0.0/0"]}})


def test_malformed_public_endpoint_cidr() -> None:
    with raises(f"{EKS}.publicAccessCidrs[0]", "malformed CIDR"):
        load({EKS: {"publicAccessCidrs": ["198.51.100.1/24"]}})


def test_malformed_kubernetes_version() -> None:
    with raises(f"{EKS}.version", "malformed value '1.3'"):
        load({EKS: {"version": "1.3"}})


def test_image_tag_default_and_override() -> None:
    assert load().eks.image_tag is None
    assert load({EKS: {"imageTag": "v1.4.2"}}).eks.image_tag == "v1.4.2"
    with raises(f"{EKS}.imageTag", "malformed value 'v1 beta'"):
        load({EKS: {"imageTag": "v1 beta"}})
