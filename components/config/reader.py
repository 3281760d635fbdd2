"""Typed, path-aware reads from a (possibly nested) config mapping.

Every read names the full key on failure, and ``done()`` rejects keys nobody read, so a typo in
the stack YAML is an error rather than a silently ignored setting.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")

_MISSING: Any = object()

# e.g. c6i.4xlarge, r6g.large, t4g.medium, m7i-flex.large, u-6tb1.metal
EC2_INSTANCE_TYPE = re.compile(
    r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$"
)


# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


class ConfigReader:
    """Reads one section of config; ``path`` is the key prefix used in error messages."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self._data = data
        self._path = path
        self._read: set[str] = set()

    @property
    def path(self) -> str:
        return self._path

    def key(self, name: str) -> str:
        separator = "" if self._path.endswith(":") else "."
        return f"{self._path}{separator}{name}"

    def has(self, name: str) -> bool:
        return name in self._data and self._data[name] is not None

    def _raw(self, name: str, default: Any) -> Any:
        self._read.add(name)
        if self.has(name):
            return self._data[name]
        if default is _MISSING:
            raise ConfigError(self.key(name), "is required but not set")
        return default

    def section(self, name: str, *, required: bool = False) -> ConfigReader:
        raw = self._raw(name, _MISSING if required else {})
        if not isinstance(raw, Mapping):
            raise ConfigError(self.key(name), f"must be an object, got {type(raw).__name__}")
        return ConfigReader(raw, self.key(name))

    def sections(self, name: str) -> dict[str, ConfigReader]:
        """An object whose values are objects, e.g. named node groups."""
        parent = self.section(name)
        return {child: parent.section(child, required=True) for child in parent.names()}

    def raw(self) -> dict[str, Any]:
        """The section as plain data, for merging; marks every key as read."""
        self._read.update(self._data)
        return dict(self._data)

    def names(self) -> list[str]:
        return [k for k in self._data if self._data[k] is not None]

    def string(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        choices: Iterable[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        describe: str | None = None,
    ) -> str:
        raw = self._raw(name, default)
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(self.key(name), f"must be a non-empty string, got {raw!r}")
        if choices is not None:
            options = sorted(choices)
            if raw not in options:
                hint = difflib.get_close_matches(raw, options, n=1)
                problem = f"unknown value {raw!r}" + (
                    f", did you mean {hint[0]!r}?" if hint else ""
                )
                raise ConfigError(self.key(name), problem, ", ".join(options))
        if pattern is not None and not pattern.fullmatch(raw):
            raise ConfigError(
                self.key(name), f"malformed value {raw!r}", describe or pattern.pattern
            )
        return raw

    def optional_string(self, name: str, **kwargs: Any) -> str | None:
        if not self.has(name):
            self._read.add(name)
            return None
        return self.string(name, **kwargs)

    def integer(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        raw = self._raw(name, default)
        # YAML and the CLI may hand us "3" for 3; booleans are ints in Python, so refuse them.
        if isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(self.key(name), f"must be an integer, got {raw!r}")
        _check_range(self.key(name), raw, minimum, maximum)
        return raw

    def number(
        self, name: str, default: Any = _MISSING, *, minimum: float, maximum: float
    ) -> float:
        """A decimal such as an Aurora capacity (0.5 ACU steps); integers are accepted."""
        raw = self._raw(name, default)
        # The CLI hands over "0.5" for 0.5.
        if isinstance(raw, str) and re.fullmatch(r"-?\d+(\.\d+)?", raw.strip()):
            raw = float(raw)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConfigError(self.key(name), f"must be a number, got {raw!r}")
        if not minimum <= raw <= maximum:
            raise ConfigError(
                self.key(name), f"must be {minimum}..{maximum}, got {raw}", f"{minimum}..{maximum}"
            )
        return float(raw)

    def positive(self, name: str, default: Any = _MISSING, *, maximum: int | None = None) -> int:
        return self.integer(name, default, minimum=1, maximum=maximum)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        raw = self._raw(name, default)
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            raw = raw.lower() == "true"
        if not isinstance(raw, bool):
            raise ConfigError(self.key(name), f"must be true or false, got {raw!r}")
        return raw

    def string_list(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        item: Callable[[str, str], T] | None = None,
        allow_empty: bool = True,
    ) -> list[Any]:
        raw = self._raw(name, default)
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ConfigError(self.key(name), f"must be a list of strings, got {raw!r}")
        if not allow_empty and not raw:
            raise ConfigError(self.key(name), "must not be empty")
        if len(set(raw)) != len(raw):
            raise ConfigError(self.key(name), f"has duplicate entries: {raw!r}")
        if item is None:
            return list(raw)
        return [item(f"{self.key(name)}[{i}]", value) for i, value in enumerate(raw)]

    def instance_type(self, name: str, default: Any = _MISSING, *, prefix: str = "") -> str:
        """An EC2-style instance type, optionally with a service prefix (``db.``, ``cache.``)."""
        raw = self.string(name, default)
        body = raw[len(prefix) :] if raw.startswith(prefix) else None
        if body is None or not EC2_INSTANCE_TYPE.fullmatch(body):
            raise ConfigError(
                self.key(name),
                f"malformed instance type {raw!r}",
                f"'{prefix}<family>.<size>', e.g. '{prefix}{'r6i' if prefix else 'c6i'}.xlarge'",
            )
        return raw

    def log_retention_days(self, name: str, default: Any = _MISSING) -> int:
        days = self.integer(name, default)
        if days not in LOG_RETENTION_DAYS:
            raise ConfigError(
                self.key(name),
                f"{days} is not a CloudWatch Logs retention period",
                ", ".join(map(str, LOG_RETENTION_DAYS)),
            )
        return days

    def done(self) -> None:
        """Rejects keys that were present but never read (typos, removed settings)."""
        unknown = [k for k in self._data if k not in self._read]
        if unknown:
            name = unknown[0]
            hint = difflib.get_close_matches(name, sorted(self._read), n=1)
            problem = "unknown setting" + (f", did you mean {hint[0]!r}?" if hint else "")
            raise ConfigError(self.key(name), problem, ", ".join(sorted(self._read)))


def _check_range(key: str, value: int, minimum: int | None, maximum: int | None) -> None:
    if minimum is not None and value < minimum:
        bound = f">= {minimum}" if maximum is None else f"{minimum}..{maximum}"
        what = "must be positive" if minimum == 1 and maximum is None else f"must be {bound}"
        raise ConfigError(key, f"{what}, got {value}", bound)
    if maximum is not None and value > maximum:
        bound = f"<= {maximum}" if minimum is None else f"{minimum}..{maximum}"
        raise ConfigError(key, f"must be {bound}, got {value}", bound)


def parse_cidr(key: str, value: str) -> ipaddress.IPv4Network:
    """A strict IPv4 CIDR (host bits must be zero)."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError) as err:
        raise ConfigError(key, f"malformed CIDR {value!r}: {err}", "e.g. '10.0.0.0/16'") from err


def check_scaling(key: str, minimum: int, desired: int, maximum: int) -> None:
    """min <= desired <= max for an auto-scaled group at ``key``."""
    if minimum > maximum:
        raise ConfigError(f"{key}.min", f"min ({minimum}) is greater than max ({maximum})")
    if not minimum <= desired <= maximum:
        raise ConfigError(
            f"{key}.desired",
            f"desired ({desired}) is outside min..max ({minimum}..{maximum})",
        )
