"""Stack config as the CLI would hand it to the program: Pulumi.yaml defaults + stack YAML."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET_PLACEHOLDER = "[secret: not decrypted offline]"


class MissingConfigError(Exception):
    """The CLI's own check: a key declared in Pulumi.yaml without a default must be set."""


@dataclass(frozen=True)
class StackFiles:
    project: str
    stack: str
    values: dict[str, Any]  # full key -> plain value (objects and lists stay structured)
    secret_keys: frozenset[str] = field(default_factory=frozenset)

    def engine_config(self) -> dict[str, str]:
        """Values as the engine passes them: strings, with objects and lists as JSON."""
        return {key: _engine_string(value) for key, value in self.values.items()}


def _engine_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def read_stack_files(
    stack: str, *, project_dir: Path = PROJECT_DIR, overrides: dict[str, Any] | None = None
) -> StackFiles:
    project_file = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    project = project_file["name"]
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        raise FileNotFoundError(f"no stack file {stack_path.name} in {project_dir}")
    stack_file = yaml.safe_load(stack_path.read_text()) or {}

    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in (stack_file.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = SECRET_PLACEHOLDER
            secrets.add(full)
        else:
            values[full] = value
    values.update(overrides or {})
    values = {k: v for k, v in values.items() if v is not None}

    for key, declaration in (project_file.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        declared = declaration if isinstance(declaration, dict) else {"default": declaration}
        if full in values:
            continue
        if "default" in declared:
            values[full] = declared["default"]
        elif "value" in declared:
            values[full] = declared["value"]
        else:
            raise MissingConfigError(
                f"Stack '{stack}' is missing configuration value '{full}' "
                f"(declared in Pulumi.yaml without a default)"
            )
    return StackFiles(project, stack, values, frozenset(secrets))
