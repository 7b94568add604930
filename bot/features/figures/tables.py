"""The sheets of records in the officers' files (XLSX workbook, CSV files, /patrolstats CSVs):
one translated table per kind, whose rows are read from SQLite in windows when the file is
written (:mod:`bot.storage.exports` pages them), so a province's year never sits in memory.

Privacy: no reporter, no mediation party's name, no chat or Telegram id is ever read (see
:mod:`bot.storage.exports`). Free text goes through :func:`bot.shared.cells.text_cell`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.features.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.features.figures.workbook import (
    AUDIENCE_TARGET_LABELS,
    HANDLER_LABELS,
    NO,
    OUTCOME_LABELS,
    PATROL_STATE_LABELS,
    RUN_STATUS_LABELS,
    SHEET_TITLES,
    SOURCE_LABELS,
    YES,
    ColumnType,
    Value,
    local_minute,
)
from bot.features.patrols.kinds import KINDS
from bot.features.pledges.model import AUDIENCE_LABELS
from bot.features.reports.model import CATEGORIES, STATUS_LABELS
from bot.i18n import N_, Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import deliveries as deliveries_repo
from bot.storage import exports as repo
from bot.storage.db import Connection
from bot.storage.exports import Scope
from bot.storage.stats import campaign_counted

Rows = list[list[Value]]


@dataclass(frozen=True)
class Column:
    header: str  # a message id
    type: ColumnType = "text"


@dataclass(frozen=True)
class Table:
    kind: str  # one of KINDS_OF_EXPORT, also used in file names
    title: str  # translated sheet name
    headers: list[str]  # translated
    types: list[ColumnType]
    # The rows, a window at a time, read from the connection given (which may be another
    # one than the table was made with: a worker thread's own, see documents.py).
    windows: Callable[[Connection], AsyncIterator[Rows]]

    async def rows(self, conn: Connection) -> Rows:
        """Every row at once (for small tables and tests)."""
        return [row async for window in self.windows(conn) for row in window]


def _table(
    kind: str,
    t: Translator,
    columns: Sequence[Column],
    windows: Callable[[Connection], AsyncIterator[Rows]],
) -> Table:
    return Table(
        kind,
        t.plain(SHEET_TITLES[kind]),
        [t.plain(c.header) for c in columns],
        [c.type for c in columns],
        windows,
    )


def _day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment else None


def _label(t: Translator, table: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return t.plain(table[code]) if code in table else code


def _yes(t: Translator, value: bool) -> str:
    return t.plain(YES if value else NO)


PLEDGE_COLUMNS = (
    Column(N_("Pledge reference")),
    Column(N_("Area code")),
    Column(N_("Area")),
    Column(N_("Signed as")),
    Column(N_("Head of household or representative")),
    Column(N_("Address")),
    Column(N_("On the public list")),
    Column(N_("Signed at"), "datetime"),
    Column(N_("Withdrawn on"), "date"),
)

REPORT_COLUMNS = (
    Column(N_("Tracking code")),
    Column(N_("Made at"), "datetime"),
    Column(N_("Area code")),
    Column(N_("Area")),
    Column(N_("Report category")),
    Column(N_("Report status")),
    Column(N_("Handled by")),
    Column(N_("Happening now")),
    Column(N_("Anonymous")),
    Column(N_("Escalated as overdue")),
    Column(N_("Resolved at"), "datetime"),
)

MEDIATION_COLUMNS = (
    Column(N_("Case number"), "int"),
    Column(N_("Opened at"), "datetime"),
    Column(N_("Area code")),
    Column(N_("Area")),
    Column(N_("Report tracking code")),
    Column(N_("Number of parties"), "int"),
    Column(N_("Mediation session on"), "date"),
    Column(N_("Mediation outcome")),
    Column(N_("Closed at"), "datetime"),
)

PATROL_COLUMNS = (
    Column(N_("Patrol number"), "int"),
    Column(N_("Area code")),
    Column(N_("Area")),
    Column(N_("Patrol day"), "date"),
    Column(N_("Started at"), "datetime"),
    Column(N_("Ended at"), "datetime"),
    Column(N_("How it was logged")),
    Column(N_("Patrol state")),
    Column(N_("Participants"), "int"),
    Column(N_("Cases seen"), "int"),
    Column(N_("Reminders given"), "int"),
)

OBSERVATION_COLUMNS = (
    Column(N_("Patrol number"), "int"),
    Column(N_("Area code")),
    Column(N_("Patrol day"), "date"),
    Column(N_("Kind of case")),
    Column(N_("Number of cases"), "int"),
    Column(N_("Reminder given")),
    Column(N_("Patrol note")),
    Column(N_("Has a photo")),
    Column(N_("Latitude"), "float"),
    Column(N_("Longitude"), "float"),
    Column(N_("Flagged for a report")),
    Column(N_("Noted at"), "datetime"),
)

DELIVERY_COLUMNS = (
    Column(N_("Sending number"), "int"),
    Column(N_("Started at"), "datetime"),
    Column(N_("Awareness topic")),
    Column(N_("Sent to")),
    Column(N_("Chosen areas")),
    Column(N_("Sent as urgent")),
    Column(N_("Sending status")),
    Column(N_("Messages delivered"), "int"),
    Column(N_("Messages failed"), "int"),
    Column(N_("Messages skipped"), "int"),
    Column(N_("Messages waiting"), "int"),
    Column(N_("Finished at"), "datetime"),
)

CATEGORY_LABELS = {c.key: c.label for c in CATEGORIES}
STATUS_TEXT = {s.value: label for s, label in STATUS_LABELS.items()}
KIND_LABELS = {k.code: k.label for k in KINDS}
TOPIC_LABELS = {key: topic.label for key, topic in TOPIC_BY_KEY.items()}


async def scope_of(
    conn: Connection, area_id: int | None, commune_id: int | None
) -> tuple[str | None, list[int] | None]:
    """The scope's code for file names (None: every area) and its areas' ids (None: all)."""
    if area_id is None and commune_id is not None:
        commune = await communes_repo.get(conn, commune_id)
        if commune is None:
            raise LookupError(f"no commune {commune_id}")
        return commune.code, [a.id for a in await areas_repo.list_areas(conn, commune_id)]
    if area_id is None:
        return None, None
    area = await areas_repo.get(conn, area_id)
    if area is None:
        raise LookupError(f"no area {area_id}")
    return area.code, [area_id]


async def export_tables(
    conn: Connection,
    area_ids: Scope,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
) -> list[Table]:
    """One translated table per kind (KINDS_OF_EXPORT order) for the scope (some areas, or
    None for every area) and period. Reads only the campaign and the area codes now; the
    rows are read when the tables are written."""
    begin, end = period.utc_bounds(tz)
    codes = {a.id: a.code for a in await areas_repo.list_areas(conn)}
    campaign = await campaign_counted(conn, period.end)

    async def pledges(conn: Connection) -> AsyncIterator[Rows]:
        if campaign is None:
            return
        async for window in repo.pledges(conn, campaign.id, area_ids, end):
            yield [
                [
                    p.reference,
                    p.area_code,
                    text_cell(p.area_name),
                    _label(t, AUDIENCE_LABELS, p.audience),
                    text_cell(p.head_name),
                    text_cell(p.address),
                    _yes(t, p.public),
                    local_minute(p.signed_at, tz),
                    _day(p.withdrawn_at, tz),
                ]
                for p in window
            ]

    async def reports(conn: Connection) -> AsyncIterator[Rows]:
        async for window in repo.reports(conn, area_ids, begin, end):
            yield [
                [
                    r.code,
                    local_minute(r.created_at, tz),
                    r.area_code,
                    text_cell(r.area_name),
                    _label(t, CATEGORY_LABELS, r.category),
                    _label(t, STATUS_TEXT, r.status),
                    _label(t, HANDLER_LABELS, r.target),
                    _yes(t, r.happening_now),
                    _yes(t, r.anonymous),
                    _yes(t, r.escalated),
                    local_minute(r.resolved_at, tz),
                ]
                for r in window
            ]

    async def mediation(conn: Connection) -> AsyncIterator[Rows]:
        async for window in repo.mediation(conn, area_ids, begin, end):
            yield [
                [
                    m.id,
                    local_minute(m.created_at, tz),
                    m.area_code,
                    text_cell(m.area_name),
                    m.report_code,
                    m.parties,
                    date.fromisoformat(m.session_on) if m.session_on else None,
                    _label(t, OUTCOME_LABELS, m.outcome or "open"),
                    local_minute(m.closed_at, tz),
                ]
                for m in window
            ]

    async def deliveries(conn: Connection) -> AsyncIterator[Rows]:
        yield [
            [
                d.run_id,
                local_minute(d.started_at, tz),
                _label(t, TOPIC_LABELS, d.topic),
                _label(t, AUDIENCE_TARGET_LABELS, d.target),
                ", ".join(codes.get(a, str(a)) for a in d.area_ids) or None,
                _yes(t, d.urgent),
                _label(t, RUN_STATUS_LABELS, d.status),
                d.sent,
                d.failed,
                d.skipped,
                d.pending,
                local_minute(d.finished_at, tz),
            ]
            for d in await deliveries_repo.deliveries(conn, area_ids, begin, end)
        ]

    patrols, observations = patrol_tables(area_ids, period, tz, t)
    return [
        _table("pledges", t, PLEDGE_COLUMNS, pledges),
        _table("reports", t, REPORT_COLUMNS, reports),
        _table("mediation", t, MEDIATION_COLUMNS, mediation),
        patrols,
        observations,
        _table("deliveries", t, DELIVERY_COLUMNS, deliveries),
    ]


def patrol_tables(
    area_ids: Scope, period: Period, tz: ZoneInfo, t: Translator
) -> tuple[Table, Table]:
    """The patrols and their observations for the scope and period, translated: the same
    tables in the officers' workbook and in the CSV files of /patrolstats."""
    begin, end = period.utc_bounds(tz)

    async def patrols(conn: Connection) -> AsyncIterator[Rows]:
        async for window in repo.patrols(conn, area_ids, begin, end):
            yield [
                [
                    pt.id,
                    pt.area_code,
                    text_cell(pt.area_name),
                    _day(pt.started_at, tz),
                    local_minute(pt.started_at, tz),
                    local_minute(pt.ended_at, tz),
                    _label(t, SOURCE_LABELS, pt.source),
                    _label(t, PATROL_STATE_LABELS, pt.status),
                    pt.participants,
                    pt.cases,
                    pt.reminders,
                ]
                for pt in window
            ]

    async def observations(conn: Connection) -> AsyncIterator[Rows]:
        async for window in repo.observations(conn, area_ids, begin, end):
            yield [
                [
                    o.patrol_id,
                    o.area_code,
                    _day(o.patrol_started_at, tz),
                    _label(t, KIND_LABELS, o.kind),
                    o.count,
                    _yes(t, o.reminded),
                    text_cell(o.note),
                    _yes(t, o.has_photo),
                    o.latitude,
                    o.longitude,
                    _yes(t, o.for_report),
                    local_minute(o.created_at, tz),
                ]
                for o in window
            ]

    return (
        _table("patrols", t, PATROL_COLUMNS, patrols),
        _table("observations", t, OBSERVATION_COLUMNS, observations),
    )
