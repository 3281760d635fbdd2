"""The monitoring stack's cross-section rules and its two config secrets.

Alertmanager's optional receivers need a Slack incoming-webhook URL and a PagerDuty routing key.
Either one lets whoever holds it post to the on-call channel or open incidents, so both are
top-level keys that must be Pulumi config secrets (``pulumi config set --secret``): Pulumi then
keeps them encrypted in the stack file and the state. They are top-level, not inside
``observability``, because Pulumi tells a program only which *keys* are secret: a secret nested
in an object makes the whole object secret and a plain value next to it would pass unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.reachability import Flow, monitoring_flows

from .errors import SettingError
from .schema import PROJECT, _Value

if TYPE_CHECKING:
    from .stack import StackConfig

SLACK_WEBHOOK_KEY = "alertSlackWebhookUrl"
PAGER_DUTY_KEY = "alertPagerDutyRoutingKey"


@dataclass(frozen=True)
class SecretText(_Value):
    """A non-empty string whose value never appears in an error message."""

    def validate(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise SettingError("must be a non-empty string")
        return value

    def describe(self) -> str:
        return "a config secret (`pulumi config set --secret`)"


SECRET_TEXT = SecretText()


def _receiver_secrets(config: StackConfig) -> dict[str, str | None]:
    return {
        SLACK_WEBHOOK_KEY: config.alert_slack_webhook_url,
        PAGER_DUTY_KEY: config.alert_pager_duty_routing_key,
    }


def plaintext_problems(config: StackConfig, secret_keys: frozenset[str]) -> list[SettingError]:
    """Each receiver secret that is set in plain text, named by its key (never its value)."""
    return [
        SettingError(
            "is set in plain text; it must be a config secret "
            f"(pulumi config set --secret {key} ...), so the stack file and the state hold "
            "it encrypted",
            "a config secret",
            at=(key,),
        )
        for key, value in _receiver_secrets(config).items()
        if value is not None and f"{PROJECT}:{key}" not in secret_keys
    ]


def monitoring_problems(config: StackConfig) -> list[SettingError]:
    """Receivers without the stack that would use them, and a channel without its webhook."""
    monitoring = config.observability.monitoring
    problems = [
        SettingError(
            f"is set but observability.monitoring.mode is {monitoring.mode.value}; no "
            "Alertmanager would use it",
            at=(key,),
        )
        for key, value in _receiver_secrets(config).items()
        if value is not None and not monitoring.enabled
    ]
    if monitoring.slack_channel is not None and config.alert_slack_webhook_url is None:
        problems.append(
            SettingError(
                f"needs the secret {PROJECT}:{SLACK_WEBHOOK_KEY}, the webhook that posts to it",
                at=("observability", "monitoring", "slackChannel"),
            )
        )
    return problems


def scrape_flows(config: StackConfig) -> tuple[Flow, ...]:
    """The reachability flows the monitoring stack adds to this stack's table (none when off)."""
    if not config.observability.monitoring.enabled:
        return ()
    return monitoring_flows(
        engine_metrics_port=config.matching_engine.metrics_port,
        kafka_exporters=config.kafka.is_provisioned,
    )
