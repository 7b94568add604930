"""Row-level queries behind the officers' downloadable files (XLSX workbook and CSVs).

Each function reads the rows of one kind for a scope (some areas' ids, or None for every
area) and UTC bounds [begin, end), with the same rules as the figures in
:mod:`bot.storage.stats`, so that the files and the chat figures agree. The rows come in
windows of at most ``window`` rows (keyset pages over the indexes of migration 0019), so a
province's year is never in memory at once.

Privacy is decided here, in the SELECT lists: no query reads a reporter, a mediation party's
name, a chat id or a Telegram id, so no caller can leak one by mistake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


def when(value: str | None) -> datetime | None:
    return from_db(value) if value else None


WINDOW = 5_000
Scope = Sequence[int] | None  # area ids; None: every area (and rows without one)


def _area_filter(column: str, area_ids: Scope, params: list[object]) -> str:
    if area_ids is None:
        return ""
    params.extend(area_ids)
    return f" AND {column} IN ({','.join('?' for _ in area_ids) or 'NULL'})"


async def _pages(
    conn: Connection,
    sql: str,
    params: list[object],
    keys: tuple[str, ...],
    window: int,
) -> AsyncIterator[list[Any]]:
    """The rows of ``sql`` (a SELECT with a WHERE clause, whose last columns are ``keys``) in
    the order of ``keys``, ``window`` rows at a time: each page starts after the last key of
    the one before (the first key bounds the index range, the row value breaks ties)."""
    last: list[Any] | None = None
    order = f" ORDER BY {', '.join(keys)} LIMIT {int(window)}"
    while True:
        page_sql, page_params = sql, list(params)
        if last is not None:
            marks = ", ".join("?" for _ in keys)
            page_sql += f" AND {keys[0]} >= ? AND ({', '.join(keys)}) > ({marks})"
            page_params += [last[0], *last]
        async with conn.execute(page_sql + order, page_params) as cur:
            rows = list(await cur.fetchall())
        if rows:
            yield rows
        if len(rows) < window:
            return
        last = list(rows[-1][-len(keys) :])


# Pledges ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PledgeRow:
    reference: str
    area_code: str | None
    area_name: str | None
    audience: str
    head_name: str
    address: str
    public: bool
    signed_at: datetime
    withdrawn_at: datetime | None  # only when withdrawn before the end of the period


async def pledges(
    conn: Connection,
    campaign_id: int,
    area_ids: Scope,
    end: datetime,
    *,
    window: int = WINDOW,
) -> AsyncIterator[list[PledgeRow]]:
    """Every pledge of the campaign signed before ``end`` (households and others), withdrawn
    ones included, area by area in the order of their codes (those of no area first). A
    withdrawal after ``end`` is not shown: at the end of the period the pledge was standing,
    as the figures count it."""
    if area_ids is None:
        async with conn.execute("SELECT id FROM areas ORDER BY code") as cur:
            scope: list[int | None] = [None, *(int(r[0]) for r in await cur.fetchall())]
    else:
        async with conn.execute(
            "SELECT id FROM areas WHERE id IN ("
            + (",".join("?" for _ in area_ids) or "NULL")
            + ") ORDER BY code",
            list(area_ids),
        ) as cur:
            scope = [int(r[0]) for r in await cur.fetchall()]
    sql = (
        "SELECT p.reference, a.code, a.name, p.audience, p.head_name, p.address, p.public,"
        " p.signed_at, CASE WHEN p.withdrawn_at < ? THEN p.withdrawn_at END, p.signed_at, p.id"
        " FROM pledges p LEFT JOIN areas a ON a.id = p.area_id"
        " WHERE p.campaign_id = ? AND p.signed_at < ?"
    )
    for area_id in scope:
        params: list[object] = [to_db(end), campaign_id, to_db(end)]
        where = " AND p.area_id IS NULL"
        if area_id is not None:
            where = " AND p.area_id = ?"
            params.append(area_id)
        async for rows in _pages(conn, sql + where, params, ("p.signed_at", "p.id"), window):
            yield [
                PledgeRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), from_db(r[7]), when(r[8]))
                for r in rows
            ]


# Reports ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportRow:
    """A report as the statistics need it: no reporter, no content, no media."""

    code: str
    created_at: datetime
    area_code: str | None
    area_name: str | None
    category: str
    status: str
    target: str
    happening_now: bool
    anonymous: bool
    escalated: bool
    resolved_at: datetime | None


async def reports(
    conn: Connection,
    area_ids: Scope,
    begin: datetime,
    end: datetime,
    *,
    window: int = WINDOW,
) -> AsyncIterator[list[ReportRow]]:
    params: list[object] = [to_db(begin), to_db(end)]
    sql = (
        "SELECT r.code, r.created_at, a.code, a.name, r.category, r.status, r.target,"
        " r.happening_now, r.anonymous, r.escalated_at IS NOT NULL, r.resolved_at,"
        " r.created_at, r.id"
        " FROM reports r LEFT JOIN areas a ON a.id = r.area_id"
        " WHERE r.created_at >= ? AND r.created_at < ?"
    )
    sql += _area_filter("r.area_id", area_ids, params)
    async for rows in _pages(conn, sql, params, ("r.created_at", "r.id"), window):
        yield [
            ReportRow(
                r[0],
                from_db(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                bool(r[7]),
                bool(r[8]),
                bool(r[9]),
                when(r[10]),
            )
            for r in rows
        ]


# Mediation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MediationRow:
    """A mediation case with the number of parties, never their names."""

    id: int
    created_at: datetime
    area_code: str | None
    area_name: str | None
    report_code: str | None
    parties: int
    session_on: str | None  # YYYY-MM-DD
    outcome: str | None  # None while open
    closed_at: datetime | None


async def mediation(
    conn: Connection,
    area_ids: Scope,
    begin: datetime,
    end: datetime,
    *,
    window: int = WINDOW,
) -> AsyncIterator[list[MediationRow]]:
    params: list[object] = [to_db(begin), to_db(end)]
    sql = (
        "SELECT m.id, m.created_at, a.code, a.name, r.code,"
        f" {conn.dialect.json_array_length('m.parties')},"
        " m.session_on, m.outcome, m.closed_at, m.created_at, m.id"
        " FROM mediation_cases m LEFT JOIN areas a ON a.id = m.area_id"
        " LEFT JOIN reports r ON r.id = m.report_id"
        " WHERE m.created_at >= ? AND m.created_at < ?"
    )
    sql += _area_filter("m.area_id", area_ids, params)
    async for rows in _pages(conn, sql, params, ("m.created_at", "m.id"), window):
        yield [
            MediationRow(
                r[0], from_db(r[1]), r[2], r[3], r[4], int(r[5] or 0), r[6], r[7], when(r[8])
            )
            for r in rows
        ]


# Patrols ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatrolRow:
    id: int
    area_code: str
    area_name: str
    started_at: datetime
    ended_at: datetime | None
    source: str  # live, backfill
    status: str  # open, closed
    participants: int  # as counted_patrols counts them
    cases: int  # all cases observed
    reminders: int  # cases reminded


async def patrols(
    conn: Connection,
    area_ids: Scope,
    begin: datetime,
    end: datetime,
    *,
    window: int = WINDOW,
) -> AsyncIterator[list[PatrolRow]]:
    """Patrols started in [begin, end); participants are named people who did not decline
    plus the head count given without names (as ``stats.patrol_counts`` counts them)."""
    params: list[object] = [to_db(begin), to_db(end)]
    sql = (
        "SELECT p.id, a.code, a.name, p.started_at, p.ended_at, p.source, p.status,"
        " p.headcount + (SELECT COUNT(*) FROM patrol_participants pp"
        "   WHERE pp.patrol_id = p.id AND pp.declined_at IS NULL),"
        " (SELECT COALESCE(SUM(o.count), 0) FROM patrol_observations o"
        "   WHERE o.patrol_id = p.id),"
        " (SELECT COALESCE(SUM(o.count), 0) FROM patrol_observations o"
        "   WHERE o.patrol_id = p.id AND o.reminded = 1), p.started_at, p.id"
        " FROM patrols p JOIN areas a ON a.id = p.area_id"
        " WHERE p.started_at >= ? AND p.started_at < ?"
    )
    sql += _area_filter("p.area_id", area_ids, params)
    async for rows in _pages(conn, sql, params, ("p.started_at", "p.id"), window):
        yield [
            PatrolRow(
                r[0],
                r[1],
                r[2],
                from_db(r[3]),
                when(r[4]),
                r[5],
                r[6],
                int(r[7]),
                int(r[8]),
                int(r[9]),
            )
            for r in rows
        ]


@dataclass(frozen=True)
class ObservationRow:
    id: int
    patrol_id: int
    area_code: str
    patrol_started_at: datetime
    kind: str
    count: int
    reminded: bool
    note: str | None
    has_photo: bool
    latitude: float | None
    longitude: float | None
    for_report: bool
    created_at: datetime


async def observations(
    conn: Connection,
    area_ids: Scope,
    begin: datetime,
    end: datetime,
    *,
    window: int = WINDOW,
) -> AsyncIterator[list[ObservationRow]]:
    """Observations of the patrols started in [begin, end)."""
    params: list[object] = [to_db(begin), to_db(end)]
    sql = (
        "SELECT o.id, o.patrol_id, a.code, p.started_at, o.kind, o.count, o.reminded,"
        f" (SELECT {conn.dialect.group_concat('n.text', '; ', order_by='n.id')} FROM (SELECT"
        " id, text FROM patrol_observation_notes"
        "   WHERE observation_id = o.id ORDER BY id) n),"
        " o.photo IS NOT NULL, o.latitude, o.longitude, o.for_report, o.created_at,"
        " p.started_at, p.id, o.id"
        " FROM patrols p JOIN patrol_observations o ON o.patrol_id = p.id"
        " JOIN areas a ON a.id = p.area_id"
        " WHERE p.started_at >= ? AND p.started_at < ?"
    )
    sql += _area_filter("p.area_id", area_ids, params)
    async for rows in _pages(conn, sql, params, ("p.started_at", "p.id", "o.id"), window):
        yield [
            ObservationRow(
                r[0],
                r[1],
                r[2],
                from_db(r[3]),
                r[4],
                int(r[5]),
                bool(r[6]),
                r[7],
                bool(r[8]),
                r[9],
                r[10],
                bool(r[11]),
                from_db(r[12]),
            )
            for r in rows
        ]
