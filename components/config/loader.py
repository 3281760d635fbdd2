"""pydantic's validation errors as ``ConfigError``s: full keys, today's wording, file order."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from .errors import ConfigError, SettingError, SettingGroupError, StackConfigError
from .schema import PROJECT, did_you_mean, fields_of

_LATER = 1 << 30  # keys the stack file does not have (tier defaults) sort after its own


T = TypeVar("T")


def load_section(model: type[T], raw: Mapping[str, Any], *, key: str) -> T:
    """One section (``kafka``, ``network``...) validated on its own, without the stack's
    cross-section rules: for building a component's config in its tests."""
    try:
        return TypeAdapter(model).validate_python(dict(raw))
    except ValidationError as error:
        errors = config_errors(error, raw, raw, root=model, section=(key,))
        raise StackConfigError(errors, f"the {key} section") from None


def config_errors(
    error: ValidationError,
    data: Mapping[str, Any],
    order: Mapping[str, Any],
    *,
    root: type,
    section: tuple[str, ...] = (),
    only_present: bool = False,
) -> list[ConfigError]:
    """One ``ConfigError`` per problem, ordered by where its key appears in ``order``;
    ``only_present`` drops the problems of keys ``order`` does not have."""
    found: list[tuple[list[int], int, ConfigError]] = []
    for index, details in enumerate(error.errors()):
        loc = [part for part in details["loc"] if part != "[key]"]
        for problem in _problems(details, root, loc):
            names = [*section, *_names([*loc, *problem.at], data)]
            key = _render(names)
            position = _file_position(names[len(section) :], order)
            if only_present and _LATER in position:
                continue
            found.append(
                (
                    position,
                    index,
                    ConfigError(key, problem.problem, problem.allowed),
                )
            )
    found.sort(key=lambda item: (item[0], item[1]))
    unique: dict[str, ConfigError] = {}
    for _, _, config_error in found:
        unique.setdefault(config_error.line, config_error)
    return list(unique.values())


def _problems(details: ErrorDetails, root: type, loc: Sequence[str | int]) -> list[SettingError]:
    cause = (details.get("ctx") or {}).get("error")
    if isinstance(cause, SettingGroupError):
        return list(cause.problems)
    if isinstance(cause, SettingError):
        return [cause]
    kind, value = details["type"], details.get("input")
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):
        names = _field_aliases(root, loc[:-1])
        name = str(loc[-1])
        return [
            SettingError(f"unknown setting{did_you_mean(name, names)}", ", ".join(sorted(names)))
        ]
    messages = {
        "missing": "is required but not set",
        "dataclass_type": f"must be an object, got {type(value).__name__}",
        "dataclass_args_type": f"must be an object, got {type(value).__name__}",
        "dict_type": f"must be an object, got {type(value).__name__}",
        "tuple_type": f"must be a list, got {value!r}",
        "list_type": f"must be a list, got {value!r}",
        "string_type": f"must be a non-empty string, got {value!r}",
    }
    return [SettingError(messages.get(kind, details["msg"]))]


def _names(path: Sequence[str | int], data: Any) -> list[str | int]:
    """Positions in an object of named entries (node groups, topics) become their names."""
    names: list[str | int] = []
    node = data
    named_entry = False
    for part in path:
        if named_entry and part == "name":
            break  # an entry's name is its key
        named_entry = isinstance(part, int) and isinstance(node, Mapping)
        if isinstance(part, int) and isinstance(node, Mapping):
            keys = list(node)
            name = keys[part] if part < len(keys) else str(part)
            names.append(name)
            node = node.get(name)
        elif isinstance(part, int):
            names.append(part)
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            names.append(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return names


def _render(names: Sequence[str | int]) -> str:
    text = ""
    for part in names:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text if text.startswith("aws:") else f"{PROJECT}:{text}"


def _file_position(names: Sequence[str | int], order: Mapping[str, Any]) -> list[int]:
    position: list[int] = []
    node: Any = order
    for part in names:
        if isinstance(part, str) and isinstance(node, Mapping) and part in node:
            position.append(list(node).index(part))
            node = node[part]
        elif isinstance(part, int) and isinstance(node, list):
            position.append(part)
            node = node[part] if part < len(node) else None
        else:
            position.append(_LATER)
            break
    return position


def _unwrap(annotation: Any) -> Any:
    """The dataclass inside ``X | None``, ``Annotated[X, ...]``, ``tuple[X, ...]``, dicts."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, tuple, dict):
        for arg in reversed(typing.get_args(annotation)):
            inner = _unwrap(arg)
            if dataclasses.is_dataclass(inner):
                return inner
    return annotation


def _field_aliases(root: type, loc: Sequence[str | int]) -> list[str]:
    """The keys the object at ``loc`` accepts, for "did you mean"."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        fields = fields_of(current)
        match = next((f for n, f in fields.items() if (f.alias or n) == part), None)
        if match is None:
            return []
        current = _unwrap(match.annotation)
    fields = fields_of(current)
    hidden = {"name"} if "name" in fields and current is not root else set()
    return [f.alias or n for n, f in fields.items() if n not in hidden | {"project", "stack"}]
