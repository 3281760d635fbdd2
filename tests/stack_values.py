"""The smallest valid stack config, for tests that build their own (full config keys)."""

from __future__ import annotations

from typing import Any

P = "trading-platform"
EDGE: dict[str, Any] = {
    "domainName": "test.trading.example.com",
    "hostedZoneName": "trading.example.com",
    "waf": {"adminAllowCidrs": ["198.51.100.0/24"]},
}


def base_values(tier: str = "startup", *, environment: str = "dev") -> dict[str, Any]:
    values: dict[str, Any] = {
        "aws:region": "ap-northeast-2",
        f"{P}:tier": tier,
        f"{P}:environment": environment,
        f"{P}:owner": "platform",
        f"{P}:costCenter": "trading",
        f"{P}:drRegion": "ap-northeast-1",
        f"{P}:edge": EDGE,
    }
    # A prod stack must page someone.
    if environment == "prod":
        values[f"{P}:observability"] = {"alertEmails": ["oncall@example.com"]}
    return values
