"""Pure logic of importing what communes already have: their residential areas with household
counts and each area's rating results of past years (one file, CSV or XLSX), so that the
yearly table, its shares and the streaks are right from the first day.

The file has one line per area: the commune's code and name (optional in a one-commune
deployment), the area's code and name, its households, then one column per past year headed
by the year (``2021``, ``Năm 2021``) holding the result: met (``x``, ``đạt``, ``1``), not met
(``không đạt``, ``0``) or empty (not rated). Every line is checked first; the plan says what an
import adds or changes, and importing the same file again changes nothing.

Nothing here touches the database or the chat (see records_service.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.i18n import N_, Translator
from bot.shared.cells import csv_bytes
from bot.shared.tables import cell_text, csv_table, is_xlsx, xlsx_table
from bot.shared.text import TextProblem, check_label, collapse
from bot.storage.folding import fold

MAX_ROWS = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_CODE = 20
MAX_HOUSEHOLDS = 100_000
FIRST_YEAR = 2000
TEMPLATE_YEARS = 5

COLUMNS = ("commune_code", "commune_name", "area_code", "area_name", "households")
COLUMN_LABELS = {
    "commune_code": N_("Commune code"),
    "commune_name": N_("Commune"),
    "area_code": N_("Area code"),
    "area_name": N_("Residential area"),
    "households": N_("Households"),
}
_HEADER_ALIASES = {
    "commune_code": {"commune code", "ma xa", "ma xa phuong", "ma phuong"},
    "commune_name": {"commune", "commune name", "xa", "ten xa", "xa phuong", "ten xa phuong"},
    "area_code": {
        "area code",
        "code",
        "ma khu dan cu",
        "ma khu",
        "ma thon",
        "ma thon to dan pho",
        "ma",
    },
    "area_name": {
        "residential area",
        "area",
        "area name",
        "khu dan cu",
        "ten khu dan cu",
        "thon",
        "ten thon",
        "thon to dan pho",
    },
    "households": {"households", "so ho", "ho", "so ho gia dinh", "tong so ho"},
}
_YEAR_HEADER = re.compile(r"^(?:year |nam )?(\d{4})$")
_MET = {"x", "1", "dat", "an toan", "yes", "y", "met", "safe", "co"}
_NOT_MET = {
    "0",
    "khong dat",
    "chua dat",
    "khong an toan",
    "chua an toan",
    "no",
    "n",
    "not met",
    "not safe",
    "khong",
}


class RecordProblem(StrEnum):
    AREA_CODE_MISSING = "area_code_missing"
    AREA_CODE_INVALID = "area_code_invalid"
    AREA_NAME_MISSING = "area_name_missing"
    AREA_NAME_INVALID = "area_name_invalid"
    HOUSEHOLDS_INVALID = "households_invalid"
    COMMUNE_CODE_INVALID = "commune_code_invalid"
    COMMUNE_NAME_MISSING = "commune_name_missing"
    COMMUNE_NAME_INVALID = "commune_name_invalid"
    COMMUNE_MISSING = "commune_missing"
    COMMUNE_NAMES_DIFFER = "commune_names_differ"
    DUPLICATE_AREA = "duplicate_area"
    AREA_IN_OTHER_COMMUNE = "area_in_other_commune"
    RESULT_UNKNOWN = "result_unknown"
    RESULT_DIFFERS = "result_differs"
    YEAR_NOT_PAST = "year_not_past"
    TOO_MANY_ROWS = "too_many_rows"
    NO_HEADER = "no_header"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    EMPTY = "empty"


@dataclass(frozen=True)
class Problem:
    line: int
    reason: RecordProblem
    other_line: int | None = None  # the line it repeats or contradicts
    year: int | None = None  # the year column concerned


@dataclass(frozen=True)
class Row:
    line: int
    commune_code: str  # "" when the file names no commune for this area
    commune_name: str
    area_code: str
    area_name: str  # "" keeps the name an existing area has
    households: int | None  # None keeps what an existing area has
    results: tuple[tuple[int, bool], ...]  # (year, met) for the years filled in


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def check_code(text: str) -> str | None:
    """A code as the CLI takes it: letters and digits, at most 20, kept in capitals."""
    code = collapse(text).upper()
    return code if code.isalnum() and len(code) <= MAX_CODE else None


def _result(text: str) -> bool | RecordProblem | None:
    folded = fold(text)
    if not folded:
        return None
    if folded in _MET:
        return True
    if folded in _NOT_MET:
        return False
    return RecordProblem.RESULT_UNKNOWN


def _households(text: str) -> int | RecordProblem | None:
    cleaned = collapse(text).replace(".", "").replace(",", "")
    if not cleaned:
        return None
    if not cleaned.isdigit() or int(cleaned) > MAX_HOUSEHOLDS:
        return RecordProblem.HOUSEHOLDS_INVALID
    return int(cleaned)


def check_row(line: int, cells: Mapping[str, str], years: Mapping[int, str]) -> Row | Problem:
    """One line: ``cells`` by column name, ``years`` the result cells by year."""
    raw_code = cells.get("area_code", "")
    if not collapse(raw_code):
        return Problem(line, RecordProblem.AREA_CODE_MISSING)
    code = check_code(raw_code)
    if code is None:
        return Problem(line, RecordProblem.AREA_CODE_INVALID)
    name = ""
    if collapse(cells.get("area_name", "")):
        checked = check_label(cells["area_name"], minimum=2, maximum=100, digits_count=True)
        if isinstance(checked, TextProblem):
            return Problem(line, RecordProblem.AREA_NAME_INVALID)
        name = checked
    households = _households(cells.get("households", ""))
    if isinstance(households, RecordProblem):
        return Problem(line, households)
    commune_code = ""
    if collapse(cells.get("commune_code", "")):
        found = check_code(cells["commune_code"])
        if found is None:
            return Problem(line, RecordProblem.COMMUNE_CODE_INVALID)
        commune_code = found
    commune_name = ""
    if collapse(cells.get("commune_name", "")):
        checked = check_label(cells["commune_name"], minimum=2, maximum=80, digits_count=True)
        if isinstance(checked, TextProblem):
            return Problem(line, RecordProblem.COMMUNE_NAME_INVALID)
        commune_name = checked
    results: list[tuple[int, bool]] = []
    for year, text in sorted(years.items()):
        value = _result(text)
        if isinstance(value, RecordProblem):
            return Problem(line, value, year=year)
        if value is not None:
            results.append((year, value))
    return Row(line, commune_code, commune_name, code, name, households, tuple(results))


# Reading a file -----------------------------------------------------------------------------
def _header(cells: Sequence[str], line: int, this_year: int, parsed: Parsed) -> dict[int, str]:
    """Column index → column name, or ``year:<yyyy>`` for a year; problems for years that are
    not past years. Empty when the area code column is missing."""
    columns: dict[int, str] = {}
    for index, title in enumerate(cells):
        folded = fold(title)
        year = _YEAR_HEADER.match(folded)
        if year:
            value = int(year.group(1))
            if not FIRST_YEAR <= value < this_year:
                parsed.problems.append(Problem(line, RecordProblem.YEAR_NOT_PAST, year=value))
            columns[index] = f"year:{value}"
            continue
        for column, aliases in _HEADER_ALIASES.items():
            if folded in aliases and column not in columns.values():
                columns[index] = column
    return columns if "area_code" in columns.values() else {}


def _read_table(table: Iterable[tuple[int, Sequence[object]]], this_year: int) -> Parsed:
    parsed = Parsed()
    columns: dict[int, str] | None = None
    first_line: dict[str, int] = {}
    for line, values in table:
        cells = [cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = _header(cells, line, this_year, parsed)
            if not columns:
                parsed.problems.append(Problem(line, RecordProblem.NO_HEADER))
                return parsed
            parsed.years = sorted(int(c[5:]) for c in columns.values() if c.startswith("year:"))
            continue
        if len(parsed.rows) + len(parsed.problems) >= MAX_ROWS:
            parsed.problems.append(Problem(line, RecordProblem.TOO_MANY_ROWS))
            return parsed
        named = {
            columns[i]: c for i, c in enumerate(cells) if i in columns and "year:" not in columns[i]
        }
        years = {
            int(columns[i][5:]): c
            for i, c in enumerate(cells)
            if i in columns and columns[i].startswith("year:")
        }
        checked = check_row(line, named, years)
        if isinstance(checked, Problem):
            parsed.problems.append(checked)
            continue
        if checked.area_code in first_line:
            parsed.problems.append(
                Problem(line, RecordProblem.DUPLICATE_AREA, first_line[checked.area_code])
            )
            continue
        first_line[checked.area_code] = line
        parsed.rows.append(checked)
    if columns is None:
        parsed.problems.append(Problem(1, RecordProblem.EMPTY))
    elif not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem(2, RecordProblem.EMPTY))
    return parsed


def read_records(data: bytes, filename: str, this_year: int) -> Parsed:
    """The lines of an areas-and-ratings file (``.xlsx``, else CSV), each checked, with every
    bad line listed by its line and reason. ``this_year``: years from it on are not past."""
    if len(data) > MAX_FILE_BYTES:
        return Parsed(problems=[Problem(0, RecordProblem.TOO_LARGE)])
    try:
        table = xlsx_table(data) if is_xlsx(data, filename) else csv_table(data)
        return _read_table(table, this_year)
    except (csv.Error, zipfile.BadZipFile, UnicodeDecodeError, KeyError, ValueError, OSError):
        return Parsed(problems=[Problem(0, RecordProblem.UNREADABLE)])


def template_labels(t: Translator, this_year: int) -> list[str]:
    years = range(this_year - TEMPLATE_YEARS, this_year)
    return [t.plain(COLUMN_LABELS[c]) for c in COLUMNS] + [str(y) for y in years]


def template(t: Translator, kind: str, this_year: int) -> tuple[str, bytes]:
    """The import template in the reader's language: (file name, content), XLSX or CSV."""
    labels = template_labels(t, this_year)
    if kind == "csv":
        return "mau-khu-dan-cu.csv", csv_bytes([labels])
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t.plain("Residential areas")[:31]
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (14, 24, 14, 28, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return "mau-khu-dan-cu.xlsx", buffer.getvalue()


PROBLEM_TEXTS = {
    RecordProblem.AREA_CODE_MISSING: N_("the area code is missing"),
    RecordProblem.AREA_CODE_INVALID: N_("the area code must be letters and digits, at most 20"),
    RecordProblem.AREA_NAME_MISSING: N_("the name of this new area is missing"),
    RecordProblem.AREA_NAME_INVALID: N_("the area's name is not valid (2 to 100 characters)"),
    RecordProblem.HOUSEHOLDS_INVALID: N_("the households must be a whole number"),
    RecordProblem.COMMUNE_CODE_INVALID: N_(
        "the commune code must be letters and digits, at most 20"
    ),
    RecordProblem.COMMUNE_NAME_MISSING: N_("the name of this new commune is missing"),
    RecordProblem.COMMUNE_NAME_INVALID: N_("the commune's name is not valid (2 to 80 characters)"),
    RecordProblem.COMMUNE_MISSING: N_("which commune? There are several: fill in its code"),
    RecordProblem.COMMUNE_NAMES_DIFFER: N_("the same commune code as line {other}, another name"),
    RecordProblem.DUPLICATE_AREA: N_("the same area code as line {other}"),
    RecordProblem.AREA_IN_OTHER_COMMUNE: N_("this area belongs to another commune"),
    RecordProblem.RESULT_UNKNOWN: N_(
        "the result of {year} is not understood: write x (met) or 0 (not met)"
    ),
    RecordProblem.RESULT_DIFFERS: N_(
        "the result of {year} differs from the one already recorded in the bot"
    ),
    RecordProblem.YEAR_NOT_PAST: N_("the column {year} is not a past year"),
    RecordProblem.TOO_MANY_ROWS: N_("too many lines: at most 5,000 areas per file"),
    RecordProblem.NO_HEADER: N_(
        "the columns were not recognised: the first line must name them as in the template"
    ),
    RecordProblem.UNREADABLE: N_("the file could not be read as CSV or XLSX"),
    RecordProblem.TOO_LARGE: N_("the file is larger than 2 MB"),
    RecordProblem.EMPTY: N_("the file has no area"),
}


def problem_line(t: Translator, problem: Problem) -> str:
    text = t._(
        PROBLEM_TEXTS[problem.reason], other=problem.other_line or 0, year=str(problem.year or "")
    )
    if problem.line <= 0:
        return text
    return t._("Line {line}: {problem}", line=problem.line, problem=text)
