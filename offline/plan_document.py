"""The plan as one JSON document (`--json`), and reading an earlier one back (`--diff`).

Schema `trading-platform/offline-plan`, version `SCHEMA_VERSION` (README, "Offline plan JSON").
A new key is added without a version bump; removing or changing the meaning of one bumps it.
Values go through `offline.values.display_value`, as in the text plan: secrets "(secret <digest>)",
unknowns "(known after apply)", keys sorted, so two documents of the same program are equal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .capture import CapturedResource
from .deploy_findings import DeployFinding
from .plan_diff import PlanDiff
from .policy_findings import PolicyFinding, level_counts
from .runner import ProgramRun
from .values import display_inputs, display_outputs

SCHEMA: Final = "trading-platform/offline-plan"
SCHEMA_VERSION: Final = 1


class PlanFileError(Exception):
    """An earlier plan that cannot be compared: unreadable, or of another schema or version."""


@dataclass(frozen=True)
class PolicyResult:
    source: str  # the policy config file, relative to the project
    findings: tuple[PolicyFinding, ...]


def _resource(resource: CapturedResource) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "parent": resource.parent,
        "custom": resource.custom,
        "inputs": display_inputs(resource.inputs) if resource.custom or resource.remote else {},
        "options": {
            "protect": resource.protect,
            "provider": resource.provider,
            "remote": resource.remote,
            "retainOnDelete": resource.retain_on_delete,
            "deleteBeforeReplace": resource.delete_before_replace,
            "ignoreChanges": sorted(resource.ignore_changes),
            "additionalSecretOutputs": sorted(resource.additional_secret_outputs),
        },
        "dependencies": sorted(set(resource.dependencies)),
        "propertyDependencies": {
            key: sorted(set(urns))
            for key, urns in sorted(resource.property_dependencies.items())
            if urns
        },
    }


def _finding(finding: PolicyFinding) -> dict[str, Any]:
    exemption = finding.exemption
    return {
        "rule": finding.rule,
        "level": finding.level,
        "severity": finding.severity,
        "controls": list(finding.controls),
        "resource": finding.resource,
        "message": finding.message,
        "policy": finding.policy,
        "exemption": None
        if exemption is None
        else {"reason": exemption.reason, "terms": exemption.terms},
    }


def deploy_check(finding: DeployFinding) -> dict[str, str]:
    return {
        "check": finding.check,
        "level": finding.level,
        "resource": finding.resource,
        "message": finding.message,
    }


def _changes(diff: PlanDiff) -> dict[str, Any]:
    return {
        "against": diff.against,
        "modeMismatch": diff.mode_mismatch,
        "counts": diff.counts(),
        "resources": [
            {
                "action": change.action,
                "urn": change.urn,
                "type": change.type,
                "name": change.name,
                "stateful": change.stateful,
                "protected": change.protected,
                "replacedBecause": change.reason,
                "properties": [
                    {
                        "path": p.path,
                        "before": p.before,
                        "after": p.after,
                        "forcesReplacement": p.replaces,
                    }
                    for p in change.properties
                ],
            }
            for change in diff.changes
        ],
    }


def plan_document(
    run: ProgramRun,
    *,
    policy: PolicyResult | None,
    deploy_findings: Sequence[DeployFinding],
    diff: PlanDiff | None,
    summary: dict[str, Any],
) -> dict[str, Any]:
    """Everything the plan knows, as plain JSON data."""
    return {
        "schema": SCHEMA,
        "schemaVersion": SCHEMA_VERSION,
        "stack": run.stack,
        "mode": "preview" if run.preview else "update",
        "resources": [_resource(r) for r in sorted(run.resources, key=lambda r: r.urn)],
        "outputs": display_outputs(run.outputs, run.secret_outputs),
        "policies": None
        if policy is None
        else {
            "source": policy.source,
            "counts": level_counts(policy.findings),
            "findings": [_finding(f) for f in policy.findings],
        },
        "deployChecks": [deploy_check(f) for f in deploy_findings],
        "changes": None if diff is None else _changes(diff),
        "summary": summary,
    }


def resources_only(run: ProgramRun) -> dict[str, Any]:
    """The part of a plan document a diff reads, without policies or checks."""
    return {
        "mode": "preview" if run.preview else "update",
        "resources": [_resource(r) for r in run.resources],
    }


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False)


def load_plan_document(path: Path) -> dict[str, Any]:
    """An earlier `--json` plan, checked to be one this version can compare."""
    try:
        document = json.loads(path.read_text())
    except OSError as error:
        raise PlanFileError(f"{path}: cannot read: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise PlanFileError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from error
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise PlanFileError(f"{path}: not an offline plan (expected schema {SCHEMA!r})")
    if document.get("schemaVersion") != SCHEMA_VERSION:
        raise PlanFileError(
            f"{path}: schema version {document.get('schemaVersion')!r}; this version compares "
            f"{SCHEMA_VERSION} only (re-create the earlier plan with this code)"
        )
    if not isinstance(document.get("resources"), list):
        raise PlanFileError(f"{path}: has no resources list")
    return document
