"""Shared by the edge and service-cluster tests: tier configs, the AWS context, secrets."""

from __future__ import annotations

import functools
import json
from typing import Any

from components.aws_context import AwsContext
from components.config import StackConfig, load_stack_config
from offline.capture import UNKNOWN
from offline.mocks import ACCOUNT_ID
from offline.stack_files import read_stack_files

TIERS = ("startup", "growth", "scale")
CONTEXT = AwsContext(ACCOUNT_ID, "aws", "ap-northeast-2", "amazonaws.com")
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the wire marker of a secret value


@functools.cache
def tier_config(tier: str, public_access_cidrs: tuple[str, ...] = ()) -> StackConfig:
    """The prod stack's config (it has the drRegion the scale tier needs) at ``tier``."""
    overrides: dict[str, Any] = {"trading-platform:tier": tier}
    if public_access_cidrs:
        overrides["trading-platform:eks"] = {"publicAccessCidrs": list(public_access_cidrs)}
    files = read_stack_files("prod", overrides=overrides)
    return load_stack_config(files.values, stack="prod")


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270"


def reveal(value: Any) -> Any:
    """The plain value inside a wire-form secret (or the value itself)."""
    return value["value"] if is_secret(value) else value


def document(value: Any) -> Any:
    """A JSON policy/rule document from a (possibly secret) wire input."""
    text = reveal(value)
    assert text != UNKNOWN, "document is unknown; read it in update mode"
    return json.loads(text)
