"""Calling the pack's pulumi_policy wrappers the way the servicer does, without gRPC."""

from __future__ import annotations

import datetime
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policies.pack import build_policies

TODAY = datetime.date(2026, 12, 1)


def urn(type_: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::trading-platform::{type_}::{name}"


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def args(
    type_: str, name: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> ResourceValidationArgs:
    # The servicer hands validations an unknown-checking proxy; so do these tests.
    return ResourceValidationArgs(
        type_, unknown_checking_proxy(props), urn(type_, name), name, options(), None, config
    )


def policies() -> dict[str, Policy]:
    return {policy.name: policy for policy in build_policies(lambda: TODAY)}


def run(
    policy: Policy, request: ResourceValidationArgs | StackValidationArgs
) -> list[tuple[str, str | None]]:
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    if isinstance(policy, ResourceValidationPolicy):
        assert isinstance(request, ResourceValidationArgs)
        policy.validate(request, report)
    else:
        assert isinstance(policy, StackValidationPolicy)
        assert isinstance(request, StackValidationArgs)
        policy.validate(request, report)
    return reported


def policy_resource(type_: str, name: str, props: dict[str, Any]) -> PolicyResource:
    return PolicyResource(
        type_, unknown_checking_proxy(props), urn(type_, name), name, options(), None, None, [], {}
    )
