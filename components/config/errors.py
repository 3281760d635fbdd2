"""The error types for bad stack configuration."""

from __future__ import annotations

from collections.abc import Sequence


class ConfigError(ValueError):
    """Invalid stack configuration, raised before any resource is registered.

    The message always starts with the full config key (``trading-platform:network.azCount``) so a
    user can find the line in ``Pulumi.<stack>.yaml`` that needs fixing.
    """

    def __init__(self, key: str, problem: str, allowed: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.allowed = allowed
        super().__init__(self.line)

    @property
    def line(self) -> str:
        message = f"{self.key}: {self.problem}"
        if self.allowed:
            message += f" (allowed: {self.allowed})"
        return message


class StackConfigError(ConfigError):
    """Every problem of one stack's config, in the order their keys appear in the stack file.

    It is a ``ConfigError`` naming the first problem, so ``except ConfigError`` and ``.key`` keep
    working; ``errors`` holds them all and the message lists one per line.
    """

    def __init__(self, errors: Sequence[ConfigError], stack_file: str) -> None:
        if not errors:
            raise ValueError("StackConfigError needs at least one error")
        self.errors = tuple(errors)
        self.stack_file = stack_file
        first = self.errors[0]
        super().__init__(first.key, first.problem, first.allowed)
        count = len(self.errors)
        lines = [error.line for error in self.errors]
        lines.append(f"({count} problem{'s' if count > 1 else ''} in {stack_file})")
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


class SettingError(ValueError):
    """A problem found by a validator, ``at`` a path relative to the value being validated.

    The loader turns it into a ``ConfigError`` with the full key; a validator raises it (as
    pydantic wants a ``ValueError``) rather than building keys itself.
    """

    def __init__(
        self, problem: str, allowed: str | None = None, *, at: tuple[str | int, ...] = ()
    ) -> None:
        self.problem = problem
        self.allowed = allowed
        self.at = at
        super().__init__(problem)


class SettingGroupError(ValueError):
    """Several independent problems of one object (cross-field rules), reported together."""

    def __init__(self, problems: Sequence[SettingError]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.problem for p in problems))


def raise_all(problems: Sequence[SettingError]) -> None:
    """Raises the problems a model validator collected, if any."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SettingGroupError(problems)
