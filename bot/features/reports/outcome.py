"""The outcome of a report as its reporter meets it: rating it (satisfied or not, with a
reason) and reopening it once within a set time. Plain rules first (tests call them
directly), then the use cases.

The reporter's buttons carry a sealed reference to the report they sent (``reach.ref_of``);
a reporter whose report was merged into another rates and reopens through their own report,
and the reopening reopens the report they follow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.context import CoreConfig
from bot.core.events import Option
from bot.features.reports import reach
from bot.features.reports.actions import ANSWER, Answer
from bot.i18n import N_, Translator
from bot.storage import audit, report_feedback
from bot.storage import reports as repo
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.reports import Report, Status

# What a reporter may reopen: a report closed with an outcome (not a merged one: that follows
# the original).
REOPENABLE = frozenset({Status.RESOLVED, Status.NOT_OURS})
RATABLE = REOPENABLE

# Reasons a reporter can pick when not satisfied (typed reasons are kept as typed).
REASONS: dict[str, str] = {
    "notfixed": N_("The problem is not fixed"),
    "slow": N_("It took too long"),
    "unclear": N_("I was not told clearly what was done"),
}


class Reopen(StrEnum):
    OK = "ok"
    ONCE = "once"  # the reporter reopened it already
    LATE = "late"  # the window has passed
    NOT_CLOSED = "not_closed"  # it is not closed (any more)


def may_reopen(
    status: Status, closed_at: datetime | None, now: datetime, days: int, already: bool
) -> Reopen:
    """May the reporter reopen a report now? Once, within ``days`` of its closing."""
    if status not in REOPENABLE or closed_at is None:
        return Reopen.NOT_CLOSED
    if already:
        return Reopen.ONCE
    if now - closed_at > timedelta(days=days):
        return Reopen.LATE
    return Reopen.OK


def reason_label(t: Translator, reason: str | None) -> str:
    if reason is None:
        return "-"
    key = REASONS.get(reason)
    return t.plain(key) if key else reason


def outcome_options(t: Translator, config: CoreConfig, own: Report) -> list[list[Option]]:
    """The reporter's buttons under an outcome: satisfied, not satisfied, reopen."""
    ref = reach.ref_of(config, own)
    return [
        [
            Option(t.plain("😊 Satisfied"), action=ANSWER(Answer.GOOD, ref)),
            Option(t.plain("😞 Not satisfied"), action=ANSWER(Answer.BAD, ref)),
        ],
        [Option(t.plain("🔄 Not fixed: reopen"), action=ANSWER(Answer.REOPEN, ref))],
    ]


async def followed(conn: Connection, own: Report) -> Report:
    """The report whose progress ``own``'s reporter follows: the original when ``own`` was
    merged into it, else ``own``."""
    if own.status == Status.DUPLICATE and own.duplicate_of is not None:
        original = await repo.get(conn, own.duplicate_of)
        if original is not None:
            return original
    return own


async def rate(
    conn: Connection,
    own: Report,
    satisfied: bool,
    reason: str | None,
    now: datetime,
) -> bool:
    """Keep the reporter's rating of the outcome (False when the report they follow is not
    closed with an outcome any more)."""
    target = await followed(conn, own)
    if target.status not in RATABLE:
        return False
    await report_feedback.rate(conn, own.id, satisfied, reason, now)
    await audit.record(
        conn, now, None, "report.rated", "report", own.id, satisfied=satisfied, by="reporter"
    )
    return True


async def reopen_by_reporter(
    conn: Connection,
    config: CoreConfig,
    own: Report,
    member: Member | None,
    now: datetime,
) -> tuple[Reopen, Report]:
    """Reopen the report ``own``'s reporter follows, once, within the window: its handlers get
    the card again. ``member``: the reporter of a named report (None for an anonymous one:
    the reopening names nobody). Returns what came of it and the report reopened (or as it
    is)."""
    from bot.features.reports.service import reopen

    target = await followed(conn, own)
    # Once for the matter: by its reporter or by any reporter whose report was merged into it.
    family = [own.id, target.id, *[r.id for r in await reach.followers(conn, target)]]
    # Closed when it moved to its closed status: a message in the thread since (which
    # touches the report's updated_at) does not stretch the window.
    closed = target.resolved_at or await report_feedback.closed_at(
        conn, target.id, frozenset(s.value for s in REOPENABLE)
    )
    check = may_reopen(
        target.status,
        closed or target.updated_at,
        now,
        config.reopen_days,
        await report_feedback.reopened_any(conn, family),
    )
    if check != Reopen.OK:
        return check, target
    result = await reopen(conn, config, target, None if own.anonymous else member, now)
    if not result.changed:
        return Reopen.NOT_CLOSED, result.report
    await report_feedback.record_reopening(conn, own.id, now)
    return Reopen.OK, result.report
