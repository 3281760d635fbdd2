"""Wire-form input values as a reviewer reads them: secrets masked, unknowns spelt one way.

Every output of the plan (text, JSON, diff, markdown) goes through `display_value`, so a value
looks the same everywhere and two plans of the same program compare equal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Final

from .capture import UNKNOWN

SECRET_SIG: Final = "4dabf18193072939515e22adb298388d"
"""The key of Pulumi's secret envelope on the wire (sdk/go/common/resource/sig)."""
UNKNOWN_TEXT: Final = "(known after apply)"
SECRET_PREFIX: Final = "(secret"


def secret_text(value: Any) -> str:
    """A secret as ``(secret 1a2b3c4d)``: a digest of its offline value, so a diff shows that it
    changes. Offline that value is a stand-in (the config placeholder, a mocked password, JSON
    built from mocked endpoints), never a real secret."""
    if value == UNKNOWN:
        return UNKNOWN_TEXT
    digest = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
    return f"{SECRET_PREFIX} {digest[:8]})"


def display_value(value: Any) -> Any:
    """Plain JSON data: integral floats as ints (the wire has only doubles), secrets masked,
    unknowns as `UNKNOWN_TEXT`, internal ``__`` keys dropped."""
    if isinstance(value, str):
        return UNKNOWN_TEXT if value == UNKNOWN else value
    if isinstance(value, bool | int | float) or value is None:
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return secret_text(value.get("value"))
        return {
            str(key): display_value(item)
            for key, item in sorted(value.items())
            if not str(key).startswith("__")
        }
    if isinstance(value, list | tuple):
        return [display_value(item) for item in value]
    return str(value)


def display_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """A resource's inputs as `display_value` shows them, keys sorted."""
    shown = display_value(inputs)
    assert isinstance(shown, dict)
    return shown


def json_document(value: Any) -> Any | None:
    """The parsed document when a string input holds a JSON object or array (IAM and key
    policies, WAF rule sets, dashboards, Kubernetes manifests), else None."""
    if not isinstance(value, str) or not value.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


def display_outputs(outputs: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    """Stack outputs sorted by name, those exported as secrets masked."""
    return {
        name: secret_text(value) if name in secret else display_value(value)
        for name, value in sorted(outputs.items())
    }


BASE64_TEXT_INPUTS: Final = frozenset({"userData"})
"""Inputs sent base64-encoded but read as text: a launch template's user data must be base64
(EC2 API reference, RequestLaunchTemplateData.UserData)."""


def decoded_text(key: str, value: Any) -> str | None:
    """The script behind a base64 input, when it decodes to UTF-8 text; else None."""
    if key.rsplit(".", 1)[-1] not in BASE64_TEXT_INPUTS or not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
