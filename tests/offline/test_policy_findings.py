"""Findings carry the severity and controls the pack declares over GetAnalyzerInfo."""

from __future__ import annotations

from pulumi.runtime.proto import analyzer_pb2

from offline.analyzer_client import Diagnostic
from offline.policy_findings import Exemption, policy_findings, rule_metadata
from offline.policy_report import format_findings

URN = "urn:pulumi:dev::trading-platform::aws:lb/listener:Listener::tcp-listener"
INFO = analyzer_pb2.AnalyzerInfo(
    policies=[
        analyzer_pb2.PolicyInfo(
            name="lb-listener-tls",
            description="Listeners use TLS",
            severity=analyzer_pb2.POLICY_SEVERITY_HIGH,
            tags=["ELB.1", "ELB.2"],
        ),
        analyzer_pb2.PolicyInfo(
            name="vpc-flow-logs",
            description="Flow logs",
            severity=analyzer_pb2.POLICY_SEVERITY_MEDIUM,
            framework=analyzer_pb2.PolicyComplianceFramework(reference="EC2.6"),
        ),
        analyzer_pb2.PolicyInfo(name="policy-exemptions", description="Exempted findings"),
    ]
)


def diagnostic(policy: str, level: str, detail: str, urn: str = URN) -> Diagnostic:
    description = {"lb-listener-tls": "Listeners use TLS"}.get(policy, "x")
    return Diagnostic(policy, level, f"{description}\n{detail}", description, urn)


def test_metadata_comes_from_tags_or_the_framework_reference() -> None:
    metadata = rule_metadata(INFO)
    assert metadata["lb-listener-tls"].controls == ("ELB.1", "ELB.2")
    assert metadata["lb-listener-tls"].severity == "high"
    assert metadata["vpc-flow-logs"].controls == ("EC2.6",)
    assert metadata["policy-exemptions"].severity == "unspecified"


def test_exempted_note_is_reported_under_its_rule_with_the_reason() -> None:
    note = (
        "exempted: lb-listener-tls on tcp-listener (reason: TLS end to end (engine build)): "
        'protocol is "TCP", which is plaintext; use TLS'
    )
    [finding] = policy_findings(
        [diagnostic("policy-exemptions", "advisory", note)], rule_metadata(INFO)
    )
    assert (finding.rule, finding.policy, finding.severity) == (
        "lb-listener-tls",
        "policy-exemptions",
        "high",
    )
    assert finding.message == 'protocol is "TCP", which is plaintext; use TLS'
    assert finding.exemption == Exemption(
        "TLS end to end (engine build)", "reason: TLS end to end (engine build)"
    )


def test_findings_are_ordered_mandatory_first_and_reported_with_controls() -> None:
    findings = policy_findings(
        [
            diagnostic("vpc-flow-logs", "advisory", "no flow log", urn=""),
            diagnostic("lb-listener-tls", "mandatory", "plaintext"),
        ],
        rule_metadata(INFO),
    )
    assert [f.level for f in findings] == ["mandatory", "advisory"]
    report = format_findings(findings, "Policies")
    assert report.splitlines()[0] == "Policies: 1 mandatory, 1 advisory"
    assert (
        "  lb-listener-tls [high; ELB.1, ELB.2]\n"
        "    aws:lb/listener:Listener tcp-listener: plaintext" in report
    )
    assert "  vpc-flow-logs [medium; EC2.6]\n    stack: no flow log" in report
