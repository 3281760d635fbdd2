"""Maintenance and backup windows: parsing, lengths and overlap across midnight and the week."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config.errors import SettingError
from components.config.windows import (
    DAYS,
    check_apart,
    parse_daily,
    parse_weekly,
    window_problems,
)


@pytest.mark.parametrize(
    ("backup", "maintenance", "overlaps"),
    [
        ("03:00-04:00", "mon:04:00-mon:05:00", False),  # seed 002: back to back
        ("03:00-04:00", "mon:03:30-mon:04:30", True),
        ("23:30-00:30", "tue:00:00-tue:01:00", True),  # the backup runs past midnight
        ("00:00-01:00", "sun:23:30-mon:00:30", True),  # maintenance wraps the week
        ("01:00-02:00", "sun:23:30-mon:00:30", False),
        ("12:00-13:00", "wed:00:00-wed:11:59", False),
    ],
)
def test_overlap(backup: str, maintenance: str, overlaps: bool) -> None:
    b = parse_daily(backup, minimum_minutes=30)
    m = parse_weekly(maintenance, minimum_minutes=30)
    assert b.overlaps(m) is overlaps
    assert m.overlaps(b) is overlaps
    if overlaps:
        with pytest.raises(SettingError, match="overlaps the backup window"):
            check_apart(b, m)
    else:
        check_apart(b, m)


@pytest.mark.parametrize(
    ("text", "length"),
    [("mon:04:00-mon:05:00", 60), ("sun:23:00-mon:01:00", 120), ("tue:22:00-wed:02:30", 270)],
)
def test_weekly_length(text: str, length: int) -> None:
    assert parse_weekly(text, minimum_minutes=30).length == length


@pytest.mark.parametrize(
    "text", ["mon:04:00-mon:04:10", "mon:04:00-wed:04:00", "mon:25:00-mon:26:00", "xyz"]
)
def test_bad_weekly_windows(text: str) -> None:
    with pytest.raises(SettingError):
        parse_weekly(text, minimum_minutes=30)
    problems, _ = window_problems("backupWindow", "03:00-04:00", text, minimum_minutes=30)
    assert [p.at for p in problems] == [("maintenanceWindow",)]


def test_window_problems_name_each_bad_window_and_normalise_the_weekly_one() -> None:
    problems, _ = window_problems("backupWindow", "3am", "someday", minimum_minutes=30)
    assert [p.at for p in problems] == [("backupWindow",), ("maintenanceWindow",)]
    problems, maintenance = window_problems(
        "backupWindow", "03:00-04:00", "MON:04:00-MON:05:00", minimum_minutes=30
    )
    assert (problems, maintenance) == ([], "mon:04:00-mon:05:00")


@given(
    day=st.sampled_from(DAYS),
    start=st.integers(0, 24 * 60 - 1),
    length=st.integers(30, 24 * 60),
    backup_start=st.integers(0, 24 * 60 - 1),
    backup_length=st.integers(30, 23 * 60),
)
def test_overlap_matches_a_minute_by_minute_check(
    day: str, start: int, length: int, backup_start: int, backup_length: int
) -> None:
    """Against brute force: mark every minute of the week each window covers."""
    week = 7 * 24 * 60
    end = start + length
    end_day = DAYS[(DAYS.index(day) + end // (24 * 60)) % 7]
    text = (
        f"{day}:{start // 60:02d}:{start % 60:02d}-"
        f"{end_day}:{end % (24 * 60) // 60:02d}:{end % 60:02d}"
    )
    maintenance = parse_weekly(text, minimum_minutes=30)
    backup_end = (backup_start + backup_length) % (24 * 60)
    backup_text = (
        f"{backup_start // 60:02d}:{backup_start % 60:02d}-"
        f"{backup_end // 60:02d}:{backup_end % 60:02d}"
    )
    backup = parse_daily(backup_text, minimum_minutes=30)
    first = DAYS.index(day) * 24 * 60 + start
    covered = {(first + m) % week for m in range(maintenance.length)}
    backed_up = {
        (d * 24 * 60 + backup_start + m) % week for d in range(7) for m in range(backup.length)
    }
    assert maintenance.overlaps(backup) is bool(covered & backed_up)
