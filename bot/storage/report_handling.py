"""How a report is handled (migration 0023): who it is given to, where it is transferred, the
deadlines each commune sets, the escalations done once, and who may be given a report.

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.reports import Report, Status, Target, _report, add_event, set_status
from bot.storage.timefmt import from_db, to_db

# Markers of the history entries written here (report_events.note, with no status change).
ASSIGNED = "assigned"
TRANSFERRED = "transferred"
ESCALATED_PROVINCE = "escalated_province"
RESOLVE_ESCALATED = "resolve_escalated"
RESOLVE_ESCALATED_PROVINCE = "resolve_escalated_province"
MOVED_COMMUNE = "commune"  # report_events.destination of a move to another commune


# Assignment ---------------------------------------------------------------------------------
async def assign(
    conn: Connection,
    report: Report,
    member_id: int,
    actor_member_id: int | None,
    now: datetime,
) -> bool:
    """Give an open report to a person; False, nothing written, when it changed meanwhile
    (another status, another assignee)."""
    current = report.assignee_member_id
    cur = await conn.execute(
        "UPDATE reports SET assignee_member_id = ?, updated_at = ? WHERE id = ? AND status = ?"
        " AND assignee_member_id IS NOT DISTINCT FROM ?",
        (member_id, to_db(now), report.id, report.status.value, current),
    )
    if cur.rowcount != 1:
        return False
    await _event(conn, report.id, now, actor_member_id, ASSIGNED, assignee=member_id)
    return True


async def _event(
    conn: Connection,
    report_id: int,
    now: datetime,
    actor: int | None,
    marker: str,
    *,
    assignee: int | None = None,
    destination: str | None = None,
    note: str | None = None,
) -> None:
    """A history entry of ``marker`` (no status change), in one statement."""
    await conn.execute(
        "INSERT INTO report_events (report_id, at, actor_member_id, from_status, to_status,"
        " note, reason, assignee_member_id, destination) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?)",
        (report_id, to_db(now), actor, marker, note, assignee, destination),
    )


@dataclass(frozen=True)
class HandlingEvent:
    """A history entry written here: who it was given to, where it went (with the note)."""

    event_id: int
    assignee_member_id: int | None
    destination: str | None


async def handling_events(conn: Connection, report_id: int) -> dict[int, HandlingEvent]:
    """The assignment and transfer details of a report's history entries, by event id."""
    async with conn.execute(
        "SELECT id, assignee_member_id, destination FROM report_events WHERE report_id = ?"
        " AND (assignee_member_id IS NOT NULL OR destination IS NOT NULL)",
        (report_id,),
    ) as cur:
        return {r[0]: HandlingEvent(r[0], r[1], r[2]) for r in await cur.fetchall()}


async def assignable(conn: Connection, area_id: int | None) -> list[int]:
    """Who may be given a report of ``area_id``: the leaders of its commune's areas and the
    officers who act for it (its commune's and the whole deployment's)."""
    async with conn.execute(
        "SELECT DISTINCT member_id FROM roles WHERE (role = 'officer' AND (commune_id IS NULL"
        " OR commune_id = (SELECT commune_id FROM areas WHERE id = ?))) OR (role = 'leader'"
        " AND area_id IN (SELECT id FROM areas WHERE commune_id ="
        " (SELECT commune_id FROM areas WHERE id = ?))) ORDER BY member_id",
        (area_id, area_id),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def commune_officers(conn: Connection, area_id: int | None) -> list[int]:
    """The officers of the area's own commune (none in a deployment whose officers are all
    deployment-wide)."""
    async with conn.execute(
        "SELECT DISTINCT member_id FROM roles WHERE role = 'officer' AND commune_id ="
        " (SELECT commune_id FROM areas WHERE id = ?) ORDER BY member_id",
        (area_id,),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def wide_officers(conn: Connection) -> list[int]:
    """The officers of the whole deployment (the province's, in a deployment of communes)."""
    async with conn.execute(
        "SELECT DISTINCT member_id FROM roles WHERE role = 'officer' AND commune_id IS NULL"
        " ORDER BY member_id"
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# The officer's list: "mine", "unassigned", "overdue" ------------------------------------------
WHO_FILTERS = ("all", "mine", "none", "late")


def who_condition(who: str, member_id: int | None, now: datetime) -> tuple[str, list[Any]] | None:
    """The SQL condition of a list filter on :func:`bot.storage.reports.listing`."""
    if who == "mine":
        return "assignee_member_id = ?", [member_id]
    if who == "none":
        return "assignee_member_id IS NULL", []
    if who == "late":
        return (
            "(status IN ('new', 'reopened') AND ack_due_at <= ?) OR (status IN"
            " ('new', 'reopened', 'acknowledged', 'in_progress') AND resolve_due_at <= ?)",
            [to_db(now), to_db(now)],
        )
    return None


# Routing rules per category and area ------------------------------------------------------------
async def rule_for(conn: Connection, area_id: int | None, category: str) -> int | None:
    """The person every new report of ``category`` in the area is given to, if officers set one."""
    async with conn.execute(
        "SELECT member_id FROM report_assign_rules WHERE area_id = ? AND category = ?",
        (area_id, category),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else None


async def set_rule(
    conn: Connection,
    area_id: int,
    category: str,
    member_id: int | None,
    by: int | None,
    now: datetime,
) -> None:
    """Set (or, with ``member_id`` None, remove) the rule of a category in an area."""
    if member_id is None:
        await conn.execute(
            "DELETE FROM report_assign_rules WHERE area_id = ? AND category = ?",
            (area_id, category),
        )
        return
    await conn.execute(
        "INSERT INTO report_assign_rules (area_id, category, member_id, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (area_id, category) DO UPDATE SET"
        " member_id = excluded.member_id, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (area_id, category, member_id, by, to_db(now)),
    )


# Transfer -----------------------------------------------------------------------------------
async def transfer_out(
    conn: Connection,
    report: Report,
    destination: str,
    note: str,
    actor_member_id: int | None,
    now: datetime,
) -> bool:
    """Hand a report to another body: it leaves the commune's open reports (status "not the
    commune's matter") and keeps where it went. False, nothing written, when it changed."""
    if not await set_status(conn, report, Status.NOT_OURS, actor_member_id, now):
        return False
    await conn.execute(
        "UPDATE reports SET transferred_to = ? WHERE id = ?", (destination, report.id)
    )
    await _event(
        conn, report.id, now, actor_member_id, TRANSFERRED, destination=destination, note=note
    )
    return True


async def move_to_area(
    conn: Connection,
    report: Report,
    area_id: int,
    target: Target,
    assignee_member_id: int | None,
    deadlines: tuple[datetime, datetime],
    note: str,
    actor_member_id: int | None,
    now: datetime,
) -> bool:
    """Make a report another commune's (one of its areas): routed and deadlined afresh, not
    escalated yet, and new again (that commune acknowledges it itself: an acknowledgement by
    the commune it left is no answer from this one). False, nothing written, when it changed
    meanwhile."""
    ack_due, resolve_due = deadlines
    cur = await conn.execute(
        "UPDATE reports SET area_id = ?, target = ?, assignee_member_id = ?, ack_due_at = ?,"
        " resolve_due_at = ?, escalated_at = NULL, status = 'new', updated_at = ? WHERE id = ?"
        " AND status = ? AND area_id IS NOT DISTINCT FROM ?",
        (
            area_id,
            target.value,
            assignee_member_id,
            to_db(ack_due),
            to_db(resolve_due),
            to_db(now),
            report.id,
            report.status.value,
            report.area_id,
        ),
    )
    if cur.rowcount != 1:
        return False
    if report.status != Status.NEW:  # in its history: it waits for the new commune
        await add_event(
            conn, report.id, now, actor_member_id, report.status.value, Status.NEW.value, None
        )
    await _event(
        conn, report.id, now, actor_member_id, TRANSFERRED, destination=MOVED_COMMUNE, note=note
    )
    if assignee_member_id is not None:
        await _event(conn, report.id, now, None, ASSIGNED, assignee=assignee_member_id)
    return True


async def route_new(
    conn: Connection, report: Report, resolve_due: datetime, assignee: int | None, now: datetime
) -> Report:
    """A report just made (in this unit of work) gets its resolution deadline and, when
    there is one, its default assignee (in its history); the report as it is now, returned
    by the write itself."""
    if assignee is None:
        sql = "UPDATE reports SET resolve_due_at = ? WHERE id = ? RETURNING *"
        params: tuple[Any, ...] = (to_db(resolve_due), report.id)
    else:
        sql = (
            "UPDATE reports SET resolve_due_at = ?, assignee_member_id = ?, updated_at = ?"
            " WHERE id = ? RETURNING *"
        )
        params = (to_db(resolve_due), assignee, to_db(now), report.id)
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    assert row is not None, "the report made in this unit is gone"
    if assignee is not None:
        await _event(conn, report.id, now, None, ASSIGNED, assignee=assignee)
    return _report(row)


async def set_resolve_due(conn: Connection, report_id: int, due: datetime) -> None:
    await conn.execute(
        "UPDATE reports SET resolve_due_at = ? WHERE id = ?", (to_db(due), report_id)
    )


# Deadlines per commune ------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredDeadlines:
    ack_minutes_now: int
    ack_minutes: int
    resolve_days: int


async def deadlines(conn: Connection, commune_id: int | None) -> StoredDeadlines | None:
    """What a commune's officers set, or None (the defaults apply)."""
    if commune_id is None:
        return None
    async with conn.execute(
        "SELECT ack_minutes_now, ack_minutes, resolve_days FROM report_deadlines"
        " WHERE commune_id = ?",
        (commune_id,),
    ) as cur:
        row = await cur.fetchone()
    return StoredDeadlines(int(row[0]), int(row[1]), int(row[2])) if row else None


async def save_deadlines(
    conn: Connection,
    commune_id: int,
    value: StoredDeadlines,
    by: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO report_deadlines (commune_id, ack_minutes_now, ack_minutes, resolve_days,"
        " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (commune_id) DO UPDATE"
        " SET ack_minutes_now = excluded.ack_minutes_now, ack_minutes = excluded.ack_minutes,"
        " resolve_days = excluded.resolve_days, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (commune_id, value.ack_minutes_now, value.ack_minutes, value.resolve_days, by, to_db(now)),
    )


async def commune_of(conn: Connection, area_id: int | None) -> int | None:
    async with conn.execute("SELECT commune_id FROM areas WHERE id = ?", (area_id,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else None


# Escalations --------------------------------------------------------------------------------
async def record_escalation(
    conn: Connection, report_id: int, kind: str, level: int, due: datetime, now: datetime
) -> bool:
    """Keep that this escalation was done; False when it had been done already."""
    cur = await conn.execute(
        "INSERT INTO report_escalations (report_id, kind, level, due_at, at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (report_id, kind, level, to_db(due), to_db(now)),
    )
    return cur.rowcount == 1


async def log_escalation(conn: Connection, report_id: int, marker: str, now: datetime) -> None:
    await add_event(conn, report_id, now, None, None, None, marker)


async def past_deadline(
    conn: Connection, now: datetime, after_id: int = 0, limit: int = 500
) -> list[Report]:
    """Open reports past a deadline (acknowledgement while waiting, or resolution) whose
    escalations are not all done yet, by number after ``after_id``: the timer decides which
    step is due (many may wait for their next step: the timer reads them all, page by page)."""
    async with conn.execute(
        "SELECT r.* FROM reports r WHERE ("
        " r.status IN ('new', 'reopened') AND r.ack_due_at IS NOT NULL AND r.ack_due_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM report_escalations e WHERE e.report_id = r.id"
        " AND e.kind = 'ack' AND e.level = 2 AND e.due_at = r.ack_due_at))"
        " OR (r.status IN ('new', 'reopened', 'acknowledged', 'in_progress')"
        " AND r.resolve_due_at IS NOT NULL AND r.resolve_due_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM report_escalations e WHERE e.report_id = r.id"
        " AND e.kind = 'resolve' AND e.level = 2 AND e.due_at = r.resolve_due_at))"
        " AND r.id > ? ORDER BY r.id LIMIT ?",
        (to_db(now), to_db(now), after_id, limit),
    ) as cur:
        return [_report(r) for r in await cur.fetchall()]


# The figures of timeliness --------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    """One report's deadlines and when it was first acknowledged and first closed since its
    latest start: ``created_at`` is when it was made, moved to another commune or reopened."""

    category: str
    area_id: int | None
    created_at: datetime
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None


_HANDLED = ("acknowledged", "in_progress", "resolved", "not_ours", "duplicate")
_CLOSED = ("resolved", "not_ours", "duplicate")


async def timings(
    conn: Connection,
    start: datetime,
    end: datetime,
    area_ids: list[int] | None = None,
) -> list[Timing]:
    """The timing of every report made in [start, end) (of ``area_ids`` when given)."""
    handled = ",".join(f"'{s}'" for s in _HANDLED)
    closed = ",".join(f"'{s}'" for s in _CLOSED)
    where = "r.created_at >= ? AND r.created_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if area_ids is not None:
        where += f" AND r.area_id IN ({','.join('?' for _ in area_ids) or 'NULL'})"
        params += list(area_ids)
    # A report is timed from its latest start: made, moved to another commune (the steps
    # before were the other commune's) or reopened; its deadlines are those of that start.
    arrival = (
        "(SELECT MAX(id) FROM report_events m WHERE m.report_id = r.id AND"
        f" (m.destination = '{MOVED_COMMUNE}' OR (m.to_status = 'reopened'"
        " AND m.from_status IS DISTINCT FROM m.to_status)))"
    )
    since = f"e.id > COALESCE({arrival}, 0)"
    async with conn.execute(
        "SELECT r.category, r.area_id,"
        f" COALESCE((SELECT at FROM report_events WHERE id = {arrival}), r.created_at),"
        " r.ack_due_at, r.resolve_due_at,"
        f" (SELECT MIN(at) FROM report_events e WHERE e.report_id = r.id AND e.to_status IN"
        f" ({handled}) AND e.from_status IS DISTINCT FROM e.to_status AND {since}),"
        f" (SELECT MIN(at) FROM report_events e WHERE e.report_id = r.id AND e.to_status IN"
        f" ({closed}) AND e.from_status IS DISTINCT FROM e.to_status AND {since})"
        f" FROM reports r WHERE {where} ORDER BY r.id",
        params,
    ) as cur:
        rows = await cur.fetchall()
    return [
        Timing(
            r[0],
            r[1],
            from_db(r[2]),
            from_db(r[3]) if r[3] else None,
            from_db(r[4]) if r[4] else None,
            from_db(r[5]) if r[5] else None,
            from_db(r[6]) if r[6] else None,
        )
        for r in rows
    ]
