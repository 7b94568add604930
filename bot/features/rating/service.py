"""Use cases of the yearly rating, as plain functions over a connection (no chat): recording a
criterion (and withdrawing a "meets the standard" result it no longer supports), deciding the
result, finalising and reopening a year. Each writes the audit log with the acting member.

The screens (``screens.py``) call these; tests call them directly.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.figures.figures import collect
from bot.features.rating import model
from bot.storage import areas as areas_repo
from bot.storage import audit
from bot.storage import ratings as repo
from bot.storage.db import Connection
from bot.storage.ratings import AreaRating


def criteria_of(rating: AreaRating | None) -> dict[int, bool | None]:
    """Each criterion's number with met / not met / None (not recorded yet)."""
    records = rating.criteria if rating else {}
    return {n: records[n].met if n in records else None for n in model.NUMBERS}


def result_of(rating: AreaRating | None) -> bool | None:
    return rating.result if rating else None


async def is_closed(conn: Connection, year: int) -> bool:
    found = await repo.get_year(conn, year)
    return found is not None and found.closed  # a year nobody rated yet is not open, not closed


async def rating_id(
    conn: Connection, year: int, area_id: int, actor: int | None, now: datetime
) -> int:
    """The area's rating of ``year``, the year opened with it: looking at a year opens
    nothing, so the commune table shows only years somebody rated."""
    if await repo.open_year(conn, year, actor, now):
        await audit.record(conn, now, actor, "rating.year_opened", "rating_year", year)
    return await repo.ensure_area_rating(conn, year, area_id, now)


async def save_note(
    conn: Connection,
    year: int,
    area_id: int,
    number: int,
    note: str | None,
    *,
    actor: int | None,
    now: datetime,
) -> bool:
    """Save (or with None, remove) a criterion's note. The note that explains a verdict
    against the records stays: removing it is refused (False, nothing written)."""
    rating = await repo.area_rating(conn, year, area_id)
    record = rating.criteria.get(number) if rating else None
    if note is None and record is not None and record.against_records:
        return False
    rid = await rating_id(conn, year, area_id, actor, now)
    await repo.set_note(conn, rid, number, note, actor, now)
    await audit.record(
        conn,
        now,
        actor,
        "rating.note_set",
        "area_rating",
        rid,
        year=year,
        area_id=area_id,
        criterion=number,
        removed=note is None,
        # The note that justifies a verdict against the records: each version stays in the
        # audit log, as the first one does (rating.criterion_set).
        **({"note": note} if record is not None and record.against_records else {}),
    )
    return True


@dataclass(frozen=True)
class CriterionSaved:
    against_records: bool  # the officer's verdict goes against the bot's own suggestion
    result_withdrawn: bool  # a "meets the standard" result no longer holds


async def record_criterion(
    conn: Connection,
    year: int,
    area_id: int,
    number: int,
    met: bool,
    *,
    suggestion: bool | None,
    note: str | None,
    actor: int | None,
    now: datetime,
) -> CriterionSaved:
    """Save a criterion (with the note that explains a verdict against the records). "Meets
    the standard" needs all five criteria, so a criterion set to not met withdraws that
    result: the officer decides the result again."""
    rating = await repo.area_rating(conn, year, area_id)
    before = criteria_of(rating)[number]
    rid = await rating_id(conn, year, area_id, actor, now)
    await repo.set_criterion(conn, rid, number, met, actor, now, suggested=suggestion, note=note)
    against = model.against_records(suggestion, met)
    await audit.record(
        conn,
        now,
        actor,
        "rating.criterion_set",
        "area_rating",
        rid,
        year=year,
        area_id=area_id,
        criterion=number,
        met=met,
        before=before,
        suggested=suggestion,
        against_records=against,
        **({"note": note} if note is not None else {}),
    )
    withdrawn = not met and result_of(rating) is True
    if withdrawn:
        await _set_result(conn, rid, year, area_id, None, True, actor, now)
    return CriterionSaved(against_records=against, result_withdrawn=withdrawn)


async def decide_result(
    conn: Connection,
    year: int,
    area_id: int,
    met: bool,
    *,
    actor: int | None,
    now: datetime,
) -> list[int]:
    """Record the area's result. "Meets the standard" only when all five criteria are met:
    otherwise nothing is written and the criteria that block it are returned."""
    rating = await repo.area_rating(conn, year, area_id)
    blocking = model.blocking_criteria(criteria_of(rating))
    if met and blocking:
        return blocking
    rid = await rating_id(conn, year, area_id, actor, now)
    await _set_result(conn, rid, year, area_id, met, result_of(rating), actor, now)
    return []


async def _set_result(
    conn: Connection,
    rid: int,
    year: int,
    area_id: int,
    result: bool | None,
    before: bool | None,
    actor: int | None,
    now: datetime,
) -> None:
    await repo.set_result(conn, rid, result, actor, now)
    await audit.record(
        conn,
        now,
        actor,
        "rating.result_set",
        "area_rating",
        rid,
        year=year,
        area_id=area_id,
        result=result,
        before=before,
    )


async def close_year(conn: Connection, year: int, *, actor: int | None, now: datetime) -> list[str]:
    """Finalise the year once every area has a result; otherwise the names of the areas still
    to decide (and nothing is written)."""
    ratings = {r.area_id: r for r in await repo.of_year(conn, year)}
    undecided = [
        a.name for a in await areas_repo.list_areas(conn) if result_of(ratings.get(a.id)) is None
    ]
    if undecided:
        return undecided
    if await repo.close_year(conn, year, actor, now):
        await audit.record(conn, now, actor, "rating.year_closed", "rating_year", year)
    return []


async def reopen_year(conn: Connection, year: int, *, actor: int | None, now: datetime) -> None:
    if await repo.reopen_year(conn, year):
        await audit.record(conn, now, actor, "rating.year_reopened", "rating_year", year)


# Reading the records ---------------------------------------------------------------------
async def evidence(
    conn: Connection, area_id: int, year: int, tz: ZoneInfo, now: datetime
) -> model.Evidence:
    current = await collect(conn, area_id, model.year_period(year), tz, now)
    previous = await collect(conn, area_id, model.year_period(year - 1), tz, now)
    return model.prefill(year, current, previous, year_over=now.astimezone(tz).year > year)


async def commune_table(
    conn: Connection, years: list[int], within: Collection[int] | None = None
) -> model.CommuneTable:
    """Each area (of ``within`` when given: a commune officer's) met / not met / not rated per
    year, streaks, the share of areas met, and the criteria recorded against the records with
    their notes."""
    overrides: dict[int, list[model.Override]] = {}
    for year in sorted(set(years)):
        for rating in await repo.of_year(conn, year):
            for record in rating.criteria.values():
                if record.against_records and record.met is not None:
                    overrides.setdefault(rating.area_id, []).append(
                        model.Override(year, record.criterion, record.met, record.note)
                    )
    areas = await areas_repo.list_areas(conn)
    if within is not None:
        areas = [a for a in areas if a.id in within]
    return model.build_table(areas, await repo.results(conn), years, overrides)


@dataclass(frozen=True)
class RatingLine:
    """One area's rating of a year, for the summary report and the CLI."""

    area_code: str
    area_name: str
    result: bool | None  # met, not met, or None (not decided)
    streak: int
    criteria: tuple[bool | None, ...]  # criteria 1..5
    notes: tuple[str | None, ...]  # criteria 1..5
    against: tuple[bool, ...] = (False,) * 5  # criteria 1..5 recorded against the records


async def rating_lines(conn: Connection, year: int) -> list[RatingLine]:
    """Every area of the commune with its rating of ``year`` (areas not rated have None)."""
    history = await repo.results(conn)
    ratings = {r.area_id: r for r in await repo.of_year(conn, year)}
    lines = []
    for area in await areas_repo.list_areas(conn):
        rating = ratings.get(area.id)
        records = rating.criteria if rating else {}
        lines.append(
            RatingLine(
                area_code=area.code,
                area_name=area.name,
                result=rating.result if rating else None,
                streak=model.streak(history, area.id, year),
                criteria=tuple(records[n].met if n in records else None for n in model.NUMBERS),
                notes=tuple(records[n].note if n in records else None for n in model.NUMBERS),
                against=tuple(n in records and records[n].against_records for n in model.NUMBERS),
            )
        )
    return lines
