"""Periods for figures (this month, quarter, year, two dates) and dates and times people type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_

DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
TIME = re.compile(r"^(\d{1,2})(?:[:hg](\d{2})?)?$")
ROLLBACK_DAYS = 31
# Weekday names, Monday first (as date.weekday() counts), for every screen that names one.
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a date people type may have
PERIOD_CODES = ("month", "last_month", "quarter", "year", "last_year")


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive (local calendar)
    end: date  # last day, inclusive

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC for the local days of the period."""
        begin = datetime.combine(self.start, time(0), tz).astimezone(UTC)
        finish = datetime.combine(self.end + timedelta(days=1), time(0), tz).astimezone(UTC)
        return begin, finish

    def months(self) -> list[tuple[int, int]]:
        found, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def month_bounds(self, tz: ZoneInfo) -> list[tuple[tuple[int, int], tuple[datetime, datetime]]]:
        """Each local month of the period, cut to the period, with its [start, end) in UTC:
        the buckets the figures count per month (31/10 23:30 local is October)."""
        found = []
        for year, month in self.months():
            first = max(self.start, date(year, month, 1))
            last = min(self.end, _month_end(year, month))
            found.append(((year, month), Period(first, last).utc_bounds(tz)))
        return found


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def named_period(code: str, today: date) -> Period | None:
    if code == "month":
        return Period(today.replace(day=1), _month_end(today.year, today.month))
    if code == "last_month":
        first = today.replace(day=1) - timedelta(days=1)
        return Period(first.replace(day=1), first)
    if code == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        return Period(date(today.year, first_month, 1), _month_end(today.year, first_month + 2))
    if code == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    if code == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    return None


def parse_date(text: str, today: date, *, past: bool = False) -> date | None:
    """``21/11/2026``, ``21/11/26`` or ``21/11`` (this year). With ``past``, a date typed
    without a year more than a month ahead means that day of last year (``28/12`` typed in
    January); a nearer future date stays in the future, so the caller can refuse it."""
    match = DATE.match(text.strip())
    if not match:
        return None
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    year = today.year if year_text is None else int(year_text)
    if year < 100:
        year += 2000
    if not FIRST_YEAR <= year <= LAST_YEAR:  # a typo, and beyond what time zones can compute
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if past and year_text is None and (found - today).days > ROLLBACK_DAYS:
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:
            return None
    return found


def parse_time(text: str) -> time | None:
    """``19:30``, ``19h30``, ``19h``, ``7g``, ``19``."""
    match = TIME.match(text.strip().lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


SPLIT_DATES = re.compile(r"\s*(?:-|–|—|đến|den|to|\s)\s*")


def parse_two_dates(text: str, today: date) -> Period | str:
    """Two dates (``1/1/2026 31/3/2026``, ``1/1 - 31/3``) → a period, or a problem code:
    ``format`` or ``order``."""
    parts = [p for p in SPLIT_DATES.split(text.strip()) if p]
    if len(parts) != 2:
        return "format"
    first, last = parse_date(parts[0], today), parse_date(parts[1], today)
    if first is None or last is None:
        return "format"
    if last < first:
        return "order"
    return Period(first, last)
