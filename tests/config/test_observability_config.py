"""``observability`` and ``budget`` config: tier defaults, overrides and each bad input's error."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, StackConfig, load_stack_config
from tests.stack_values import P, base_values

KEY = f"{P}:observability"


def load(tier: str = "startup", **sections: Any) -> StackConfig:
    values: dict[str, Any] = base_values(tier)
    values.update({f"{P}:{name}": section for name, section in sections.items()})
    return load_stack_config(values, stack="test")


def error_of(**sections: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(**sections)
    return info.value


@pytest.mark.parametrize(
    ("tier", "p99_ms", "lag", "retention"),
    [("startup", 500, 10_000, 14), ("growth", 300, 50_000, 30), ("scale", 100, 100_000, 90)],
)
def test_tier_defaults_are_seed_002s_scale_up_triggers(
    tier: str, p99_ms: int, lag: int, retention: int
) -> None:
    config = load(tier).observability
    assert config.api_latency_p99_ms == p99_ms
    assert config.consumer_lag_messages == lag
    assert config.log_retention_days == retention
    assert (config.cpu_percent, config.memory_percent, config.db_connections_percent) == (
        70,
        80,
        80,
    )
    assert config.cache_evictions_per_minute == 100  # seed 001
    assert config.alert_emails == ()
    assert config.pager_https_endpoint is None


def test_overrides_are_taken_key_by_key() -> None:
    config = load(
        observability={
            "alertEmails": ["oncall@example.com"],
            "pagerHttpsEndpoint": "https://events.pager.example.com/x",
            "cpuPercent": 85,
        }
    ).observability
    assert config.alert_emails == ("oncall@example.com",)
    assert config.pager_https_endpoint == "https://events.pager.example.com/x"
    assert config.cpu_percent == 85
    assert config.memory_percent == 80


@pytest.mark.parametrize("email", ["oncall", "oncall@example", "on call@example.com", "a@@b.c"])
def test_a_malformed_email_is_refused(email: str) -> None:
    error = error_of(observability={"alertEmails": ["ok@example.com", email]})
    assert error.key == f"{KEY}.alertEmails[1]"


@pytest.mark.parametrize("name", ["cpuPercent", "memoryPercent", "dbConnectionsPercent"])
@pytest.mark.parametrize("value", [-1, 100.5, 250])
def test_a_percentage_outside_0_to_100_is_refused(name: str, value: float) -> None:
    assert error_of(observability={name: value}).key == f"{KEY}.{name}"


@pytest.mark.parametrize("value", [0, -100])
def test_a_budget_of_zero_or_less_is_refused(value: int) -> None:
    assert error_of(budget={"monthlyUsd": value}).key == f"{P}:budget.monthlyUsd"


@pytest.mark.parametrize(
    "url", ["http://events.pager.example.com/x", "events.pager.example.com", "https://"]
)
def test_the_pager_endpoint_must_be_https(url: str) -> None:
    assert error_of(observability={"pagerHttpsEndpoint": url}).key == f"{KEY}.pagerHttpsEndpoint"


def test_consumer_groups_moved_to_access() -> None:
    # The lag alarms watch the groups `access` declares; the old key is refused, not ignored.
    error = error_of(observability={"consumerGroups": {"risk": ["positions.updates"]}})
    assert error.key == f"{KEY}.consumerGroups"


def test_thresholds_must_be_positive() -> None:
    assert error_of(observability={"consumerLagMessages": 0}).key == (f"{KEY}.consumerLagMessages")


def test_a_typo_is_an_unknown_setting() -> None:
    error = error_of(observability={"alertEmail": ["oncall@example.com"]})
    assert error.key == f"{KEY}.alertEmail"
    assert "alertEmails" in str(error)


# --- who gets paged in prod ----------------------------------------------------------------------


def prod(**observability: Any) -> dict[str, Any]:
    values = base_values("scale", environment="prod")
    values[KEY] = observability
    return values


def test_a_prod_stack_without_any_alert_subscriber_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load_stack_config(prod(), stack="prod")
    assert info.value.key == f"{KEY}.alertEmails"
    assert "pagerHttpsEndpoint" in str(info.value)
    assert "would reach nobody" in str(info.value)


@pytest.mark.parametrize(
    "observability",
    [
        {"alertEmails": ["oncall@example.com"]},
        {"pagerHttpsEndpoint": "https://events.pagerduty.com/integration/abc/enqueue"},
    ],
)
def test_one_email_or_a_pager_endpoint_satisfies_prod(observability: dict[str, Any]) -> None:
    config = load_stack_config(prod(**observability), stack="prod").observability
    assert config.alert_emails or config.pager_https_endpoint


def test_outside_prod_no_subscriber_is_needed() -> None:
    config = load().observability
    assert (config.alert_emails, config.pager_https_endpoint) == ((), None)
