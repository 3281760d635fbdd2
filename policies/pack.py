"""Assembles the rules into pulumi_policy policies, with exemptions applied around every rule."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .engine import Resource, ResourceRule, RuleInfo, StackRule, name_from_urn
from .exemptions import (
    EXEMPTIONS_POLICY,
    EXEMPTIONS_STACK_POLICY,
    Exemption,
    ExemptionRegistry,
    Today,
    exemptions_schema,
    utc_today,
)
from .rules import (
    cache,
    cache_auth,
    compute,
    coverage,
    database,
    db_transport,
    documents_unknown,
    edge,
    eks,
    encryption_at_rest,
    flow_logs,
    iam,
    instance_metadata,
    kafka,
    kafka_serverless,
    keys,
    kms_policies,
    logs,
    network,
    resource_policies,
    s3_public,
    search_domains,
    secrets_exposure,
    serverless,
    service_logs,
    stack,
    storage,
    waf,
)
from .server import TypedResourcePolicy

PACK_NAME: Final = "trading-platform-policies"
PACK_DESCRIPTION: Final = (
    "Blocks insecure AWS infrastructure for trading-platform: no world ingress, encryption at "
    "rest and in transit, and per-stack hardening (IMDSv2, WAF, backups, protection)."
)
_FSBP: Final = "AWS Foundational Security Best Practices"

RESOURCE_RULES: Final[list[ResourceRule]] = [
    *network.RULES,
    *compute.RULES,
    *eks.RULES,
    *database.RULES,
    *cache.RULES,
    *kafka.RULES,
    *storage.RULES,
    *keys.RULES,
    *logs.RULES,
    *edge.RULES,
    *s3_public.RESOURCE_RULES,
    *iam.RULES,
    *kms_policies.RULES,
    *resource_policies.RULES,
    *serverless.RULES,
    *service_logs.RESOURCE_RULES,
    *secrets_exposure.RULES,
    *encryption_at_rest.RULES,
    *db_transport.RULES,
    *cache_auth.RULES,
    *waf.RULES,
    *flow_logs.RULES,
    *kafka_serverless.RULES,
    *search_domains.RULES,
    *documents_unknown.RULES,
]
STACK_RULES: Final[list[StackRule]] = [
    *stack.RULES,
    *s3_public.STACK_RULES,
    *service_logs.STACK_RULES,
    *instance_metadata.RULES,
    coverage.unexamined_types_rule(RESOURCE_RULES),
]
ALL_RULES: Final[list[ResourceRule | StackRule]] = [*RESOURCE_RULES, *STACK_RULES]
RULE_NAMES: Final = [rule.info.name for rule in ALL_RULES]


def _schema(info: RuleInfo) -> PolicyConfigSchema | None:
    if not info.options:
        return None
    return PolicyConfigSchema({key: dict(schema) for key, schema in info.options.items()})


def _framework(info: RuleInfo) -> PolicyComplianceFramework | None:
    if not info.controls:
        return None
    return PolicyComplianceFramework(name=_FSBP, reference=", ".join(info.controls))


def _metadata(info: RuleInfo) -> dict[str, Any]:
    """What the CLI shows of a rule besides its name and description."""
    return {
        "enforcement_level": info.enforcement_level,
        "config_schema": _schema(info),
        "severity": info.severity,
        "framework": _framework(info),
        "tags": list(info.controls) or None,
    }


class StackView:
    """The stack's resources as rules see them, converted once per `AnalyzeStack` request.

    `PackServicer` hands every stack policy of a request the same resource list; conversion costs
    about as much as all stack rules together, so the last list's conversion is kept. The list is
    held, so its identity cannot be reused by another request's list while cached.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source: Sequence[PolicyResource] | None = None
        self._resources: list[Resource] = []

    def resources(self, source: Sequence[PolicyResource]) -> list[Resource]:
        with self._lock:
            if source is not self._source:
                self._resources = [Resource.from_policy_resource(r) for r in source]
                self._source = source
            return self._resources


def _resource_policy(rule: ResourceRule, registry: ExemptionRegistry) -> Policy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        resource = Resource.from_args(args)
        for finding in rule.evaluate(resource, args.get_config()):
            # Exempted findings are reported by policy-exemptions, as advisory notes.
            if not registry.find(rule.info.name, resource.urn, finding.message):
                report(finding.message, None)

    return TypedResourcePolicy(
        rule.info.name, rule.info.description, validate, types=rule.types, **_metadata(rule.info)
    )


def _stack_policy(rule: StackRule, registry: ExemptionRegistry, view: StackView) -> Policy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = view.resources(args.resources)
        for finding in rule.evaluate(resources, args.get_config()):
            if not registry.find(rule.info.name, finding.urn or "", finding.message):
                report(finding.message, finding.urn)

    return StackValidationPolicy(
        rule.info.name, rule.info.description, validate, **_metadata(rule.info)
    )


def _note(exemption: Exemption, urn: str, message: str) -> str:
    return (
        f"exempted: {exemption.policy} on {name_from_urn(urn)} (owner {exemption.owner}, "
        f"expires {exemption.expires.isoformat()}, reason: {exemption.reason}): {message}"
    )


def _exemptions_policy(registry: ExemptionRegistry) -> Policy:
    by_name = {rule.info.name: rule for rule in RESOURCE_RULES}

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        # Runs before every rule of the same request (the servicer keeps list order), so the
        # rules below always read the list this stack configured.
        registry.publish(args.get_config().get("exemptions"), RULE_NAMES)
        resource: Resource | None = None
        for exemption in registry.for_resource(args.urn):
            rule = by_name.get(exemption.policy)
            if rule is None or args.resource_type not in rule.types:
                continue
            resource = resource or Resource.from_args(args)
            # The rule's own config is not visible here; its schema defaults stand in.
            covered = [f for f in rule.evaluate(resource) if f.message == exemption.finding]
            for finding in covered:
                report(_note(exemption, args.urn, finding.message), None)
            if not covered:
                report(_note(exemption, args.urn, "no finding to exempt any more"), None)

    return ResourceValidationPolicy(
        EXEMPTIONS_POLICY,
        "Findings exempted for one resource, with owner, expiry and reason, reported as "
        "advisory notes.",
        validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        config_schema=PolicyConfigSchema({"exemptions": exemptions_schema(RULE_NAMES)}),
    )


def exemption_inventory(registry: ExemptionRegistry, urns: set[str]) -> list[str]:
    """One line per configured exemption, for the report: in use, expired or unused."""
    lines = [f"exemption invalid: {error}" for error in registry.errors()]
    for exemption in registry.expired():
        lines.append(f"exemption expired, no longer applied: {exemption.describe()}")
    for exemption in registry.active():
        if any(exemption.covers_resource(urn) for urn in urns):
            lines.append(f"exemption in use: {exemption.describe()}")
        else:
            lines.append(f"exemption unused, matches no resource: {exemption.describe()}")
    return lines


def _exemptions_stack_policy(registry: ExemptionRegistry, view: StackView) -> Policy:
    by_name = {rule.info.name: rule for rule in STACK_RULES}

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = view.resources(args.resources)
        for line in exemption_inventory(registry, {r.urn for r in resources}):
            report(line, None)
        for exemption in registry.active():
            rule = by_name.get(exemption.policy)
            if rule is None:
                continue
            for finding in rule.evaluate(resources):
                urn = finding.urn or ""
                if exemption.matches(rule.info.name, urn, finding.message):
                    report(_note(exemption, urn, finding.message), finding.urn)

    return StackValidationPolicy(
        EXEMPTIONS_STACK_POLICY,
        "Every exemption in use, expired, invalid or unused, and exempted stack-rule findings.",
        validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
    )


def build_policies(today: Today = utc_today) -> list[Policy]:
    """Every policy of the pack; policy-exemptions comes first so it publishes before rules read.

    `today` decides which exemptions have expired (tests pin it).
    """
    registry = ExemptionRegistry(today)
    view = StackView()
    return [
        _exemptions_policy(registry),
        *(_resource_policy(rule, registry) for rule in RESOURCE_RULES),
        _exemptions_stack_policy(registry, view),
        *(_stack_policy(rule, registry, view) for rule in STACK_RULES),
    ]
