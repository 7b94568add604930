"""Part II of the draft summary report, "results": pledges, reports and tips, mediation,
patrols, awareness messages and the yearly rating, each with every figure filled in. The
header, the assessment and the signature are in :mod:`bot.features.figures.summary`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.features.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.features.figures.docx import DocxWriter, clean
from bot.features.figures.figures import Figures
from bot.features.figures.summary_province import province_sections
from bot.features.figures.timeliness import timeliness_sentence
from bot.features.patrols.kinds import BY_CODE as KIND_BY_CODE
from bot.features.pledges.model import AUDIENCE_LABELS
from bot.features.reports.model import CATEGORY_BY_KEY, STATUS_LABELS, Status
from bot.i18n import N_, Translator

DOTS = "…………"
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


class ReportBase:
    """The document being written, its figures and the reader's language."""

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


class ResultSections(ReportBase):
    def results(self) -> None:
        t, w = self.t, self.w
        w.heading(f"{ROMAN[1]}. " + t.plain("RESULTS"))
        self.pledges()
        self.reports()
        self.mediation()
        self.patrols()
        self.awareness()
        self.rating()
        province_sections(t, w, self.f, 7)
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
        w.para(timeliness_sentence(t, f.timeliness))  # on time, median times
        self.report_feedback()

    def report_feedback(self) -> None:
        """The reporters' ratings of the outcomes and their reopenings."""
        t, feedback = self.t, self.f.reports.feedback
        self.w.para(
            "c) "
            + t.plain(
                "Reporters' ratings of the outcome: {rated} rated, {satisfied} satisfied "
                "({percent} of rated); reopened by their reporter: {reopened}.",
                rated=self.n(feedback.rated),
                satisfied=self.n(feedback.satisfied),
                percent=self.pct(feedback.satisfied_percent),
                reopened=self.n(feedback.reopened),
            ),
            indent=True,
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
