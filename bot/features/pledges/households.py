"""Pure logic of the household register: matching what a resident types to the households on
the register (fuzzy: case, spaces, punctuation, diacritics), and reading a register file (CSV or
XLSX) into checked rows and a plan that adds or updates households without duplicates.

Nothing here touches the database or the chat: handlers, the CLI and tests call these directly.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

from bot.features.pledges.model import check_address
from bot.i18n import N_, Translator
from bot.shared.cells import csv_bytes
from bot.shared.tables import cell_text as _cell_text
from bot.shared.tables import csv_table as _csv_table
from bot.shared.tables import xlsx_table as _xlsx_table
from bot.shared.text import TextProblem, check_name, collapse, has_control
from bot.storage.folding import fold, match_key, place_key
from bot.storage.households import Entry, Household

MAX_NUMBER = 20
MAX_NOTE = 200
MAX_ROWS = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
PROPOSE_AT_MOST = 5

# Column headers of the template, in the reader's language; any of the known spellings is read.
COLUMNS = ("number", "head", "address", "note")
COLUMN_LABELS = {
    "number": N_("Household number"),
    "head": N_("Head of household"),
    "address": N_("Address"),
    "note": N_("Note"),
}
_HEADER_ALIASES = {
    "number": {
        "number",
        "household number",
        "house number",
        "no",
        "so ho",
        "so nha",
        "so ho so nha",
        "so",
    },
    "head": {"head", "head of household", "name", "chu ho", "ho ten chu ho", "ten chu ho"},
    "address": {"address", "dia chi", "noi o"},
    "note": {"note", "notes", "ghi chu"},
}


# Matching -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    household: Household
    exact: bool
    score: float


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def matches(head_name: str, address: str, households: Iterable[Household]) -> list[Match]:
    """The register's households that may be the one typed, best first: the same folded
    identity (exact), the same place, or a close head's name at a close place."""
    key = match_key("", head_name, address)
    head, place = fold(head_name), place_key("", address)
    found: list[Match] = []
    for household in households:
        if household.match_key == key:
            found.append(Match(household, True, 2.0))
            continue
        head_ratio = _ratio(head, fold(household.head_name))
        place_ratio = _ratio(place, place_key(household.number, household.address))
        if place_ratio == 1.0 or (head_ratio >= 0.85 and place_ratio >= 0.6):
            found.append(Match(household, False, (head_ratio + place_ratio) / 2))
    found.sort(key=lambda m: (-m.score, m.household.id))
    return found[:PROPOSE_AT_MOST]


def place_label(household: Household) -> str:
    """Number and address as one line ("12, Xóm 3"); the number alone is not repeated."""
    number, address = fold(household.number), fold(household.address)
    if number and f" {number} " not in f" {address} ":
        return f"{household.number}, {household.address}"
    return household.address


def masked_name(name: str) -> str:
    """A head's name as a resident may see it when picking a household: the family name and
    initials ("Nguyễn Văn An" → "Nguyễn V. A."), so typing an address reveals no full name."""
    words = collapse(name).split()
    if len(words) <= 1:
        return words[0][:1] + "." if words else ""
    return " ".join([words[0], *(w[:1] + "." for w in words[1:])])


# Checking one household ---------------------------------------------------------------------
class RowProblem(StrEnum):
    HEAD_MISSING = "head_missing"
    HEAD_INVALID = "head_invalid"
    ADDRESS_MISSING = "address_missing"
    ADDRESS_INVALID = "address_invalid"
    NUMBER_INVALID = "number_invalid"
    NOTE_INVALID = "note_invalid"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    NUMBER_TAKEN = "number_taken"
    TOO_MANY_ROWS = "too_many_rows"
    NO_HEADER = "no_header"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    EMPTY = "empty"


def check_number(text: str) -> str | TextProblem:
    """A household or house number: optional, short, no markup (``12``, ``12/3``, ``A5``)."""
    if has_control(text):
        return TextProblem.CONTROL
    cleaned = collapse(text)
    if "<" in cleaned or ">" in cleaned:
        return TextProblem.MARKUP
    if len(cleaned) > MAX_NUMBER:
        return TextProblem.TOO_LONG
    if cleaned and not fold(cleaned):
        return TextProblem.NO_LETTERS
    return cleaned


def check_note(text: str) -> str | TextProblem:
    if has_control(text.replace("\n", " ")):
        return TextProblem.CONTROL
    cleaned = collapse(text)
    if "<" in cleaned or ">" in cleaned:
        return TextProblem.MARKUP
    if len(cleaned) > MAX_NOTE:
        return TextProblem.TOO_LONG
    return cleaned


@dataclass(frozen=True)
class Row:
    line: int
    number: str
    head_name: str
    address: str
    note: str

    @property
    def key(self) -> str:
        return match_key(self.number, self.head_name, self.address)


@dataclass(frozen=True)
class Problem:
    line: int
    reason: RowProblem
    other_line: int | None = None  # the line it repeats, for a duplicate


def check_row(line: int, cells: dict[str, str]) -> Row | Problem:
    number = check_number(cells.get("number", ""))
    if isinstance(number, TextProblem):
        return Problem(line, RowProblem.NUMBER_INVALID)
    raw_head = cells.get("head", "")
    if not collapse(raw_head):
        return Problem(line, RowProblem.HEAD_MISSING)
    head = check_name(raw_head)
    if isinstance(head, TextProblem):
        return Problem(line, RowProblem.HEAD_INVALID)
    raw_address = cells.get("address", "")
    if not collapse(raw_address):
        return Problem(line, RowProblem.ADDRESS_MISSING)
    address = check_address(raw_address)
    if isinstance(address, TextProblem):
        return Problem(line, RowProblem.ADDRESS_INVALID)
    note = check_note(cells.get("note", ""))
    if isinstance(note, TextProblem):
        return Problem(line, RowProblem.NOTE_INVALID)
    return Row(line, number, head, address, note)


# Reading a file -----------------------------------------------------------------------------
@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _header_map(header: Sequence[str]) -> dict[int, str] | None:
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        folded = fold(title)
        for column, aliases in _HEADER_ALIASES.items():
            if folded in aliases and column not in columns.values():
                columns[index] = column
    found = set(columns.values())
    return columns if {"head", "address"} <= found else None


def _read_table(table: Iterable[tuple[int, Sequence[object]]]) -> Parsed:
    parsed = Parsed()
    columns: dict[int, str] | None = None
    first_keys: dict[str, int] = {}
    first_numbers: dict[str, int] = {}
    for line, values in table:
        cells = [_cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = _header_map(cells)
            if columns is None:
                parsed.problems.append(Problem(line, RowProblem.NO_HEADER))
                return parsed
            continue
        if len(parsed.rows) + len(parsed.problems) >= MAX_ROWS:
            parsed.problems.append(Problem(line, RowProblem.TOO_MANY_ROWS))
            return parsed
        named = {columns[i]: c for i, c in enumerate(cells) if i in columns}
        checked = check_row(line, named)
        if isinstance(checked, Problem):
            parsed.problems.append(checked)
            continue
        number = fold(checked.number)
        earlier = first_keys.get(checked.key) or (first_numbers.get(number) if number else None)
        if earlier is not None:
            parsed.problems.append(Problem(line, RowProblem.DUPLICATE_IN_FILE, earlier))
            continue
        first_keys[checked.key] = line
        if number:
            first_numbers[number] = line
        parsed.rows.append(checked)
    if columns is None:
        parsed.problems.append(Problem(1, RowProblem.EMPTY))
    elif not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem(2, RowProblem.EMPTY))
    return parsed


def read_register(data: bytes, filename: str) -> Parsed:
    """Rows of a register file (``.xlsx``, else CSV in UTF-8 or Windows-1258, comma or
    semicolon), each checked, with every bad row listed by its line and reason."""
    if len(data) > MAX_FILE_BYTES:
        return Parsed(problems=[Problem(0, RowProblem.TOO_LARGE)])
    try:
        if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
            return _read_table(_xlsx_table(data))
        return _read_table(_csv_table(data))
    except (csv.Error, zipfile.BadZipFile, UnicodeDecodeError, KeyError, ValueError, OSError):
        return Parsed(problems=[Problem(0, RowProblem.UNREADABLE)])


# The plan of an import ----------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    household_id: int
    row: Row


@dataclass
class Plan:
    add: list[Row] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def _merged(existing: Household, row: Row) -> Row:
    """An empty number or note in the file keeps what the register has."""
    return Row(
        row.line,
        row.number or existing.number,
        row.head_name,
        row.address,
        row.note or existing.note,
    )


def plan_import(existing: Sequence[Household], rows: Sequence[Row]) -> Plan:
    """What importing ``rows`` does to an area's register: a row matches a household by its
    number, else by its identity (folded head's name and place); a match is updated when it
    differs, anything else is added. Importing the same file again changes nothing."""
    by_number = {h.number_key: h for h in existing if h.number_key}
    by_key = {h.match_key: h for h in existing}
    plan = Plan()
    claimed: dict[int, int] = {}  # household id -> line
    for row in rows:
        number = fold(row.number)
        target = by_number.get(number) if number else None
        same_identity = by_key.get(row.key) or by_key.get(match_key("", row.head_name, row.address))
        if target is None:
            target = same_identity
        elif same_identity is not None and same_identity.id != target.id:
            plan.problems.append(Problem(row.line, RowProblem.NUMBER_TAKEN))
            continue
        if target is None:
            plan.add.append(row)
            continue
        if target.id in claimed:
            plan.problems.append(
                Problem(row.line, RowProblem.DUPLICATE_IN_FILE, claimed[target.id])
            )
            continue
        claimed[target.id] = row.line
        merged = _merged(target, row)
        if (merged.number, merged.head_name, merged.address, merged.note) == (
            target.number,
            target.head_name,
            target.address,
            target.note,
        ):
            plan.unchanged += 1
        else:
            plan.update.append(Change(target.id, merged))
    return plan


def entries(plan: Plan) -> tuple[list[Entry], list[tuple[int, Entry]]]:
    """The plan as the register's storage writes it: households to add, households to update."""

    def entry(row: Row) -> Entry:
        return Entry(row.number, row.head_name, row.address, row.note)

    return [entry(r) for r in plan.add], [(c.household_id, entry(c.row)) for c in plan.update]


# Templates ----------------------------------------------------------------------------------
def template_csv(labels: Sequence[str]) -> bytes:
    """The header line only, UTF-8 with a byte-order mark (opens correctly in Excel)."""
    return csv_bytes([list(labels)])


def template_xlsx(labels: Sequence[str], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append(list(labels))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (16, 28, 36, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Texts --------------------------------------------------------------------------------------
PROBLEM_TEXTS = {
    RowProblem.HEAD_MISSING: N_("the head of household is missing"),
    RowProblem.HEAD_INVALID: N_("the head of household's name is not valid (2 to 100 letters)"),
    RowProblem.ADDRESS_MISSING: N_("the address is missing"),
    RowProblem.ADDRESS_INVALID: N_("the address is not valid (2 to 150 characters)"),
    RowProblem.NUMBER_INVALID: N_("the household number is not valid (at most 20 characters)"),
    RowProblem.NOTE_INVALID: N_("the note is not valid (at most 200 characters)"),
    RowProblem.DUPLICATE_IN_FILE: N_("the same household as line {other}"),
    RowProblem.NUMBER_TAKEN: N_("this number belongs to another household of the register"),
    RowProblem.TOO_MANY_ROWS: N_("too many lines: at most 5,000 households per file"),
    RowProblem.NO_HEADER: N_(
        "the columns were not recognised: the first line must name them as in the template"
    ),
    RowProblem.UNREADABLE: N_("the file could not be read as CSV or XLSX"),
    RowProblem.TOO_LARGE: N_("the file is larger than 2 MB"),
    RowProblem.EMPTY: N_("the file has no household"),
}


def template_labels(t: Translator) -> list[str]:
    return [t.plain(COLUMN_LABELS[c]) for c in COLUMNS]


def template(t: Translator, kind: str) -> tuple[str, bytes]:
    """The import template in the reader's language: (file name, content), XLSX or CSV."""
    labels = template_labels(t)
    if kind == "csv":
        return "mau-so-ho.csv", template_csv(labels)
    return "mau-so-ho.xlsx", template_xlsx(labels, t.plain("Household register"))


def problem_line(t: Translator, line: int, reason: RowProblem, other: int | None) -> str:
    text = t._(PROBLEM_TEXTS[reason], other=other or 0)
    if line <= 0:
        return text
    return t._("Line {line}: {problem}", line=line, problem=text)
