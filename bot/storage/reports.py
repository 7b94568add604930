"""Reports and tips: the report rows, their history of statuses and notes, and the listings.

Who handles each category and the officers' settings are in :mod:`bot.storage.report_settings`;
blocked reporters and the rate counter in :mod:`bot.storage.report_limits`.
Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


class Target(StrEnum):
    """Who handles a category: the area's team leaders, or the commune police officers."""

    LEADERS = "leaders"
    OFFICERS = "officers"


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    NOT_OURS = "not_ours"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"


OPEN_STATUSES = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})
# Not yet picked up by anyone: these are the ones the escalation timer watches.
WAITING_STATUSES = frozenset({Status.NEW, Status.REOPENED})


@dataclass(frozen=True)
class Report:
    id: int
    code: str
    category: str
    area_id: int | None
    description: str
    media: list[dict[str, str]]
    place: str | None
    latitude: float | None
    longitude: float | None
    happening_now: bool
    anonymous: bool
    reporter_member_id: int | None
    target: Target
    assignee_member_id: int | None
    status: Status
    duplicate_of: int | None
    created_at: datetime
    updated_at: datetime
    ack_due_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    # Assignment, transfer and deadlines (migration 0023, bot.storage.report_handling).
    resolve_due_at: datetime | None = None
    transferred_to: str | None = None  # the body it was handed to, if any

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def media_count(self, kind: str) -> int:
        return sum(1 for m in self.media if m.get("kind") == kind)


@dataclass(frozen=True)
class ReportEvent:
    id: int
    report_id: int
    at: datetime
    actor_member_id: int | None
    from_status: str | None
    to_status: str | None
    note: str | None
    reason: str | None = None  # written for the reporter (final statuses); notes are internal


@dataclass
class NewReport:
    category: str
    area_id: int | None
    description: str
    target: Target
    anonymous: bool
    reporter_member_id: int | None
    happening_now: bool = False
    media: list[dict[str, str]] = field(default_factory=list)
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def _opt_time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _report(row: Row) -> Report:
    return Report(
        id=row["id"],
        code=row["code"],
        category=row["category"],
        area_id=row["area_id"],
        description=row["description"],
        media=json.loads(row["media"]),
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        happening_now=bool(row["happening_now"]),
        anonymous=bool(row["anonymous"]),
        reporter_member_id=row["reporter_member_id"],
        target=Target(row["target"]),
        assignee_member_id=row["assignee_member_id"],
        status=Status(row["status"]),
        duplicate_of=row["duplicate_of"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        ack_due_at=_opt_time(row["ack_due_at"]),
        escalated_at=_opt_time(row["escalated_at"]),
        resolved_at=_opt_time(row["resolved_at"]),
        resolve_due_at=_opt_time(row["resolve_due_at"]),
        transferred_to=row["transferred_to"],
    )


async def create(
    conn: Connection, new: NewReport, code: str, now: datetime, ack_due_at: datetime
) -> Report:
    if new.anonymous and new.reporter_member_id is not None:
        raise ValueError("an anonymous report must not name its reporter")
    # The new row as written (RETURNING: both engines have it), not read again.
    async with conn.execute(
        "INSERT INTO reports (code, category, area_id, description, media, place, latitude,"
        " longitude, happening_now, anonymous, reporter_member_id, target, status, created_at,"
        " updated_at, ack_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)"
        " RETURNING *",
        (
            code,
            new.category,
            new.area_id,
            new.description,
            json.dumps(new.media),
            new.place,
            new.latitude,
            new.longitude,
            int(new.happening_now),
            int(new.anonymous),
            new.reporter_member_id,
            new.target.value,
            to_db(now),
            to_db(now),
            to_db(ack_due_at),
        ),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None, "the INSERT wrote no row"
    report = _report(row)
    await add_event(conn, report.id, now, None, None, Status.NEW, None)
    return report


async def code_exists(conn: Connection, code: str) -> bool:
    async with conn.execute("SELECT 1 FROM reports WHERE code = ?", (code,)) as cur:
        return await cur.fetchone() is not None


async def get(conn: Connection, report_id: int) -> Report | None:
    async with conn.execute("SELECT * FROM reports WHERE id = ?", (report_id,)) as cur:
        row = await cur.fetchone()
    return _report(row) if row else None


async def by_code(conn: Connection, code: str) -> Report | None:
    async with conn.execute("SELECT * FROM reports WHERE code = ?", (code,)) as cur:
        row = await cur.fetchone()
    return _report(row) if row else None


async def add_event(
    conn: Connection,
    report_id: int,
    now: datetime,
    actor_member_id: int | None,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    reason: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO report_events"
        " (report_id, at, actor_member_id, from_status, to_status, note, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (report_id, to_db(now), actor_member_id, from_status, to_status, note, reason),
    )


async def events(conn: Connection, report_id: int) -> list[ReportEvent]:
    async with conn.execute(
        "SELECT * FROM report_events WHERE report_id = ? ORDER BY id", (report_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [
        ReportEvent(
            r["id"],
            r["report_id"],
            from_db(r["at"]),
            r["actor_member_id"],
            r["from_status"],
            r["to_status"],
            r["note"],
            r["reason"],
        )
        for r in rows
    ]


async def status_reason(conn: Connection, report: Report) -> str | None:
    """The reason written for the reporter with the report's current status (None when the
    last change of status had none). Internal notes are never returned."""
    async with conn.execute(
        "SELECT to_status, reason FROM report_events WHERE report_id = ?"
        " AND to_status IS NOT NULL AND (from_status IS NULL OR from_status != to_status)"
        " ORDER BY id DESC LIMIT 1",
        (report.id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None or row["to_status"] != report.status.value:
        return None
    return str(row["reason"]) if row["reason"] else None


async def set_status(
    conn: Connection,
    report: Report,
    to_status: Status,
    actor_member_id: int | None,
    now: datetime,
    *,
    note: str | None = None,
    reason: str | None = None,
    assignee_member_id: int | None = None,
    duplicate_of: int | None = None,
    ack_due_at: datetime | None = None,
) -> bool:
    """Change the status and keep the change as an event (``reason`` for the reporter,
    ``note`` internal). Reopening starts a new deadline. Only from the status ``report``
    was read with: False, and nothing written, when it changed meanwhile."""
    sets = ["status = ?", "updated_at = ?"]
    params: list[Any] = [to_status.value, to_db(now)]
    if assignee_member_id is not None:
        sets.append("assignee_member_id = ?")
        params.append(assignee_member_id)
    if duplicate_of is not None:
        sets.append("duplicate_of = ?")
        params.append(duplicate_of)
    if to_status == Status.RESOLVED:
        sets.append("resolved_at = ?")
        params.append(to_db(now))
    if to_status == Status.REOPENED:
        sets += [
            "resolved_at = NULL",
            "escalated_at = NULL",
            "duplicate_of = NULL",
            "transferred_to = NULL",  # back with the commune, not with the body it went to
            "ack_due_at = ?",
        ]
        params.append(to_db(ack_due_at) if ack_due_at else None)
    cur = await conn.execute(
        f"UPDATE reports SET {', '.join(sets)} WHERE id = ? AND status = ?",
        [*params, report.id, report.status.value],
    )
    if cur.rowcount != 1:
        return False
    await add_event(conn, report.id, now, actor_member_id, report.status, to_status, note, reason)
    return True


async def add_note(
    conn: Connection,
    report: Report,
    actor_member_id: int | None,
    note: str,
    now: datetime,
) -> None:
    await conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (to_db(now), report.id))
    await add_event(conn, report.id, now, actor_member_id, report.status, report.status, note)


async def mark_escalated(conn: Connection, report_id: int, now: datetime) -> None:
    await conn.execute("UPDATE reports SET escalated_at = ? WHERE id = ?", (to_db(now), report_id))
    await add_event(conn, report_id, now, None, None, None, "escalated")


async def overdue(conn: Connection, now: datetime, limit: int = 100) -> list[Report]:
    """Reports nobody picked up before their deadline and not escalated yet."""
    marks = ",".join("?" for _ in WAITING_STATUSES)
    async with conn.execute(
        f"SELECT * FROM reports WHERE status IN ({marks}) AND escalated_at IS NULL"
        " AND ack_due_at IS NOT NULL AND ack_due_at <= ? ORDER BY ack_due_at LIMIT ?",
        [*sorted(WAITING_STATUSES), to_db(now), limit],
    ) as cur:
        return [_report(r) for r in await cur.fetchall()]


@dataclass(frozen=True)
class Scope:
    """Which reports a person may list: all (officers of the whole deployment), or those of a
    commune officer's areas (``officer_areas``), their led areas' for leaders, and their own."""

    all_areas: bool
    leader_areas: frozenset[int] = frozenset()
    member_id: int | None = None
    officer_areas: frozenset[int] = frozenset()


def _scope_sql(scope: Scope) -> tuple[str, list[Any]]:
    if scope.all_areas:
        return "1 = 1", []
    marks = ",".join("?" for _ in scope.leader_areas) or "NULL"
    officer = ",".join("?" for _ in scope.officer_areas) or "NULL"
    return (
        f"((target = 'leaders' AND area_id IN ({marks})) OR area_id IN ({officer})"
        " OR assignee_member_id = ?)",
        [*sorted(scope.leader_areas), *sorted(scope.officer_areas), scope.member_id],
    )


async def listing(
    conn: Connection,
    scope: Scope,
    *,
    statuses: frozenset[Status],
    area_id: int | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 5,
    condition: tuple[str, list[Any]] | None = None,
) -> tuple[list[Report], int]:
    """One page of reports in scope, newest first, and how many there are in all
    (``condition``: one more SQL condition with its parameters, such as "mine")."""
    where, params = _scope_sql(scope)
    if condition is not None:
        where += f" AND ({condition[0]})"
        params += condition[1]
    marks = ",".join("?" for _ in statuses)
    where += f" AND status IN ({marks})"
    params += sorted(statuses)
    if area_id is not None:
        where += " AND area_id = ?"
        params.append(area_id)
    if category is not None:
        where += " AND category = ?"
        params.append(category)
    async with conn.execute(f"SELECT COUNT(*) FROM reports WHERE {where}", params) as cur:
        row = await cur.fetchone()
    total = int(row[0]) if row else 0
    async with conn.execute(
        f"SELECT * FROM reports WHERE {where}"
        " ORDER BY happening_now DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ) as cur:
        return [_report(r) for r in await cur.fetchall()], total


async def of_reporter(conn: Connection, member_id: int) -> list[Report]:
    async with conn.execute(
        "SELECT * FROM reports WHERE reporter_member_id = ? ORDER BY id", (member_id,)
    ) as cur:
        return [_report(r) for r in await cur.fetchall()]


async def figures(
    conn: Connection, start: datetime, end: datetime, area_id: int | None = None
) -> dict[str, dict[str, int]]:
    """Counts for the statistics: by category and by status, of reports made in [start, end)."""
    where, params = "created_at >= ? AND created_at < ?", [to_db(start), to_db(end)]
    if area_id is not None:
        where += " AND area_id = ?"
        params.append(area_id)  # type: ignore[arg-type]
    result: dict[str, dict[str, int]] = {"category": {}, "status": {}}
    for column in ("category", "status"):
        async with conn.execute(
            f"SELECT {column}, COUNT(*) FROM reports WHERE {where} GROUP BY {column}", params
        ) as cur:
            result[column] = {r[0]: int(r[1]) for r in await cur.fetchall()}
    return result


# Forgetting a member ------------------------------------------------------------------------
async def forget_member(conn: Connection, member_id: int) -> None:
    """Reports stay (others rely on them) but lose every link to the person."""
    await conn.execute(
        "UPDATE reports SET reporter_member_id = NULL WHERE reporter_member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE reports SET assignee_member_id = NULL WHERE assignee_member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE report_events SET actor_member_id = NULL WHERE actor_member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE report_events SET assignee_member_id = NULL WHERE assignee_member_id = ?",
        (member_id,),
    )
    await conn.execute("DELETE FROM report_blocks WHERE member_id = ?", (member_id,))
