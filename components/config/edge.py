"""``trading-platform:edge``: the only way in — DNS, certificates, CloudFront, WAF and the ALB."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from .errors import SettingError, raise_all
from .schema import (
    RETENTION_DAYS,
    SCHEMA,
    Choice,
    Integer,
    SettingName,
    Strings,
    Text,
    derived,
    parse_cidr,
    with_sections,
)

_DOMAIN = r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
_PATH = Text(r"/[A-Za-z0-9._~/-]*", "'/' then URL path characters", "path prefix")
_COUNTRY = Text(r"[A-Z]{2}", "ISO 3166 alpha-2, e.g. 'KP'", "country code")
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
# WAF rate-based rules count over 5 minutes by default and accept limits of 10 to 2,000,000,000.
_RATE_LIMIT = Integer(10, 2_000_000_000)
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


def _ipv4_cidr(value: str) -> str:
    """An IPv4 address or CIDR as WAF wants it (a bare address becomes a /32)."""
    network = parse_cidr(value if "/" in value else f"{value}/32")
    if network.prefixlen == 0:
        raise SettingError(f"{value} matches every address", "a specific network, e.g. /32")
    return str(network)


_PRIORITY = Integer(0, _MAX_PRIORITY)
_CIDRS = Strings(_ipv4_cidr, rule="IPv4 addresses or CIDRs")


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class WafConfig:
    # Seed 000: 2,000 requests per 5 minutes per IP everywhere, 100 on the login paths.
    rate_limit: Annotated[int, _RATE_LIMIT] = Field(
        2000, description="requests per 5 minutes per IP, everywhere"
    )
    login_rate_limit: Annotated[int, _RATE_LIMIT] = Field(
        100, description="requests per 5 minutes per IP on the login paths"
    )
    login_paths: Annotated[
        tuple[str, ...], Strings(_PATH.validate, allow_empty=False, rule="paths")
    ] = Field(("/api/auth/",), description="path prefixes of the login rate limit")
    admin_paths: Annotated[tuple[str, ...], Strings(_PATH.validate, rule="paths")] = Field(
        ("/admin",), description="restricted to `adminAllowCidrs`; `[]` turns the rule off"
    )
    admin_allow_cidrs: Annotated[tuple[str, ...], _CIDRS] = Field(
        (), description="who may reach `adminPaths`; required while they are set"
    )
    trading_view_cidrs: Annotated[tuple[str, ...], _CIDRS] = Field(
        TRADINGVIEW_WEBHOOK_IPS, description="TradingView's webhook IPs, exempt from rate limits"
    )
    blocked_countries: Annotated[
        tuple[str, ...], Strings(_COUNTRY.validate, rule="ISO 3166 alpha-2 codes")
    ] = Field(SANCTIONED_COUNTRIES, description="geo block")
    priorities: dict[Annotated[WafRule, SettingName()], Annotated[int, _PRIORITY]] = Field(
        default_factory=dict,
        description="rule order (unique) by rule name",
        json_schema_extra=derived(
            ", ".join(f"{rule} {priority}" for rule, priority in DEFAULT_PRIORITIES.items())
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[SettingError] = []
        if self.admin_paths and not self.admin_allow_cidrs:
            problems.append(
                SettingError(
                    f"is empty while adminPaths {list(self.admin_paths)} are restricted, so "
                    "nobody could reach them",
                    "the admins' IPv4 CIDRs, or adminPaths: [] to lift the restriction",
                    at=("adminAllowCidrs",),
                )
            )
        priorities: dict[WafRule, int] = {}
        owner: dict[int, WafRule] = {}
        for rule in WafRule:
            priority = self.priorities.get(rule, DEFAULT_PRIORITIES[rule.value])
            if priority in owner:
                problems.append(
                    SettingError(
                        f"priority {priority} is already used by {owner[priority].value}",
                        "a priority unique within the web ACL",
                        at=("priorities", rule.value),
                    )
                )
            owner[priority] = rule
            priorities[rule] = priority
        raise_all(problems)
        object.__setattr__(self, "priorities", priorities)
        return self


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class EdgeConfig:
    domain_name: Annotated[str, Text(_DOMAIN, "a lower-case DNS name such as example.com")] = Field(
        description="site apex; `www.` is added"
    )
    # One of id or name identifies the zone.
    hosted_zone_id: (
        Annotated[str, Text(r"Z[A-Z0-9]{1,31}", "a Route 53 zone id such as Z0123456789ABC")] | None
    ) = Field(None, description="Route 53 zone, or `hostedZoneName`")
    hosted_zone_name: (
        Annotated[str, Text(_DOMAIN, "the zone's DNS name such as example.com")] | None
    ) = Field(None, description="Route 53 zone looked up by name, or `hostedZoneId`")
    # The cheapest class that includes the Asian edge locations the users are near.
    price_class: Annotated[str, Choice(PRICE_CLASSES)] = Field(
        "PriceClass_200", description="CloudFront price class"
    )
    log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        description="WAF and CloudFront logs"
    )
    access_log_expiration_days: Annotated[int, Integer(1, 3650)] = Field(
        description="ALB access logs in S3"
    )
    health_check_path: Annotated[str, _PATH] = Field("/", description="Route 53 HTTPS health check")
    # One step rotates: the ALB accepts this generation's value and the one before it, and
    # CloudFront sends this one (components/edge.py, "origin secret").
    origin_secret_generation: Annotated[int, Integer(1, 1_000_000)] = Field(
        1, description="origin header value CloudFront sends; +1 rotates it without downtime"
    )
    waf: WafConfig = Field(description="web ACL")

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        return with_sections(data, "waf")

    @model_validator(mode="after")
    def _check(self) -> Self:
        domain, zone_id, zone_name = self.domain_name, self.hosted_zone_id, self.hosted_zone_name
        if zone_id is None and zone_name is None:
            raise SettingError(
                f"domainName {domain} needs the Route 53 hosted zone that serves it, for the "
                "certificates' DNS validation and the alias records",
                "hostedZoneId, or hostedZoneName to look the zone up",
                at=("hostedZoneId",),
            )
        if zone_id is not None and zone_name is not None:
            raise SettingError(
                "set either hostedZoneId or hostedZoneName, not both", at=("hostedZoneName",)
            )
        if zone_name is not None and not (domain == zone_name or domain.endswith(f".{zone_name}")):
            raise SettingError(
                f"{zone_name} cannot hold records for {domain}", at=("hostedZoneName",)
            )
        return self
