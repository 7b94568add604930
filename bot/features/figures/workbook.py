"""The officers' XLSX workbook: a summary sheet and one sheet per kind of record.

This module holds the words (labels, sheet titles) and the summary sheet's lines, read from
:func:`bot.features.figures.figures.collect`, so the workbook and the chat figures always
agree; :mod:`bot.features.figures.tables` holds the sheets of records (the same tables feed
the CSV files) and :mod:`bot.features.figures.xlsx` writes them with openpyxl.

Privacy: no reporter, no mediation party's name, no chat or Telegram id is ever read (see
:mod:`bot.storage.exports`). Free text goes through :func:`bot.shared.cells.text_cell`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.features.figures.figures import OUTCOMES, Figures, ReportFeedback
from bot.features.patrols.kinds import KINDS
from bot.features.pledges.model import AUDIENCE_LABELS, AUDIENCES
from bot.features.reports.model import CATEGORIES, STATUS_LABELS
from bot.i18n import N_, Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period

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


def local_minute(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A naive local datetime (openpyxl cannot store time zones), to the minute."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


# Summary ------------------------------------------------------------------------------------
# A summary line: (label, value, type). A label with no value is a section heading.
SummaryLine = tuple[str, Value, ColumnType]


def feedback_rows(t: Translator, feedback: ReportFeedback) -> list[SummaryLine]:
    """The reporters' ratings of the outcomes and their reopenings."""
    share = feedback.satisfied_percent
    return [
        (t.plain(N_("Outcomes rated by the reporter")), feedback.rated, "int"),
        (t.plain(N_("Rated satisfied")), feedback.satisfied, "int"),
        (
            t.plain(N_("Share satisfied of rated")),
            None if share is None else share / 100,
            "percent",
        ),
        (t.plain(N_("Reopened by the reporter")), feedback.reopened, "int"),
    ]


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
        (t.plain(N_("Prepared at")), local_minute(figures.generated_at, tz), "datetime"),
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
        *feedback_rows(t, r.feedback),
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
