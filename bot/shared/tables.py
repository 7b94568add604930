"""Reading the tables people send as files (CSV or XLSX) into numbered lines of cells, for the
imports (the household register, the areas and their past ratings)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


def cell_text(value: object) -> str:
    """A cell as text: empty for nothing, whole numbers without ``.0`` (Excel stores 12 as 12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_table(data: bytes) -> list[tuple[int, list[str]]]:
    """CSV lines with their line numbers: UTF-8 (with or without BOM) or Windows-1258, the
    delimiter the first line uses most (comma, semicolon or tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: list[tuple[int, list[str]]] = []
    for row in reader:
        table.append((reader.line_num, row))
    return table


def xlsx_table(data: bytes) -> list[tuple[int, Sequence[object]]]:
    """The first sheet's rows with their row numbers."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            (number, values)
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def is_xlsx(data: bytes, filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
