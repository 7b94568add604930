"""The commune's figures for one area or the whole commune over a period.

:func:`collect` is the one place the numbers are computed; the chat answer, the chart, the JSON
of ``xomantoan stats --json``, the workbook and the draft summary report all read a
:class:`Figures`. Its JSON form is a documented, stable schema (README, "Figures as JSON"):
every key is always present, dictionaries list every known category with zeros, and a change
that removes or renames a key raises :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from bot.features.broadcasts.topics import TOPICS
from bot.features.figures.province import (
    CommuneFigures,
    CommuneRef,
    RatingFigures,
    commune_rows,
    rating_figures,
)
from bot.features.figures.province import ref as commune_ref
from bot.features.figures.timeliness import TimelinessFigures, timeliness_figures
from bot.features.patrols.figures import patrol_figures
from bot.features.patrols.kinds import KINDS
from bot.features.pledges.model import AUDIENCES
from bot.features.reports.model import CATEGORIES, Status
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import report_feedback
from bot.storage import stats as repo
from bot.storage.areas import Area
from bot.storage.db import Connection

SCHEMA_VERSION = 1
OUTCOMES = ("success", "failed", "transferred", "open")
# Report categories that count as crime or social evils when the rating asks for them.
CRIME_CATEGORIES = ("theft", "gambling", "drugs", "disorder", "fraud")
# A duplicate is the same incident again; "not ours" was no case of the commune's.
NOT_COUNTED_AS_CASES = (Status.DUPLICATE.value, Status.NOT_OURS.value)


class AreaRef(BaseModel):
    code: str
    name: str
    households: int | None = Field(description="resident households on record, null if unknown")


class Scope(BaseModel):
    kind: Literal["commune", "area", "province"] = Field(
        description='"commune": one commune (the whole deployment when it holds one); '
        '"province": every commune of a deployment that holds several'
    )
    area: AreaRef | None
    commune: CommuneRef | None = Field(
        default=None,
        description="the commune of the scope (of the area) in a deployment of several "
        "communes, else null",
    )


class PeriodRef(BaseModel):
    start: date = Field(description="first local day, inclusive")
    end: date = Field(description="last local day, inclusive")


class CampaignRef(BaseModel):
    id: int
    title: str
    starts_on: date
    ends_on: date


class AreaCoverage(BaseModel):
    area: AreaRef
    signed: int = Field(description="households with a standing pledge at the end of the period")
    percent: float | None = Field(description="signed / households × 100, one decimal, ≤ 100")


class PledgeFigures(BaseModel):
    campaign: CampaignRef | None
    households: int | None = Field(description="sum of the known household totals in scope")
    signed: int = Field(description="households signed in the areas whose total is on record")
    signed_unknown_total: int = Field(
        description="households signed in areas whose household total is not on record"
    )
    percent: float | None
    complete: bool = Field(description="every area in scope has a known total, fully signed")
    per_area: list[AreaCoverage]
    other_signed: dict[str, int] = Field(
        description="pledges of businesses, religious establishments and institutions"
    )


class ReportFeedback(BaseModel):
    """The reporters' word on the outcomes of the period's reports."""

    rated: int = Field(default=0, description="reports whose reporter rated the outcome")
    satisfied: int = Field(default=0, description="of those, rated satisfied")
    satisfied_percent: float | None = Field(
        default=None, description="satisfied of rated, 0-100, null when none was rated"
    )
    reopened: int = Field(default=0, description="reports their reporter reopened (once each)")


class ReportFigures(BaseModel):
    total: int
    by_category: dict[str, int]
    by_status: dict[str, int]
    happening_now: int
    anonymous: int
    crime: int = Field(
        description="reports in the crime and social-evil categories, duplicates and matters "
        "that were not the commune's left out"
    )
    feedback: ReportFeedback = Field(default_factory=ReportFeedback)


class MediationFigures(BaseModel):
    total: int
    by_outcome: dict[str, int]


class PatrolFigures(BaseModel):
    patrols: int
    participations: int
    reminders_total: int
    reminders: dict[str, int] = Field(description="cases reminded during patrols, per kind")
    observations: dict[str, int] = Field(description="all cases seen during patrols, per kind")


class TopicDelivery(BaseModel):
    runs: int
    sent: int
    failed: int


class AwarenessFigures(BaseModel):
    runs: int
    sent: int
    failed: int
    skipped: int
    pending: int
    by_topic: dict[str, TopicDelivery]


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM, local calendar")
    reports: int
    patrols: int
    participations: int
    reminders: int


class Figures(BaseModel):
    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    scope: Scope
    period: PeriodRef
    pledges: PledgeFigures
    reports: ReportFigures
    mediation: MediationFigures
    patrols: PatrolFigures
    awareness: AwarenessFigures
    months: list[MonthFigures]
    communes: list[CommuneFigures] = Field(
        default_factory=list,
        description="the table per commune, for the province; empty for a single commune",
    )
    rating: RatingFigures | None = Field(
        default=None, description="the yearly rating of the scope's areas, five years"
    )
    timeliness: TimelinessFigures = Field(
        default_factory=TimelinessFigures,
        description="reports acknowledged and resolved on time, median times: in all, per "
        "category, per area",
    )


def percent(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(min(100.0, 100.0 * part / whole), 1)


def _ref(area: Area) -> AreaRef:
    return AreaRef(code=area.code, name=area.name, households=area.households)


async def _pledges(
    conn: Connection,
    areas: list[Area],
    period: Period,
    tz: ZoneInfo,
    area_ids: list[int] | None,
) -> tuple[PledgeFigures, dict[int, int]]:
    """The pledge figures, and the households signed per area (for the table per commune)."""
    campaign = await repo.campaign_counted(conn, period.end)
    counts: dict[tuple[int | None, str], int] = {}
    if campaign is not None:
        counts = await repo.signed_by_area(conn, campaign.id, period.utc_bounds(tz)[1], area_ids)
    in_scope = {a.id for a in areas}
    per_area = [
        AreaCoverage(
            area=_ref(a),
            signed=counts.get((a.id, "household"), 0),
            percent=percent(counts.get((a.id, "household"), 0), a.households),
        )
        for a in areas
    ]
    # The rate compares like with like: only areas whose household total is on record.
    known = [a.households for a in areas if a.households is not None]
    households = sum(known) if known else None
    signed = sum(c.signed for c in per_area if c.area.households is not None)
    unknown = sum(c.signed for c in per_area if c.area.households is None)
    other = {
        audience: sum(
            n for (area_id, aud), n in counts.items() if aud == audience and area_id in in_scope
        )
        for audience in AUDIENCES
        if audience != "household"
    }
    complete = bool(areas) and all(
        a.households and c.signed >= a.households for a, c in zip(areas, per_area, strict=True)
    )
    figures = PledgeFigures(
        campaign=CampaignRef(
            id=campaign.id,
            title=campaign.title,
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        )
        if campaign
        else None,
        households=households,
        signed=signed,
        signed_unknown_total=unknown,
        percent=percent(signed, households),
        complete=complete,
        per_area=per_area,
        other_signed=other,
    )
    return figures, {a.id: c.signed for a, c in zip(areas, per_area, strict=True)}


async def collect(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    now: datetime,
    *,
    commune_id: int | None = None,
) -> Figures:
    """Every figure of the scope (an area; else the commune ``commune_id``; else every area:
    the whole commune, or the province when the deployment holds several communes) for the
    local days of ``period``."""
    begin, end = period.utc_bounds(tz)
    all_areas = await areas_repo.list_areas(conn)
    communes = await communes_repo.list_communes(conn)
    several = len(communes) > 1
    area = next((a for a in all_areas if a.id == area_id), None) if area_id else None
    if area_id and area is None:
        raise LookupError(f"no area {area_id}")
    commune = None
    if area is not None:
        commune = next((c for c in communes if c.id == area.commune_id), None)
    elif commune_id is not None:
        commune = next((c for c in communes if c.id == commune_id), None)
        if commune is None:
            raise LookupError(f"no commune {commune_id}")
    kind: Literal["commune", "area", "province"]
    if area is not None:
        scoped, kind = [area], "area"
    elif commune_id is not None:
        scoped, kind = [a for a in all_areas if a.commune_id == commune_id], "commune"
    else:
        scoped, kind = all_areas, "province" if several else "commune"
    area_ids = (
        None
        if kind == "province" or (kind == "commune" and commune_id is None)
        else [a.id for a in scoped]
    )

    bounds = period.month_bounds(tz)
    counted = await repo.report_counts(
        conn,
        [b for _, b in bounds],
        area_ids,
        [c.key for c in CATEGORIES],
        [s.value for s in Status],
    )
    by_category = {c.key: 0 for c in CATEGORIES}
    by_status = {s.value: 0 for s in Status}
    monthly_reports: Counter[str] = Counter()
    happening_now = anonymous = crime = 0
    for group in counted:
        by_category[group.category] += group.count
        by_status[group.status] += group.count
        year, month = bounds[group.bucket][0]
        monthly_reports[f"{year:04d}-{month:02d}"] += group.count
        happening_now += group.happening_now
        anonymous += group.anonymous
        if group.category in CRIME_CATEGORIES and group.status not in NOT_COUNTED_AS_CASES:
            crime += group.count
    reports = ReportFigures(
        total=sum(group.count for group in counted),
        by_category=by_category,
        by_status=by_status,
        happening_now=happening_now,
        anonymous=anonymous,
        crime=crime,
        feedback=await feedback_figures(conn, begin, end, area_ids),
    )

    outcomes = await repo.mediation_counts(conn, begin, end, area_ids)
    mediation = MediationFigures(
        total=sum(outcomes.values()),
        by_outcome={key: outcomes.get(key, 0) for key in OUTCOMES},
    )

    patrol_report = await patrol_figures(conn, None, period, tz, area_ids=area_ids)
    total = patrol_report.total
    patrols = PatrolFigures(
        patrols=total.patrols,
        participations=total.participations,
        reminders_total=total.reminders_total,
        reminders={k.code: total.reminders.get(k.code, 0) for k in KINDS},
        observations={k.code: total.observations.get(k.code, 0) for k in KINDS},
    )

    found = {d.topic: d for d in await repo.deliveries(conn, begin, end, area_ids)}
    awareness = AwarenessFigures(
        runs=sum(d.runs for d in found.values()),
        sent=sum(d.sent for d in found.values()),
        failed=sum(d.failed for d in found.values()),
        skipped=sum(d.skipped for d in found.values()),
        pending=sum(d.pending for d in found.values()),
        by_topic={
            t.key: TopicDelivery(
                runs=found[t.key].runs if t.key in found else 0,
                sent=found[t.key].sent if t.key in found else 0,
                failed=found[t.key].failed if t.key in found else 0,
            )
            for t in TOPICS
        },
    )

    months = [
        MonthFigures(
            month=f"{year:04d}-{month:02d}",
            reports=monthly_reports.get(f"{year:04d}-{month:02d}", 0),
            patrols=figures.patrols,
            participations=figures.participations,
            reminders=figures.reminders_total,
        )
        for (year, month), figures in patrol_report.months
    ]

    pledges, signed = await _pledges(conn, scoped, period, tz, area_ids)
    table: list[CommuneFigures] = []
    if kind == "province":
        activity = await repo.activity_by_area(
            conn, begin, end, CRIME_CATEGORIES, NOT_COUNTED_AS_CASES
        )
        awareness_by_commune = await repo.awareness_by_commune(conn, begin, end)
        table = commune_rows(communes, all_areas, signed, activity, awareness_by_commune)
    rating = await rating_figures(
        conn, period.end.year, scoped, communes if kind == "province" else []
    )
    return Figures(
        generated_at=now,
        scope=Scope(
            kind=kind,
            area=_ref(area) if area else None,
            commune=commune_ref(commune) if commune is not None and several else None,
        ),
        period=PeriodRef(start=period.start, end=period.end),
        pledges=pledges,
        reports=reports,
        mediation=mediation,
        patrols=patrols,
        awareness=awareness,
        months=months,
        communes=table,
        rating=rating,
        timeliness=await timeliness_figures(conn, scoped, area_ids, begin, end, now),
    )


async def feedback_figures(
    conn: Connection, begin: datetime, end: datetime, area_ids: list[int] | None
) -> ReportFeedback:
    """Ratings and reopenings of the reports made in [begin, end) in scope."""
    found = await report_feedback.figures(conn, begin, end, area_ids)
    return ReportFeedback(
        rated=found.rated,
        satisfied=found.satisfied,
        satisfied_percent=percent(found.satisfied, found.rated or None),
        reopened=found.reopened,
    )


def as_json(figures: Figures) -> str:
    return figures.model_dump_json(indent=2)
