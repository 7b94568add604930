"""The rules of handling a report as a police post does (pure: tests call them directly): who a
report is given to by default, where it may be transferred, the deadlines of a commune, when
each escalation is due, and the timeliness figures (shares on time, medians).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import N_
from bot.storage.category_deadlines import CategoryDeadline
from bot.storage.report_handling import StoredDeadlines, Timing
from bot.storage.report_settings import ReportSettings
from bot.storage.reports import Target

# Routing ------------------------------------------------------------------------------------


def default_assignee(target: Target, area_leaders: Sequence[int]) -> int | None:
    """Who a new report is given to: the area's leader for a report for leaders when the area
    has one leader (with several, the first of them to acknowledge it takes it); nobody for a
    report for the commune police (its officers all see it until one is chosen or acknowledges)."""
    if target == Target.LEADERS and len(area_leaders) == 1:
        return area_leaders[0]
    return None


# Transfer -----------------------------------------------------------------------------------
# The bodies a report can be handed to, as stored (reports.transferred_to) and as named.
DESTINATIONS: dict[str, str] = {
    "province": N_("the provincial police"),
    "fire": N_("fire and rescue (114)"),
    "committee": N_("the commune People's Committee"),
    "health": N_("health services (115)"),
}


# Deadlines ----------------------------------------------------------------------------------
DEFAULT_RESOLVE_DAYS = 7
ACK_NOW_CHOICES = (15, 30, 60, 120)  # minutes
ACK_CHOICES = (4 * 60, 8 * 60, 12 * 60, 24 * 60, 48 * 60)  # minutes
RESOLVE_CHOICES = (3, 5, 7, 10, 15, 30)  # days


@dataclass(frozen=True)
class Deadlines:
    """A commune's deadlines: acknowledge (happening now, others) and resolve."""

    ack_minutes_now: int
    ack_minutes: int
    resolve_days: int

    @classmethod
    def of(cls, stored: StoredDeadlines | None, deployment: ReportSettings) -> Deadlines:
        """What the commune set, else the deployment's acknowledgement hours and 7 days."""
        if stored is not None:
            return cls(stored.ack_minutes_now, stored.ack_minutes, stored.resolve_days)
        return cls(
            round(deployment.ack_hours_now * 60),
            round(deployment.ack_hours * 60),
            DEFAULT_RESOLVE_DAYS,
        )

    def stored(self) -> StoredDeadlines:
        return StoredDeadlines(self.ack_minutes_now, self.ack_minutes, self.resolve_days)

    def ack_period(self, happening_now: bool) -> timedelta:
        return timedelta(minutes=self.ack_minutes_now if happening_now else self.ack_minutes)

    def ack_due(self, start: datetime, happening_now: bool) -> datetime:
        return start + self.ack_period(happening_now)

    @property
    def resolve_period(self) -> timedelta:
        return timedelta(days=self.resolve_days)

    def resolve_due(self, start: datetime) -> datetime:
        return start + self.resolve_period

    def for_category(self, own: CategoryDeadline) -> Deadlines:
        """These (the commune's general) deadlines with a category's own over them. A report
        happening now keeps the faster acknowledgement, unless the category's own is shorter."""
        ack = own.ack_minutes if own.ack_minutes is not None else self.ack_minutes
        resolve = own.resolve_days if own.resolve_days is not None else self.resolve_days
        return Deadlines(min(self.ack_minutes_now, ack), ack, resolve)


# Built-in deadlines of the categories where the general ones do not fit (a commune's officers
# change them or reset them to the general ones): a fire hazard is seen to within half an hour
# and removed within 3 days; a fight within an hour; a dispute needs mediation sessions (30
# days); littering and encroachment go through the People's Committee (15 days).
BUILT_IN_DEADLINES: dict[str, CategoryDeadline] = {
    "fire": CategoryDeadline(ack_minutes=30, resolve_days=3),
    "disorder": CategoryDeadline(ack_minutes=60),
    "dispute": CategoryDeadline(resolve_days=30),
    "littering": CategoryDeadline(resolve_days=15),
}
CATEGORY_ACK_CHOICES = (30, 60, 2 * 60, 4 * 60, 8 * 60, 12 * 60, 24 * 60, 48 * 60)  # minutes
CATEGORY_RESOLVE_CHOICES = (1, 3, 5, 7, 10, 15, 30, 60)  # days


def category_deadline(category: str, stored: dict[str, CategoryDeadline]) -> CategoryDeadline:
    """A category's own deadlines: what the commune set (a reset keeps None: the general
    ones), else the built-in ones, else none (the general ones)."""
    if category in stored:
        return stored[category]
    return BUILT_IN_DEADLINES.get(category, CategoryDeadline())


def following(choices: Sequence[int], current: int) -> int:
    """The next choice after ``current`` (round to the first)."""
    bigger = [c for c in choices if c > current]
    return bigger[0] if bigger else choices[0]


@dataclass(frozen=True)
class Step:
    """One escalation: of which deadline ("ack" or "resolve"), its level (1: the commune's
    officers; 2: the province's), and the deadline it escalates."""

    kind: str
    level: int
    due: datetime


def due_steps(
    now: datetime,
    ack_due: datetime | None,
    resolve_due: datetime | None,
    *,
    waiting: bool,
    deadlines: Deadlines,
    happening_now: bool,
) -> list[Step]:
    """The escalations due at ``now``. A missed acknowledgement goes to the commune's officers
    (level 1, done by the acknowledgement timer) and, one more period later, to the province's
    (level 2); a missed resolution likewise, one resolution period apart."""
    steps = []
    if waiting and ack_due is not None and now >= ack_due + deadlines.ack_period(happening_now):
        steps.append(Step("ack", 2, ack_due))
    if resolve_due is not None and now >= resolve_due:
        steps.append(Step("resolve", 1, resolve_due))
        if now >= resolve_due + deadlines.resolve_period:
            steps.append(Step("resolve", 2, resolve_due))
    return steps


# Figures ------------------------------------------------------------------------------------
def median_minutes(values: Iterable[timedelta]) -> float | None:
    """The median of durations in minutes (one decimal), None for none."""
    ordered = sorted(v.total_seconds() / 60 for v in values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round(value, 1)


@dataclass(frozen=True)
class Timeliness:
    """How quickly a set of reports was handled. A report counts for a share once its deadline
    has passed or it was handled (one still inside its deadline is not late yet)."""

    acknowledged_due: int  # reports whose acknowledgement counts
    acknowledged_on_time: int
    resolved_due: int
    resolved_on_time: int
    median_ack_minutes: float | None
    median_resolve_minutes: float | None

    @property
    def acknowledged_percent(self) -> float | None:
        return _percent(self.acknowledged_on_time, self.acknowledged_due)

    @property
    def resolved_percent(self) -> float | None:
        return _percent(self.resolved_on_time, self.resolved_due)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def timeliness(rows: Iterable[Timing], now: datetime) -> Timeliness:
    ack_due = ack_ok = res_due = res_ok = 0
    ack_times: list[timedelta] = []
    res_times: list[timedelta] = []
    for r in rows:
        if r.acknowledged_at is not None:
            ack_times.append(r.acknowledged_at - r.created_at)
        if r.closed_at is not None:
            res_times.append(r.closed_at - r.created_at)
        if r.ack_due_at is not None and (r.acknowledged_at is not None or now > r.ack_due_at):
            ack_due += 1
            ack_ok += r.acknowledged_at is not None and r.acknowledged_at <= r.ack_due_at
        if r.resolve_due_at is not None and (r.closed_at is not None or now > r.resolve_due_at):
            res_due += 1
            res_ok += r.closed_at is not None and r.closed_at <= r.resolve_due_at
    return Timeliness(
        ack_due,
        ack_ok,
        res_due,
        res_ok,
        median_minutes(ack_times),
        median_minutes(res_times),
    )
