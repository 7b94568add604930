"""When a broadcast goes out: schedule rules and their next run times, quiet hours, and the
parsing of what officers type (dates, times, lunar dates, cron expressions).

All times of day are local (the deployment's time zone, Asia/Ho_Chi_Minh by default); the
results are aware datetimes in UTC. Lunar dates use the Vietnamese calendar (UTC+7), see
``bot.features.broadcasts.lunar``.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.features.broadcasts.lunar import lunar_to_solar

KINDS = ("once", "daily", "weekly", "monthly", "cron", "solar", "lunar")


@dataclass(frozen=True)
class Rule:
    kind: str
    hour: int = 7
    minute: int = 0
    on: str | None = None  # once: ISO date
    weekday: int = 0  # weekly: 0 = Monday
    day: int = 1  # monthly, solar and lunar: day of the month
    month: int = 1  # solar and lunar: month
    offset: int = 0  # lunar: days added to the lunar date (negative: before it)
    cron: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}")
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError("time of day out of range")
        if self.kind == "cron":
            cron_trigger(self.cron, ZoneInfo("UTC"))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Rule:
        return cls(**json.loads(text))

    @property
    def recurring(self) -> bool:
        return self.kind != "once"

    @property
    def at(self) -> time:
        return time(self.hour, self.minute)


DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(field: str) -> str:
    """Standard cron weekdays (0 or 7 = Sunday, 1 = Monday) as APScheduler day names
    (APScheduler counts 0 as Monday); numeric ranges are spelled out."""
    items = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        if base == "*" or not re.fullmatch(r"\d+(-\d+)?", base):
            items.append(item)
            continue
        first, _, last = base.partition("-")
        start, end = int(first), int(last or first)
        if not (0 <= start <= 7 and 0 <= end <= 7 and start <= end):
            raise ValueError("weekday out of range")
        days = list(range(start, end + 1))[:: int(step) if step else 1]
        items.extend(DAY_NAMES[d] for d in days)
    return ",".join(dict.fromkeys(items))


def cron_trigger(expression: str, tz: ZoneInfo) -> CronTrigger:
    """A standard 5-field cron expression (minute hour day month weekday); ValueError if bad."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("a cron expression has 5 fields")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekdays(weekday),
        timezone=tz,
    )


# Next run times -------------------------------------------------------------------------------
def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_after(rule: Rule, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first run strictly after ``after`` (UTC), or None when there is none."""
    local = after.astimezone(tz)
    today = local.date()
    if rule.kind == "once":
        assert rule.on is not None
        when = _local(date.fromisoformat(rule.on), rule.at, tz)
        return when if when > after else None
    if rule.kind == "daily":
        when = _local(today, rule.at, tz)
        return when if when > after else _local(today + timedelta(days=1), rule.at, tz)
    if rule.kind == "weekly":
        ahead = (rule.weekday - today.weekday()) % 7
        when = _local(today + timedelta(days=ahead), rule.at, tz)
        return when if when > after else when + timedelta(days=7)
    if rule.kind == "monthly":
        year, month = today.year, today.month
        for _ in range(14):
            when = _local(_clamped(year, month, rule.day), rule.at, tz)
            if when > after:
                return when
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None
    if rule.kind == "solar":
        for year in range(today.year, today.year + 3):
            when = _local(_clamped(year, rule.month, rule.day), rule.at, tz)
            if when > after:
                return when
        return None
    if rule.kind == "lunar":
        for lunar_year in range(today.year - 1, today.year + 3):
            day = lunar_to_solar(lunar_year, rule.month, rule.day) + timedelta(days=rule.offset)
            when = _local(day, rule.at, tz)
            if when > after:
                return when
        return None
    trigger = cron_trigger(rule.cron, tz)
    fire = trigger.get_next_fire_time(None, local + timedelta(seconds=1))
    return fire.astimezone(UTC) if fire is not None else None


def upcoming(rule: Rule, after: datetime, tz: ZoneInfo, count: int = 3) -> list[datetime]:
    """The next ``count`` runs (fewer for a one-off): shown so officers can check them."""
    found: list[datetime] = []
    when: datetime | None = after
    while len(found) < count and when is not None:
        when = next_after(rule, when, tz)
        if when is not None:
            found.append(when)
    return found


# Quiet hours ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(6, 0)
    enabled: bool = True

    def hold_until(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """When a non-urgent message queued at ``moment`` may go out; None if it may now."""
        if not self.enabled or self.start == self.end:
            return None
        local = moment.astimezone(tz)
        now = local.time()
        crosses_midnight = self.start > self.end
        quiet = (
            (now >= self.start or now < self.end)
            if crosses_midnight
            else (self.start <= now < self.end)
        )
        if not quiet:
            return None
        end = datetime.combine(local.date(), self.end, tzinfo=tz)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)

    def to_text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}" if self.enabled else "off"

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        cleaned = text.strip().lower()
        if cleaned in ("off", "tat", "tắt", "không", "khong", "0"):
            return cls(enabled=False)
        parts = re.split(r"\s*(?:-|–|đến|den|to)\s*", cleaned)
        if len(parts) != 2:
            raise ValueError("quiet hours are two times, e.g. 21:00-06:00")
        start, end = parse_time(parts[0]), parse_time(parts[1])
        return cls(time(*start), time(*end))


# What officers type ---------------------------------------------------------------------------
TIME = re.compile(r"^(\d{1,2})(?:[:hg.](\d{2})?)?(?:p|')?$")


def parse_time(text: str) -> tuple[int, int]:
    """“7:30”, “07h30”, “7h”, “19.05” → (hour, minute)."""
    match = TIME.match(text.strip().lower().replace(" ", ""))
    if not match:
        raise ValueError("not a time")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError("not a time")
    return hour, minute


def _split_when(text: str) -> tuple[str, str | None]:
    parts = text.strip().split()
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError("too many parts")


def parse_day_month(text: str, *, lunar: bool = False) -> tuple[int, int]:
    """“19/8” → (19, 8). Lunar days go up to 30."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})", text.strip())
    if not match:
        raise ValueError("not a day/month")
    day, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError("no such month")
    longest = 30 if lunar else calendar.monthrange(2024, month)[1]
    if not 1 <= day <= longest:
        raise ValueError("no such day")
    return day, month


def parse_date(text: str, today: date) -> date:
    """“25/12/2026”, “25/12/26” or “25/12” (the next such day from today)."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?", text.strip())
    if not match:
        raise ValueError("not a date")
    day, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        year = int(match.group(3))
        year += 2000 if year < 100 else 0
        return date(year, month, day)
    found = date(today.year, month, day)
    return found if found >= today else date(today.year + 1, month, day)


def parse_once(text: str, now: datetime, tz: ZoneInfo) -> Rule:
    """“25/12/2026 07:30” → a one-off rule; ValueError when unreadable or in the past."""
    day_text, time_text = _split_when(text)
    if time_text is None:
        raise ValueError("a date and a time are needed")
    day = parse_date(day_text, now.astimezone(tz).date())
    hour, minute = parse_time(time_text)
    rule = Rule("once", hour, minute, on=day.isoformat())
    if next_after(rule, now, tz) is None:
        raise ValueError("in the past")
    return rule


def parse_yearly(text: str, *, lunar: bool) -> tuple[int, int, int, int]:
    """“19/8 7:30” → (day, month, hour, minute); the time defaults to 07:00."""
    day_text, time_text = _split_when(text)
    day, month = parse_day_month(day_text, lunar=lunar)
    hour, minute = parse_time(time_text) if time_text else (7, 0)
    return day, month, hour, minute


def parse_monthly(text: str) -> tuple[int, int, int]:
    """“15 7:30” → (day, hour, minute)."""
    day_text, time_text = _split_when(text)
    if not day_text.isdigit() or not 1 <= int(day_text) <= 31:
        raise ValueError("not a day of the month")
    hour, minute = parse_time(time_text) if time_text else (7, 0)
    return int(day_text), hour, minute
