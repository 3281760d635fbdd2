"""``observability.monitoring``, the receivers' config secrets and the engine's metrics port."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.config import ConfigError, StackConfig, from_pulumi, load_stack_config
from components.config.monitoring import scrape_flows
from components.config.observability import MonitoringMode
from components.reachability import (
    KAFKA_JMX_EXPORTER_PORT,
    KAFKA_NODE_EXPORTER_PORT,
    Auth,
    Role,
)
from offline.stack_files import PROJECT_DIR, read_stack_files
from tests.stack_values import P, base_values

SLACK = f"{P}:alertSlackWebhookUrl"
PAGER = f"{P}:alertPagerDutyRoutingKey"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXX"


def load(
    tier: str = "scale", secret_keys: frozenset[str] = frozenset(), **values: Any
) -> StackConfig:
    merged: dict[str, Any] = base_values(tier)
    merged.update({f"{P}:{name}" if ":" not in name else name: v for name, v in values.items()})
    return load_stack_config(merged, stack="test", secret_keys=secret_keys)


def error_of(tier: str = "scale", **values: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tier, **values)
    return info.value


@pytest.mark.parametrize(
    ("tier", "mode", "storage_gb", "memory_gb"),
    [
        ("startup", MonitoringMode.NONE, 100, 4),  # seed 002 section 11.9: CloudWatch only
        ("growth", MonitoringMode.SELF_HOSTED, 50, 4),
        ("scale", MonitoringMode.SELF_HOSTED, 100, 8),  # seed 002 section 6.2
    ],
)
def test_tier_defaults(tier: str, mode: MonitoringMode, storage_gb: int, memory_gb: int) -> None:
    monitoring = load(tier).observability.monitoring
    assert monitoring.mode is mode
    assert (monitoring.prometheus_storage_gb, monitoring.prometheus_memory_gb) == (
        storage_gb,
        memory_gb,
    )
    # Seed 002 section 6.2's retention and the other two volumes, in every tier.
    assert monitoring.retention_days == 15
    assert (monitoring.alertmanager_storage_gb, monitoring.grafana_storage_gb) == (10, 20)


def test_a_stack_overrides_key_by_key() -> None:
    monitoring = load(
        "startup", observability={"monitoring": {"mode": "self-hosted", "retentionDays": 30}}
    ).observability.monitoring
    assert monitoring.enabled
    assert monitoring.retention_days == 30
    assert monitoring.prometheus_storage_gb == 100  # the schema default


@pytest.mark.parametrize(
    ("monitoring", "key", "problem"),
    [
        ({"mode": "managed"}, "mode", "unknown value 'managed'"),
        ({"retentionDays": 0}, "retentionDays", "must be 1..365"),
        ({"prometheusStorageGb": 20000}, "prometheusStorageGb", "must be 1..16384"),
        ({"scrapeIntervalSeconds": 1}, "scrapeIntervalSeconds", "must be 5..300"),
        ({"slackChannel": "exchange-alerts"}, "slackChannel", "malformed channel"),
        ({"grafanaStorage": 20}, "grafanaStorage", "unknown setting"),
    ],
)
def test_bad_monitoring_values_are_refused_with_their_key(
    monitoring: dict[str, Any], key: str, problem: str
) -> None:
    error = error_of(observability={"monitoring": monitoring})
    assert error.key == f"{P}:observability.monitoring.{key}"
    assert problem in error.problem


@pytest.mark.parametrize("key", [SLACK, PAGER])
def test_a_receiver_secret_in_plain_text_is_refused_without_echoing_it(key: str) -> None:
    error = error_of(**{key: WEBHOOK})
    assert error.key == key
    assert "plain text" in error.problem
    assert "--secret" in error.problem
    assert WEBHOOK not in str(error)


def test_receiver_secrets_set_as_secrets_are_taken() -> None:
    config = load(
        secret_keys=frozenset({SLACK, PAGER}),
        **{SLACK: WEBHOOK, PAGER: "R0UT1NGKEY"},
        observability={"monitoring": {"slackChannel": "#exchange-alerts"}},
    )
    assert config.alert_slack_webhook_url == WEBHOOK
    assert config.alert_pager_duty_routing_key == "R0UT1NGKEY"
    assert config.observability.monitoring.slack_channel == "#exchange-alerts"


def test_a_receiver_without_the_monitoring_stack_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load("startup", secret_keys=frozenset({PAGER}), **{PAGER: "R0UT1NGKEY"})
    assert info.value.key == PAGER
    assert "mode is none" in info.value.problem


def test_a_slack_channel_without_its_webhook_is_refused() -> None:
    error = error_of(observability={"monitoring": {"slackChannel": "#exchange-alerts"}})
    assert error.key == f"{P}:observability.monitoring.slackChannel"
    assert "alertSlackWebhookUrl" in error.problem


def test_an_empty_secret_is_refused_without_a_value_in_the_message() -> None:
    with pytest.raises(ConfigError) as info:
        load(secret_keys=frozenset({SLACK}), **{SLACK: " "})
    assert info.value.key == SLACK
    assert info.value.problem == "must be a non-empty string"


def test_engine_metrics_port_defaults_and_may_not_be_a_traffic_port() -> None:
    assert load().matching_engine.metrics_port == 9404
    assert load(matchingEngine={"metricsPort": 9500}).matching_engine.metrics_port == 9500
    for port in (8080, 9090):
        error = error_of(matchingEngine={"metricsPort": port})
        assert error.key == f"{P}:matchingEngine.metricsPort"
        assert "order-traffic port" in error.problem
    assert error_of(matchingEngine={"metricsPort": 80}).key == f"{P}:matchingEngine.metricsPort"


def test_the_flows_follow_the_mode_the_kafka_mode_and_the_metrics_port() -> None:
    assert scrape_flows(load("startup")) == ()
    flows = scrape_flows(load(matchingEngine={"metricsPort": 9500}))
    to_outside = {(f.destination, f.from_port) for f in flows if f.destination is not Role.APP}
    assert to_outside == {
        (Role.MATCHING_ENGINE, 9500),
        (Role.KAFKA, KAFKA_JMX_EXPORTER_PORT),
        (Role.KAFKA, KAFKA_NODE_EXPORTER_PORT),
    }
    assert {f.source for f in flows} == {Role.APP}
    assert {f.auth for f in flows} == {Auth.NETWORK}
    # MSK Serverless has no open monitoring: only the engines are scraped outside the cluster.
    serverless = scrape_flows(
        load("startup", observability={"monitoring": {"mode": "self-hosted"}})
    )
    assert {f.destination for f in serverless} == {Role.APP, Role.MATCHING_ENGINE}


@pytest.mark.parametrize("secret", [True, False])
def test_the_program_reads_which_keys_pulumi_holds_as_secrets(
    secret: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from_pulumi`` asks the engine's config which keys are secrets (``--secret``)."""
    files = read_stack_files("prod", overrides={SLACK: WEBHOOK})
    monkeypatch.chdir(PROJECT_DIR)
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod")
    pulumi.runtime.set_all_config(files.engine_config(), [SLACK] if secret else [])
    try:
        if secret:
            assert from_pulumi().alert_slack_webhook_url == WEBHOOK
        else:
            with pytest.raises(ConfigError) as info:
                from_pulumi()
            assert info.value.key == SLACK
    finally:
        pulumi.runtime.set_all_config({}, [])
