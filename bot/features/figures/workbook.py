"""The officers' XLSX workbook: a summary sheet and one sheet per kind of record.

:func:`export_tables` turns the rows of :mod:`bot.storage.exports` into translated tables
(the same tables feed the CSV files of :mod:`bot.features.figures.csvfiles`);
:mod:`bot.features.figures.xlsx` writes them with openpyxl. The summary sheet reads
:func:`bot.features.figures.figures.collect`, so the
workbook and the chat figures always agree.

Privacy: no reporter, no mediation party's name, no chat or Telegram id is ever read (see
:mod:`bot.storage.exports`). Free text goes through :func:`bot.shared.cells.text_cell`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import aiosqlite

from bot.features.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.features.figures.figures import OUTCOMES, Figures
from bot.features.patrols.kinds import KINDS
from bot.features.pledges.model import AUDIENCE_LABELS, AUDIENCES
from bot.features.reports.model import CATEGORIES, STATUS_LABELS
from bot.i18n import N_, Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period
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


def export_basename(kind: str, area_code: str | None, period: Period) -> str:
    """``xomantoan-reports-DONG-2026-01-01_2026-12-31`` (``commune`` for the whole commune);
    add the extension (``.csv``, ``.xlsx``)."""
    scope = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in area_code or "commune")
    return f"xomantoan-{kind}-{scope}-{period.start.isoformat()}_{period.end.isoformat()}"
