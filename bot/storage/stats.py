"""Queries behind the commune's figures that no feature repository answers on its own:
pledge coverage as of a day, reports and patrols counted per month, and awareness deliveries.

Everything counts rows in [begin, end) in UTC; callers turn local calendar days into bounds
(a month of a period is a *bucket*: its own [begin, end)). SQLite does the counting, over the
covering indexes of migration 0019, and returns a few grouped rows: a province's year is a
million rows, which Python never sees one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage import exports
from bot.storage.pledges import Campaign
from bot.storage.timefmt import to_db


def _campaign(row: aiosqlite.Row | None) -> Campaign | None:
    if row is None:
        return None
    return Campaign(
        row["id"],
        row["title"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
    )


async def campaign_for(conn: aiosqlite.Connection, last_day: date) -> Campaign | None:
    """The pledge campaign that counts for a period ending on ``last_day``: the latest one that
    had started by then (campaigns are yearly, so this is the campaign of that year)."""
    async with conn.execute(
        "SELECT * FROM pledge_campaigns WHERE starts_on <= ? ORDER BY starts_on DESC, id DESC"
        " LIMIT 1",
        (last_day.isoformat(),),
    ) as cur:
        return _campaign(await cur.fetchone())


async def campaign_of_year(conn: aiosqlite.Connection, year: int) -> Campaign | None:
    """The campaign of ``year``: the one that ends in that year (a campaign for 2027 may open
    in December 2026); the latest one when there are several."""
    async with conn.execute(
        "SELECT * FROM pledge_campaigns WHERE ends_on >= ? AND ends_on <= ?"
        " ORDER BY starts_on DESC, id DESC LIMIT 1",
        (f"{year:04d}-01-01", f"{year:04d}-12-31"),
    ) as cur:
        return _campaign(await cur.fetchone())


async def campaign_counted(conn: aiosqlite.Connection, last_day: date) -> Campaign | None:
    """The campaign whose coverage a period reports: the campaign of the period's last year (the
    one ending that year) if it had started by the last day, else the latest one that had
    (last year's, early in a year before the new campaign opens). A campaign opened in
    December for next year does not replace this year's."""
    own = await campaign_of_year(conn, last_day.year)
    if own is not None and own.starts_on <= last_day:
        return own
    return await campaign_for(conn, last_day)


async def signed_by_area(
    conn: aiosqlite.Connection, campaign_id: int, until: datetime
) -> dict[tuple[int | None, str], int]:
    """Pledges standing at ``until`` in a campaign, by (area id, audience). Household pledges
    count distinct households of the register (two pledges of one household count once)."""
    async with conn.execute(
        "SELECT area_id, audience, COUNT(DISTINCT CASE WHEN household_id IS NOT NULL"
        " THEN household_id ELSE -id END) FROM pledges WHERE campaign_id = ?"
        " AND signed_at < ? AND (withdrawn_at IS NULL OR withdrawn_at >= ?)"
        " GROUP BY area_id, audience",
        (campaign_id, to_db(until), to_db(until)),
    ) as cur:
        return {(r[0], r[1]): int(r[2]) for r in await cur.fetchall()}


Bucket = tuple[datetime, datetime]  # [begin, end) in UTC


def _buckets(buckets: Sequence[Bucket]) -> tuple[str, list[object]]:
    """A CTE ``b(k, lo, hi)`` of the buckets, numbered from 0 in order."""
    if not buckets:
        raise ValueError("no bucket to count in")
    params: list[object] = []
    for index, (begin, end) in enumerate(buckets):
        params += [index, to_db(begin), to_db(end)]
    values = ", ".join("(?, ?, ?)" for _ in buckets)
    return f"WITH b(k, lo, hi) AS (VALUES {values})", params


def _in_areas(column: str, area_ids: Sequence[int] | None, params: list[object]) -> str:
    """`` AND column IN (...)`` for a scope of areas; nothing for the whole deployment."""
    if area_ids is None:
        return ""
    params.extend(area_ids)
    return f" AND {column} IN ({','.join('?' for _ in area_ids) or 'NULL'})"


@dataclass(frozen=True)
class ReportCount:
    bucket: int
    category: str
    status: str  # where it stands now
    happening_now: bool
    anonymous: bool
    count: int


async def report_counts(
    conn: aiosqlite.Connection, buckets: Sequence[Bucket], area_ids: Sequence[int] | None
) -> list[ReportCount]:
    """Reports made in each bucket, by category, status, happening now and anonymous (no
    content, no reporter)."""
    cte, params = _buckets(buckets)
    sql = (
        f"{cte} SELECT b.k, r.category, r.status, r.happening_now, r.anonymous, COUNT(*)"
        " FROM b JOIN reports r ON r.created_at >= b.lo AND r.created_at < b.hi"
    )
    sql += _in_areas("r.area_id", area_ids, params)
    async with conn.execute(sql + " GROUP BY 1, 2, 3, 4, 5", params) as cur:
        rows = await cur.fetchall()
    return [ReportCount(r[0], r[1], r[2], bool(r[3]), bool(r[4]), int(r[5])) for r in rows]


@dataclass(frozen=True)
class PatrolMonth:
    bucket: int
    patrols: int
    participants: int  # named people who did not decline, plus head counts


async def patrol_counts(
    conn: aiosqlite.Connection, buckets: Sequence[Bucket], area_ids: Sequence[int] | None
) -> list[PatrolMonth]:
    """Patrols started in each bucket and their participants: the head count given without
    names plus the named people who did not decline."""
    cte, params = _buckets(buckets)
    scope = _in_areas("p.area_id", area_ids, params)
    sql = (
        f"{cte} SELECT b.k, COUNT(*), SUM(p.headcount) FROM b"
        f" JOIN patrols p ON p.started_at >= b.lo AND p.started_at < b.hi{scope} GROUP BY 1"
    )
    async with conn.execute(sql, params) as cur:
        found = {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in await cur.fetchall()}
    named = (
        f"{cte} SELECT b.k, COUNT(*) FROM b"
        f" JOIN patrols p ON p.started_at >= b.lo AND p.started_at < b.hi{scope}"
        " JOIN patrol_participants pp ON pp.patrol_id = p.id AND pp.declined_at IS NULL"
        " GROUP BY 1"
    )
    async with conn.execute(named, params) as cur:
        people = {int(r[0]): int(r[1]) for r in await cur.fetchall()}
    return [
        PatrolMonth(k, patrols, headcount + people.get(k, 0))
        for k, (patrols, headcount) in sorted(found.items())
    ]


@dataclass(frozen=True)
class ObservationMonth:
    bucket: int
    kind: str
    reminded: bool
    cases: int


async def observation_counts(
    conn: aiosqlite.Connection, buckets: Sequence[Bucket], area_ids: Sequence[int] | None
) -> list[ObservationMonth]:
    """Cases seen on the patrols started in each bucket, by kind and whether reminded."""
    cte, params = _buckets(buckets)
    sql = (
        f"{cte} SELECT b.k, o.kind, o.reminded, SUM(o.count) FROM b"
        " JOIN patrols p ON p.started_at >= b.lo AND p.started_at < b.hi"
        + _in_areas("p.area_id", area_ids, params)
        + " JOIN patrol_observations o ON o.patrol_id = p.id GROUP BY 1, 2, 3"
    )
    async with conn.execute(sql, params) as cur:
        rows = await cur.fetchall()
    return [ObservationMonth(r[0], r[1], bool(r[2]), int(r[3])) for r in rows]


@dataclass(frozen=True)
class Delivery:
    topic: str
    runs: int
    sent: int
    failed: int
    skipped: int
    pending: int


async def deliveries(
    conn: aiosqlite.Connection, begin: datetime, end: datetime, area_ids: Sequence[int] | None
) -> list[Delivery]:
    """Awareness reminders sent by runs that started in [begin, end), per topic. For some
    areas, only the messages that went to their groups and residents count, and only the runs
    that reached them. Summed from the workbook's per-run rows, so both always agree."""
    totals: dict[str, Delivery] = {}
    for run in await exports.deliveries(conn, area_ids, begin, end):
        was = totals.get(run.topic, Delivery(run.topic, 0, 0, 0, 0, 0))
        totals[run.topic] = Delivery(
            run.topic,
            was.runs + 1,
            was.sent + run.sent,
            was.failed + run.failed,
            was.skipped + run.skipped,
            was.pending + run.pending,
        )
    return [totals[topic] for topic in sorted(totals)]
