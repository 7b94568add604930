"""The officers' XLSX workbook: a summary sheet and one sheet per kind of record.

:func:`export_tables` turns the rows of :mod:`bot.storage.exports` into translated tables
(the same tables feed the CSV files of :mod:`bot.stats.csvfiles`); :func:`workbook_bytes`
writes them with openpyxl. The summary sheet reads :func:`bot.stats.figures.collect`, so the
workbook and the chat figures always agree.

Privacy: no reporter, no mediation party's name, no chat or Telegram id is ever read (see
:mod:`bot.storage.exports`). Free text goes through :func:`bot.stats.cells.text_cell`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import aiosqlite

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is written (it holds ~20 MB)
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

from bot.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.i18n import N_, Translator
from bot.patrols.kinds import KINDS
from bot.patrols.periods import Period
from bot.pledges import AUDIENCE_LABELS, AUDIENCES
from bot.reports.model import CATEGORIES, STATUS_LABELS
from bot.stats.cells import text_cell
from bot.stats.figures import OUTCOMES, Figures, collect
from bot.storage import areas as areas_repo
from bot.storage import exports as repo
from bot.storage.stats import campaign_counted

Value = str | int | float | date | datetime | None
ColumnType = Literal["text", "int", "float", "percent", "date", "datetime"]
KINDS_OF_EXPORT = ("pledges", "reports", "mediation", "patrols", "observations", "deliveries")

YES, NO = N_("yes"), N_("no")
OUTCOME_LABELS = {
    "success": N_("Mediated successfully"),
    "failed": N_("Not successful"),
    "transferred": N_("Transferred to the authorities"),
    "open": N_("Still open"),
}
SOURCE_LABELS = {"live": N_("Logged live"), "backfill": N_("Logged afterwards")}
PATROL_STATE_LABELS = {"open": N_("In progress"), "closed": N_("Finished")}
HANDLER_LABELS = {"leaders": N_("Team leaders"), "officers": N_("Commune police")}
AUDIENCE_TARGET_LABELS = {
    "commune": N_("Whole commune"),
    "areas": N_("Chosen areas"),
    "groups": N_("Village groups"),
    "subscribers": N_("Subscribers of the topic"),
}
RUN_STATUS_LABELS = {
    "fanout": N_("Preparing the list"),
    "sending": N_("Being sent"),
    "done": N_("Finished sending"),
}
SHEET_TITLES = {
    "summary": N_("Summary"),
    "pledges": N_("Pledges"),
    "reports": N_("Reports"),
    "mediation": N_("Mediation"),
    "patrols": N_("Patrols"),
    "observations": N_("Observations"),
    "deliveries": N_("Deliveries"),
}


@dataclass(frozen=True)
class Column:
    header: str  # a message id
    type: ColumnType = "text"


@dataclass
class Table:
    kind: str  # one of KINDS_OF_EXPORT, also used in file names
    title: str  # translated sheet name
    headers: list[str]  # translated
    types: list[ColumnType]
    rows: list[list[Value]] = field(default_factory=list)


def _table(kind: str, t: Translator, columns: Sequence[Column]) -> Table:
    return Table(
        kind,
        t.plain(SHEET_TITLES[kind]),
        [t.plain(c.header) for c in columns],
        [c.type for c in columns],
    )


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A naive local datetime (openpyxl cannot store time zones), to the minute."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment else None


def _label(t: Translator, table: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return t.plain(table[code]) if code in table else code


def _yes(t: Translator, value: bool) -> str:
    return t.plain(YES if value else NO)


# Tables -------------------------------------------------------------------------------------
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


async def export_tables(
    conn: aiosqlite.Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
) -> list[Table]:
    """One translated table per kind (KINDS_OF_EXPORT order) for the scope and period."""
    begin, end = period.utc_bounds(tz)
    codes = {a.id: a.code for a in await areas_repo.list_areas(conn)}

    pledges = _table("pledges", t, PLEDGE_COLUMNS)
    campaign = await campaign_counted(conn, period.end)
    if campaign is not None:
        for p in await repo.pledges(conn, campaign.id, area_id, end):
            pledges.rows.append(
                [
                    p.reference,
                    p.area_code,
                    text_cell(p.area_name),
                    _label(t, AUDIENCE_LABELS, p.audience),
                    text_cell(p.head_name),
                    text_cell(p.address),
                    _yes(t, p.public),
                    _local(p.signed_at, tz),
                    _day(p.withdrawn_at, tz),
                ]
            )

    reports = _table("reports", t, REPORT_COLUMNS)
    for r in await repo.reports(conn, area_id, begin, end):
        reports.rows.append(
            [
                r.code,
                _local(r.created_at, tz),
                r.area_code,
                text_cell(r.area_name),
                _label(t, CATEGORY_LABELS, r.category),
                _label(t, STATUS_TEXT, r.status),
                _label(t, HANDLER_LABELS, r.target),
                _yes(t, r.happening_now),
                _yes(t, r.anonymous),
                _yes(t, r.escalated),
                _local(r.resolved_at, tz),
            ]
        )

    mediation = _table("mediation", t, MEDIATION_COLUMNS)
    for m in await repo.mediation(conn, area_id, begin, end):
        mediation.rows.append(
            [
                m.id,
                _local(m.created_at, tz),
                m.area_code,
                text_cell(m.area_name),
                m.report_code,
                m.parties,
                date.fromisoformat(m.session_on) if m.session_on else None,
                _label(t, OUTCOME_LABELS, m.outcome or "open"),
                _local(m.closed_at, tz),
            ]
        )

    patrols, observations = await patrol_tables(conn, area_id, period, tz, t)

    deliveries = _table("deliveries", t, DELIVERY_COLUMNS)
    for d in await repo.deliveries(conn, area_id, begin, end):
        deliveries.rows.append(
            [
                d.run_id,
                _local(d.started_at, tz),
                _label(t, TOPIC_LABELS, d.topic),
                _label(t, AUDIENCE_TARGET_LABELS, d.target),
                ", ".join(codes.get(a, str(a)) for a in d.area_ids) or None,
                _yes(t, d.urgent),
                _label(t, RUN_STATUS_LABELS, d.status),
                d.sent,
                d.failed,
                d.skipped,
                d.pending,
                _local(d.finished_at, tz),
            ]
        )

    return [pledges, reports, mediation, patrols, observations, deliveries]


async def patrol_tables(
    conn: aiosqlite.Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
) -> tuple[Table, Table]:
    """The patrols and their observations for the scope and period, translated: the same
    tables in the officers' workbook and in the CSV files of /patrolstats."""
    begin, end = period.utc_bounds(tz)
    patrols = _table("patrols", t, PATROL_COLUMNS)
    for pt in await repo.patrols(conn, area_id, begin, end):
        patrols.rows.append(
            [
                pt.id,
                pt.area_code,
                text_cell(pt.area_name),
                _day(pt.started_at, tz),
                _local(pt.started_at, tz),
                _local(pt.ended_at, tz),
                _label(t, SOURCE_LABELS, pt.source),
                _label(t, PATROL_STATE_LABELS, pt.status),
                pt.participants,
                pt.cases,
                pt.reminders,
            ]
        )

    observations = _table("observations", t, OBSERVATION_COLUMNS)
    for o in await repo.observations(conn, area_id, begin, end):
        observations.rows.append(
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
                _local(o.created_at, tz),
            ]
        )

    return patrols, observations


# Summary ------------------------------------------------------------------------------------
# A summary line: (label, value, type). A label with no value is a section heading.
SummaryLine = tuple[str, Value, ColumnType]


def summary_lines(figures: Figures, t: Translator, tz: ZoneInfo) -> list[SummaryLine]:
    """The scope, the period and the main totals, as label/value lines."""
    area = figures.scope.area
    scope = (
        t.plain(N_("{area} ({code})"), area=area.name, code=area.code)
        if area
        else t.plain(N_("Whole commune"))
    )
    p, r, m, pa, aw = (
        figures.pledges,
        figures.reports,
        figures.mediation,
        figures.patrols,
        figures.awareness,
    )

    def heading(label: str) -> SummaryLine:
        return (t.plain(label), None, "text")

    def count(label: str, value: int | None, **params: object) -> SummaryLine:
        return (t.plain(label, **params), value, "int")

    lines: list[SummaryLine] = [
        (t.plain(N_("Scope")), text_cell(scope), "text"),
        (t.plain(N_("Period from")), figures.period.start, "date"),
        (t.plain(N_("Period to")), figures.period.end, "date"),
        (t.plain(N_("Prepared at")), _local(figures.generated_at, tz), "datetime"),
        heading(N_("Pledges")),
        (
            t.plain(N_("Pledge campaign")),
            text_cell(p.campaign.title) if p.campaign else t.plain(N_("none")),
            "text",
        ),
        count(N_("Households on record"), p.households),
        count(N_("Households signed"), p.signed),
        (
            t.plain(N_("Share of households signed")),
            None if p.percent is None else p.percent / 100,
            "percent",
        ),
    ]
    for audience in AUDIENCES:
        if audience in p.other_signed:
            lines.append(
                count(
                    N_("Signed as: {audience}"),
                    p.other_signed[audience],
                    audience=t.plain(AUDIENCE_LABELS[audience]),
                )
            )
    lines += [
        heading(N_("Reports")),
        count(N_("Reports made"), r.total),
        count(N_("Anonymous reports"), r.anonymous),
        count(N_("Reported as happening now"), r.happening_now),
        count(N_("Crime and social evils"), r.crime),
    ]
    lines += [
        count(N_("Category: {category}"), r.by_category.get(c.key, 0), category=t.plain(c.label))
        for c in CATEGORIES
    ]
    lines += [
        count(N_("Status: {status}"), r.by_status.get(s.value, 0), status=t.plain(label))
        for s, label in STATUS_LABELS.items()
    ]
    lines += [heading(N_("Mediation")), count(N_("Cases opened"), m.total)]
    lines += [
        count(N_("Outcome: {outcome}"), m.by_outcome.get(o, 0), outcome=t.plain(OUTCOME_LABELS[o]))
        for o in OUTCOMES
    ]
    lines += [
        heading(N_("Patrols")),
        count(N_("Patrols held"), pa.patrols),
        count(N_("Participations"), pa.participations),
        count(N_("Reminders given"), pa.reminders_total),
    ]
    lines += [
        count(N_("Reminders: {kind}"), pa.reminders.get(k.code, 0), kind=t.plain(k.label))
        for k in KINDS
    ]
    lines += [
        heading(N_("Awareness")),
        count(N_("Sendings"), aw.runs),
        count(N_("Messages delivered"), aw.sent),
        count(N_("Messages failed"), aw.failed),
        count(N_("Messages skipped"), aw.skipped),
        count(N_("Messages waiting"), aw.pending),
    ]
    return lines


# Writing ------------------------------------------------------------------------------------
@cache
def _bold() -> Font:
    from openpyxl.styles import Font

    return Font(bold=True)


MIN_WIDTH, MAX_WIDTH = 8, 48


def _formats(t: Translator) -> dict[ColumnType, str]:
    if t.language == "vi":
        days: dict[ColumnType, str] = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}
    else:
        days = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
    return {**days, "float": "0.000000", "percent": "0.0%"}


def _shown_length(value: Value, kind: ColumnType) -> int:
    if value is None:
        return 0
    if kind == "datetime":
        return 16
    if kind == "date":
        return 10
    return len(str(value))


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Sheet"


def _write_table(ws: Worksheet, table: Table, formats: dict[ColumnType, str]) -> None:
    from openpyxl.utils import get_column_letter

    ws.title = _sheet_title(table.title)
    ws.append(table.headers)
    for cell in ws[1]:
        cell.font = _bold()
    for row in table.rows:
        ws.append(row)
    for index, kind in enumerate(table.types, start=1):
        fmt = formats.get(kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        width = max(
            [len(table.headers[index - 1])]
            + [_shown_length(row[index - 1], kind) for row in table.rows]
        )
        ws.column_dimensions[get_column_letter(index)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = ws.dimensions


def _write_summary(
    ws: Worksheet,
    figures: Figures,
    t: Translator,
    tz: ZoneInfo,
    formats: dict[ColumnType, str],
) -> None:
    title = SHEET_TITLES["summary"]  # a variable, so the catalog check sees no message here
    ws.title = _sheet_title(t.plain(title))
    ws.append([t.plain(N_("Xóm An Toàn: figures for the period")), None])
    ws["A1"].font = _bold()
    for label, value, kind in summary_lines(figures, t, tz):
        ws.append([label, value])
        row = ws.max_row
        if value is None and kind == "text":
            ws.cell(row, 1).font = _bold()
        elif kind in formats:
            ws.cell(row, 2).number_format = formats[kind]
    if figures.scope.kind == "commune" and figures.pledges.per_area:
        ws.append([])
        header = [
            t.plain(N_("Area code")),
            t.plain(N_("Area")),
            t.plain(N_("Households on record")),
            t.plain(N_("Households signed")),
            t.plain(N_("Share of households signed")),
        ]
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = _bold()
        for coverage in figures.pledges.per_area:
            ws.append(
                [
                    coverage.area.code,
                    text_cell(coverage.area.name),
                    coverage.area.households,
                    coverage.signed,
                    None if coverage.percent is None else coverage.percent / 100,
                ]
            )
            ws.cell(ws.max_row, 5).number_format = formats["percent"]
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 30
    for letter in "CDE":
        ws.column_dimensions[letter].width = 18


async def workbook_bytes(
    conn: aiosqlite.Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    *,
    now: datetime | None = None,
) -> bytes:
    """The XLSX workbook for a scope (an area, or the whole commune when None) and a period,
    in the reader's language: a summary sheet, then one sheet per kind."""
    figures = await collect(conn, area_id, period, tz, now or datetime.now(UTC))
    tables = await export_tables(conn, area_id, period, tz, t)
    return build_workbook(figures, tables, t, tz)


def build_workbook(figures: Figures, tables: list[Table], t: Translator, tz: ZoneInfo) -> bytes:
    """The workbook from what was read (CPU-bound, no database: run it outside the event's
    transaction, in a worker thread)."""
    formats = _formats(t)
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    _write_summary(summary, figures, t, tz, formats)
    for table in tables:
        _write_table(book.create_sheet(), table, formats)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_basename(kind: str, area_code: str | None, period: Period) -> str:
    """``xomantoan-reports-DONG-2026-01-01_2026-12-31`` (``commune`` for the whole commune);
    add the extension (``.csv``, ``.xlsx``)."""
    scope = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in area_code or "commune")
    return f"xomantoan-{kind}-{scope}-{period.start.isoformat()}_{period.end.isoformat()}"
