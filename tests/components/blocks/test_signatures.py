"""No block takes a switch that turns its secure default off: the options are exactly these."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from components.blocks import (
    PrivateBucket,
    child_options,
    customer_managed_key,
    encrypted_log_group,
    json_secret,
    stored_secret,
)

# Words that would name a way out of encryption, public-access blocking, TLS-only access,
# key rotation, the deletion and recovery windows or ownership enforcement.
ESCAPE_HATCHES = (
    "encrypt",
    "sse",
    "public",
    "acl",
    "ownership",
    "tls",
    "secure",
    "transport",
    "rotation",
    "deletion",
    "window",
    "recovery",
    "force",
    "policy",
    "algorithm",
)

OPTIONS: dict[Callable[..., Any], set[str]] = {
    customer_managed_key: {
        "resource_name",
        "parent",
        "label",
        "description",
        "statements",
        "protect",
        "alias_resource_name",
        "region",
        "depends_on",
        "grants",
    },
    encrypted_log_group: {
        "resource_name",
        "parent",
        "name",
        "kms_key_arn",
        "retention_in_days",
        "protect",
        "region",
    },
    stored_secret: {
        "resource_name",
        "parent",
        "kms_key_arn",
        "description",
        "value",
        "name",
        "name_prefix",
        "protect",
        "version_resource_name",
        "rotated",
    },
    json_secret: {
        "resource_name",
        "parent",
        "kms_key_arn",
        "description",
        "value",
        "name",
        "name_prefix",
        "protect",
        "version_resource_name",
        "rotated",
    },
    PrivateBucket.__init__: {
        "self",
        "resource_name",
        "parent",
        "naming",
        "name_tag",
        "protect",
        "kms_key_arn",
        "versioned",
        "expiration",
        "noncurrent_version_days",
        "grants_later",
        "region",
    },
    child_options: {"parent", "protect", "depends_on", "provider", "ignore_changes"},
}


@pytest.mark.parametrize("block", list(OPTIONS), ids=lambda b: b.__qualname__)
def test_options_are_exactly_the_declared_ones(block: Callable[..., Any]) -> None:
    parameters = inspect.signature(block).parameters
    assert set(parameters) == OPTIONS[block]
    # No **kwargs or *args through which a provider argument could slip in.
    assert all(p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) for p in parameters.values())


@pytest.mark.parametrize("block", list(OPTIONS), ids=lambda b: b.__qualname__)
def test_no_option_names_an_escape_hatch(block: Callable[..., Any]) -> None:
    names = set(inspect.signature(block).parameters)
    assert not {n for n in names for word in ESCAPE_HATCHES if word in n}


@pytest.mark.parametrize("block", [encrypted_log_group, stored_secret, json_secret])
def test_the_encryption_key_is_required(block: Callable[..., Any]) -> None:
    key = inspect.signature(block).parameters["kms_key_arn"]
    assert key.default is inspect.Parameter.empty


@pytest.mark.parametrize(
    "block", [customer_managed_key, encrypted_log_group, stored_secret, PrivateBucket.__init__]
)
def test_every_option_after_the_name_is_keyword_only(block: Callable[..., Any]) -> None:
    """So nobody passes ``True`` positionally into the wrong slot."""
    parameters = [p for p in inspect.signature(block).parameters.values() if p.name != "self"]
    assert all(p.kind is p.KEYWORD_ONLY for p in parameters[1:])
