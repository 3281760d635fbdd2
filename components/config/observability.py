"""``trading-platform:observability``: application logs, alarm thresholds and who gets paged."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from .errors import ConfigError
from .reader import ConfigReader

# Deliberately loose (SNS and Budgets do the real delivery check): one @, no spaces, a dot in
# the domain. It catches the typos that would otherwise silently page nobody.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ObservabilityConfig:
    log_retention_days: int  # api, websocket and consumer log groups
    alert_emails: tuple[str, ...]
    pager_https_endpoint: str | None
    api_latency_p99_ms: int  # seed 002 section 13.1, per tier
    api_5xx_percent: float
    cpu_percent: float
    memory_percent: float
    db_connections_percent: float  # of postgres.maxConnections
    cache_evictions_per_minute: int  # seed 001
    consumer_lag_messages: int  # seed 002 section 13.1, per tier
    consumer_groups: dict[str, tuple[str, ...]]  # consumer group -> topics it reads


def _email(key: str, value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ConfigError(key, f"malformed email address {value!r}", "e.g. 'oncall@example.com'")
    return value


def _https_url(reader: ConfigReader, name: str) -> str | None:
    url = reader.optional_string(name)
    if url is None:
        return None
    parsed = urlparse(url)
    # SNS would accept http://, but alert text must not cross the internet in clear.
    if parsed.scheme != "https" or not parsed.netloc:
        raise ConfigError(reader.key(name), f"must be an https:// URL, got {url!r}", "https://...")
    return url


def _percent(reader: ConfigReader, name: str) -> float:
    return reader.number(name, minimum=0, maximum=100)


def _consumer_groups(
    reader: ConfigReader, topic_names: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    section = reader.section("consumerGroups")
    groups: dict[str, tuple[str, ...]] = {}
    for group in section.names():
        topics = section.string_list(group, allow_empty=False)
        for index, topic in enumerate(topics):
            if topic not in topic_names:
                raise ConfigError(
                    f"{section.key(group)}[{index}]",
                    f"unknown topic {topic!r}",
                    ", ".join(sorted(topic_names)),
                )
        groups[group] = tuple(topics)
    # Group names are free-form and ``null`` drops a tier default, so no key here is unknown.
    return groups


def parse_observability(reader: ConfigReader, topic_names: Sequence[str]) -> ObservabilityConfig:
    config = ObservabilityConfig(
        log_retention_days=reader.log_retention_days("logRetentionDays"),
        alert_emails=tuple(reader.string_list("alertEmails", [], item=_email)),
        pager_https_endpoint=_https_url(reader, "pagerHttpsEndpoint"),
        api_latency_p99_ms=reader.positive("apiLatencyP99Ms"),
        api_5xx_percent=_percent(reader, "api5xxPercent"),
        cpu_percent=_percent(reader, "cpuPercent"),
        memory_percent=_percent(reader, "memoryPercent"),
        db_connections_percent=_percent(reader, "dbConnectionsPercent"),
        cache_evictions_per_minute=reader.positive("cacheEvictionsPerMinute"),
        consumer_lag_messages=reader.positive("consumerLagMessages"),
        consumer_groups=_consumer_groups(reader, topic_names),
    )
    reader.done()
    return config
