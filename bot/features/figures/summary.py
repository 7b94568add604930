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
from datetime import date

from bot.features.figures.docx import TABLE_PT
from bot.features.figures.figures import Figures
from bot.features.figures.summary_results import (
    DOTS,
    ROMAN,
    RatedArea,
    ResultSections,
)
from bot.i18n import Translator
from bot.shared.text import fold_key

_UNIT_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
_SAFE_CODE = re.compile(r"[^A-Za-z0-9_-]+")


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


class _Report(ResultSections):
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
