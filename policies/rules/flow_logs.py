"""Flow logs beyond presence: they capture ALL traffic and deliver inside the account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    describe,
    resource_rule,
    violation,
)
from . import types

_ARN_ACCOUNT: Final = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


def _account(arn: Any) -> str | None:
    match = _ARN_ACCOUNT.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


@resource_rule(
    name="flow-log-all-traffic",
    description="VPC flow logs must capture ALL traffic (accepted and rejected) and deliver to a "
    "destination in the VPC's own account.",
    types=(types.FLOW_LOG,),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("EC2.6",),
    unknowns="unknown trafficType: cannot verify; an unknown destination or role passes (outputs "
    "of the stack's log group and role)",
)
def flow_log_all_traffic(resource: Resource, _config: Config) -> Iterator[Finding]:
    traffic = resource.get("trafficType")
    if traffic is UNKNOWN:
        yield cannot_verify("trafficType")
    elif traffic != "ALL":
        # REJECT alone hides accepted connections: exfiltration looks like nothing happened.
        yield violation(f"trafficType is {describe(traffic)}; capture ALL")
    if resource.get("deliverCrossAccountRole") not in (None, ""):
        yield violation("deliverCrossAccountRole is set: the log leaves the account; drop it")
    role, destination = (
        _account(resource.get("iamRoleArn")),
        _account(resource.get("logDestination")),
    )
    if role and destination and role != destination:
        yield violation(
            f"logDestination is in account {destination}, not the VPC's {role}; deliver to a "
            "destination in this account"
        )


RULES: list[ResourceRule] = [flow_log_all_traffic]
