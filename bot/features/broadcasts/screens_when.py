"""The "when" part of /broadcast: choosing and typing a schedule, and describing it back with
the coming dates so the officer can check them (lunar dates especially)."""

from __future__ import annotations

import re
from datetime import date, time

from babel.lists import format_list

from bot.core.context import Context
from bot.core.events import Option
from bot.features.broadcasts.actions import BROADCAST, Bc
from bot.features.broadcasts.rules import (
    QuietHours,
    Rule,
    cron_trigger,
    parse_monthly,
    parse_once,
    parse_time,
    parse_yearly,
    upcoming,
)
from bot.i18n import Translator
from bot.shared.periods import WEEKDAYS

OFFSETS = (0, -1, -3, -7, -15)


def when_options(ctx: Context, *, allow_now: bool) -> list[list[Option]]:
    t = ctx.t
    rows: list[list[Option]] = []
    if allow_now:
        rows.append(
            [
                Option(t.plain("▶️ Now"), action=BROADCAST(Bc.WHEN, "now")),
                Option(t.plain("🚨 Now, urgent"), action=BROADCAST(Bc.WHEN, "urgent")),
            ]
        )
    rows += [
        [
            Option(t.plain("📅 Once, at a date"), action=BROADCAST(Bc.WHEN, "once")),
            Option(t.plain("🔁 Every day"), action=BROADCAST(Bc.WHEN, "daily")),
        ],
        [
            Option(t.plain("🔁 Every week"), action=BROADCAST(Bc.WHEN, "weekly")),
            Option(t.plain("🔁 Every month"), action=BROADCAST(Bc.WHEN, "monthly")),
        ],
        [
            Option(t.plain("☀️ Yearly, solar date"), action=BROADCAST(Bc.WHEN, "solar")),
            Option(t.plain("🌙 Yearly, lunar date"), action=BROADCAST(Bc.WHEN, "lunar")),
        ],
        [Option(t.plain("⚙️ Cron expression"), action=BROADCAST(Bc.WHEN, "cron"))],
    ]
    return rows


def ask_for(ctx: Context, kind: str) -> None:
    """Ask the officer to type the details of a rule of ``kind``."""
    prompts = {
        "once": ctx._("Please type the date and time, for example `25/12/2026 07:30`."),
        "daily": ctx._("Please type the time of day, for example `07:30`."),
        "weekly": ctx._("Please type the time of day, for example `07:30`."),
        "monthly": ctx._(
            "Please type the day of the month and the time, for example `15 07:30`. "
            "In shorter months day 31 becomes the last day."
        ),
        "solar": ctx._(
            "Please type the day/month and the time, for example `19/8 07:00` "
            "(Ngày hội toàn dân bảo vệ an ninh Tổ quốc)."
        ),
        "lunar": ctx._(
            "Please type the *lunar* day/month and the time, for example "
            "`1/1 07:00` for Tết or `15/7 08:00` for the 15th of the 7th "
            "lunar month."
        ),
        "cron": ctx._(
            "Please type a cron expression with 5 fields (minute hour day month weekday), "
            "for example `0 7 * * 1` for every Monday at 07:00."
        ),
    }
    ctx.reply(prompts[kind])


def weekday_options(t: Translator) -> list[list[Option]]:
    buttons = [
        Option(t.plain(name), action=BROADCAST(Bc.WEEKDAY, i)) for i, name in enumerate(WEEKDAYS)
    ]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def offset_options(t: Translator) -> list[list[Option]]:
    return [[Option(offset_label(t, n), action=BROADCAST(Bc.OFFSET, n))] for n in OFFSETS]


def offset_label(t: Translator, offset: int) -> str:
    if offset == 0:
        return t.plain("On the day itself")
    if offset < 0:
        return t.plain("{count} days before", count=-offset)
    return t.plain("{count} days after", count=offset)


def parse_rule(ctx: Context, kind: str, text: str, *, weekday: int = 0) -> Rule | None:
    """The typed details as a rule (``weekday``: the one chosen for a weekly rule); None (with
    a polite explanation sent) when unreadable."""
    try:
        if kind == "once":
            return parse_once(text, ctx.now, ctx.config.tz)
        if kind in ("daily", "weekly"):
            hour, minute = parse_time(text)
            return Rule(kind, hour, minute, weekday=weekday)
        if kind == "monthly":
            day, hour, minute = parse_monthly(text)
            return Rule("monthly", hour, minute, day=day)
        if kind in ("solar", "lunar"):
            day, month, hour, minute = parse_yearly(text, lunar=kind == "lunar")
            return Rule(kind, hour, minute, day=day, month=month)
        cron_trigger(text.strip(), ctx.config.tz)
        return Rule("cron", cron=" ".join(text.split()))
    except ValueError:
        ctx.reply(
            ctx._(
                "I could not read “{text}”. Please type it again as in the example.",
                text=text[:60],
            )
        )
        return None


def _at(t: Translator, rule: Rule) -> str:
    return f"{time(rule.hour, rule.minute):%H:%M}"


def quiet_text(t: Translator, quiet: QuietHours) -> str:
    """Quiet hours as an officer reads them: "21:00-06:00", or "off" in their language."""
    return quiet.to_text() if quiet.enabled else t.plain("off")


def _listed(t: Translator, items: list[str]) -> str:
    return format_list(items, locale=t.locale)


_NUMBERS = re.compile(r"\d+(,\d+)*")
_CRON_DAYS = {"sun": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5}


def _numbers(field: str, low: int, high: int) -> list[int] | None:
    """A cron field made only of numbers (``8`` or ``8,17``) within range, or None."""
    if not _NUMBERS.fullmatch(field):
        return None
    values = sorted({int(v) for v in field.split(",")})
    return values if all(low <= v <= high for v in values) else None


def _cron_weekdays(field: str) -> list[int] | None:
    """Cron weekdays (0 or 7 = Sunday, 1 = Monday, names, ranges) as 0 = Monday ... 6 = Sunday."""
    days: set[int] = set()
    for item in field.lower().split(","):
        first, _, last = item.partition("-")
        if first in _CRON_DAYS and (not last or last in _CRON_DAYS):
            a, b = _CRON_DAYS[first], _CRON_DAYS[last or first]
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif first.isdigit() and (not last or last.isdigit()):
            a, b = int(first), int(last or first)
            if not (0 <= a <= b <= 7):
                return None
            days.update((d - 1) % 7 for d in range(a, b + 1))
        else:
            return None
    return sorted(days)


def describe_cron(t: Translator, cron: str) -> str:
    """A cron expression in words ("every Monday at 08:00"), never the expression itself;
    what does not fit the usual shapes is called a custom schedule (its coming runs are shown
    beside it)."""
    fields = cron.split()
    if len(fields) == 5:
        minutes, hours = _numbers(fields[0], 0, 59), _numbers(fields[1], 0, 23)
        dom, month, dow = fields[2], fields[3], fields[4]
        if minutes is not None and hours is not None and len(minutes) == 1:
            at = _listed(t, [f"{time(h, minutes[0]):%H:%M}" for h in hours])
            days, months = _numbers(dom, 1, 31), _numbers(month, 1, 12)
            if dom == "*" and month == "*" and dow == "*":
                return t._("every day at {at}", at=at)
            weekdays = _cron_weekdays(dow) if dow != "*" else None
            if dom == "*" and month == "*" and weekdays:
                if len(weekdays) == 7:
                    return t._("every day at {at}", at=at)
                names = [t.plain(WEEKDAYS[d]) for d in weekdays]
                return t._("every {weekday} at {at}", weekday=_listed(t, names), at=at)
            if days and month == "*" and dow == "*":
                return t._(
                    "on day {day} of every month at {at}",
                    day=_listed(t, [str(d) for d in days]),
                    at=at,
                )
            if days and months and dow == "*":
                try:
                    dates = [t.day_month(d, m) for m in months for d in days]
                except ValueError:  # a day the month does not have (31/4): said as custom
                    dates = []
                if dates:
                    return t._("every year on {date} at {at}", date=_listed(t, dates), at=at)
    return t._("on a custom schedule (see the coming runs)")


def describe(t: Translator, rule: Rule) -> str:
    at = _at(t, rule)
    if rule.kind == "once":
        day: date | str = date.fromisoformat(rule.on) if rule.on else "?"
        return t._("once, on {day} at {at}", day=day, at=at)
    if rule.kind == "daily":
        return t._("every day at {at}", at=at)
    if rule.kind == "weekly":
        return t._("every {weekday} at {at}", weekday=t.plain(WEEKDAYS[rule.weekday]), at=at)
    if rule.kind == "monthly":
        return t._("on day {day} of every month at {at}", day=str(rule.day), at=at)
    if rule.kind == "solar":
        return t._("every year on {date} at {at}", date=t.day_month(rule.day, rule.month), at=at)
    if rule.kind == "lunar":
        return t._(
            "every year on lunar {date} ({offset}) at {at}",
            date=f"{rule.day}/{rule.month}",
            offset=offset_label(t, rule.offset).lower(),
            at=at,
        )
    return describe_cron(t, rule.cron)


def coming(ctx: Context, rule: Rule) -> str:
    """The next runs, one per line, for the officer to check."""
    dates = upcoming(rule, ctx.now, ctx.config.tz, 3)
    if not dates:
        return ctx._("This schedule has no run in the future.")
    lines = [ctx._("Next runs:")]
    lines += [f"• {ctx.t.when(d)}" for d in dates]
    return "\n".join(lines)
