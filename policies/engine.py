"""The small framework every rule is written against.

A rule is a plain function from a `Resource` (or every resource of the stack) to `Finding`s, so
tests exercise it without the analyzer. `pack.py` turns rules into pulumi_policy policies.

Property values are the camelCase wire inputs. pulumi_policy hands rules a proxy that raises on
unknown values, and its servicer turns that exception into an *advisory* diagnostic whatever the
rule's level; rules here see plain values instead, with every unknown replaced by `UNKNOWN`, so
each rule decides (and documents) what an unknown means for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
)
from pulumi_policy.deserialize import deserialize_properties, serialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

ADVISORY: Final = EnforcementLevel.ADVISORY
MANDATORY: Final = EnforcementLevel.MANDATORY


class _Unknown(Enum):
    """A value not known until the update (an output of a resource not created yet)."""

    UNKNOWN = "<unknown during preview>"

    def __repr__(self) -> str:
        return self.value


UNKNOWN: Final = _Unknown.UNKNOWN

_UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


def _normalise(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        # Inputs cross the wire as a protobuf Struct, where every number is a float.
        return int(value)
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(item) for item in value]
    return value


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    # serialize_properties unwraps pulumi_policy's proxies without touching the sentinels.
    return _normalise(serialize_properties(props))


@dataclass(frozen=True)
class Resource:
    """What a rule sees of one resource: wire-form inputs plus the options rules care about."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str = ""
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        """The value at a dotted path of wire names (list items by index); None when absent.

        An unknown anywhere along the path makes the whole path `UNKNOWN`.
        """
        value: Any = self.props
        for part in path.split("."):
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(value, Mapping):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    def items(self, path: str) -> list[Any] | _Unknown:
        """A list property as a list (empty when absent), or `UNKNOWN`."""
        value = self.get(path)
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(value, list):
            return value
        return [] if value is None else [value]

    def depends_on(self, prop: str, urn: str) -> bool:
        """Whether the top-level input `prop` was computed from the resource named by `urn`."""
        return urn in self.property_dependencies.get(prop, ())

    @classmethod
    def from_wire(
        cls,
        type_: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        urn: str = "",
        protect: bool = False,
        parent: str = "",
        property_dependencies: Mapping[str, Iterable[str]] | None = None,
    ) -> Resource:
        """Builds a resource from wire inputs (secret envelopes, unknown sentinels)."""
        return cls(
            type=type_,
            name=name,
            urn=urn or f"urn:pulumi:test::trading-platform::{type_}::{name}",
            props=_normalise(deserialize_properties(dict(inputs))),
            protect=protect,
            parent=parent,
            property_dependencies={
                key: tuple(urns) for key, urns in (property_dependencies or {}).items()
            },
        )

    @classmethod
    def from_args(cls, args: ResourceValidationArgs) -> Resource:
        return cls(
            type=args.resource_type,
            name=args.name,
            urn=args.urn,
            props=_plain(args.props),
            protect=bool(args.opts.protect),
            parent=args.opts.parent or "",
        )

    @classmethod
    def from_policy_resource(cls, resource: PolicyResource) -> Resource:
        return cls(
            type=resource.resource_type,
            name=resource.name,
            urn=resource.urn,
            props=_plain(resource.props),
            protect=bool(resource.opts.protect),
            parent=resource.parent.urn if resource.parent else (resource.opts.parent or ""),
            property_dependencies={
                key: tuple(dep.urn for dep in deps)
                for key, deps in resource.property_dependencies.items()
            },
        )


def name_from_urn(urn: str) -> str:
    """The resource name: the last `::` segment of a URN."""
    return urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a resource. `urn` names the resource for stack rules."""

    message: str
    urn: str | None = None
    unverifiable: bool = False


def violation(message: str, urn: str | None = None) -> Finding:
    return Finding(message, urn)


def cannot_verify(what: str, urn: str | None = None) -> Finding:
    """A property the rule needs is unknown during preview: reported, never assumed compliant."""
    return Finding(f"cannot verify {what}: unknown during preview", urn, unverifiable=True)


def require_setting(resource: Resource, path: str, wanted: Any, fix: str) -> Iterator[Finding]:
    """A setting that must be exactly ``wanted``: cannot verify while unknown, else a violation
    saying what it is and ``fix``."""
    value = resource.get(path)
    if value is UNKNOWN:
        yield cannot_verify(path)
    elif value != wanted:
        yield violation(f"{path} is {describe(value)}; {fix}")


def describe(value: Any) -> str:
    """A value as a message shows it."""
    if value is None:
        return "not set"
    if value is UNKNOWN:
        return repr(value)
    return json.dumps(value, default=str)


def as_bool(value: Any) -> Any:
    """A boolean input; launch templates carry theirs as the strings "true"/"false"."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def expect_true(
    resource: Resource, path: str, fix: str, *, default: bool = False
) -> Iterator[Finding]:
    """A boolean that decides the control: false, absent (unless `default`) or unknown reports."""
    value = as_bool(resource.get(path))
    if value is UNKNOWN:
        yield cannot_verify(path)
    elif value is None and default:
        return
    elif value is not True:
        yield violation(f"{path} is {describe(value)}; {fix}")


def expect_reference(resource: Resource, path: str, fix: str) -> Iterator[Finding]:
    """A property that must point at something (a key, an ACL, a bucket).

    Unknown passes: during preview it is the output of another resource, and only its presence
    matters to the control.
    """
    value = resource.get(path)
    if value is None or value == "":
        yield violation(f"{path} is not set; {fix}")


Config = Mapping[str, Any]
ResourceCheck = Callable[[Resource, Config], Iterable[Finding]]
StackCheck = Callable[[Sequence[Resource], Config], Iterable[Finding]]


@dataclass(frozen=True)
class RuleInfo:
    """What a policy declares: name, text, default level and the controls it maps to."""

    name: str
    description: str
    enforcement_level: EnforcementLevel
    severity: Severity
    controls: tuple[str, ...]
    unknowns: str
    """How the rule treats values unknown during preview (README table)."""
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON schema of rule-specific config properties; each must carry a `default`."""
    subjects: tuple[str, ...] = ()
    """Type tokens a stack rule examines (a resource rule's are its `types`), for the README."""

    def settings(self, config: Config | None) -> dict[str, Any]:
        """Config with the schema defaults filled in, as the CLI does before `Configure`."""
        values = {key: schema["default"] for key, schema in self.options.items()}
        values.update({key: value for key, value in (config or {}).items() if key in self.options})
        for key, schema in self.options.items():
            # Config crosses the wire as a protobuf Struct, which turns every number into a float.
            value = values[key]
            if schema.get("type") == "integer" and isinstance(value, float) and value.is_integer():
                values[key] = int(value)
        return values


@dataclass(frozen=True)
class ResourceRule:
    info: RuleInfo
    types: frozenset[str]
    check: ResourceCheck

    def evaluate(self, resource: Resource, config: Config | None = None) -> list[Finding]:
        if resource.type not in self.types:
            return []
        return list(self.check(resource, self.info.settings(config)))


@dataclass(frozen=True)
class StackRule:
    info: RuleInfo
    check: StackCheck

    def evaluate(
        self, resources: Sequence[Resource], config: Config | None = None
    ) -> list[Finding]:
        return list(self.check(resources, self.info.settings(config)))


def resource_rule(
    *,
    name: str,
    description: str,
    types: Iterable[str],
    level: EnforcementLevel,
    severity: Severity,
    unknowns: str,
    controls: Iterable[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[ResourceCheck], ResourceRule]:
    """Declares a per-resource rule; the decorated function is its check."""

    info = RuleInfo(name, description, level, severity, tuple(controls), unknowns, options or {})

    def wrap(check: ResourceCheck) -> ResourceRule:
        return ResourceRule(info, frozenset(types), check)

    return wrap


def stack_rule(
    *,
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    unknowns: str,
    controls: Iterable[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    subjects: Iterable[str] = (),
) -> Callable[[StackCheck], StackRule]:
    """Declares a rule over the whole stack; its findings name the offending resource's URN."""

    info = RuleInfo(
        name,
        description,
        level,
        severity,
        tuple(controls),
        unknowns,
        options or {},
        tuple(sorted(subjects)),
    )

    def wrap(check: StackCheck) -> StackRule:
        return StackRule(info, check)

    return wrap
