"""Cells of the files officers download (CSV and XLSX): free text made safe for spreadsheets.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a
resident's typed text such as ``=HYPERLINK(...)`` could run as one on an officer's computer
("CSV injection"). Every free-text value goes through :func:`text_cell` before it is written.

This is the one writer of CSV files in the bot (figures, patrol exports, pledge exports,
templates): one safety rule for all of them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@")
# Characters an XLSX file cannot hold (openpyxl refuses them); tabs and newlines are folded
# into spaces by text_cell before this applies.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_cell(text: str | None) -> str:
    """Free text on one line, never read by a spreadsheet as a formula."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return "'" + flat if flat[:1] in FORMULA_STARTS else flat


def cell(value: object) -> object:
    """A value as written to a file: text through :func:`text_cell`, numbers as they are."""
    return text_cell(value) if isinstance(value, str) else value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV for Excel: UTF-8 with a BOM (so Vietnamese shows correctly) and CRLF.
    Callers pass free text through :func:`text_cell` (or :func:`cell`) first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@contextmanager
def csv_stream(target: IO[bytes]) -> Iterator[Any]:
    """A CSV writer as :func:`csv_bytes` writes (UTF-8 with a BOM, CRLF) that writes into the
    binary file ``target`` as rows come, for files too big to build in memory."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        yield csv.writer(text, lineterminator="\r\n")
    finally:
        text.flush()
        text.detach()
