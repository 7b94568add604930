"""Writing the officers' XLSX workbook with openpyxl: the summary sheet and one sheet per
table of :mod:`bot.features.figures.workbook`, with formats in the reader's language. Formatting
only: what the sheets hold is decided in workbook.py."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiosqlite

from bot.features.figures.figures import Figures, collect
from bot.features.figures.workbook import (
    SHEET_TITLES,
    ColumnType,
    Table,
    Value,
    export_tables,
    summary_lines,
)
from bot.i18n import N_, Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is written (it holds ~20 MB)
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet


@cache
def _bold() -> Font:
    from openpyxl.styles import Font

    return Font(bold=True)


MIN_WIDTH, MAX_WIDTH = 8, 48


def _formats(t: Translator) -> dict[ColumnType, str]:
    if t.language == "vi":
        days: dict[ColumnType, str] = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}
    else:
        days = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
    return {**days, "float": "0.000000", "percent": "0.0%"}


def _shown_length(value: Value, kind: ColumnType) -> int:
    if value is None:
        return 0
    if kind == "datetime":
        return 16
    if kind == "date":
        return 10
    return len(str(value))


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Sheet"


def _write_table(ws: Worksheet, table: Table, formats: dict[ColumnType, str]) -> None:
    from openpyxl.utils import get_column_letter

    ws.title = _sheet_title(table.title)
    ws.append(table.headers)
    for cell in ws[1]:
        cell.font = _bold()
    for row in table.rows:
        ws.append(row)
    for index, kind in enumerate(table.types, start=1):
        fmt = formats.get(kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        width = max(
            [len(table.headers[index - 1])]
            + [_shown_length(row[index - 1], kind) for row in table.rows]
        )
        ws.column_dimensions[get_column_letter(index)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    ws.freeze_panes = "A2"
    if table.rows:
        ws.auto_filter.ref = ws.dimensions


def _write_summary(
    ws: Worksheet,
    figures: Figures,
    t: Translator,
    tz: ZoneInfo,
    formats: dict[ColumnType, str],
) -> None:
    title = SHEET_TITLES["summary"]  # a variable, so the catalog check sees no message here
    ws.title = _sheet_title(t.plain(title))
    ws.append([t.plain(N_("Xóm An Toàn: figures for the period")), None])
    ws["A1"].font = _bold()
    for label, value, kind in summary_lines(figures, t, tz):
        ws.append([label, value])
        row = ws.max_row
        if value is None and kind == "text":
            ws.cell(row, 1).font = _bold()
        elif kind in formats:
            ws.cell(row, 2).number_format = formats[kind]
    if figures.scope.kind == "commune" and figures.pledges.per_area:
        ws.append([])
        header = [
            t.plain(N_("Area code")),
            t.plain(N_("Area")),
            t.plain(N_("Households on record")),
            t.plain(N_("Households signed")),
            t.plain(N_("Share of households signed")),
        ]
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = _bold()
        for coverage in figures.pledges.per_area:
            ws.append(
                [
                    coverage.area.code,
                    text_cell(coverage.area.name),
                    coverage.area.households,
                    coverage.signed,
                    None if coverage.percent is None else coverage.percent / 100,
                ]
            )
            ws.cell(ws.max_row, 5).number_format = formats["percent"]
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 30
    for letter in "CDE":
        ws.column_dimensions[letter].width = 18


async def workbook_bytes(
    conn: aiosqlite.Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    *,
    now: datetime | None = None,
) -> bytes:
    """The XLSX workbook for a scope (an area, or the whole commune when None) and a period,
    in the reader's language: a summary sheet, then one sheet per kind."""
    figures = await collect(conn, area_id, period, tz, now or datetime.now(UTC))
    tables = await export_tables(conn, area_id, period, tz, t)
    return build_workbook(figures, tables, t, tz)


def build_workbook(figures: Figures, tables: list[Table], t: Translator, tz: ZoneInfo) -> bytes:
    """The workbook from what was read (CPU-bound, no database: run it outside the event's
    transaction, in a worker thread)."""
    formats = _formats(t)
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    _write_summary(summary, figures, t, tz, formats)
    for table in tables:
        _write_table(book.create_sheet(), table, formats)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
