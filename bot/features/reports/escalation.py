"""The deadlines timer: a missed deadline goes up to the next person, once.

A missed acknowledgement first goes to the commune's officers (the acknowledgement timer,
:func:`bot.features.reports.service.escalate_due`); one more period later, to the province's
officers where there are any. A missed resolution goes to the assignee (a reminder) and the
commune's officers, then one period later to the province's. Each step is kept in
``report_escalations`` in the same transaction as the messages it queues (a restart neither
loses nor repeats one) and written in the report's history.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.context import CoreConfig
from bot.features.reports import routing
from bot.features.reports.handling import Step, due_steps
from bot.features.reports.model import WAITING_STATUSES
from bot.features.reports.service import send_card
from bot.i18n import N_
from bot.storage import audit, report_handling
from bot.storage import members as members_repo
from bot.storage.db import Connection, Database
from bot.storage.members import Member
from bot.storage.reports import Report

_MARKERS = {
    ("ack", 2): report_handling.ESCALATED_PROVINCE,
    ("resolve", 1): report_handling.RESOLVE_ESCALATED,
    ("resolve", 2): report_handling.RESOLVE_ESCALATED_PROVINCE,
}
_HEADLINES = {
    ("ack", 2): N_("⏫ Escalated to the province: the commune did not acknowledge this in time."),
    ("resolve", 1): N_("⏰ Deadline missed: this report was not resolved in time."),
    ("resolve", 2): N_("⏫ Escalated to the province: the commune did not resolve this in time."),
}


async def _members(conn: Connection, ids: list[int]) -> list[Member]:
    found = []
    for member_id in dict.fromkeys(ids):
        member = await members_repo.get(conn, member_id)
        if member is not None:
            found.append(member)
    return found


async def next_people(conn: Connection, report: Report, level: int) -> list[int]:
    """Who an escalation goes to. Level 1: the assignee and the commune's own officers (the
    deployment's where the commune has none). Level 2: the province's officers, only in a
    deployment where communes have their own (else they were told at level 1)."""
    commune = await report_handling.commune_officers(conn, report.area_id)
    wide = await report_handling.wide_officers(conn)
    if level == 1:
        # The person it was given to, while they may still be given the area's reports.
        may = await report_handling.assignable(conn, report.area_id)
        first = [report.assignee_member_id] if report.assignee_member_id in may else []
        return first + (commune or wide)
    return [m for m in wide if m not in commune] if commune else []


async def escalate_report(
    conn: Connection, config: CoreConfig, report: Report, step: Step, now: datetime
) -> int:
    """Do one escalation unless it was done already; the messages it queued."""
    if not await report_handling.record_escalation(
        conn, report.id, step.kind, step.level, step.due, now
    ):
        return 0
    people = await next_people(conn, report, step.level)
    if not people:
        return 0
    queued = 0
    headline = _HEADLINES[(step.kind, step.level)]
    for member in await _members(conn, people):
        queued += await send_card(conn, config, member, report, now, headline)
    await report_handling.log_escalation(conn, report.id, _MARKERS[(step.kind, step.level)], now)
    await audit.record(
        conn,
        now,
        None,
        "report.escalated",
        "report",
        report.id,
        deadline=step.kind,
        level=step.level,
    )
    return queued


PAGE = 500  # reports read at a time


async def escalate_deadlines(db: Database, config: CoreConfig, now: datetime) -> int:
    """The timer's job: every open report past a deadline, each escalation due done once.
    All of them, page by page: those waiting for their next step never hide the others."""
    queued, last = 0, 0
    async with db.unit() as conn:
        while True:
            page = await report_handling.past_deadline(conn, now, last, PAGE)
            for report in page:
                queued += await _escalate_due(conn, config, report, now)
            if len(page) < PAGE:
                return queued
            last = page[-1].id


async def _escalate_due(conn: Connection, config: CoreConfig, report: Report, now: datetime) -> int:
    deadlines = await routing.deadlines_for(conn, report.area_id, report.category)
    queued = 0
    for step in due_steps(
        now,
        report.ack_due_at,
        report.resolve_due_at,
        waiting=report.status in WAITING_STATUSES,
        deadlines=deadlines,
        happening_now=report.happening_now,
    ):
        queued += await escalate_report(conn, config, report, step, now)
    return queued
