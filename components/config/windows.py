"""Backup, snapshot and maintenance windows: parsing and overlap checks, no Pulumi.

RDS and ElastiCache take a daily window as ``hh:mm-hh:mm`` and a weekly one as
``ddd:hh:mm-ddd:hh:mm`` (UTC). A backup that runs while the instance is being patched is slowed
or skipped, so the two must not overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import SettingError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^{_TIME}-{_TIME}$")
DAILY_RULE = "'hh:mm-hh:mm' in UTC, e.g. '03:00-04:00'"
WEEKLY_RULE = "'ddd:hh:mm-ddd:hh:mm' in UTC, e.g. 'mon:04:00-mon:05:00'"
_WEEKLY = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """A window as minutes from Monday 00:00; daily windows repeat every day."""

    text: str
    start: int
    length: int
    daily: bool

    def occurrences(self) -> list[tuple[int, int]]:
        """[start, end) intervals in minutes of the week, each also shifted back a week so a
        window running past Sunday midnight covers Monday morning too."""
        starts = (
            [self.start + day * _DAY_MINUTES for day in range(7)] if self.daily else [self.start]
        )
        return [
            (begin + shift, begin + self.length + shift)
            for begin in starts
            for shift in (0, -_WEEK_MINUTES)
        ]

    def overlaps(self, other: Window) -> bool:
        return any(
            a_start < b_end and b_start < a_end
            for a_start, a_end in self.occurrences()
            for b_start, b_end in other.occurrences()
        )


def _length(start: int, end: int, period: int) -> int:
    return (end - start) % period


def parse_daily(text: str, *, minimum_minutes: int) -> Window:
    match = _DAILY.fullmatch(text)
    if not match:
        raise SettingError(f"malformed window {text!r}", DAILY_RULE)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    window = Window(text, start, _length(start, end, _DAY_MINUTES), daily=True)
    _check_length(window, minimum_minutes, _DAY_MINUTES)
    return window


def parse_weekly(text: str, *, minimum_minutes: int) -> Window:
    match = _WEEKLY.fullmatch(text)
    if not match:
        raise SettingError(f"malformed window {text!r}", WEEKLY_RULE)
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1.lower()) * _DAY_MINUTES + int(h1) * 60 + int(m1)
    end = DAYS.index(d2.lower()) * _DAY_MINUTES + int(h2) * 60 + int(m2)
    window = Window(text.lower(), start, _length(start, end, _WEEK_MINUTES), daily=False)
    _check_length(window, minimum_minutes, _DAY_MINUTES)
    return window


def _check_length(window: Window, minimum: int, maximum: int) -> None:
    if not minimum <= window.length <= maximum:
        raise SettingError(
            f"window {window.text!r} lasts {window.length} minutes",
            f"{minimum} minutes to 24 hours",
        )


def check_apart(backup: Window, maintenance: Window) -> None:
    """Raised at the maintenance window, the one a user would usually move."""
    if backup.overlaps(maintenance):
        raise SettingError(
            f"{maintenance.text!r} overlaps the backup window {backup.text!r}; "
            "patching during a backup slows or skips it"
        )


def window_problems(
    daily_key: str, daily: str, maintenance: str, *, minimum_minutes: int
) -> tuple[list[SettingError], str]:
    """A store's daily backup (or snapshot) window and its weekly ``maintenanceWindow``, each
    at least ``minimum_minutes`` long and never overlapping: the problems found (at their keys)
    and the maintenance window as RDS and ElastiCache report it (lower case)."""
    problems: list[SettingError] = []
    windows: list[Window] = []
    for key, text, parse in (
        (daily_key, daily, parse_daily),
        ("maintenanceWindow", maintenance, parse_weekly),
    ):
        try:
            windows.append(parse(text, minimum_minutes=minimum_minutes))
        except SettingError as problem:
            problems.append(SettingError(problem.problem, problem.allowed, at=(key,)))
    if not problems:
        try:
            check_apart(*windows)
        except SettingError as problem:
            problems.append(SettingError(problem.problem, at=("maintenanceWindow",)))
    return problems, windows[1].text if len(windows) == 2 else maintenance.lower()
