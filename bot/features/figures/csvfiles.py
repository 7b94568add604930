"""The officers' CSV files: one per kind, with the same columns as the workbook's sheets.

UTF-8 with a BOM and CRLF line ends (as Excel expects); days as ``YYYY-MM-DD`` and times as
``YYYY-MM-DD HH:MM`` in local time, so the files sort and parse the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.features.figures.workbook import Table, Value, export_basename, export_tables
from bot.i18n import Translator
from bot.shared.cells import csv_bytes
from bot.shared.periods import Period
from bot.storage import areas as areas_repo


def csv_value(value: Value) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_csv(table: Table) -> bytes:
    rows: list[list[object]] = [list(table.headers)]
    rows += [[csv_value(v) for v in row] for row in table.rows]
    return csv_bytes(rows)


async def csv_files(
    conn: aiosqlite.Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
) -> list[tuple[str, bytes]]:
    """(file name, content) for each kind, e.g.
    ``xomantoan-reports-DONG-2026-01-01_2026-12-31.csv``."""
    code: str | None = None
    if area_id is not None:
        area = await areas_repo.get(conn, area_id)
        if area is None:
            raise LookupError(f"no area {area_id}")
        code = area.code
    tables = await export_tables(conn, area_id, period, tz, t)
    return [
        (export_basename(table.kind, code, period) + ".csv", table_csv(table)) for table in tables
    ]
