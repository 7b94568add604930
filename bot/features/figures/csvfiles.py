"""The officers' CSV files: one per kind, with the same columns as the workbook's sheets.

UTF-8 with a BOM and CRLF line ends (as Excel expects); days as ``YYYY-MM-DD`` and times as
``YYYY-MM-DD HH:MM`` in local time, so the files sort and parse the same everywhere.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import IO
from zoneinfo import ZoneInfo

from bot.features.figures.figures import collect
from bot.features.figures.province_tables import ProvinceTable, province_tables, timeliness_table
from bot.features.figures.tables import Table, export_tables, scope_of
from bot.features.figures.workbook import Value, export_basename
from bot.i18n import Translator
from bot.shared.cells import csv_stream
from bot.shared.periods import Period
from bot.storage.db import Connection


def csv_value(value: Value) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def write_csv(conn: Connection, table: Table, target: IO[bytes]) -> int:
    """The table as CSV into ``target``, its rows read from ``conn`` a window at a time;
    returns the number of rows (the header left out)."""
    rows = 0
    with csv_stream(target) as writer:
        writer.writerow(table.headers)
        async for window in table.windows(conn):
            writer.writerows([csv_value(v) for v in row] for row in window)
            rows += len(window)
    return rows


async def table_csv(conn: Connection, table: Table) -> tuple[bytes, int]:
    """The table as CSV bytes, and its number of rows."""
    buffer = io.BytesIO()
    rows = await write_csv(conn, table, buffer)
    return buffer.getvalue(), rows


def province_csv(table: ProvinceTable) -> bytes:
    """One of a province's tables (one row per commune; safe areas per year) as CSV."""
    buffer = io.BytesIO()
    with csv_stream(buffer) as writer:
        writer.writerow(table.headers)
        writer.writerows([csv_value(v) for v in row] for row in table.rows)
    return buffer.getvalue()


async def csv_files(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    now: datetime,
    *,
    commune_id: int | None = None,
) -> list[tuple[str, bytes]]:
    """(file name, content) for each kind, e.g.
    ``xomantoan-reports-DONG-2026-01-01_2026-12-31.csv``; for a province, also its tables per
    commune (``xomantoan-communes-...``, ``xomantoan-communes-rating-...``)."""
    code, scope = await scope_of(conn, area_id, commune_id)
    tables = await export_tables(conn, scope, period, tz, t)
    files = [
        (export_basename(table.kind, code, period) + ".csv", (await table_csv(conn, table))[0])
        for table in tables
    ]
    figures = await collect(conn, area_id, period, tz, now, commune_id=commune_id)
    files += [
        (export_basename(table.kind, code, period) + ".csv", province_csv(table))
        for table in [*province_tables(figures, t), timeliness_table(figures, t)]
    ]
    return files
