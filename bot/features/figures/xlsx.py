"""Writing the officers' XLSX workbook with openpyxl: the summary sheet and one sheet per
table of :mod:`bot.features.figures.tables`, with formats in the reader's language. Formatting
only: what the sheets hold is decided in workbook.py and tables.py.

The workbook is streamed: openpyxl's write-only mode keeps no cell once written, and the rows
come from SQLite a window at a time, so a province's year (a million rows) is written in
bounded memory. A sheet holds at most Excel's 1,048,576 rows; a longer table goes on in a
next sheet ("Reports (2)"), with its header again."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache
from typing import IO, TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from bot.features.figures.figures import Figures, collect
from bot.features.figures.province_tables import province_tables, timeliness_table
from bot.features.figures.tables import Table, export_tables
from bot.features.figures.workbook import SHEET_TITLES, ColumnType, Value, summary_lines
from bot.i18n import N_, Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period
from bot.storage.db import Connection

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is written (it holds ~20 MB)
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXCEL_ROWS = 1_048_576  # rows in a sheet, the header included


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


def _cell(ws: WriteOnlyWorksheet, value: Value, number_format: str | None) -> object:
    if value is None or number_format is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, cast(Any, value))  # a date is written as a day, as wanted
    cell.number_format = number_format
    return cell


def _bold_cell(ws: WriteOnlyWorksheet, value: Value) -> Cell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, cast(Any, value))
    cell.font = _bold()
    return cell


class _TableSheets:
    """One table's sheets: a new one, with the header again, when a sheet is full."""

    def __init__(
        self, book: Workbook, table: Table, formats: dict[ColumnType, str], sheet_rows: int
    ) -> None:
        self.book, self.table, self.sheet_rows = book, table, sheet_rows
        self.formats = [formats.get(kind) for kind in table.types]
        self.sheet: WriteOnlyWorksheet | None = None
        self.parts = 0
        self.rows = 0  # rows of the current sheet, the header included

    def _title(self) -> str:
        if self.parts == 1:
            return _sheet_title(self.table.title)
        suffix = f" ({self.parts})"
        return _sheet_title(self.table.title)[: 31 - len(suffix)].rstrip() + suffix

    def _finish(self) -> None:
        from openpyxl.utils import get_column_letter

        if self.sheet is not None and self.rows > 1:
            last = get_column_letter(len(self.table.headers))
            cast(Any, self.sheet).auto_filter.ref = f"A1:{last}{self.rows}"

    def _open(self, coming: list[list[Value]]) -> WriteOnlyWorksheet:
        """A new sheet; its column widths (set before any row, as openpyxl's streaming writer
        needs) fit the header and the rows about to be written."""
        from openpyxl.utils import get_column_letter

        self._finish()
        self.parts += 1
        # openpyxl's stubs miss a streamed sheet's column widths, filter and panes
        ws: Any = self.book.create_sheet(self._title())
        for index, kind in enumerate(self.table.types, start=1):
            width = max(
                [len(self.table.headers[index - 1])]
                + [_shown_length(row[index - 1], kind) for row in coming]
            )
            ws.column_dimensions[get_column_letter(index)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, width + 2)
            )
        ws.freeze_panes = "A2"
        ws.append([_bold_cell(ws, header) for header in self.table.headers])
        self.sheet, self.rows = ws, 1
        return cast("WriteOnlyWorksheet", ws)

    def write(self, window: list[list[Value]]) -> None:
        for index, row in enumerate(window):
            ws = self.sheet
            if ws is None or self.rows >= self.sheet_rows:
                ws = self._open(window[index:])
            ws.append([_cell(ws, v, f) for v, f in zip(row, self.formats, strict=True)])
            self.rows += 1

    def close(self) -> None:
        if self.sheet is None:  # no rows: the sheet with its header only
            self._open([])
        self._finish()


async def _write_table(
    book: Workbook,
    conn: Connection,
    table: Table,
    formats: dict[ColumnType, str],
    sheet_rows: int,
) -> None:
    sheets = _TableSheets(book, table, formats, sheet_rows)
    async for window in table.windows(conn):
        sheets.write(window)
    sheets.close()


def _write_summary(
    book: Workbook,
    figures: Figures,
    t: Translator,
    tz: ZoneInfo,
    formats: dict[ColumnType, str],
) -> None:
    title = SHEET_TITLES["summary"]  # a variable, so the catalog check sees no message here
    ws = book.create_sheet(_sheet_title(t.plain(title)))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 30
    for letter in "CDE":
        ws.column_dimensions[letter].width = 18
    ws.append([_bold_cell(ws, t.plain(N_("Xóm An Toàn: figures for the period"))), None])
    for label, value, kind in summary_lines(figures, t, tz):
        if value is None and kind == "text":
            ws.append([_bold_cell(ws, label), None])
        else:
            ws.append([label, _cell(ws, value, formats.get(kind))])
    if figures.scope.kind == "commune" and figures.pledges.per_area:
        ws.append([])
        header = [
            t.plain(N_("Area code")),
            t.plain(N_("Area")),
            t.plain(N_("Households on record")),
            t.plain(N_("Households signed")),
            t.plain(N_("Share of households signed")),
        ]
        ws.append([_bold_cell(ws, label) for label in header])
        for coverage in figures.pledges.per_area:
            share = None if coverage.percent is None else coverage.percent / 100
            ws.append(
                [
                    coverage.area.code,
                    text_cell(coverage.area.name),
                    coverage.area.households,
                    coverage.signed,
                    _cell(ws, share, formats["percent"]),
                ]
            )
    _write_province(ws, figures, t, formats)


def _write_province(
    ws: WriteOnlyWorksheet, figures: Figures, t: Translator, formats: dict[ColumnType, str]
) -> None:
    """A province's table per commune and its rating per year (nothing for one commune)."""
    for table in [*province_tables(figures, t), timeliness_table(figures, t)]:
        ws.append([])
        ws.append([_bold_cell(ws, label) for label in table.headers])
        for row in table.rows:
            ws.append(
                [
                    _cell(ws, value, formats["percent"])
                    if index in table.shares
                    else text_cell(value)
                    if isinstance(value, str) and index == 1
                    else value
                    for index, value in enumerate(row)
                ]
            )


async def write_workbook(
    conn: Connection,
    figures: Figures,
    tables: list[Table],
    t: Translator,
    tz: ZoneInfo,
    target: IO[bytes] | str,
    *,
    sheet_rows: int = EXCEL_ROWS,
) -> None:
    """The workbook into ``target`` (a file name or a binary file): the summary of
    ``figures``, then each table's rows, read from ``conn`` a window at a time."""
    from openpyxl import Workbook

    formats = _formats(t)
    book = Workbook(write_only=True)
    _write_summary(book, figures, t, tz, formats)
    for table in tables:
        await _write_table(book, conn, table, formats, sheet_rows)
    book.save(target)


async def workbook_bytes(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    t: Translator,
    *,
    now: datetime | None = None,
    sheet_rows: int = EXCEL_ROWS,
) -> bytes:
    """The XLSX workbook for a scope (an area, or the whole commune when None) and a period,
    in the reader's language: a summary sheet, then one sheet per kind."""
    figures = await collect(conn, area_id, period, tz, now or datetime.now(UTC))
    tables = await export_tables(conn, None if area_id is None else [area_id], period, tz, t)
    buffer = io.BytesIO()
    await write_workbook(conn, figures, tables, t, tz, buffer, sheet_rows=sheet_rows)
    return buffer.getvalue()
