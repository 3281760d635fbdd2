"""Policy diagnostics with what the pack declares about each rule: severity and controls.

The metadata comes from the pack itself over the analyzer protocol (`GetAnalyzerInfo`: each
policy's severity, compliance framework and tags), so nothing here knows the pack's rules. An
exempted finding arrives as an advisory note of the exemptions policy ("exempted: <rule> on
<resource> (reason: ...): <message>"); it is reported under the rule it exempts, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from pulumi.runtime.proto import analyzer_pb2

from .analyzer_client import Diagnostic

_SEVERITIES: Final = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
LEVEL_ORDER: Final = ("mandatory", "remediate", "advisory", "disabled")
_EXEMPTED = re.compile(
    r"^exempted: (?P<rule>\S+) on (?P<resource>\S+) \((?P<terms>.*)\): (?P<message>.*)$", re.S
)


@dataclass(frozen=True)
class RuleMetadata:
    name: str
    description: str
    severity: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Exemption:
    reason: str
    terms: str
    """Everything the note says about the exemption (reason, and owner or expiry if any)."""


@dataclass(frozen=True)
class PolicyFinding:
    rule: str
    level: str
    severity: str
    controls: tuple[str, ...]
    resource: str  # URN, "" for the stack
    message: str
    policy: str  # the policy that reported it (the exemptions policy for an exempted finding)
    exemption: Exemption | None = None

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"


def rule_metadata(info: analyzer_pb2.AnalyzerInfo) -> dict[str, RuleMetadata]:
    """Each policy's declared severity and controls, by name."""
    found: dict[str, RuleMetadata] = {}
    for policy in info.policies:
        controls = tuple(policy.tags) or tuple(
            part.strip() for part in policy.framework.reference.split(",") if part.strip()
        )
        found[policy.name] = RuleMetadata(
            policy.name,
            policy.description,
            _SEVERITIES.get(policy.severity, "unspecified"),
            controls,
        )
    return found


def _exemption_terms(terms: str) -> Exemption:
    reason = terms.removeprefix("reason: ")
    return Exemption(reason=reason, terms=terms)


def policy_findings(
    diagnostics: Iterable[Diagnostic], metadata: Mapping[str, RuleMetadata]
) -> list[PolicyFinding]:
    """Findings in a fixed order: by level (mandatory first), rule, resource, message."""
    findings: list[PolicyFinding] = []
    for diagnostic in diagnostics:
        rule, message, exemption = diagnostic.policy_name, diagnostic.detail, None
        matched = _EXEMPTED.match(message)
        if matched and matched["rule"] in metadata:
            rule, message = matched["rule"], matched["message"]
            exemption = _exemption_terms(matched["terms"])
        meta = metadata.get(rule)
        findings.append(
            PolicyFinding(
                rule=rule,
                level=diagnostic.enforcement_level,
                severity=meta.severity if meta else "unspecified",
                controls=meta.controls if meta else (),
                resource=diagnostic.urn,
                message=message,
                policy=diagnostic.policy_name,
                exemption=exemption,
            )
        )

    def order(finding: PolicyFinding) -> tuple[int, str, str, str]:
        level = LEVEL_ORDER.index(finding.level) if finding.level in LEVEL_ORDER else 9
        return (level, finding.rule, finding.resource, finding.message)

    return sorted(findings, key=order)


def level_counts(findings: Iterable[PolicyFinding]) -> dict[str, int]:
    counts: dict[str, int] = {"mandatory": 0, "advisory": 0}
    for finding in findings:
        counts[finding.level] = counts.get(finding.level, 0) + 1
    return counts
