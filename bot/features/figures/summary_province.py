"""The draft summary report of a province: the table per commune and the yearly rating table per
commune (the share of areas rated safe each year, and the areas met 1, 3 and 5 years running).
Both are left out for a single commune, whose report looks as it always did."""

from __future__ import annotations

from bot.features.figures.docx import DocxWriter, clean
from bot.features.figures.figures import Figures
from bot.features.figures.province import RatingRow
from bot.i18n import Translator


def _name(t: Translator, row: RatingRow) -> str:
    if row.commune is None:
        return t.plain("The whole province")
    return clean(row.commune.name or row.commune.code)


def province_sections(t: Translator, w: DocxWriter, f: Figures, first: int) -> None:
    """The sections numbered from ``first``, for a province only."""
    if not f.communes:
        return
    w.heading(f"{first}. " + t.plain("Figures by commune"))
    rows = []
    for i, c in enumerate(f.communes, start=1):
        households = t.number(c.households) if c.households is not None else "…"
        rows.append(
            [
                t.number(i),
                clean(c.commune.name or c.commune.code),
                f"{t.number(c.signed)}/{households}",
                t.number(c.reports),
                t.number(c.mediation),
                t.number(c.patrols),
                t.number(c.awareness_runs),
            ]
        )
    w.table(
        [
            t.plain("No."),
            t.plain("Commune"),
            t.plain("Households signed"),
            t.plain("Reports"),
            t.plain("Mediation"),
            t.plain("Patrols"),
            t.plain("Awareness"),
        ],
        rows,
        [12, 43, 30, 20, 20, 20, 20],
    )
    if f.rating is None:
        return
    w.heading(f"{first + 1}. " + t.plain("Safe residential areas per year, by commune"))
    rating = f.rating
    table = []
    for row in [*rating.communes, rating.total]:
        table.append(
            [
                _name(t, row),
                *(f"{t.number(y.met)}/{t.number(y.areas)}" for y in row.years),
                t.number(row.streaks.get("1", 0)),
                t.number(row.streaks.get("3", 0)),
                t.number(row.streaks.get("5", 0)),
            ]
        )
    w.table(
        [
            t.plain("Commune"),
            *(str(year) for year in rating.years),
            t.plain("Met the last year"),
            t.plain("3 years running"),
            t.plain("5 years running"),
        ],
        table,
        [35, 16, 16, 16, 16, 16, 17, 17, 16],
    )
