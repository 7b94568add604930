"""Sentences and marks of the yearly rating: an area's state, its result, the commune table.
Plain functions of a Translator and the rating's data; no chat, no database."""

from __future__ import annotations

from bot.features.figures.texts import category_list
from bot.features.rating import model as logic
from bot.features.rating import service
from bot.features.rating.model import CommuneTable
from bot.i18n import Safe, Translator, escape
from bot.storage.areas import Area
from bot.storage.ratings import AreaRating


def mark(value: bool | None) -> str:
    return "✅" if value is True else "❌" if value is False else "⏳"


def area_state_line(
    t: Translator,
    area: Area,
    rating: AreaRating | None,
    history: dict[tuple[int, int], bool | None],
) -> str:
    result = service.result_of(rating)
    if result is True:
        years = logic.streak(history, area.id, rating.year if rating else 0)
        return t._n(
            "✅ {area}: meets the standard ({count} year in a row)",
            "✅ {area}: meets the standard ({count} years in a row)",
            years,
            area=area.name,
        )
    if result is False:
        return t._("❌ {area}: does not meet the standard", area=area.name)
    recorded = sum(1 for c in (rating.criteria.values() if rating else []) if c.met is not None)
    return t._("⏳ {area}: {recorded} of 5 criteria recorded", area=area.name, recorded=recorded)


def result_line(t: Translator, result: bool | None) -> str:
    if result is True:
        return t._("Result: ✅ meets the standard")
    if result is False:
        return t._("Result: ❌ does not meet the standard")
    return t._("Result: ⏳ not decided yet")


def table_text(t: Translator, table: CommuneTable) -> str:
    lines = [t._("📊 *Safe residential areas: the commune table*")]
    if not table.years:
        lines.append(t._("No year has been rated yet."))
        return "\n".join(lines)
    lines.append(t._("✅ met · ❌ not met · — not rated"))
    for row in table.rows:
        cells = " · ".join(
            f"{year} {'—' if row.cells[year] is None else mark(row.cells[year])}"
            for year in table.years
        )
        lines.append("")
        lines.append(f"*{escape(row.area.name)}*: {cells}")
        if row.streak:
            lines.append(
                t._n(
                    "    met {count} year in a row up to {year}",
                    "    met {count} years in a row up to {year}",
                    row.streak,
                    year=str(table.years[-1]),
                )
            )
        for override in row.overrides:
            lines.append(
                t._(
                    "    ⚠️ {year}, criterion {number}: recorded as {verdict} against the "
                    "records. Note: {note}",
                    year=str(override.year),
                    number=override.criterion,
                    verdict=t._("✅ met") if override.met else t._("❌ not met"),
                    note=override.note or "-",
                )
            )
    lines += ["", t._("*Share of areas that met the standard*")]
    for year in table.years:
        share = table.shares[year]
        lines.append(
            t._(
                "• {year}: {met} of {areas} areas ({of_all}); of the {rated} areas rated: "
                "{of_rated}",
                year=str(year),
                met=share.met,
                areas=share.areas,
                of_all=t.percent(share.of_all or 0.0),
                rated=share.rated,
                of_rated=t.percent(share.of_rated) if share.of_rated is not None else "—",
            )
        )
    return "\n".join(lines)


def _change(t: Translator, now: int, before: int) -> str:
    if now < before:
        return t._("down by {count}", count=before - now)
    if now > before:
        return t._("up by {count}", count=now - before)
    return t._("unchanged")


def evidence_lines(t: Translator, ev: logic.Evidence, criterion: int) -> list[str]:
    """The evidence for one criterion, in the sentences of a commune report."""
    if criterion == 1:
        p = ev.pledges
        if not p.campaign:
            return [t._("No pledge campaign was recorded for {year}.", year=str(ev.year))]
        if p.households is None:
            return [
                t._(
                    "{signed} households signed the {year} pledge; the area's number of "
                    "households is not on record.",
                    signed=p.signed,
                    year=str(ev.year),
                )
            ]
        return [
            t._(
                "{signed} of {households} households signed the {year} pledge ({percent}).",
                signed=p.signed,
                households=p.households,
                year=str(ev.year),
                percent=t.percent((p.percent or 0.0) / 100),
            )
        ]
    if criterion == 3:
        o = ev.order
        return [
            t._("Reports of disputes needing mediation: {count}.", count=o.disputes),
            t._(
                "Mediation cases: {cases} ({success} successful, {failed} unsuccessful, "
                "{transferred} transferred, {open} still open).",
                cases=o.cases,
                success=o.mediation.get("success", 0),
                failed=o.mediation.get("failed", 0),
                transferred=o.mediation.get("transferred", 0),
                open=o.mediation.get("open", 0),
            ),
        ]
    if criterion == 4:
        c, before = ev.crime, str(ev.year - 1)
        kinds = category_list(t, c.by_category)
        listed = (
            [t._("All reports of the year by kind: {kinds}.", kinds=Safe(kinds))] if kinds else []
        )
        return [
            *listed,
            t._(
                "Reports of crime and social evils: {count} ({previous}: {before}, {change}).",
                count=c.crime,
                previous=before,
                before=c.crime_before,
                change=_change(t, c.crime, c.crime_before),
            ),
            t._(
                "Reports of fire or explosion hazards: {count} ({previous}: {before}).",
                count=c.fire,
                previous=before,
                before=c.fire_before,
            ),
            t._(
                "Reports of incidents happening at the time: {count} ({previous}: {before}).",
                count=c.urgent,
                previous=before,
                before=c.urgent_before,
            ),
        ]
    if criterion == 5:
        m = ev.team
        return [
            t._(
                "The team held {patrols} patrols with {participations} member participations; "
                "patrols took place in {active} of {months} months.",
                patrols=m.patrols,
                participations=m.participations,
                active=m.active_months,
                months=m.months,
            )
        ]
    return [t._("The bot has no records for this criterion: please assess it yourself.")]
