"""The files an officer downloads, built the same way from the chat and from the command line:
the XLSX workbook, the CSVs (one ZIP in the chat), and the draft summary report with the
rating results of the period's year.

Each function reads what it needs from SQLite and returns a :class:`File` whose ``render``
builds the bytes: the chat sends it after the event's transaction, in a worker thread (a
province's workbook takes a while), and holds no lock meanwhile. The figures are read in the
event's transaction; the rows of the workbook and of the CSV files, too many to hold in
memory, are read by ``render`` a window at a time through a connection of its own."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.features.figures.csvfiles import province_csv, write_csv
from bot.features.figures.figures import collect
from bot.features.figures.province_tables import province_tables, timeliness_table
from bot.features.figures.tables import export_tables, scope_of
from bot.features.figures.workbook import export_basename
from bot.features.figures.xlsx import write_workbook
from bot.features.rating.service import RatingLine, rating_lines
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage.db import Connection, Database, file_of

if TYPE_CHECKING:  # python-docx is imported only when a report is made
    from bot.features.figures.summary_results import RatedArea


@dataclass(frozen=True)
class File:
    name: str
    render: Callable[[], bytes]


async def _area_code(conn: Connection, area_id: int | None) -> str | None:
    if area_id is None:
        return None
    area = await areas_repo.get(conn, area_id)
    if area is None:
        raise LookupError(f"no area {area_id}")
    return area.code


def _with_own_connection(
    path: str, write: Callable[[Connection], Awaitable[bytes]]
) -> Callable[[], bytes]:
    """A ``render`` that runs ``write`` on a connection of its own to the database file, in
    the thread that calls it (the transport's worker thread)."""

    def render() -> bytes:
        async def run() -> bytes:
            async with Database.reading(path) as conn:
                return await write(conn)

        return asyncio.run(run())

    return render


async def workbook_file(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    now: datetime,
    *,
    commune_id: int | None = None,
) -> File:
    code, scope = await scope_of(conn, area_id, commune_id)
    figures = await collect(conn, area_id, period, tz, now, commune_id=commune_id)
    tables = await export_tables(conn, scope, period, tz, t)

    async def write(own: Connection) -> bytes:
        buffer = io.BytesIO()
        await write_workbook(own, figures, tables, t, tz, buffer)
        return buffer.getvalue()

    return File(
        export_basename("figures", code, period) + ".xlsx",
        _with_own_connection(await file_of(conn), write),
    )


async def csv_zip(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    *,
    commune_id: int | None = None,
    now: datetime,
) -> File:
    """Every CSV in one ZIP, so the chat gets one file instead of six (for a province, its
    tables per commune too)."""
    code, scope = await scope_of(conn, area_id, commune_id)
    tables = await export_tables(conn, scope, period, tz, t)
    figures = await collect(conn, area_id, period, tz, now, commune_id=commune_id)
    per_commune = [*province_tables(figures, t), timeliness_table(figures, t)]

    async def write(own: Connection) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in tables:
                name = export_basename(table.kind, code, period) + ".csv"
                with archive.open(name, "w") as member:
                    await write_csv(own, table, member)
            for extra in per_commune:
                name = export_basename(extra.kind, code, period) + ".csv"
                archive.writestr(name, province_csv(extra))
        return buffer.getvalue()

    return File(
        export_basename("csv", code, period) + ".zip",
        _with_own_connection(await file_of(conn), write),
    )


def rated_area(t: Translator, line: RatingLine) -> RatedArea:
    """The rating of one area as the summary report shows it; the note lists the criteria
    that were not met, and those recorded against the records, with the officer's notes."""
    missed = [
        (
            t.plain("criterion {number} (against the records)", number=str(number))
            if against
            else t.plain("criterion {number}", number=str(number))
        )
        + (f": {note}" if note else "")
        for number, (met, note, against) in enumerate(
            zip(line.criteria, line.notes, line.against, strict=True), 1
        )
        if met is False or against
    ]
    from bot.features.figures.summary_results import RatedArea

    return RatedArea(line.area_code, line.area_name, line.result, line.streak, "; ".join(missed))


async def summary_file(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    now: datetime,
    commune_name: str | None,
    *,
    commune_id: int | None = None,
) -> File:
    """The draft summary report; the rating table is the rating of the period's last year
    (left out with a note while no area of the scope has been rated that year)."""
    from bot.features.figures.summary import summary_docx, summary_filename

    _, scope = await scope_of(conn, area_id, commune_id)
    figures = await collect(conn, area_id, period, tz, now, commune_id=commune_id)
    lines = await rating_lines(conn, period.end.year)
    if scope is not None:
        codes = {a.code for a in await areas_repo.list_areas(conn) if a.id in scope}
        lines = [line for line in lines if line.area_code in codes]
    if figures.scope.commune is not None and figures.scope.area is None:
        commune_name = figures.scope.commune.name or commune_name
    ratings = [rated_area(t, line) for line in lines]
    rated = any(line.result is not None for line in lines)
    render = partial(
        summary_docx,
        t,
        figures,
        commune_name=commune_name,
        ratings=ratings if rated else None,
        today=now.astimezone(tz).date(),
    )
    return File(summary_filename(figures), render)
