"""Every component's public outputs are assigned in ``__init__``, from the record its branch
returns, so a new branch cannot forget one and fail late (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = sorted((Path(__file__).parents[2] / "components").glob("*.py"))


def public_assignments_outside_init(source: str) -> list[str]:
    found: list[str] = []
    for cls in (node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)):
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef) or method.name == "__init__":
                continue
            for node in ast.walk(method):
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign | ast.AugAssign)
                    else []
                )
                found += [
                    f"{cls.name}.{method.name} sets self.{target.attr}"
                    for target in targets
                    if isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                    and not target.attr.startswith("_")
                ]
    return found


@pytest.mark.parametrize("module", COMPONENTS, ids=lambda p: p.stem)
def test_no_branch_method_sets_an_output(module: Path) -> None:
    assert public_assignments_outside_init(module.read_text()) == []


def test_the_check_finds_an_output_set_in_a_branch() -> None:
    source = (
        "class C:\n"
        "    def __init__(self):\n        self.a = 1\n"
        "    def _branch(self):\n        self.b = 2\n        self._c = 3\n"
    )
    assert public_assignments_outside_init(source) == ["C._branch sets self.b"]
