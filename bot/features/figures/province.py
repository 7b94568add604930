"""A province's figures: the table per commune (pledge coverage, reports, mediation, patrols,
awareness) and the yearly rating table per commune and for the scope (the share of areas rated
safe each year, and how many areas met the standard 1, 3 and 5 years running).

Both are parts of :class:`bot.features.figures.figures.Figures`, so the chat, ``stats --json``,
the workbook and the draft summary report read the same numbers. The table per commune is
filled only for a scope of several communes (a one-commune deployment looks as it always
did); the rating table is there for every scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from bot.storage import ratings as ratings_repo
from bot.storage import stats as repo
from bot.storage.areas import Area
from bot.storage.communes import Commune
from bot.storage.db import Connection

RATING_YEARS = 5
STREAKS = (1, 3, 5)


class CommuneRef(BaseModel):
    code: str
    name: str


class CommuneFigures(BaseModel):
    commune: CommuneRef
    areas: int = Field(description="residential areas of the commune")
    households: int | None = Field(description="households on record, null if none is known")
    signed: int = Field(description="households with a standing pledge, in areas with a total")
    percent: float | None = Field(description="signed / households × 100, one decimal")
    reports: int
    crime: int = Field(description="reports of crime and social evils, as reports.crime")
    mediation: int = Field(description="mediation cases opened")
    mediated: int = Field(description="of them mediated successfully")
    patrols: int
    participations: int
    awareness_runs: int = Field(description="broadcasts that reached the commune")
    awareness_sent: int = Field(description="messages delivered to its groups and residents")


class RatingYear(BaseModel):
    year: int
    areas: int = Field(description="areas in scope")
    met: int = Field(description="areas rated safe that year")
    percent: float | None = Field(description="met / areas × 100, one decimal")


class RatingRow(BaseModel):
    commune: CommuneRef | None = Field(description="null: every area of the scope")
    years: list[RatingYear]
    streaks: dict[str, int] = Field(
        description='"1", "3", "5": areas rated safe that many years running, up to the last year'
    )


class RatingFigures(BaseModel):
    years: list[int] = Field(description="the last five years, up to the period's last year")
    total: RatingRow
    communes: list[RatingRow] = Field(description="per commune, for a scope of several communes")


def _percent(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return round(min(100.0, 100.0 * part / whole), 1)


def ref(commune: Commune) -> CommuneRef:
    return CommuneRef(code=commune.code, name=commune.name)


def commune_rows(
    communes: Sequence[Commune],
    areas: Sequence[Area],
    signed: dict[int, int],
    activity: dict[int, repo.AreaActivity],
    awareness: dict[int, tuple[int, int]],
) -> list[CommuneFigures]:
    """One row per commune from the per-area counts (``signed``: households signed per area)."""
    rows = []
    for commune in communes:
        own = [a for a in areas if a.commune_id == commune.id]
        known = [a for a in own if a.households is not None]
        households = sum(a.households or 0 for a in known) if known else None
        covered = sum(signed.get(a.id, 0) for a in known)
        done = [activity.get(a.id, repo.AreaActivity()) for a in own]
        runs, sent = awareness.get(commune.id, (0, 0))
        rows.append(
            CommuneFigures(
                commune=ref(commune),
                areas=len(own),
                households=households,
                signed=covered,
                percent=_percent(covered, households),
                reports=sum(d.reports for d in done),
                crime=sum(d.crime for d in done),
                mediation=sum(d.mediation for d in done),
                mediated=sum(d.mediated for d in done),
                patrols=sum(d.patrols for d in done),
                participations=sum(d.participations for d in done),
                awareness_runs=runs,
                awareness_sent=sent,
            )
        )
    return rows


def _rating_row(
    commune: Commune | None,
    areas: Sequence[Area],
    history: dict[tuple[int, int], bool | None],
    years: list[int],
) -> RatingRow:
    shares = []
    for year in years:
        met = sum(1 for a in areas if history.get((a.id, year)) is True)
        shares.append(
            RatingYear(year=year, areas=len(areas), met=met, percent=_percent(met, len(areas)))
        )
    from bot.features.rating.model import streak  # the rating's rule (it imports Figures)

    runs = [streak(history, a.id, years[-1]) for a in areas]
    return RatingRow(
        commune=ref(commune) if commune else None,
        years=shares,
        streaks={str(n): sum(1 for r in runs if r >= n) for n in STREAKS},
    )


async def rating_figures(
    conn: Connection,
    last_year: int,
    areas: Sequence[Area],
    communes: Sequence[Commune],
) -> RatingFigures:
    """The rating table of the scope's areas for the five years up to ``last_year``, and per
    commune when ``communes`` (of a scope of several) are given."""
    years = list(range(last_year - RATING_YEARS + 1, last_year + 1))
    # Five years suffice: a streak counts here up to 5 years running.
    scope = [a.id for a in areas] if len(areas) <= 100 else None
    history = await ratings_repo.results_between(conn, years[0], years[-1], scope)
    return RatingFigures(
        years=years,
        total=_rating_row(None, areas, history, years),
        communes=[
            _rating_row(c, [a for a in areas if a.commune_id == c.id], history, years)
            for c in communes
        ],
    )
