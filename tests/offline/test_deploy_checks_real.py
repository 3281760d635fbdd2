"""The real stacks, and the tiers and options they do not use, pass every deploy check."""

from __future__ import annotations

from typing import Any

import pytest

from offline.deploy_checks import run_deploy_checks
from offline.runner import run_program
from tests.programs import IDS, STACKS, stack


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_real_stacks_have_no_deploy_check_error(name: str, preview: bool) -> None:
    run = stack(name, preview)
    findings = run_deploy_checks(run.resources, invokes=run.invokes)
    assert [f.message for f in findings if f.level == "error"] == []


VARIANTS: dict[str, dict[str, Any]] = {
    "growth-aurora-serverless-cache-scram": {
        "trading-platform:postgres": {"engine": "aurora-postgresql"},
        "trading-platform:cache": {"mode": "serverless"},
        "trading-platform:tier": "growth",
        "trading-platform:kafka": {"scram": True},
    },
    "released-new-account": {
        "trading-platform:eks": {"imageTag": "v1.0.0"},
        "trading-platform:matchingEngine": {"artifactVersion": "1.0.0"},
        "trading-platform:prerequisites": {"createAutoScalingServiceLinkedRole": True},
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_tier_and_option_variants_have_no_deploy_check_error(variant: str) -> None:
    run = run_program("dev", preview=False, overrides=VARIANTS[variant])
    findings = run_deploy_checks(run.resources, invokes=run.invokes)
    assert [f.message for f in findings if f.level == "error"] == []
