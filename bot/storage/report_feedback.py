"""The reporter's word on a report's outcome: a rating (satisfied or not, with a reason) and
the one reopening they may ask for (see 0024_report_threads.sql), and their figures.

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Rating:
    report_id: int
    satisfied: bool
    reason: str | None


async def rate(
    conn: Connection,
    report_id: int,
    satisfied: bool,
    reason: str | None,
    now: datetime,
) -> None:
    """Keep the reporter's rating (a later one, after a reopening and a new outcome, replaces
    it)."""
    await conn.execute(
        "INSERT INTO report_ratings (report_id, satisfied, reason, rated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (report_id) DO UPDATE SET satisfied = excluded.satisfied,"
        " reason = excluded.reason, rated_at = excluded.rated_at",
        (report_id, int(satisfied), reason, to_db(now)),
    )


async def rating(conn: Connection, report_id: int) -> Rating | None:
    async with conn.execute(
        "SELECT satisfied, reason FROM report_ratings WHERE report_id = ?", (report_id,)
    ) as cur:
        row = await cur.fetchone()
    return Rating(report_id, bool(row[0]), row[1]) if row else None


async def set_reason(conn: Connection, report_id: int, reason: str) -> bool:
    cur = await conn.execute(
        "UPDATE report_ratings SET reason = ? WHERE report_id = ? AND satisfied = 0",
        (reason, report_id),
    )
    return cur.rowcount == 1


async def closed_at(conn: Connection, report_id: int, closed: frozenset[str]) -> datetime | None:
    """When the report last moved into one of the ``closed`` statuses (its event), whatever
    was written in its thread since."""
    marks = ",".join("?" for _ in closed)
    async with conn.execute(
        f"SELECT at FROM report_events WHERE report_id = ? AND to_status IN ({marks})"
        " AND (from_status IS NULL OR from_status != to_status) ORDER BY id DESC LIMIT 1",
        [report_id, *sorted(closed)],
    ) as cur:
        row = await cur.fetchone()
    return from_db(row[0]) if row else None


async def reopened_any(conn: Connection, report_ids: list[int]) -> bool:
    """Was any of these reports reopened by its reporter (a report and those merged into it:
    the one reopening is the matter's, not each reporter's)?"""
    if not report_ids:
        return False
    marks = ",".join("?" for _ in report_ids)
    async with conn.execute(
        f"SELECT 1 FROM report_reopenings WHERE report_id IN ({marks}) LIMIT 1", report_ids
    ) as cur:
        return await cur.fetchone() is not None


async def record_reopening(conn: Connection, report_id: int, now: datetime) -> bool:
    """Keep the reporter's one reopening; False when they had reopened it already."""
    cur = await conn.execute(
        "INSERT INTO report_reopenings (report_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (report_id, to_db(now)),
    )
    return cur.rowcount == 1


@dataclass(frozen=True)
class FeedbackFigures:
    """Of reports made in a period: how many were rated, how many of those satisfied, and how
    many their reporters reopened."""

    rated: int = 0
    satisfied: int = 0
    reopened: int = 0

    @property
    def satisfied_share(self) -> float | None:
        """Satisfied of rated, 0..1 (None when nothing was rated)."""
        return self.satisfied / self.rated if self.rated else None


async def figures(
    conn: Connection,
    start: datetime,
    end: datetime,
    area_ids: list[int] | None = None,
) -> FeedbackFigures:
    """Counted over reports made in [start, end) (in ``area_ids`` when given), as the other
    report figures are."""
    where = "r.created_at >= ? AND r.created_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if area_ids is not None:
        where += f" AND r.area_id IN ({','.join('?' for _ in area_ids) or 'NULL'})"
        params += list(area_ids)
    async with conn.execute(
        "SELECT COUNT(g.report_id), COALESCE(SUM(g.satisfied), 0),"
        " (SELECT COUNT(*) FROM report_reopenings o JOIN reports r ON r.id = o.report_id"
        f" WHERE {where})"
        f" FROM report_ratings g JOIN reports r ON r.id = g.report_id WHERE {where}",
        [*params, *params],
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return FeedbackFigures()
    return FeedbackFigures(rated=int(row[0]), satisfied=int(row[1]), reopened=int(row[2]))
