"""Queries behind the commune's figures that no feature repository answers on its own:
pledge coverage as of a day, report times for monthly series, and awareness deliveries.

Everything counts rows in [begin, end) in UTC; callers turn local calendar days into bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage import exports
from bot.storage.pledges import Campaign
from bot.storage.timefmt import from_db, to_db


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


@dataclass(frozen=True)
class ReportStamp:
    created_at: datetime
    category: str
    status: str
    happening_now: bool
    anonymous: bool


async def report_stamps(
    conn: aiosqlite.Connection, begin: datetime, end: datetime, area_id: int | None
) -> list[ReportStamp]:
    """Each report made in [begin, end): when, what and where it stands (no content, no
    reporter)."""
    sql = (
        "SELECT created_at, category, status, happening_now, anonymous FROM reports"
        " WHERE created_at >= ? AND created_at < ?"
    )
    params: list[object] = [to_db(begin), to_db(end)]
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)
    async with conn.execute(sql + " ORDER BY created_at, id", params) as cur:
        rows = await cur.fetchall()
    return [ReportStamp(from_db(r[0]), r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]


@dataclass(frozen=True)
class Delivery:
    topic: str
    runs: int
    sent: int
    failed: int
    skipped: int
    pending: int


async def deliveries(
    conn: aiosqlite.Connection, begin: datetime, end: datetime, area_id: int | None
) -> list[Delivery]:
    """Awareness reminders sent by runs that started in [begin, end), per topic. For an area,
    only the messages that went to that area's groups and residents count, and only the runs
    that reached it. Summed from the workbook's per-run rows, so both always agree."""
    totals: dict[str, Delivery] = {}
    for run in await exports.deliveries(conn, area_id, begin, end):
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
