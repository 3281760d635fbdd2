"""MSK Serverless: IAM client authentication stays on.

Serverless clusters always encrypt at rest (with an AWS owned key, no option) and in transit, so
authentication is the one control a program sets.
https://docs.aws.amazon.com/msk/latest/developerguide/serverless.html
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    Config,
    Finding,
    Resource,
    ResourceRule,
    expect_true,
    resource_rule,
)
from . import types


@resource_rule(
    name="msk-serverless-iam-auth",
    description="MSK Serverless clusters must require IAM client authentication.",
    types=(types.MSK_SERVERLESS_CLUSTER,),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown clientAuthentication.sasl.iam.enabled: cannot verify",
)
def msk_serverless_iam_auth(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(
        resource, "clientAuthentication.sasl.iam.enabled", "keep IAM authentication on"
    )


RULES: list[ResourceRule] = [msk_serverless_iam_auth]
