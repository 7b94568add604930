"""Schedule rules, lunar dates and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features.broadcasts.rules import (
    QuietHours,
    Rule,
    next_after,
    parse_once,
    parse_yearly,
    upcoming,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)  # type: ignore[misc]


def test_lunar_yearly_with_offset_across_the_year_boundary() -> None:
    rule = Rule("lunar", 7, 0, day=1, month=1, offset=-15)
    # Late December 2026: 15 days before Tết 2027 (6 Feb) is 22 Jan 2027.
    assert next_after(rule, local(2026, 12, 30, 9), TZ) == local(2027, 1, 22, 7)
    # Just after it ran, the next one is before Tết 2028 (26 Jan 2028 → 11 Jan).
    assert next_after(rule, local(2027, 1, 22, 7), TZ) == local(2028, 1, 11, 7)


def test_lunar_day_30_in_a_short_month_is_its_last_day() -> None:
    rule = Rule("lunar", 8, 0, day=30, month=12)
    found = next_after(rule, local(2026, 1, 1), TZ)
    assert found is not None
    # The day before Tết 2026 (17 Feb) is the last day of the 12th month.
    assert found.astimezone(TZ).date() == date(2026, 2, 16)


def test_once() -> None:
    rule = Rule("once", 7, 30, on="2027-01-02")
    assert next_after(rule, local(2026, 12, 31), TZ) == local(2027, 1, 2, 7, 30)
    assert next_after(rule, local(2027, 1, 2, 7, 30), TZ) is None


def test_daily_weekly_monthly_cross_the_new_year() -> None:
    now = local(2026, 12, 31, 20)
    assert next_after(Rule("daily", 7), now, TZ) == local(2027, 1, 1, 7)
    assert next_after(Rule("weekly", 7, weekday=0), now, TZ) == local(2027, 1, 4, 7)
    monthly = upcoming(Rule("monthly", 7, day=31), now, TZ, 3)
    assert [d.astimezone(TZ).date() for d in monthly] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


def test_solar_yearly_19_august() -> None:
    rule = Rule("solar", 7, day=19, month=8)
    assert next_after(rule, local(2026, 8, 19, 7), TZ) == local(2027, 8, 19, 7)
    assert next_after(rule, local(2026, 8, 19, 6), TZ) == local(2026, 8, 19, 7)


def test_cron_uses_standard_weekdays() -> None:
    rule = Rule("cron", cron="0 7 * * 1")
    assert next_after(rule, local(2026, 12, 31, 20), TZ) == local(2027, 1, 4, 7)
    with pytest.raises(ValueError):
        Rule("cron", cron="0 7 * *")


def test_parsing_what_officers_type() -> None:
    now = local(2026, 5, 1, 10)
    assert parse_once("25/12/2026 07:30", now, TZ) == Rule("once", 7, 30, on="2026-12-25")
    with pytest.raises(ValueError):
        parse_once("1/1/2020 07:00", now, TZ)
    assert parse_yearly("19/8 7:30", lunar=False) == (19, 8, 7, 30)
    assert parse_yearly("30/12", lunar=True) == (30, 12, 7, 0)
    with pytest.raises(ValueError):
        parse_yearly("30/2", lunar=False)


def test_quiet_hours_hold_until_morning() -> None:
    quiet = QuietHours()
    assert quiet.hold_until(local(2026, 5, 1, 20, 59), TZ) is None
    assert quiet.hold_until(local(2026, 5, 1, 21, 0), TZ) == local(2026, 5, 2, 6)
    assert quiet.hold_until(local(2026, 5, 2, 5, 30), TZ) == local(2026, 5, 2, 6)
    assert quiet.hold_until(local(2026, 5, 2, 6, 0), TZ) is None
    assert QuietHours.parse("off").hold_until(local(2026, 5, 1, 23), TZ) is None
    day = QuietHours.parse("12:00-13:30")
    assert day.hold_until(local(2026, 5, 1, 12, 10), TZ) == local(2026, 5, 1, 13, 30)
