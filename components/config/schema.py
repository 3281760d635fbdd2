"""Building blocks of the config schema: the models' settings and the value types of their keys.

Each value type is pydantic ``Annotated`` metadata that validates the raw value (as YAML, the
CLI or ``pulumi config set --path`` wrote it) and raises ``SettingError`` with today's wording; its
``describe()`` is what the README's reference shows in the "allowed" column.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import ConfigDict, GetCoreSchemaHandler
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from .errors import SettingError

PROJECT = "trading-platform"

# Keys are camelCase in the YAML and snake_case in Python; an unknown key is an error. Each
# model is also a frozen dataclass, so a parsed config cannot change later.
SCHEMA = ConfigDict(
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
    extra="forbid",
)

# e.g. c6i.4xlarge, r6g.large, t4g.medium, m7i-flex.large, u-6tb1.metal
EC2_INSTANCE_TYPE = re.compile(
    r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$"
)
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def did_you_mean(value: str, options: Iterable[str]) -> str:
    hint = difflib.get_close_matches(value, sorted(options), n=1)
    return f", did you mean {hint[0]!r}?" if hint else ""


class _Value(ABC):
    """Validates before pydantic's own type check, which then sees an already-right value."""

    @abstractmethod
    def validate(self, value: Any) -> Any:
        """The value as the key's type, or ``SettingError`` in today's wording."""

    @abstractmethod
    def describe(self) -> str:
        """What the README's "allowed" column says."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.validate, handler(source))


def _bounds(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{minimum}..{maximum}"
    return f">= {minimum}" if minimum is not None else f"<= {maximum}"


@dataclass(frozen=True)
class Integer(_Value):
    """An integer; YAML and the CLI may hand over "3" for 3. Booleans are refused."""

    minimum: int | None = None
    maximum: int | None = None

    def validate(self, value: Any) -> int:
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"must be an integer, got {value!r}")
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bound = _bounds(low, high)
            what = "must be positive" if (low, high) == (1, None) else f"must be {bound}"
            raise SettingError(f"{what}, got {value}", bound)
        return value

    def describe(self) -> str:
        if self.minimum is None and self.maximum is None:
            return "integer"
        if (self.minimum, self.maximum) == (1, None):
            return "integer > 0"
        return f"integer {_bounds(self.minimum, self.maximum)}"


@dataclass(frozen=True)
class OneOfIntegers(_Value):
    """An integer from a fixed set, e.g. CloudWatch Logs retention periods."""

    choices: tuple[int, ...]
    what: str

    def validate(self, value: Any) -> int:
        number = Integer().validate(value)
        if number not in self.choices:
            raise SettingError(f"{number} is not {self.what}", ", ".join(map(str, self.choices)))
        return number

    def describe(self) -> str:
        return self.what


RETENTION_DAYS = OneOfIntegers(LOG_RETENTION_DAYS, "a CloudWatch Logs retention period")


@dataclass(frozen=True)
class Number(_Value):
    """A decimal such as an Aurora capacity; integers and numeric strings are accepted."""

    minimum: float
    maximum: float
    step: float | None = None

    def validate(self, value: Any) -> float:
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(f"must be a number, got {value!r}")
        if not self.minimum <= value <= self.maximum:
            bound = f"{self.minimum}..{self.maximum}"
            raise SettingError(f"must be {bound}, got {value}", bound)
        if self.step is not None and (value / self.step) != int(value / self.step):
            raise SettingError(f"{value} is not a multiple of {self.step}")
        return float(value)

    def describe(self) -> str:
        step = f" in steps of {self.step}" if self.step else ""
        return f"number {self.minimum}..{self.maximum}{step}"


PERCENT = Number(0, 100)


@dataclass(frozen=True)
class Flag(_Value):
    """true or false; the CLI hands over "true"/"false". Nothing else ("yes", 1) passes."""

    def validate(self, value: Any) -> bool:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise SettingError(f"must be true or false, got {value!r}")
        return value

    def describe(self) -> str:
        return "true or false"


FLAG = Flag()


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(f"must be a non-empty string, got {value!r}")
    return value


@dataclass(frozen=True)
class Text(_Value):
    """A non-empty string, optionally matching ``pattern`` (``describe`` says what it wants)."""

    pattern: str | None = None
    rule: str | None = None
    noun: str = "value"  # what the error calls a malformed one: "malformed <noun> 'x'"

    def validate(self, value: Any) -> str:
        text = _text(value)
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise SettingError(f"malformed {self.noun} {text!r}", self.rule or self.pattern)
        return text

    def describe(self) -> str:
        return self.rule or "string"


@dataclass(frozen=True)
class Version(Text):
    """A version or tag string. ``pulumi config set --path`` writes 1.33 or 20240101 as numbers:
    an integer is taken as its digits, a decimal only when it has the ``decimals`` digits the
    format wants, since a number loses trailing zeros (1.30 arrives as 1.3)."""

    decimals: int | None = None

    def validate(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        elif isinstance(value, float):
            text = repr(value)
            if self.decimals is None or len(text.partition(".")[2]) != self.decimals:
                raise SettingError(
                    f"got the number {text}; a number loses trailing zeros (1.30 becomes 1.3), "
                    f"so write the version quoted, e.g. '{text}'",
                    self.rule,
                )
            value = text
        return super().validate(value)


@dataclass(frozen=True)
class Choice(_Value):
    """One of the values of an enum (or of ``options``), with a "did you mean" for typos."""

    options: tuple[str, ...] = ()

    def validate(self, value: Any) -> Any:
        if isinstance(value, Enum):
            value = value.value
        text = _text(value)
        if text not in self.options:
            raise SettingError(
                f"unknown value {text!r}{did_you_mean(text, self.options)}",
                ", ".join(sorted(self.options)),
            )
        return text

    def describe(self) -> str:
        return ", ".join(f"`{o}`" for o in self.options)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        if not self.options and isinstance(source, type) and issubclass(source, Enum):
            options = tuple(str(member.value) for member in source)
            return type(self)(options).__get_pydantic_core_schema__(source, handler)
        return super().__get_pydantic_core_schema__(source, handler)


CHOICE = Choice()


@dataclass(frozen=True)
class SettingName(Choice):
    """A key of an object whose keys are an enum's values (``network.subnets.<tier>``)."""

    def validate(self, value: Any) -> Any:
        try:
            return super().validate(value)
        except SettingError as problem:
            text = str(value)
            raise SettingError(
                f"unknown setting{did_you_mean(text, self.options)}", problem.allowed
            ) from problem


@dataclass(frozen=True)
class InstanceType(_Value):
    """An EC2-style instance type, optionally with a service prefix (``db.``, ``cache.``)."""

    prefix: str = ""

    def validate(self, value: Any) -> str:
        text = _text(value)
        body = text[len(self.prefix) :] if text.startswith(self.prefix) else None
        if body is None or not EC2_INSTANCE_TYPE.fullmatch(body):
            raise SettingError(f"malformed instance type {text!r}", self.describe())
        return text

    def describe(self) -> str:
        example = "r6i" if self.prefix else "c6i"
        return f"'{self.prefix}<family>.<size>', e.g. '{self.prefix}{example}.xlarge'"


def parse_cidr(value: str) -> ipaddress.IPv4Network:
    """A strict IPv4 CIDR (host bits must be zero)."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError) as err:
        raise SettingError(f"malformed CIDR {value!r}: {err}", "e.g. '10.0.0.0/16'") from err


@dataclass(frozen=True)
class Cidr(_Value):
    """An IPv4 CIDR with a mask in ``prefixes`` (``what`` names the range in errors)."""

    prefixes: tuple[int, int] = (0, 32)
    wrong_size: str = "is not a network size"  # follows "/<prefix> " in the error

    def validate(self, value: Any) -> str:
        network = parse_cidr(_text(value))
        low, high = self.prefixes
        if not low <= network.prefixlen <= high:
            raise SettingError(f"/{network.prefixlen} {self.wrong_size}", f"/{low} to /{high}")
        return str(network)

    def describe(self) -> str:
        low, high = self.prefixes
        return f"IPv4 CIDR /{low} to /{high}" if (low, high) != (0, 32) else "IPv4 CIDR"


@dataclass(frozen=True)
class Strings(_Value):
    """A list of distinct strings, each passed through ``item`` (which may normalise it)."""

    item: Callable[[str], str] | None = None
    allow_empty: bool = True
    rule: str = "list of strings"

    def validate(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingError(f"must be a list of strings, got {value!r}")
        if not self.allow_empty and not value:
            raise SettingError("must not be empty")
        if len(set(value)) != len(value):
            raise SettingError(f"has duplicate entries: {value!r}")
        if self.item is None:
            return tuple(value)
        items: list[str] = []
        for index, text in enumerate(value):
            try:
                items.append(self.item(text))
            except SettingError as problem:
                raise SettingError(problem.problem, problem.allowed, at=(index,)) from problem
        return tuple(items)

    def describe(self) -> str:
        return self.rule


def fields_of(model: Any) -> dict[str, FieldInfo]:
    """A schema dataclass's fields by Python name (pydantic keeps them on the class)."""
    return getattr(model, "__pydantic_fields__", {})


def derived(text: str) -> JsonDict:
    """``json_schema_extra`` of a key whose default follows from other keys: the README shows
    ``text`` as its default."""
    return {"derived_default": text}


def with_sections(data: Any, *names: str) -> Any:
    """Nested objects that may be left out entirely: validated as ``{}`` (all defaults)."""
    if isinstance(data, Mapping):
        return {**{name: {} for name in names}, **data}
    return data


def named(value: Any) -> Any:
    """An object of named entries (node groups, topics) as a list of entries carrying their name.

    ``null`` entries were removed by the merge; the loader maps list positions back to names.
    """
    if isinstance(value, Mapping):
        return [
            {"name": name, **entry} if isinstance(entry, Mapping) else entry
            for name, entry in value.items()
        ]
    return value


def check_scaling(minimum: int, desired: int, maximum: int) -> list[SettingError]:
    """min <= desired <= max for an auto-scaled group."""
    if minimum > maximum:
        return [SettingError(f"min ({minimum}) is greater than max ({maximum})", at=("min",))]
    if not minimum <= desired <= maximum:
        return [
            SettingError(
                f"desired ({desired}) is outside min..max ({minimum}..{maximum})",
                at=("desired",),
            )
        ]
    return []
