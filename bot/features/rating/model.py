"""The yearly rating of "safe residential areas" (Thông tư 124/2021/TT-BCA): the five criteria,
what the bot can prefill from its own records, the rule for the result, streaks, and the commune
table. Plain functions over plain data: the loaders that read SQLite are in service.py, the
sentences in texts.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.features.figures.figures import Figures
from bot.i18n import N_
from bot.shared.periods import Period
from bot.storage.areas import Area

# Patrols in at least this many of the 12 months suggest an active self-management team.
ACTIVE_MONTHS = 9
NOTE_LIMIT = 500


@dataclass(frozen=True)
class Criterion:
    number: int
    short: str  # message id (N_): a short label for buttons and lists
    text: str  # message id (N_): the criterion as officers know it


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        1,
        N_("Registration and yearly pledge of all households"),
        N_(
            "The area registered to strive for the standard, and 100% of resident households "
            "signed the yearly pledge."
        ),
    ),
    Criterion(
        2,
        N_("Security and order policies and laws carried out"),
        N_(
            "The Party's guidelines and the State's policies and laws on security and order "
            "are carried out fully in the area."
        ),
    ),
    Criterion(
        3,
        N_("No prohibited situations"),
        N_(
            "None of: activities against the State or national unity, sabotage, illegal "
            "religion, exploiting religion, ethnicity or disputes, separatism, complicated "
            "prolonged disputes among residents, inciting mass complaints."
        ),
    ),
    Criterion(
        4,
        N_("Crime, social evils and violations contained and reduced"),
        N_(
            "Crime, social evils and violations are contained and reduced against the previous "
            "year; no very serious crime, and no serious fire, explosion or accident caused by "
            "negligence."
        ),
    ),
    Criterion(
        5,
        N_("Self-management team active and effective"),
        N_(
            "A self-management model or grassroots security and order team works actively "
            "and effectively."
        ),
    ),
)
NUMBERS = tuple(c.number for c in CRITERIA)
CRITERION = {c.number: c for c in CRITERIA}


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


# Evidence --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PledgeEvidence:
    campaign: bool  # a pledge campaign exists for the year
    signed: int
    households: int | None
    percent: float | None  # 0-100
    complete: bool


@dataclass(frozen=True)
class OrderEvidence:
    disputes: int  # reports of the "dispute" category
    mediation: dict[str, int]  # cases by outcome: success, failed, transferred, open

    @property
    def cases(self) -> int:
        return sum(self.mediation.values())


@dataclass(frozen=True)
class CrimeEvidence:
    crime: int
    crime_before: int
    fire: int
    fire_before: int
    urgent: int  # "happening now" reports
    urgent_before: int
    recorded_before: int = 0  # reports of any kind recorded in the previous year
    by_category: dict[str, int] = field(default_factory=dict)  # all reports of the year

    @property
    def increased(self) -> bool:
        """More crime or fire reports than the year before; never in the first year the bot
        was used (more reports then says the bot is used, not that crime rose)."""
        if not self.recorded_before:
            return False
        return self.crime > self.crime_before or self.fire > self.fire_before


@dataclass(frozen=True)
class TeamEvidence:
    patrols: int
    participations: int
    active_months: int  # months of the year with at least one patrol
    months: int  # months in the year (12)
    year_over: bool = True  # False while the year is still running


@dataclass(frozen=True)
class Evidence:
    year: int
    pledges: PledgeEvidence
    order: OrderEvidence
    crime: CrimeEvidence
    team: TeamEvidence

    def suggestion(self, criterion: int) -> bool | None:
        """What the records suggest for a criterion (None: only the officer can tell)."""
        if criterion == 1:
            return self.pledges.complete
        if criterion == 4:
            # Counts alone cannot show the absence of very serious cases: suggest only the
            # warning when figures went up.
            return False if self.crime.increased else None
        if criterion == 5:
            if self.team.active_months >= ACTIVE_MONTHS:
                return True
            return False if self.team.year_over else None  # months may still come
        return None


def prefill(year: int, current: Figures, previous: Figures, *, year_over: bool = True) -> Evidence:
    """The evidence for one area's rating from its figures of the year and of the year before.
    Only that year's own pledge campaign (the one ending in that year) counts for criterion 1."""
    pledges = current.pledges
    area_coverage = pledges.per_area[0] if len(pledges.per_area) == 1 else None
    own_campaign = pledges.campaign is not None and pledges.campaign.ends_on.year == year
    return Evidence(
        year=year,
        pledges=PledgeEvidence(
            campaign=own_campaign,
            signed=(area_coverage.signed if area_coverage else pledges.signed)
            if own_campaign
            else 0,
            households=pledges.households,
            percent=(area_coverage.percent if area_coverage else pledges.percent)
            if own_campaign
            else None,
            complete=own_campaign and pledges.complete,
        ),
        order=OrderEvidence(
            disputes=current.reports.by_category.get("dispute", 0),
            mediation=dict(current.mediation.by_outcome),
        ),
        crime=CrimeEvidence(
            crime=current.reports.crime,
            crime_before=previous.reports.crime,
            fire=current.reports.by_category.get("fire", 0),
            fire_before=previous.reports.by_category.get("fire", 0),
            urgent=current.reports.happening_now,
            urgent_before=previous.reports.happening_now,
            recorded_before=previous.reports.total,
            by_category=dict(current.reports.by_category),
        ),
        team=TeamEvidence(
            patrols=current.patrols.patrols,
            participations=current.patrols.participations,
            active_months=sum(1 for m in current.months if m.patrols > 0),
            months=len(current.months),
            year_over=year_over,
        ),
    )


def against_records(suggestion: bool | None, verdict: bool) -> bool:
    """The officer's verdict contradicts what the records suggest: it needs a note (why)."""
    return suggestion is not None and suggestion != verdict


# The result ------------------------------------------------------------------------------
def blocking_criteria(criteria: Mapping[int, bool | None]) -> list[int]:
    """The criteria that keep the result from being "met": not met or not recorded yet.
    An area meets the standard only when all five criteria are met."""
    return [n for n in NUMBERS if criteria.get(n) is not True]


def streak(history: Mapping[tuple[int, int], bool | None], area_id: int, year: int) -> int:
    """Consecutive years met up to and including ``year`` (0 when ``year`` was not met)."""
    count = 0
    while history.get((area_id, year - count)) is True:
        count += 1
    return count


# The commune table -----------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    """A criterion recorded against what the records suggested, with the officer's note."""

    year: int
    criterion: int
    met: bool
    note: str | None


@dataclass(frozen=True)
class TableRow:
    area: Area
    cells: dict[int, bool | None]  # per year: met, not met, None (not rated)
    streaks: dict[int, int]  # per year: consecutive years met up to it
    overrides: tuple[Override, ...] = ()  # of the table's years

    @property
    def streak(self) -> int:
        """The streak at the last year of the table."""
        return self.streaks[max(self.streaks)] if self.streaks else 0


@dataclass(frozen=True)
class YearShare:
    year: int
    met: int
    rated: int  # areas with a decided result
    areas: int  # all areas of the commune

    @property
    def of_rated(self) -> float | None:
        return self.met / self.rated if self.rated else None

    @property
    def of_all(self) -> float | None:
        return self.met / self.areas if self.areas else None


@dataclass(frozen=True)
class CommuneTable:
    years: list[int]
    rows: list[TableRow]
    shares: dict[int, YearShare]


def build_table(
    areas: list[Area],
    history: Mapping[tuple[int, int], bool | None],
    years: list[int],
    overrides: Mapping[int, list[Override]] | None = None,
) -> CommuneTable:
    """``overrides``: per area id, its criteria recorded against the records."""
    years = sorted(set(years))
    found = overrides or {}
    rows = [
        TableRow(
            area=a,
            cells={y: history.get((a.id, y)) for y in years},
            streaks={y: streak(history, a.id, y) for y in years},
            overrides=tuple(o for o in found.get(a.id, []) if o.year in years),
        )
        for a in areas
    ]
    shares = {
        y: YearShare(
            year=y,
            met=sum(1 for r in rows if r.cells[y] is True),
            rated=sum(1 for r in rows if r.cells[y] is not None),
            areas=len(rows),
        )
        for y in years
    }
    return CommuneTable(years, rows, shares)
