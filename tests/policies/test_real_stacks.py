"""The real dev and prod stacks, as captured, through the pack over the analyzer protocol."""

from __future__ import annotations

import pytest

from offline.analyzer_client import DEFAULT_PACK_DIR, analyze_stack, load_config
from tests.programs import IDS, STACKS, stack


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_stack_has_no_mandatory_violation(name: str, preview: bool) -> None:
    config = load_config(DEFAULT_PACK_DIR / "config" / f"{name}.json")
    diagnostics = analyze_stack(stack(name, preview).resources, config, stack=name, dry_run=preview)
    mandatory = [
        f"{d.policy_name}: {d.resource_name}: {d.detail}" for d in diagnostics if d.mandatory
    ]
    assert mandatory == []
