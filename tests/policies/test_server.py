"""PackServicer answers exactly as pulumi_policy's own servicer, only without the repeated work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline.analyzer_client import DEFAULT_PACK_DIR, load_config
from offline.capture import CapturedResource
from policies.pack import PACK_DESCRIPTION, PACK_NAME, build_policies
from policies.server import PACK_VERSION, PackServicer, TypedResourcePolicy
from tests.programs import stack

from .in_process import InProcessPack
from .wrappers import TODAY


def _packs(config: dict[str, Any]) -> tuple[InProcessPack, InProcessPack]:
    """pulumi_policy's servicer and the pack's, each behind the client, configured alike."""
    upstream = _PolicyAnalyzerServicer(
        PACK_NAME,
        PACK_VERSION,
        build_policies(lambda: TODAY),
        EnforcementLevel.ADVISORY,
        description=PACK_DESCRIPTION,
    )
    ours = PackServicer(PACK_NAME, build_policies(lambda: TODAY), PACK_DESCRIPTION)
    packs = (InProcessPack(upstream), InProcessPack(ours))
    for pack in packs:
        pack.start()
        pack.configure(config)
    return packs


def _one_per_type(resources: Sequence[CapturedResource]) -> list[CapturedResource]:
    """The first resource of each type: what type dispatch could get wrong."""
    return list({resource.type: resource for resource in reversed(resources)}.values())


@pytest.mark.parametrize(
    ("name", "preview"), [("dev", False), ("prod", False), ("prod", True)], ids=str
)
def test_same_responses_as_pulumi_policy_on_the_real_stacks(name: str, preview: bool) -> None:
    upstream, ours = _packs(load_config(DEFAULT_PACK_DIR / "config" / f"{name}.json"))
    resources = stack(name, preview).resources
    assert ours.info() == upstream.info()
    findings = 0
    for resource in _one_per_type(resources):
        findings += len(upstream.resource_diagnostics(resource))
        ours.resource_diagnostics(resource)
        assert ours.servicer_stub.last == upstream.servicer_stub.last, resource.urn
    expected = upstream.stack_diagnostics(resources)
    ours.stack_diagnostics(resources)
    assert ours.servicer_stub.last == upstream.servicer_stub.last
    # Not vacuous: both report findings on resources and on the stack (exemption notes at least).
    assert findings
    assert expected


def _resource(type_: str, props: dict[str, Any]) -> CapturedResource:
    return CapturedResource(
        urn=f"urn:pulumi:dev::trading-platform::{type_}::thing",
        type=type_,
        name="thing",
        custom=True,
        inputs=props,
        parent="",
        protect=False,
    )


def _probe_policies() -> list[Any]:
    """Policies that reach the corners of the servicer's protocol: an unknown read through
    pulumi_policy's proxy, not_applicable, a type filter, stack tags, a disabled policy."""

    def reads_unknown(args: ResourceValidationArgs, report: Any) -> None:
        report(str(args.props["size"]), None)

    def not_applicable(args: ResourceValidationArgs, _report: Any) -> None:
        args.not_applicable("nothing to check")

    def tags(args: ResourceValidationArgs, report: Any) -> None:
        report(f"tagged {dict(args.stack_tags)}", None)

    def bucket_tags(args: ResourceValidationArgs, report: Any) -> None:
        # A typed policy's own validation ignores other types; skipping it changes nothing.
        if args.resource_type == "aws:s3/bucket:Bucket":
            tags(args, report)

    def stack_sizes(args: Any, report: Any) -> None:
        report(f"{len(args.resources)} resources", args.resources[0].urn)

    return [
        ResourceValidationPolicy("reads-unknown", "Reads a value.", reads_unknown),
        ResourceValidationPolicy("skips", "Not applicable.", not_applicable),
        TypedResourcePolicy(
            "typed",
            "Only buckets.",
            bucket_tags,
            types=["aws:s3/bucket:Bucket"],
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity.HIGH,
        ),
        ResourceValidationPolicy(
            "off", "Disabled.", tags, enforcement_level=EnforcementLevel.DISABLED
        ),
        StackValidationPolicy(
            "stack-size", "Counts.", stack_sizes, enforcement_level=EnforcementLevel.REMEDIATE
        ),
    ]


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        ("aws:s3/bucket:Bucket", {"size": 1.0}),
        ("aws:sqs/queue:Queue", {"size": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}),
    ],
    ids=["known-bucket", "unknown-queue"],
)
def test_protocol_corners_match_pulumi_policy(type_: str, props: dict[str, Any]) -> None:
    upstream = InProcessPack(
        _PolicyAnalyzerServicer("probe", PACK_VERSION, _probe_policies(), EnforcementLevel.ADVISORY)
    )
    ours = InProcessPack(PackServicer("probe", _probe_policies(), ""))
    tags = analyzer_pb2.AnalyzerStackConfigureRequest(tags={"team": "platform"})
    resource = _resource(type_, props)
    for pack in (upstream, ours):
        pack.servicer_stub.servicer.ConfigureStack(tags, None)
        pack.start()
        pack.resource_diagnostics(resource)
    expected = upstream.servicer_stub.last
    assert isinstance(expected, analyzer_pb2.AnalyzeResponse)
    assert ours.servicer_stub.last == expected
    for pack in (upstream, ours):
        pack.stack_diagnostics([resource])
    assert ours.servicer_stub.last == upstream.servicer_stub.last
    names = {d.policyName for d in expected.diagnostics}
    assert "off" not in names
    assert [n.policy_name for n in expected.not_applicable] == ["skips"]
    assert ("typed" in names) == (type_ == "aws:s3/bucket:Bucket")
    assert any("tagged {'team': 'platform'}" in d.message for d in expected.diagnostics) == (
        type_ == "aws:s3/bucket:Bucket"
    )
