"""The one error type for bad stack configuration."""

from __future__ import annotations


class ConfigError(ValueError):
    """Invalid stack configuration, raised before any resource is registered.

    The message always starts with the full config key (``trading-platform:network.azCount``) so a
    user can find the line in ``Pulumi.<stack>.yaml`` that needs fixing.
    """

    def __init__(self, key: str, problem: str, allowed: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.allowed = allowed
        message = f"{key}: {problem}"
        if allowed:
            message += f" (allowed: {allowed})"
        super().__init__(message)
