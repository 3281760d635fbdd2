"""The --json plan document: its content, and reading an earlier one back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from offline.deploy_findings import DeployFinding
from offline.plan_document import (
    SCHEMA,
    SCHEMA_VERSION,
    PlanFileError,
    PolicyResult,
    dump,
    load_plan_document,
    plan_document,
)
from offline.policy_findings import Exemption, PolicyFinding

from .small_stack import run_store

BUCKET = "urn:pulumi:test::trading-platform::test:store:Store$aws:s3/bucket:Bucket::store-bucket"


def document(**kwargs: Any) -> dict[str, Any]:
    finding = PolicyFinding(
        rule="s3-bucket-encryption",
        level="advisory",
        severity="high",
        controls=("S3.4",),
        resource=BUCKET,
        message="no encryption",
        policy="policy-exemptions",
        exemption=Exemption(reason="test data", terms="reason: test data"),
    )
    check = DeployFinding("prerequisite", "warning", "", "a service-linked role must exist")
    return plan_document(
        run_store(**kwargs),
        policy=PolicyResult("policies/config/test.json", (finding,)),
        deploy_findings=[check],
        diff=None,
        summary={"exitCode": 0},
    )


def test_document_holds_resources_with_inputs_options_and_dependencies() -> None:
    plan = document()
    assert (plan["schema"], plan["schemaVersion"], plan["mode"]) == (
        SCHEMA,
        SCHEMA_VERSION,
        "update",
    )
    by_name = {r["name"]: r for r in plan["resources"]}
    bucket = by_name["store-bucket"]
    assert bucket["urn"] == BUCKET
    assert bucket["type"] == "aws:s3/bucket:Bucket"
    assert bucket["parent"].endswith("test:store:Store::store")
    assert bucket["inputs"] == {
        "bucket": "trading-test-store",
        "tags": {"Retention": "30", "Team": "platform"},
    }
    assert bucket["options"]["protect"] is True
    value = by_name["store-secret-value"]
    assert value["inputs"]["secretString"] == "(secret 4ddbb67b)"
    assert value["propertyDependencies"]["secretId"] == [by_name["store-secret"]["urn"]]
    assert by_name["store-secret"]["urn"] in value["dependencies"]
    assert [r["urn"] for r in plan["resources"]] == sorted(r["urn"] for r in plan["resources"])
    assert plan["outputs"] == {"bucketName": "trading-test-store", "token": "(secret 5b9929d2)"}


def test_document_holds_findings_with_severity_controls_and_exemption() -> None:
    plan = document()
    assert plan["policies"]["counts"] == {"mandatory": 0, "advisory": 1}
    assert plan["policies"]["findings"] == [
        {
            "rule": "s3-bucket-encryption",
            "level": "advisory",
            "severity": "high",
            "controls": ["S3.4"],
            "resource": BUCKET,
            "message": "no encryption",
            "policy": "policy-exemptions",
            "exemption": {"reason": "test data", "terms": "reason: test data"},
        }
    ]
    assert plan["deployChecks"] == [
        {
            "check": "prerequisite",
            "level": "warning",
            "resource": "",
            "message": "a service-linked role must exist",
        }
    ]


def test_preview_document_marks_unknowns_and_is_deterministic() -> None:
    first, second = dump(document(preview=True)), dump(document(preview=True))
    assert first == second
    assert '"kmsKeyId": "(known after apply)"' in first
    assert "hunter2" not in first


def test_document_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(dump(document()))
    assert load_plan_document(path) == json.loads(dump(document()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": \n  oops}', r"plan.json:2:3: not valid JSON"),
        ('{"schema": "other"}', r"not an offline plan \(expected schema"),
        (f'{{"schema": "{SCHEMA}", "schemaVersion": 99}}', r"schema version 99; this version"),
        (f'{{"schema": "{SCHEMA}", "schemaVersion": {SCHEMA_VERSION}}}', r"has no resources"),
    ],
)
def test_unusable_earlier_plans_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(PlanFileError, match=message):
        load_plan_document(path)


def test_missing_earlier_plan_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match=r"nothing.json: cannot read"):
        load_plan_document(tmp_path / "nothing.json")
