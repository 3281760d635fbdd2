"""Serves the pack over the analyzer protocol, converting each request once.

pulumi_policy's servicer rebuilds a request's properties (protobuf Struct -> dict -> unknown-
checking proxy, plus options and provider) for every policy it runs: 67 times per resource in
`Analyze`, the whole stack 15 times in `AnalyzeStack`. Profiled on the prod stack, that was ~95%
of the pack's time. `PackServicer` inherits everything else from it (analyzer info, `Configure`,
levels, the diagnostics it reports) and overrides only the two analyses: the request is converted
once and shared by every policy, and a `TypedResourcePolicy` is not called for a type it does not
examine (its validation would return at once). Diagnostics, their order and levels are
pulumi_policy's (tests/policies/test_server.py compares both servicers on the real stacks).

The overridden loops follow pulumi_policy 1.21.0 (`_PolicyAnalyzerServicer.Analyze` and
`AnalyzeStack`), pinned in requirements.txt.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent import futures
from inspect import isawaitable
from types import MappingProxyType
from typing import Any, Final

import grpc
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import (
    _GRPC_CHANNEL_OPTIONS,
    _NotApplicableError,
    _PolicyAnalyzerServicer,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

# Python packs report this; the CLI uses the version in PulumiPolicy.yaml (as with PolicyPack).
PACK_VERSION: Final = "0.0.1"


class TypedResourcePolicy(ResourceValidationPolicy):
    """A resource policy that examines only `types`; the servicer skips it for any other type.

    Its validation must itself report nothing for other types (the pack's rules return at once),
    so that skipping it answers as pulumi_policy's servicer would.
    """

    def __init__(
        self,
        name: str,
        description: str,
        validate: Callable[[ResourceValidationArgs, ReportViolation], None],
        *,
        types: Iterable[str],
        **metadata: Any,
    ) -> None:
        super().__init__(name, description, validate, **metadata)
        self.types = frozenset(types)

    def examines(self, type_: str) -> bool:
        return type_ in self.types


def _props(message: Any) -> Mapping[str, Any]:
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(message)))


class PackServicer(_PolicyAnalyzerServicer):
    """pulumi_policy's servicer with each `Analyze`/`AnalyzeStack` request converted once."""

    def __init__(self, name: str, policies: list[Policy], description: str) -> None:
        super().__init__(
            name, PACK_VERSION, policies, EnforcementLevel.ADVISORY, description=description
        )
        self._name = name
        self._policies = policies
        self._stack_tags: Mapping[str, str] = MappingProxyType({})
        self._runtime_configured = False
        self._by_type: dict[str, list[ResourceValidationPolicy]] = {}

    def _configure_runtime_settings(self) -> None:
        # Upstream re-applies these on every request, but they come from the process environment,
        # which is fixed at start; once is the same.
        if not self._runtime_configured:
            super()._configure_runtime_settings()
            self._runtime_configured = True

    def _resource_policies(self, type_: str) -> list[ResourceValidationPolicy]:
        """The resource policies that may report on `type_`, in the pack's order."""
        found = self._by_type.get(type_)
        if found is None:
            found = [
                policy
                for policy in self._policies
                if isinstance(policy, ResourceValidationPolicy)
                and (not isinstance(policy, TypedResourcePolicy) or policy.examines(type_))
            ]
            self._by_type[type_] = found
        return found

    def ConfigureStack(
        self, request: proto.AnalyzerStackConfigureRequest, context: Any
    ) -> proto.AnalyzerStackConfigureResponse:
        self._stack_tags = MappingProxyType(dict(request.tags))
        return super().ConfigureStack(request, context)

    def _level(self, policy: Policy) -> EnforcementLevel | None:
        """The level to report at, or None when the policy does not run."""
        level = self._get_enforcement_level(policy)
        if level == EnforcementLevel.DISABLED:
            return None
        # Remediation is not offered; a remediate level reports as mandatory, as upstream.
        return EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level

    def _run(
        self,
        response: proto.AnalyzeResponse,
        policy: ResourceValidationPolicy | StackValidationPolicy,
        level: EnforcementLevel,
        args: Any,
    ) -> None:
        report = self._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )
        try:
            result = policy.validate(args, report)
            if isawaitable(result):
                asyncio.run(result)  # type: ignore[arg-type]  # validate returns a coroutine
        except UnknownValueError as error:
            response.diagnostics.append(
                proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=self._name,
                    policyPackVersion=PACK_VERSION,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{self._name}@v{PACK_VERSION}' during preview: {error.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
                )
            )
        except _NotApplicableError as error:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
            )

    def Analyze(self, request: Any, _context: Any) -> proto.AnalyzeResponse:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        converted: tuple[Mapping[str, Any], Any, Any] | None = None
        for policy in self._resource_policies(request.type):
            level = self._level(policy)
            if level is None:
                continue
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            if converted is None:
                converted = (
                    _props(request.properties),
                    self._get_resource_options(request),
                    self._get_provider_resource(request),
                )
            props, opts, provider = converted
            args = ResourceValidationArgs(
                request.type,
                props,
                request.urn,
                request.name,
                opts,
                provider,
                self._get_policy_config(policy.name),
                self._stack_tags,
            )
            self._run(response, policy, level, args)
        return response

    def _stack_resources(self, request: Any) -> list[PolicyResource]:
        """The request's resources with parents and dependencies linked, as upstream builds them."""
        resources: list[PolicyResource] = []
        links: list[tuple[PolicyResource, Any]] = []
        for r in request.resources:
            resource = PolicyResource(
                r.type,
                _props(r.properties),
                r.urn,
                r.name,
                self._get_resource_options(r),
                self._get_provider_resource(r),
                None,
                [],
                {},
            )
            resources.append(resource)
            links.append((resource, r))
        by_urn = {resource.urn: resource for resource in resources}
        for resource, r in links:
            if r.parent in by_urn:
                resource.parent = by_urn[r.parent]
            resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
            for key, deps in r.propertyDependencies.items():
                resource.property_dependencies[key] = [by_urn[d] for d in deps.urns if d in by_urn]
        return resources

    def AnalyzeStack(self, request: Any, _context: Any) -> proto.AnalyzeResponse:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        resources: list[PolicyResource] | None = None
        for policy in self._policies:
            if not isinstance(policy, StackValidationPolicy):
                continue
            level = self._level(policy)
            if level is None:
                continue
            if resources is None:
                resources = self._stack_resources(request)
            args = StackValidationArgs(
                resources, self._get_policy_config(policy.name), self._stack_tags
            )
            self._run(response, policy, level, args)
        return response


def serve(name: str, policies: list[Policy], description: str) -> None:
    """What `PolicyPack(...)` does, with `PackServicer`: serve, print the port, run until killed."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=_GRPC_CHANNEL_OPTIONS)
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(
        PackServicer(name, policies, description), server
    )
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.buffer.flush()
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
