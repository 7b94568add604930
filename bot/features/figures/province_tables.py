"""A province's two tables (one row per commune; the share of safe areas per year), as plain
rows that the workbook and the CSV files both write: nothing for a one-commune deployment."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.features.figures.figures import Figures
from bot.features.figures.timeliness import timeliness_rows
from bot.features.figures.workbook import Value
from bot.i18n import Translator


@dataclass
class ProvinceTable:
    kind: str  # the file's name part: "communes", "communes-rating"
    headers: list[str]
    rows: list[list[Value]]
    shares: set[int] = field(default_factory=set)  # columns holding a share (0 to 1)


def province_tables(figures: Figures, t: Translator) -> list[ProvinceTable]:
    if not figures.communes:
        return []
    communes = ProvinceTable(
        "communes",
        [
            t.plain("Commune code"),
            t.plain("Commune"),
            t.plain("Households on record"),
            t.plain("Households signed"),
            t.plain("Share of households signed"),
            t.plain("Reports"),
            t.plain("Crime and social evils"),
            t.plain("Mediation"),
            t.plain("Mediated successfully"),
            t.plain("Patrols"),
            t.plain("Participations"),
            t.plain("Sendings"),
            t.plain("Messages delivered"),
        ],
        [
            [
                c.commune.code,
                c.commune.name,
                c.households,
                c.signed,
                None if c.percent is None else c.percent / 100,
                c.reports,
                c.crime,
                c.mediation,
                c.mediated,
                c.patrols,
                c.participations,
                c.awareness_runs,
                c.awareness_sent,
            ]
            for c in figures.communes
        ],
        shares={4},
    )
    rating = figures.rating
    if rating is None:
        return [communes]
    years = ProvinceTable(
        "communes-rating",
        [
            t.plain("Commune code"),
            t.plain("Safe residential areas per year, by commune"),
            *(str(year) for year in rating.years),
            t.plain("Met the last year"),
            t.plain("3 years running"),
            t.plain("5 years running"),
        ],
        [
            [
                row.commune.code if row.commune else None,
                row.commune.name if row.commune else t.plain("The whole province"),
                *(None if y.percent is None else y.percent / 100 for y in row.years),
                row.streaks.get("1", 0),
                row.streaks.get("3", 0),
                row.streaks.get("5", 0),
            ]
            for row in [*rating.communes, rating.total]
        ],
        shares=set(range(2, 2 + len(rating.years))),
    )
    return [communes, years]


def timeliness_table(figures: Figures, t: Translator) -> ProvinceTable:
    """Reports handled on time, per category and per area (written after the province's
    tables, for every deployment)."""
    headers, rows = timeliness_rows(t, figures.timeliness)
    return ProvinceTable("timeliness", headers, [list(r) for r in rows], shares={4, 8})
