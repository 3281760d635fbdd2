"""``trading-platform:observability``: application logs, alarm thresholds and who gets paged."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlparse

from pydantic import Field, field_validator
from pydantic.dataclasses import dataclass

from .errors import SettingError
from .schema import PERCENT, RETENTION_DAYS, SCHEMA, Integer, Strings, Text

# Deliberately loose (SNS and Budgets do the real delivery check): one @, no spaces, a dot in
# the domain. It catches the typos that would otherwise silently page nobody.
_EMAIL = Text(r"[^@\s]+@[^@\s]+\.[^@\s]+", "e.g. 'oncall@example.com'", "email address")
_POSITIVE = Integer(1)


def _https_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parsed = urlparse(value)
    # SNS would accept http://, but alert text must not cross the internet in clear.
    if parsed.scheme != "https" or not parsed.netloc:
        raise SettingError(f"must be an https:// URL, got {value!r}", "https://...")
    return value


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class ObservabilityConfig:
    log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        description="api, websocket and consumer log groups"
    )
    alert_emails: Annotated[tuple[str, ...], Strings(_EMAIL.validate, rule="email addresses")] = (
        Field((), description="email subscribers of the alert topic (each must confirm)")
    )
    pager_https_endpoint: str | None = Field(
        None, description="an `https://` URL subscribed to the alert topic"
    )
    api_latency_p99_ms: Annotated[int, _POSITIVE] = Field(
        description="API p99 alarm (seed 002 section 13.1)"
    )
    api_5xx_percent: Annotated[float, PERCENT] = Field(
        alias="api5xxPercent", description="API 5xx-rate alarm"
    )
    cpu_percent: Annotated[float, PERCENT] = Field(description="database and cache CPU alarm")
    memory_percent: Annotated[float, PERCENT] = Field(
        description="cache memory alarm (Serverless: share of its limits)"
    )
    db_connections_percent: Annotated[float, PERCENT] = Field(
        description="of `postgres.maxConnections`"
    )
    cache_evictions_per_minute: Annotated[int, _POSITIVE] = Field(description="seed 001")
    consumer_lag_messages: Annotated[int, _POSITIVE] = Field(
        description="`SumOffsetLag` per group and topic (seed 002 section 13.1)"
    )

    @field_validator("pager_https_endpoint", mode="before")
    @classmethod
    def _https(cls, value: Any) -> Any:
        return _https_url(value)
