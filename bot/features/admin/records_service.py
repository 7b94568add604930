"""Importing what communes already have (see records.py): one use case for the chat and the
CLI. Every line is checked first and nothing is written unless all are right (the caller's
transaction); past years get a finalised rating year, so the table and the streaks count them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.features.admin.records import Problem, read_records
from bot.features.admin.records_plan import Existing, plan_records
from bot.storage import areas as areas_repo
from bot.storage import audit
from bot.storage import communes as communes_repo
from bot.storage import ratings as ratings_repo
from bot.storage.db import Connection


@dataclass(frozen=True)
class Imported:
    communes_added: int
    areas_added: int
    areas_updated: int
    areas_unchanged: int
    results_added: int
    results_unchanged: int
    years: tuple[int, ...]  # the years the file holds results for


async def import_records(
    conn: Connection,
    data: bytes,
    filename: str,
    *,
    this_year: int,
    actor: int | None,
    now: datetime,
    source: str = "chat",
) -> Imported | list[Problem]:
    """Import an areas-and-ratings file, or return every problem (then nothing is written)."""
    parsed = read_records(data, filename, this_year)
    existing = Existing(
        await communes_repo.list_communes(conn),
        await areas_repo.list_areas(conn),
        await ratings_repo.results(conn),
    )
    plan = plan_records(existing, parsed.rows)  # the good lines' problems are listed too
    if parsed.problems or plan.problems:
        return sorted([*parsed.problems, *plan.problems], key=lambda p: p.line)
    for code, name in plan.new_communes:
        await communes_repo.add(conn, code, name, now)
    for commune_id, name in plan.renamed_communes:
        await communes_repo.rename(conn, commune_id, name)
    commune_ids = {c.code: c.id for c in await communes_repo.list_communes(conn)}
    for change in plan.new_areas:
        await areas_repo.add(
            conn,
            change.area_code,
            change.name,
            change.households,
            now,
            commune_ids.get(change.commune_code),
        )
    for area_id, change in plan.changed_areas:
        await areas_repo.rename(conn, area_id, change.name)
        if change.households is not None:
            await areas_repo.set_households(conn, area_id, change.households)
    area_ids = {a.code: a.id for a in await areas_repo.list_areas(conn)}
    years = sorted({r.year for r in plan.results})
    for year in years:
        if await ratings_repo.open_year(conn, year, actor, now):
            await ratings_repo.close_year(conn, year, actor, now)
    for result in plan.results:
        rating_id = await ratings_repo.ensure_area_rating(
            conn, result.year, area_ids[result.area_code], now
        )
        await ratings_repo.set_result(conn, rating_id, result.met, actor, now)
    done = Imported(
        communes_added=len(plan.new_communes),
        areas_added=len(plan.new_areas),
        areas_updated=len(plan.changed_areas),
        areas_unchanged=plan.unchanged_areas,
        results_added=len(plan.results),
        results_unchanged=plan.unchanged_results,
        years=tuple(parsed.years),
    )
    await audit.record(
        conn,
        now,
        actor,
        "records.imported",
        None,
        None,
        via=source,
        communes=done.communes_added,
        areas_added=done.areas_added,
        areas_updated=done.areas_updated,
        results=done.results_added,
        years=list(years),
    )
    return done
