"""``trading-platform:edge``: the only way in — DNS, certificates, CloudFront, WAF and the ALB."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import ConfigError
from .reader import ConfigReader, parse_cidr

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
# WAF rate-based rules count over 5 minutes by default and accept limits of 10 to 2,000,000,000.
_RATE_LIMIT_RANGE = (10, 2_000_000_000)
# The managed rule groups and our own rules together stay far below the web ACL's 5,000 WCUs;
# priorities only order evaluation, but two rules may not share one.
_MAX_PRIORITY = 1000

# TradingView's published webhook source addresses (TradingView help: "How to configure
# webhook alerts"). They change rarely; when they do, webhooks are rate limited until updated.
TRADINGVIEW_WEBHOOK_IPS = (
    "52.89.214.238/32",
    "34.212.75.30/32",
    "54.218.53.128/32",
    "52.32.178.7/32",
)
SANCTIONED_COUNTRIES = ("KP", "IR", "CU", "SY")


class WafRule(StrEnum):
    """The web ACL's rules, by their key under ``edge.waf.priorities``."""

    GEO_BLOCK = "geoBlock"
    IP_REPUTATION = "ipReputation"
    ADMIN_ALLOW_LIST = "adminAllowList"
    LOGIN_RATE_LIMIT = "loginRateLimit"
    RATE_LIMIT = "rateLimit"
    COMMON = "common"
    SQLI = "sqli"
    KNOWN_BAD_INPUTS = "knownBadInputs"


# Cheap blocks first (country, bad reputation, admin paths), then the rate limits, then the
# managed rule groups that inspect the request body.
DEFAULT_PRIORITIES: dict[str, int] = {rule.value: index for index, rule in enumerate(WafRule)}


@dataclass(frozen=True)
class WafConfig:
    rate_limit: int  # requests per 5 minutes per IP, everywhere
    login_rate_limit: int  # requests per 5 minutes per IP on the login paths
    login_paths: tuple[str, ...]
    admin_paths: tuple[str, ...]
    admin_allow_cidrs: tuple[str, ...]
    trading_view_cidrs: tuple[str, ...]
    blocked_countries: tuple[str, ...]
    priorities: dict[WafRule, int]


@dataclass(frozen=True)
class EdgeConfig:
    domain_name: str
    hosted_zone_id: str | None  # one of id or name identifies the zone
    hosted_zone_name: str | None
    price_class: str
    log_retention_days: int  # WAF and CloudFront logs
    access_log_expiration_days: int  # ALB access logs in S3
    health_check_path: str
    waf: WafConfig


def _ipv4_cidr(key: str, value: str) -> str:
    """An IPv4 address or CIDR as WAF wants it (a bare address becomes a /32)."""
    network = parse_cidr(key, value if "/" in value else f"{value}/32")
    if network.prefixlen == 0:
        raise ConfigError(key, f"{value} matches every address", "a specific network, e.g. /32")
    return str(network)


def _path(key: str, value: str) -> str:
    if not _PATH.fullmatch(value):
        raise ConfigError(key, f"malformed path prefix {value!r}", "'/' then URL path characters")
    return value


def _country(key: str, value: str) -> str:
    if not _COUNTRY.fullmatch(value):
        raise ConfigError(key, f"malformed country code {value!r}", "ISO 3166 alpha-2, e.g. 'KP'")
    return value


def _priorities(section: ConfigReader) -> dict[WafRule, int]:
    priorities: dict[WafRule, int] = {}
    owner: dict[int, WafRule] = {}
    for rule in WafRule:
        priority = section.integer(
            rule.value, DEFAULT_PRIORITIES[rule.value], minimum=0, maximum=_MAX_PRIORITY
        )
        if priority in owner:
            raise ConfigError(
                section.key(rule.value),
                f"priority {priority} is already used by {owner[priority].value}",
                "a priority unique within the web ACL",
            )
        owner[priority] = rule
        priorities[rule] = priority
    section.done()
    return priorities


def parse_waf(section: ConfigReader) -> WafConfig:
    low, high = _RATE_LIMIT_RANGE
    admin_paths = section.string_list("adminPaths", ["/admin"], item=_path)
    admin_cidrs = section.string_list("adminAllowCidrs", [], item=_ipv4_cidr)
    if admin_paths and not admin_cidrs:
        raise ConfigError(
            section.key("adminAllowCidrs"),
            f"is empty while adminPaths {admin_paths} are restricted, so nobody could reach them",
            "the admins' IPv4 CIDRs, or adminPaths: [] to lift the restriction",
        )
    config = WafConfig(
        # Seed 000: 2,000 requests per 5 minutes per IP everywhere, 100 on the login paths.
        rate_limit=section.integer("rateLimit", 2000, minimum=low, maximum=high),
        login_rate_limit=section.integer("loginRateLimit", 100, minimum=low, maximum=high),
        login_paths=tuple(
            section.string_list("loginPaths", ["/api/auth/"], allow_empty=False, item=_path)
        ),
        admin_paths=tuple(admin_paths),
        admin_allow_cidrs=tuple(admin_cidrs),
        trading_view_cidrs=tuple(
            section.string_list("tradingViewCidrs", list(TRADINGVIEW_WEBHOOK_IPS), item=_ipv4_cidr)
        ),
        blocked_countries=tuple(
            section.string_list("blockedCountries", list(SANCTIONED_COUNTRIES), item=_country)
        ),
        priorities=_priorities(section.section("priorities")),
    )
    section.done()
    return config


def parse_edge(section: ConfigReader) -> EdgeConfig:
    domain = section.string(
        "domainName", pattern=_DOMAIN, describe="a lower-case DNS name such as example.com"
    )
    zone_id = section.optional_string(
        "hostedZoneId", pattern=_ZONE_ID, describe="a Route 53 zone id such as Z0123456789ABC"
    )
    zone_name = section.optional_string(
        "hostedZoneName", pattern=_DOMAIN, describe="the zone's DNS name such as example.com"
    )
    if zone_id is None and zone_name is None:
        raise ConfigError(
            section.key("hostedZoneId"),
            f"domainName {domain} needs the Route 53 hosted zone that serves it, for the "
            "certificates' DNS validation and the alias records",
            "hostedZoneId, or hostedZoneName to look the zone up",
        )
    if zone_id is not None and zone_name is not None:
        raise ConfigError(
            section.key("hostedZoneName"), "set either hostedZoneId or hostedZoneName, not both"
        )
    if zone_name is not None and not (domain == zone_name or domain.endswith(f".{zone_name}")):
        raise ConfigError(
            section.key("hostedZoneName"), f"{zone_name} cannot hold records for {domain}"
        )
    health_check_path = section.string("healthCheckPath", "/")
    _path(section.key("healthCheckPath"), health_check_path)
    config = EdgeConfig(
        domain_name=domain,
        hosted_zone_id=zone_id,
        hosted_zone_name=zone_name,
        # The cheapest class that includes the Asian edge locations the users are near.
        price_class=section.string("priceClass", "PriceClass_200", choices=PRICE_CLASSES),
        log_retention_days=section.log_retention_days("logRetentionDays"),
        access_log_expiration_days=section.integer(
            "accessLogExpirationDays", minimum=1, maximum=3650
        ),
        health_check_path=health_check_path,
        waf=parse_waf(section.section("waf")),
    )
    section.done()
    return config
