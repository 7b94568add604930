"""The draft periodic summary report (báo cáo sơ kết / tổng kết) as a Word document.

:func:`summary_docx` turns the :class:`~bot.features.figures.figures.Figures` of a scope and
period into a
DOCX laid out the way a commune police report is written (Nghị định 30/2020/NĐ-CP, as far as
python-docx allows): A4, margins 20/20/30/15 mm, Times New Roman; a borderless two-column header
(agency and number on the left, national title, motto and place and date on the right); the title
with the scope and period; sections I-IV with every figure filled in; the signature block. Where a
person must write the assessment, the document holds visible dotted lines, so an officer only
edits the prose.

Every word comes from the catalogs (``t.plain``: a document is plain text, nothing is escaped for
Telegram); an English reader gets the same structure in English. Names and notes are written as
text runs, never interpreted: an area called ``<b>=SUM(A1)</b>`` appears exactly so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.features.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.features.figures.docx import TABLE_PT, DocxWriter, clean
from bot.features.figures.figures import Figures
from bot.features.patrols.kinds import BY_CODE as KIND_BY_CODE
from bot.features.pledges.model import AUDIENCE_LABELS
from bot.features.reports.model import CATEGORY_BY_KEY, STATUS_LABELS, Status
from bot.i18n import N_, Translator
from bot.shared.text import fold_key

DOTS = "…………"
_UNIT_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
_SAFE_CODE = re.compile(r"[^A-Za-z0-9_-]+")
ROMAN = ("I", "II", "III", "IV", "V", "VI")

OUTCOME_LABELS = {
    "success": N_("Mediated successfully"),
    "failed": N_("Mediation not successful"),
    "transferred": N_("Transferred to the competent authorities"),
    "open": N_("Still being mediated"),
}


@dataclass(frozen=True)
class RatedArea:
    """One area's result in the yearly rating of safe residential areas (None: not rated)."""

    area_code: str
    area_name: str
    met: bool | None
    streak: int
    note: str


def summary_filename(figures: Figures) -> str:
    """``bao-cao-DONG-2026-01-01_2026-12-31.docx``; ``commune`` for the whole commune."""
    area = figures.scope.area
    code = (_SAFE_CODE.sub("-", area.code).strip("-") or "area") if area else "commune"
    period = figures.period
    return f"bao-cao-{code}-{period.start.isoformat()}_{period.end.isoformat()}.docx"


def _has_unit(name: str) -> bool:
    return fold_key(name).startswith(_UNIT_PREFIXES)


def _place(name: str) -> str:
    """The place before the date: the commune's name without "Xã"/"Phường" (kept for a
    numbered ward such as "Phường 3")."""
    folded = fold_key(name)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            rest = name[len(prefix) :].strip()
            return name if not rest or rest.isdigit() else rest
    return name


def _full_year(figures: Figures) -> bool:
    start, end = figures.period.start, figures.period.end
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)


class _Report:
    def __init__(
        self,
        t: Translator,
        figures: Figures,
        commune_name: str | None,
        ratings: list[RatedArea] | None,
        today: date,
    ) -> None:
        self.t = t
        self.f = figures
        self.commune = clean(commune_name).strip() if commune_name else ""
        self.ratings = ratings
        self.today = today
        self.w = DocxWriter(t)

    # Formatting ---------------------------------------------------------------------------
    def n(self, value: int | None) -> str:
        return DOTS if value is None else self.t.number(value)

    def pct(self, value: float | None) -> str:
        return DOTS if value is None else self.t.percent(value / 100)

    def total_row(self, label: str, *values: int) -> list[str]:
        return ["", label, *(self.t.number(v) for v in values)]

    # Parts --------------------------------------------------------------------------------
    def build(self) -> bytes:
        self.header()
        self.title()
        self.situation()
        self.results()
        self.assessment()
        self.directions()
        self.closing()
        self.signature()
        return self.w.to_bytes()

    def agency(self) -> str:
        t = self.t
        if not self.commune:
            return t.plain("COMMUNE POLICE OF {commune}", commune=DOTS)
        if _has_unit(self.commune):
            return t.plain("POLICE OF {commune}", commune=self.commune.upper())
        return t.plain("COMMUNE POLICE OF {commune}", commune=self.commune.upper())

    def dateline(self) -> str:
        t, today = self.t, self.today
        place = _place(self.commune) if self.commune else DOTS
        if t.language == "vi":
            # Nghị định 30: days below 10 and the months January and February take a leading 0.
            day = f"{today.day:02d}"
            month = f"{today.month:02d}" if today.month < 3 else str(today.month)
        else:
            day, month = str(today.day), str(today.month)
        return t.plain(
            "{place}, {long_date}",
            place=place,
            long_date=t.plain(
                "day {day} month {month} year {year}",
                day=day,
                month=month,
                year=str(today.year),
            )
            if t.language == "vi"
            else t.long_date(today),
        )

    def header(self) -> None:
        t, w = self.t, self.w
        frame = w.frame(2, (70, 95))
        left, right = frame.cell(0, 0), frame.cell(0, 1)
        w.para(
            t.plain("PROVINCIAL POLICE OF {province}", province=DOTS),
            size=TABLE_PT,
            center=True,
            container=left,
            after=0,
        )
        w.para(self.agency(), bold=True, size=TABLE_PT, center=True, container=left, after=0)
        w.para(
            t.plain("SOCIALIST REPUBLIC OF VIET NAM"),
            bold=True,
            size=TABLE_PT,
            center=True,
            container=right,
            after=0,
        )
        w.para(
            t.plain("Independence - Freedom - Happiness"),
            bold=True,
            underline=True,
            center=True,
            container=right,
            after=0,
        )
        w.para(
            t.plain("No.: {number}/BC-CAX", number="…"),
            size=TABLE_PT,
            center=True,
            container=frame.cell(1, 0),
            after=0,
        )
        w.para(self.dateline(), italic=True, center=True, container=frame.cell(1, 1), after=0)
        w.para(after=0)

    def scope_and_period(self) -> str:
        t, f = self.t, self.f
        start, end = t.day(f.period.start), t.day(f.period.end)
        if f.scope.area is not None:
            return t.plain(
                "in {area}, from {start} to {end}", area=f.scope.area.name, start=start, end=end
            )
        return t.plain("in the whole commune, from {start} to {end}", start=start, end=end)

    def title(self) -> None:
        t, w = self.t, self.w
        w.para(t.plain("REPORT"), bold=True, center=True, after=0)
        subject = (
            t.plain(
                "Year-end review of building the movement of all people protecting "
                "national security"
            )
            if _full_year(self.f)
            else t.plain(
                "Interim review of building the movement of all people protecting national security"
            )
        )
        w.para(subject, bold=True, center=True, after=0)
        w.para(self.scope_and_period(), bold=True, center=True, after=12)
        w.para(
            t.plain(
                "Pursuant to plan No. {plan}, the commune police report the results of the period "
                "as follows:",
                plan=DOTS,
            )
        )

    def situation(self) -> None:
        t, f, w = self.t, self.f, self.w
        w.heading(f"{ROMAN[0]}. " + t.plain("SITUATION"))
        households = f.pledges.households
        if f.scope.area is not None:
            text = t.plain(
                "{area} has {households} resident households on record.",
                area=f.scope.area.name,
                households=self.n(households),
            )
        else:
            text = t.plain(
                "Residential areas in the commune: {areas}; resident households on record: "
                "{households}.",
                areas=len(f.pledges.per_area),
                households=self.n(households),
            )
        w.para(text)
        w.para(t.plain("The security and order situation in the area during the period:"))
        w.blanks(4)

    def results(self) -> None:
        t, w = self.t, self.w
        w.heading(f"{ROMAN[1]}. " + t.plain("RESULTS"))
        self.pledges()
        self.reports()
        self.mediation()
        self.patrols()
        self.awareness()
        self.rating()
        w.para(
            t.plain(
                "(Figures compiled by the Xóm An Toàn system at {moment}.)",
                moment=t.when(self.f.generated_at),
            ),
            italic=True,
            size=12,
        )

    def pledges(self) -> None:
        t, f, w = self.t, self.f, self.w
        p = f.pledges
        w.heading("1. " + t.plain("Households signing the safety pledge"))
        if p.campaign is None:
            w.para(t.plain("No pledge campaign was held in the period."))
            w.blanks(1)
            return
        w.para(
            t.plain(
                "Pledge campaign “{campaign}” (from {start} to {end}): households signed: "
                "{signed} of {households}, a rate of {percent}.",
                campaign=clean(p.campaign.title),
                start=t.day(p.campaign.starts_on),
                end=t.day(p.campaign.ends_on),
                signed=self.n(p.signed),
                households=self.n(p.households),
                percent=self.pct(p.percent),
            )
        )
        full = sum(1 for c in p.per_area if c.area.households and c.signed >= c.area.households)
        w.para(
            t.plain(
                "Residential areas where every household signed: {full} of {areas}.",
                full=full,
                areas=len(p.per_area),
            )
        )
        others = [
            t.plain("{audience}: {count}", audience=t.plain(AUDIENCE_LABELS[key]), count=count)
            for key, count in p.other_signed.items()
            if count and key in AUDIENCE_LABELS
        ]
        if others:
            w.para(t.plain("Other pledges signed: {list}.", list="; ".join(others)))
        rows = [
            [
                t.number(i),
                c.area.name,
                self.n(c.area.households),
                t.number(c.signed),
                self.pct(c.percent),
            ]
            for i, c in enumerate(p.per_area, start=1)
        ]
        total = None
        if len(p.per_area) > 1:
            total = [
                "",
                t.plain("Total"),
                self.n(p.households),
                t.number(p.signed),
                self.pct(p.percent),
            ]
        w.table(
            [
                t.plain("No."),
                t.plain("Residential area"),
                t.plain("Households"),
                t.plain("Households signed"),
                t.plain("Rate"),
            ],
            rows,
            [12, 63, 30, 35, 25],
            total,
        )

    def reports(self) -> None:
        t, f, w = self.t, self.f, self.w
        r = f.reports
        w.heading("2. " + t.plain("Receiving and handling reports and tips"))
        w.para(
            t.plain(
                "Reports, tips and complaints received: {total}; of which about crime and social "
                "evils: {crime}; sent anonymously: {anonymous}; about something happening at the "
                "time: {urgent}.",
                total=r.total,
                crime=r.crime,
                anonymous=r.anonymous,
                urgent=r.happening_now,
            )
        )
        w.para("a) " + t.plain("By category:"), indent=True)
        rows = [
            [
                t.number(i),
                t.plain(CATEGORY_BY_KEY[key].label) if key in CATEGORY_BY_KEY else key,
                t.number(count),
            ]
            for i, (key, count) in enumerate(r.by_category.items(), start=1)
        ]
        w.table(
            [t.plain("No."), t.plain("Category"), t.plain("Number")],
            rows,
            [12, 118, 35],
            self.total_row(t.plain("Total"), r.total),
        )
        w.para("b) " + t.plain("By handling status:"), indent=True)
        rows = []
        for i, (key, count) in enumerate(r.by_status.items(), start=1):
            try:
                label = t.plain(STATUS_LABELS[Status(key)])
            except ValueError:
                label = key
            rows.append([t.number(i), label, t.number(count)])
        w.table(
            [t.plain("No."), t.plain("Handling status"), t.plain("Number")],
            rows,
            [12, 118, 35],
            self.total_row(t.plain("Total"), r.total),
        )

    def mediation(self) -> None:
        t, f, w = self.t, self.f, self.w
        m = f.mediation
        w.heading("3. " + t.plain("Mediation at the grassroots"))
        w.para(
            t.plain(
                "Disputes and conflicts taken up for mediation: {total}; mediated successfully: "
                "{success}.",
                total=m.total,
                success=m.by_outcome.get("success", 0),
            )
        )
        rows = [
            [
                t.number(i),
                t.plain(OUTCOME_LABELS[key]) if key in OUTCOME_LABELS else key,
                t.number(count),
            ]
            for i, (key, count) in enumerate(m.by_outcome.items(), start=1)
        ]
        w.table(
            [t.plain("No."), t.plain("Outcome"), t.plain("Cases")],
            rows,
            [12, 118, 35],
            self.total_row(t.plain("Total"), m.total),
        )

    def patrols(self) -> None:
        t, f, w = self.t, self.f, self.w
        p = f.patrols
        w.heading("4. " + t.plain("Patrols and reminders"))
        seen = sum(p.observations.values())
        w.para(
            t.plain(
                "Patrols held: {patrols}, with {participations} participations of members; "
                "cases found: {seen}; cases reminded: {reminded}.",
                patrols=p.patrols,
                participations=p.participations,
                seen=seen,
                reminded=p.reminders_total,
            )
        )
        rows = []
        for i, code in enumerate(p.observations, start=1):
            label = t.plain(KIND_BY_CODE[code].phrase) if code in KIND_BY_CODE else code
            rows.append(
                [
                    t.number(i),
                    label[:1].upper() + label[1:],
                    t.number(p.observations.get(code, 0)),
                    t.number(p.reminders.get(code, 0)),
                ]
            )
        w.table(
            [t.plain("No."), t.plain("Matter"), t.plain("Cases found"), t.plain("Cases reminded")],
            rows,
            [12, 93, 30, 30],
            self.total_row(t.plain("Total"), seen, p.reminders_total),
        )

    def awareness(self) -> None:
        t, f, w = self.t, self.f, self.w
        a = f.awareness
        w.heading("5. " + t.plain("Awareness work"))
        w.para(
            t.plain(
                "Awareness campaigns sent through the chat groups and to residents: {runs}; "
                "messages delivered: {sent}; messages that could not be delivered: {failed}.",
                runs=a.runs,
                sent=a.sent,
                failed=a.failed,
            )
        )
        if a.pending:
            w.para(
                t.plain(
                    "Messages still waiting to be delivered when the figures were compiled: "
                    "{pending}.",
                    pending=a.pending,
                )
            )
        rows = [
            [
                t.number(i),
                t.plain(TOPIC_BY_KEY[key].label) if key in TOPIC_BY_KEY else key,
                t.number(d.runs),
                t.number(d.sent),
            ]
            for i, (key, d) in enumerate(a.by_topic.items(), start=1)
        ]
        w.table(
            [t.plain("No."), t.plain("Topic"), t.plain("Campaigns"), t.plain("Messages sent")],
            rows,
            [12, 93, 25, 35],
            self.total_row(t.plain("Total"), a.runs, a.sent),
        )

    def rating(self) -> None:
        t, w = self.t, self.w
        w.heading("6. " + t.plain("Rating of residential areas safe in security and order"))
        if not self.ratings:
            w.para(
                t.plain("There are no rating results of residential areas for this period yet."),
                italic=True,
            )
            w.blanks(1)
            return
        met = sum(1 for r in self.ratings if r.met)
        w.para(
            t.plain(
                "Residential areas rated safe in security and order: {met} of {areas}.",
                met=met,
                areas=len(self.ratings),
            )
        )
        results = {
            True: t.plain("Met"),
            False: t.plain("Not met"),
            None: t.plain("Not rated yet"),
        }
        rows = [
            [
                t.number(i),
                clean(r.area_name),
                results[r.met],
                t.number(r.streak) if r.met else "",
                clean(r.note),
            ]
            for i, r in enumerate(self.ratings, start=1)
        ]
        w.table(
            [
                t.plain("No."),
                t.plain("Residential area"),
                t.plain("Result"),
                t.plain("Consecutive years met"),
                t.plain("Note"),
            ],
            rows,
            [12, 50, 30, 30, 43],
        )

    def assessment(self) -> None:
        t, w = self.t, self.w
        w.heading(f"{ROMAN[2]}. " + t.plain("OVERALL ASSESSMENT"))
        w.heading("1. " + t.plain("Strengths"))
        w.blanks(3)
        w.heading("2. " + t.plain("Shortcomings and their causes"))
        w.blanks(3)

    def directions(self) -> None:
        t, w = self.t, self.w
        w.heading(f"{ROMAN[3]}. " + t.plain("DIRECTIONS AND TASKS FOR THE COMING PERIOD"))
        w.blanks(4)

    def closing(self) -> None:
        t = self.t
        self.w.para(
            t.plain(
                "The above is the report on building the movement of all people protecting "
                "national security {period}; the commune police respectfully report it for "
                "the attention and direction of the superiors./.",
                period=self.scope_and_period(),
            )
        )

    def signature(self) -> None:
        t, w = self.t, self.w
        frame = w.frame(1, (75, 90))
        left, right = frame.cell(0, 0), frame.cell(0, 1)
        w.para(
            t.plain("Recipients:"),
            bold=True,
            italic=True,
            size=12,
            indent=False,
            container=left,
            after=0,
        )
        for line in (
            t.plain("- Provincial police (for reporting);"),
            t.plain("- Party committee and People's Committee of the commune (for reporting);"),
            t.plain("- Filed: Records."),
        ):
            w.para(line, size=11, indent=False, container=left, after=0)
        w.para(
            t.plain("HEAD OF THE COMMUNE POLICE"), bold=True, center=True, container=right, after=0
        )
        w.para(
            t.plain("(Signature, full name and seal)"),
            italic=True,
            center=True,
            container=right,
            after=0,
        )
        for _ in range(4):
            w.para(container=right, after=0)
        w.para(DOTS * 4, center=True, container=right, after=0)


def summary_docx(
    t: Translator,
    figures: Figures,
    *,
    commune_name: str | None,
    ratings: list[RatedArea] | None,
    today: date,
) -> bytes:
    """The draft summary report of ``figures`` as DOCX bytes, in the language of ``t``.
    ``ratings`` None leaves out the rating table with a note; ``today`` fills the date line."""
    return _Report(t, figures, commune_name, ratings, today).build()
