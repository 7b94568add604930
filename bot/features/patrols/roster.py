"""Weekly rosters: when is the next shift, and is its reminder due (Asia/Ho_Chi_Minh time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_REMIND_MINUTES = 60
REMIND_CHOICES = (30, 60, 120)


@dataclass(frozen=True)
class Shift:
    id: int
    area_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday
    start: time  # local time
    remind_minutes: int = DEFAULT_REMIND_MINUTES


def next_start(weekday: int, start: time, after: datetime, tz: ZoneInfo) -> datetime:
    """The first local ``weekday`` at ``start`` strictly after ``after``, in UTC."""
    local = after.astimezone(tz)
    days = (weekday - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days), start, tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=days + 7), start, tz)
    return candidate.astimezone(UTC)


def due_start(shift: Shift, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The start (UTC) of the shift whose reminder is due now, if any: the reminder window runs
    from ``remind_minutes`` before the start until the start, so a reminder missed while the
    bot was down is still sent late rather than never (and never after the shift began)."""
    begins = next_start(shift.weekday, shift.start, now, tz)
    if begins - timedelta(minutes=shift.remind_minutes) <= now:
        return begins
    return None
