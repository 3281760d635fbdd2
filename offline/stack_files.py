"""Stack config as the CLI would hand it to the program: Pulumi.yaml defaults + stack YAML."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET_PLACEHOLDER = "[secret: not decrypted offline]"
PROVIDER_NAMESPACES: Final = frozenset({"aws", "awsx", "eks", "kubernetes", "random", "pulumi"})
"""Config namespaces besides the project's: the providers in requirements.txt, and `pulumi:`."""


class MissingConfigError(Exception):
    """The CLI's own check: a key declared in Pulumi.yaml without a default must be set."""


class StackFileError(Exception):
    """A stack or project file the CLI would refuse; each problem names the file (and line)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                first = seen[key].start_mark
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {first.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path) -> Any:
    """A YAML file, or StackFileError naming the file, line and column of the problem."""
    try:
        return yaml.load(path.read_text(), Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark, context = error.problem_mark or error.context_mark, error.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        problem = error.problem or error.context or "invalid YAML"
        if error.context and context is not None and context is not mark:
            problem += f" ({error.context} started on line {context.line + 1})"
        raise StackFileError([f"{where}: {problem}"]) from error
    except yaml.YAMLError as error:
        raise StackFileError([f"{path.name}: {error}"]) from error


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


def _secrets_replaced(value: Any) -> tuple[Any, bool]:
    """The value with every ``{secure: ...}`` (top level or nested, as `pulumi config set --path
    --secret` writes it) replaced by the placeholder, and whether there was one."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        replaced: dict[Any, Any] = {}
        for key, item in value.items():
            replaced[key], secret = _secrets_replaced(item)
            found = found or secret
        return replaced, found
    if isinstance(value, list):
        items = [_secrets_replaced(item) for item in value]
        return [item for item, _ in items], any(secret for _, secret in items)
    return value, False


def _full_key(key: Any, project: str, where: str, errors: list[str]) -> str | None:
    if not isinstance(key, str) or not key:
        errors.append(f"{where}: config key {key!r} is not a string")
        return None
    if ":" not in key:
        return f"{project}:{key}"
    namespace = key.split(":", 1)[0]
    known = {project, *PROVIDER_NAMESPACES}
    if namespace not in known:
        close = difflib.get_close_matches(namespace, sorted(known), n=1)
        hint = f" (did you mean {close[0]}:{key.split(':', 1)[1]}?)" if close else ""
        errors.append(f"{where}: {key}: unknown namespace {namespace!r}{hint}")
        return None
    return key


def read_stack_files(
    stack: str, *, project_dir: Path = PROJECT_DIR, overrides: dict[str, Any] | None = None
) -> StackFiles:
    project_file = load_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(project_file, dict) or not isinstance(project_file.get("name"), str):
        raise StackFileError(["Pulumi.yaml: must be a mapping with the project's name"])
    project: str = project_file["name"]
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        raise FileNotFoundError(f"no stack file {stack_path.name} in {project_dir}")
    stack_file = load_yaml(stack_path) or {}
    config = stack_file.get("config") if isinstance(stack_file, dict) else None
    if not isinstance(stack_file, dict) or not isinstance(config or {}, dict):
        raise StackFileError([f"{stack_path.name}: config must be a mapping of keys to values"])

    values: dict[str, Any] = {}
    secrets: set[str] = set()
    errors: list[str] = []
    for key, raw in (config or {}).items():
        full = _full_key(key, project, stack_path.name, errors)
        if full is None:
            continue
        values[full], secret = _secrets_replaced(raw)
        if secret:
            secrets.add(full)
    if errors:
        raise StackFileError(errors)
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
