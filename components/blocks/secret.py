"""A Secrets Manager secret with its value: CMK-encrypted, a 30-day recovery window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .options import child_options

# DeleteSecret's longest (and default) recovery window; 7 is the shortest
# (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
SECRET_RECOVERY_DAYS = 30


@dataclass(frozen=True)
class StoredSecret:
    secret: aws.secretsmanager.Secret
    version: aws.secretsmanager.SecretVersion  # what a reader of the value must wait for

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.secret.arn


def stored_secret(
    resource_name: str,
    *,
    parent: pulumi.Resource,
    kms_key_arn: pulumi.Input[str],
    description: str,
    value: pulumi.Input[str],
    name: str | None = None,
    name_prefix: str | None = None,
    protect: bool = False,
    version_resource_name: str | None = None,
    rotated: bool = False,
) -> StoredSecret:
    """A secret named ``name`` (or ``name_prefix`` plus a suffix) holding ``value``, which is
    kept as a Pulumi secret in the state too. ``rotated``: a rotation writes its later values,
    so ``value`` is only the first and a change to it is ignored rather than written back."""
    if (name is None) == (name_prefix is None):
        raise ValueError(f"secret {resource_name}: give exactly one of name and name_prefix")
    secret = aws.secretsmanager.Secret(
        resource_name,
        name=name,
        name_prefix=name_prefix,
        description=description,
        kms_key_id=kms_key_arn,
        recovery_window_in_days=SECRET_RECOVERY_DAYS,
        opts=child_options(parent, protect=protect),
    )
    version = aws.secretsmanager.SecretVersion(
        version_resource_name or f"{resource_name}-value",
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(value),
        opts=child_options(parent, ignore_changes=["secretString"] if rotated else None),
    )
    return StoredSecret(secret, version)


def json_secret(
    resource_name: str,
    *,
    parent: pulumi.Resource,
    kms_key_arn: pulumi.Input[str],
    description: str,
    value: Mapping[str, Any],
    name: str | None = None,
    name_prefix: str | None = None,
    protect: bool = False,
    version_resource_name: str | None = None,
    rotated: bool = False,
) -> StoredSecret:
    """A secret whose value is the JSON of ``value`` (which may hold Outputs)."""
    return stored_secret(
        resource_name,
        parent=parent,
        kms_key_arn=kms_key_arn,
        description=description,
        value=pulumi.Output.json_dumps(dict(value)),
        name=name,
        name_prefix=name_prefix,
        protect=protect,
        version_resource_name=version_resource_name,
        rotated=rotated,
    )
