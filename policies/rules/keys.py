"""KMS: customer managed symmetric keys rotate."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    expect_true,
    resource_rule,
)
from . import types


@resource_rule(
    name="kms-key-rotation",
    description="Symmetric customer managed KMS keys must have automatic rotation enabled.",
    types=(types.KMS_KEY,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("KMS.4",),
    unknowns="unknown key spec or usage, or unknown enableKeyRotation: cannot verify",
)
def kms_key_rotation(resource: Resource, _config: Config) -> Iterator[Finding]:
    spec = resource.get("customerMasterKeySpec")
    usage = resource.get("keyUsage")
    if UNKNOWN in (spec, usage):
        yield cannot_verify("customerMasterKeySpec/keyUsage")
        return
    # Only symmetric encryption keys can rotate automatically.
    if spec not in (None, "SYMMETRIC_DEFAULT") or usage not in (None, "ENCRYPT_DECRYPT"):
        return
    yield from expect_true(resource, "enableKeyRotation", "set enableKeyRotation=true")


RULES: list[ResourceRule] = [kms_key_rotation]
