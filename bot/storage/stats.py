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

from bot.storage import deliveries as deliveries_repo
from bot.storage.db import Connection, Row
from bot.storage.pledge_campaigns import Campaign
from bot.storage.timefmt import to_db


def _campaign(row: Row | None) -> Campaign | None:
    if row is None:
        return None
    return Campaign(
        row["id"],
        row["title"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
    )


async def campaign_for(conn: Connection, last_day: date) -> Campaign | None:
    """The pledge campaign that counts for a period ending on ``last_day``: the latest one that
    had started by then (campaigns are yearly, so this is the campaign of that year)."""
    async with conn.execute(
        "SELECT * FROM pledge_campaigns WHERE starts_on <= ? ORDER BY starts_on DESC, id DESC"
        " LIMIT 1",
        (last_day.isoformat(),),
    ) as cur:
        return _campaign(await cur.fetchone())


async def campaign_of_year(conn: Connection, year: int) -> Campaign | None:
    """The campaign of ``year``: the one that ends in that year (a campaign for 2027 may open
    in December 2026); the latest one when there are several."""
    async with conn.execute(
        "SELECT * FROM pledge_campaigns WHERE ends_on >= ? AND ends_on <= ?"
        " ORDER BY starts_on DESC, id DESC LIMIT 1",
        (f"{year:04d}-01-01", f"{year:04d}-12-31"),
    ) as cur:
        return _campaign(await cur.fetchone())


async def campaign_counted(conn: Connection, last_day: date) -> Campaign | None:
    """The campaign whose coverage a period reports: the campaign of the period's last year (the
    one ending that year) if it had started by the last day, else the latest one that had
    (last year's, early in a year before the new campaign opens). A campaign opened in
    December for next year does not replace this year's."""
    own = await campaign_of_year(conn, last_day.year)
    if own is not None and own.starts_on <= last_day:
        return own
    return await campaign_for(conn, last_day)


async def signed_by_area(
    conn: Connection,
    campaign_id: int,
    until: datetime,
    area_ids: Sequence[int] | None = None,
) -> dict[tuple[int | None, str], int]:
    """Pledges standing at ``until`` in a campaign, by (area id, audience), in some areas or
    all. Household pledges count distinct households of the register (two pledges of one
    household count once); a pledge of no household on the register counts alone. Both are
    grouped in the order of the covering index, without a temporary table."""
    params: list[object] = [campaign_id, to_db(until), to_db(until)]
    where = (
        " FROM pledges WHERE campaign_id = ? AND signed_at < ?"
        " AND (withdrawn_at IS NULL OR withdrawn_at >= ?)"
    )
    where += _in_areas("area_id", area_ids, params)
    found: dict[tuple[int | None, str], int] = {}
    for sql in (
        "SELECT area_id, audience, COUNT(*) FROM (SELECT area_id, audience, household_id"
        + where
        + " AND household_id IS NOT NULL GROUP BY area_id, audience, household_id) AS h"
        " GROUP BY area_id, audience",
        "SELECT area_id, audience, COUNT(*)" + where + " AND household_id IS NULL"
        " GROUP BY area_id, audience",
    ):
        async with conn.execute(sql, params) as cur:
            for r in await cur.fetchall():
                found[(r[0], r[1])] = found.get((r[0], r[1]), 0) + int(r[2])
    return found


Bucket = tuple[datetime, datetime]  # [begin, end) in UTC


def _in_areas(column: str, area_ids: Sequence[int] | None, params: list[object]) -> str:
    """`` AND column IN (...)`` for a scope of areas; nothing for the whole deployment."""
    if area_ids is None:
        return ""
    params.extend(area_ids)
    return f" AND {column} IN ({','.join('?' for _ in area_ids) or 'NULL'})"


def _one_of(column: str, values: Sequence[object], params: list[object]) -> str:
    params.extend(values)
    return f" AND {column} IN ({','.join('?' for _ in values) or 'NULL'})"


@dataclass(frozen=True)
class ReportCount:
    bucket: int
    category: str
    status: str  # where it stands now
    count: int
    happening_now: int
    anonymous: int


async def report_counts(
    conn: Connection,
    buckets: Sequence[Bucket],
    area_ids: Sequence[int] | None,
    categories: Sequence[str],
    statuses: Sequence[str],
) -> list[ReportCount]:
    """Reports made in each bucket, by category and status (of those given), with how many
    were reported as happening now and anonymously (no content, no reporter). Each bucket is
    one seek per category and status into an index in that order: no scan, no sort."""
    found = []
    for index, (begin, end) in enumerate(buckets):
        params: list[object] = []
        sql = (
            "SELECT category, status, COUNT(*), SUM(happening_now), SUM(anonymous) FROM reports"
            # for some areas, their index (the planner's guess would read the province's rows)
            + (conn.dialect.indexed_by("reports_area_counted") if area_ids is not None else "")
            + " WHERE 1 = 1"
            + _in_areas("area_id", area_ids, params)
            + _one_of("category", categories, params)
            + _one_of("status", statuses, params)
            + " AND created_at >= ? AND created_at < ? GROUP BY category, status"
        )
        async with conn.execute(sql, [*params, to_db(begin), to_db(end)]) as cur:
            found += [
                ReportCount(index, r[0], r[1], int(r[2]), int(r[3]), int(r[4]))
                for r in await cur.fetchall()
            ]
    return found


@dataclass(frozen=True)
class PatrolMonth:
    bucket: int
    patrols: int
    participants: int  # named people who did not decline, plus head counts


async def patrol_counts(
    conn: Connection, buckets: Sequence[Bucket], area_ids: Sequence[int] | None
) -> list[PatrolMonth]:
    """Patrols started in each bucket and their participants: the head count given without
    names plus the named people who did not decline (kept on the patrol, see migration
    0019)."""
    found = []
    for index, (begin, end) in enumerate(buckets):
        params: list[object] = []
        sql = (
            "SELECT COUNT(*), SUM(headcount + named) FROM patrols WHERE 1 = 1"
            + _in_areas("area_id", area_ids, params)
            + " AND started_at >= ? AND started_at < ?"
        )
        async with conn.execute(sql, [*params, to_db(begin), to_db(end)]) as cur:
            row = await cur.fetchone()
        if row is not None and row[0]:
            found.append(PatrolMonth(index, int(row[0]), int(row[1] or 0)))
    return found


@dataclass(frozen=True)
class ObservationMonth:
    bucket: int
    kind: str
    reminded: bool
    cases: int


async def observation_counts(
    conn: Connection,
    buckets: Sequence[Bucket],
    area_ids: Sequence[int] | None,
    kinds: Sequence[str],
) -> list[ObservationMonth]:
    """Cases seen on the patrols started in each bucket, by kind (of those given) and whether
    reminded (the patrol's start and area are kept on each observation)."""
    found = []
    for index, (begin, end) in enumerate(buckets):
        params: list[object] = []
        sql = (
            "SELECT kind, reminded, SUM(count) FROM patrol_observations"
            + (
                conn.dialect.indexed_by("patrol_observations_area_counted")
                if area_ids is not None
                else ""
            )
            + " WHERE 1 = 1"
            + _in_areas("patrol_area_id", area_ids, params)
            + _one_of("kind", kinds, params)
            + " AND reminded IN (0, 1)"
            " AND patrol_started_at >= ? AND patrol_started_at < ? GROUP BY kind, reminded"
        )
        async with conn.execute(sql, [*params, to_db(begin), to_db(end)]) as cur:
            found += [
                ObservationMonth(index, r[0], bool(r[1]), int(r[2])) for r in await cur.fetchall()
            ]
    return found


@dataclass(frozen=True)
class Delivery:
    topic: str
    runs: int
    sent: int
    failed: int
    skipped: int
    pending: int


async def deliveries(
    conn: Connection, begin: datetime, end: datetime, area_ids: Sequence[int] | None
) -> list[Delivery]:
    """Awareness reminders sent by runs that started in [begin, end), per topic. For some
    areas, only the messages that went to their groups and residents count, and only the runs
    that reached them. Summed from the workbook's per-run rows, so both always agree."""
    totals: dict[str, Delivery] = {}
    for run in await deliveries_repo.deliveries(conn, area_ids, begin, end):
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


@dataclass
class AreaActivity:
    """What an area did in a period, for a province's table per commune."""

    reports: int = 0
    crime: int = 0  # in the crime categories given, statuses not counted as cases left out
    mediation: int = 0
    mediated: int = 0  # mediated successfully
    patrols: int = 0
    participations: int = 0


async def activity_by_area(
    conn: Connection,
    begin: datetime,
    end: datetime,
    crime_categories: Sequence[str],
    not_cases: Sequence[str],
) -> dict[int, AreaActivity]:
    """Each area's reports, mediation cases and patrols in [begin, end): one seek per area into
    indexes in area order, no temporary sort."""
    found: dict[int, AreaActivity] = {}
    crime: list[object] = [*crime_categories, *not_cases]
    crime_marks = ",".join("?" for _ in crime_categories) or "NULL"
    case_marks = ",".join("?" for _ in not_cases) or "NULL"
    queries: list[tuple[str, list[object], tuple[str, ...]]] = [
        (
            "SELECT area_id, COUNT(*),"
            f" SUM(CASE WHEN category IN ({crime_marks}) AND status NOT IN ({case_marks})"
            " THEN 1 ELSE 0 END)"
            " FROM reports WHERE area_id IN (SELECT id FROM areas)"
            " AND created_at >= ? AND created_at < ? GROUP BY area_id",
            crime,
            ("reports", "crime"),
        ),
        (
            "SELECT area_id, COUNT(*), SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END)"
            " FROM mediation_cases"
            " WHERE created_at >= ? AND created_at < ? AND area_id IS NOT NULL GROUP BY area_id",
            [],
            ("mediation", "mediated"),
        ),
        (
            "SELECT area_id, COUNT(*), SUM(headcount + named) FROM patrols"
            " WHERE area_id IN (SELECT id FROM areas) AND started_at >= ? AND started_at < ?"
            " GROUP BY area_id",
            [],
            ("patrols", "participations"),
        ),
    ]
    for sql, params, fields in queries:
        async with conn.execute(sql, [*params, to_db(begin), to_db(end)]) as cur:
            for row in await cur.fetchall():
                activity = found.setdefault(int(row[0]), AreaActivity())
                for name, value in zip(fields, row[1:], strict=True):
                    setattr(activity, name, getattr(activity, name) + int(value or 0))
    return found


async def awareness_by_commune(
    conn: Connection, begin: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per commune: (broadcasts that reached it, messages delivered to it) of the runs started
    in [begin, end): kept per commune when a run finished, counted live while it sends."""
    found: dict[int, tuple[int, int]] = {}
    kept = (
        "SELECT commune_id, COUNT(*), SUM(sent) FROM broadcast_commune_counts"
        " WHERE commune_id IN (SELECT id FROM communes) AND started_at >= ? AND started_at < ?"
        " GROUP BY commune_id"
    )
    live = (
        "SELECT a.commune_id, COUNT(DISTINCT o.batch_id),"
        " SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END) FROM outbox o"
        " LEFT JOIN chats c ON c.platform = o.platform AND c.chat_id = o.chat_id"
        "  AND c.kind = 'group'"
        " LEFT JOIN members m ON m.platform = o.platform AND m.user_id = o.chat_id"
        " JOIN areas a ON a.id = COALESCE(c.area_id, m.area_id)"
        " WHERE o.batch_id IN (SELECT id FROM broadcast_runs WHERE started_at >= ?"
        "  AND started_at < ? AND status <> 'skipped' AND counts_kept = 0)"
        " GROUP BY a.commune_id"
    )
    for sql in (kept, live):
        async with conn.execute(sql, (to_db(begin), to_db(end))) as cur:
            for row in await cur.fetchall():
                runs, sent = found.get(int(row[0]), (0, 0))
                found[int(row[0])] = (runs + int(row[1]), sent + int(row[2] or 0))
    return found


async def mediation_counts(
    conn: Connection, begin: datetime, end: datetime, area_ids: Sequence[int] | None
) -> dict[str, int]:
    """Cases opened in [begin, end) by outcome ("open" while not closed), in some areas or
    all."""
    params: list[object] = [to_db(begin), to_db(end)]
    sql = (
        "SELECT COALESCE(outcome, 'open'), COUNT(*) FROM mediation_cases"
        " WHERE created_at >= ? AND created_at < ?"
        + _in_areas("area_id", area_ids, params)
        + " GROUP BY 1"
    )
    async with conn.execute(sql, params) as cur:
        return {r[0]: int(r[1]) for r in await cur.fetchall()}
