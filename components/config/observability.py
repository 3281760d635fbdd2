"""``trading-platform:observability``: application logs, alarm thresholds, who gets paged and
the in-cluster monitoring stack (seed 002 section 6.2)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlparse

from pydantic import Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

from .errors import SettingError
from .schema import CHOICE, PERCENT, RETENTION_DAYS, SCHEMA, Integer, Strings, Text, with_sections

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


class MonitoringMode(StrEnum):
    NONE = "none"  # CloudWatch only (seed 002 section 11.9's startup tier)
    # kube-prometheus-stack in the cluster (seed 002 section 6.2). Amazon Managed Service for
    # Prometheus / Managed Grafana is not built (README, "Monitoring").
    SELF_HOSTED = "self-hosted"


# gp3 volumes are 1 GiB to 16 TiB (EBS User Guide, "Amazon EBS General Purpose SSD volumes").
_VOLUME_GB = Integer(1, 16384)
_SLACK_CHANNEL = Text(
    r"#[a-z0-9][a-z0-9._-]{0,79}", "a channel such as '#exchange-alerts'", "channel"
)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class MonitoringConfig:
    """``observability.monitoring``: Prometheus, Alertmanager and Grafana in the cluster.

    The Slack webhook URL and the PagerDuty routing key are not here: they are secrets, set as
    ``trading-platform:alertSlackWebhookUrl`` / ``alertPagerDutyRoutingKey`` with ``--secret``.
    """

    mode: Annotated[MonitoringMode, CHOICE] = Field(
        MonitoringMode.NONE, description="`none` (CloudWatch only) or `self-hosted`"
    )
    retention_days: Annotated[int, Integer(1, 365)] = Field(
        15, description="Prometheus keeps samples this long (seed 002: 15)"
    )
    prometheus_storage_gb: Annotated[int, _VOLUME_GB] = Field(
        100, description="Prometheus' encrypted gp3 volume (seed 002: 100)"
    )
    prometheus_memory_gb: Annotated[int, Integer(1, 256)] = Field(
        4, description="Prometheus' memory request and limit"
    )
    alertmanager_storage_gb: Annotated[int, _VOLUME_GB] = Field(
        10, description="Alertmanager's volume (silences, notification log; seed 002: 10)"
    )
    grafana_storage_gb: Annotated[int, _VOLUME_GB] = Field(
        20, description="Grafana's volume (seed 002: 20)"
    )
    scrape_interval_seconds: Annotated[int, Integer(5, 300)] = Field(
        30, description="how often every target is scraped"
    )
    slack_channel: Annotated[str, _SLACK_CHANNEL] | None = Field(
        None, description="Slack channel of the warning route; needs `alertSlackWebhookUrl`"
    )

    @property
    def enabled(self) -> bool:
        return self.mode is MonitoringMode.SELF_HOSTED


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
    monitoring: MonitoringConfig = Field(description="Prometheus, Alertmanager and Grafana")

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        return with_sections(data, "monitoring")

    @field_validator("pager_https_endpoint", mode="before")
    @classmethod
    def _https(cls, value: Any) -> Any:
        return _https_url(value)
