"""The household register: folded keys, fuzzy matching of what a resident types, reading a
register file (CSV, XLSX) with every bad line named, the import plan (rerunnable without
duplicates), and the migration that turns existing free-text households into register entries."""

from __future__ import annotations

import io
import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.features.pledges.households import (
    RowProblem,
    masked_name,
    matches,
    plan_import,
    read_register,
    template_csv,
    template_xlsx,
)
from bot.storage import households as repo
from bot.storage.db import Database, migrations
from bot.storage.folding import fold, match_key, search_key

NOW = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def household(id: int, number: str, head: str, address: str, note: str = "") -> repo.Household:
    return repo.Household(
        id, 1, number, head, address, note, fold(number), match_key(number, head, address)
    )


# Keys ---------------------------------------------------------------------------------------
def test_fold_ignores_case_spaces_punctuation_and_diacritics() -> None:
    decomposed = unicodedata.normalize("NFD", "Số 12, xóm 3")
    assert fold("Số 12, xóm 3") == fold("Số 12 xóm 3") == fold(decomposed) == "so 12 xom 3"
    assert fold("  SỐ 12 -- Xóm   3. ") == "so 12 xom 3"
    assert fold("Đặng Thị Ánh") == "dang thi anh"


def test_match_key_is_the_same_for_one_household_however_typed() -> None:
    assert match_key("", "Nguyễn Văn An", "Số 12, xóm 3") == match_key(
        "", "nguyen  van AN", "so 12 xom 3"
    )
    # A number kept apart on the register meets the same number typed in the address.
    assert match_key("12", "Nguyễn Văn An", "Xóm 3") == match_key(
        "", "Nguyễn Văn An", "Số 12 xóm 3"
    )
    assert match_key("12", "An", "Số 12, xóm 3") == match_key("", "An", "12 xóm 3")
    assert match_key("", "Nguyễn Văn An", "Số 12 xóm 3") != match_key(
        "", "Nguyễn Văn An", "Số 21 xóm 3"
    )


def test_search_key_finds_without_diacritics() -> None:
    assert "tran van" in search_key("7", "Trần Văn Hùng", "Xóm 2", "")


# Matching -----------------------------------------------------------------------------------
def test_matches_exact_first_then_close_never_a_neighbour() -> None:
    register = [
        household(1, "12", "Nguyễn Văn An", "Xóm 3"),
        household(2, "14", "Trần Văn Bình", "Xóm 3"),
        household(3, "", "Nguyễn Văn Anh", "Số 12, xóm 3"),
    ]
    found = matches("nguyen van an", "so 12, XOM 3", register)
    assert [m.household.id for m in found][:1] == [1] and found[0].exact
    assert 2 not in [m.household.id for m in found]
    close = matches("Nguyễn An", "12 xóm 3", register)
    assert {m.household.id for m in close} == {1, 3} and not any(m.exact for m in close)
    assert matches("Lê Văn Cường", "Số 40 xóm 9", register) == []


def test_masked_name_shows_family_name_and_initials() -> None:
    assert masked_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert masked_name("An") == "A."


# Reading files ------------------------------------------------------------------------------
def test_read_csv_lists_bad_lines_with_reasons() -> None:
    data = (
        "Số hộ / số nhà;Chủ hộ;Địa chỉ;Ghi chú\n"
        "12;Nguyễn Văn An;Xóm 3;\n"
        ";;Xóm 3;\n"
        "14;<b>x</b>;Xóm 3;\n"
        "15;Lê Thị Hoa;;\n"
        "\n"
        "12;Phạm Văn Dũng;Xóm 4;ghi chú\n"
    ).encode("utf-8-sig")
    parsed = read_register(data, "so-ho.csv")
    assert [r.head_name for r in parsed.rows] == ["Nguyễn Văn An"]
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (3, RowProblem.HEAD_MISSING),
        (4, RowProblem.HEAD_INVALID),
        (5, RowProblem.ADDRESS_MISSING),
        (7, RowProblem.DUPLICATE_IN_FILE),
    ]
    assert parsed.problems[-1].other_line == 2


def test_read_xlsx_and_unknown_headers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Household number", "Head of household", "Address", "Note"])
    sheet.append([12, "Trần Văn Hùng", "Xóm 2", None])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_register(buffer.getvalue(), "register.xlsx")
    assert parsed.problems == [] and parsed.rows[0].number == "12"
    assert parsed.rows[0].line == 2
    wrong = read_register(b"a,b,c\n1,2,3\n", "x.csv")
    assert [p.reason for p in wrong.problems] == [RowProblem.NO_HEADER]
    assert [p.reason for p in read_register(b"PK\x03\x04junk", "x.xlsx").problems] == [
        RowProblem.UNREADABLE
    ]
    assert [p.reason for p in read_register(b"%PDF-1.4\n\xff\xfe", "x.pdf").problems] == [
        RowProblem.NO_HEADER
    ]
    assert [p.reason for p in read_register(b"x" * (3 * 1024 * 1024), "x.csv").problems] == [
        RowProblem.TOO_LARGE
    ]


def test_templates_are_read_back_as_empty_registers() -> None:
    labels = ["Số hộ / số nhà", "Chủ hộ", "Địa chỉ", "Ghi chú"]
    for data, name in ((template_csv(labels), "t.csv"), (template_xlsx(labels, "Sổ hộ"), "t.xlsx")):
        parsed = read_register(data, name)
        assert parsed.rows == [] and [p.reason for p in parsed.problems] == [RowProblem.EMPTY]


# Import plan --------------------------------------------------------------------------------
def test_plan_import_is_rerunnable_and_matches_by_number_or_identity() -> None:
    data = "number,head,address,note\n12,Nguyễn Văn An,Xóm 3,\n14,Trần Văn Bình,Xóm 3,\n".encode()
    rows = read_register(data, "r.csv").rows
    first = plan_import([], rows)
    assert len(first.add) == 2 and not first.update and not first.problems
    register = [
        household(1, "12", "Nguyễn Văn An", "Xóm 3"),
        household(2, "14", "Trần Văn Bình", "Xóm 3"),
    ]
    again = plan_import(register, rows)
    assert (again.add, again.update, again.unchanged) == ([], [], 2)
    # A migrated household without a number is matched by its identity and gets the number.
    migrated = [household(5, "", "nguyen van an", "Số 12, xóm 3")]
    plan = plan_import(migrated, rows[:1])
    assert plan.add == [] and [c.household_id for c in plan.update] == [5]
    # A number is the household's: a new head under number 14 updates household 14.
    moved = read_register("number,head,address\n14,Lê Văn Cường,Xóm 3\n".encode(), "m.csv")
    assert [c.household_id for c in plan_import(register, moved.rows).update] == [2]
    # A household of the register given the number of another one is refused.
    clash = read_register("number,head,address\n14,Nguyễn Văn An,Số 12 xóm 3\n".encode(), "c.csv")
    refused = plan_import(register, clash.rows)
    assert [p.reason for p in refused.problems] == [RowProblem.NUMBER_TAKEN]


# Migration ----------------------------------------------------------------------------------
@pytest.mark.sqlite_only(reason="SQLite's migration 0010 on an older SQLite file")
async def test_migration_merges_free_text_households(tmp_path: Path) -> None:
    """A database at schema 9 with two spellings of one household gets one register entry,
    and coverage counts it once (97/120 stays 97/120, it does not become 98)."""
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    for number, _name, sql in migrations():
        if number < 10:
            raw.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    raw.executescript(
        "INSERT INTO areas (id, code, name, households, created_at)"
        " VALUES (1, 'DONG', 'Thôn Đông', 120, '2027-01-01T00:00:00+00:00');"
        "INSERT INTO pledge_campaigns (id, title, starts_on, ends_on, created_at)"
        " VALUES (1, 'Cam kết 2027', '2027-01-01', '2027-03-31', '2027-01-01T00:00:00+00:00');"
        "INSERT INTO pledges (campaign_id, area_id, audience, head_name, address, household_key,"
        " reference, signed_at) VALUES"
        " (1, 1, 'household', 'Nguyễn Văn An', 'Số 12, xóm 3', 'a', 'DONG-2027-001',"
        "  '2027-01-02T00:00:00+00:00'),"
        " (1, 1, 'household', 'nguyễn văn an', 'Số 12 xóm 3', 'b', 'DONG-2027-002',"
        "  '2027-01-03T00:00:00+00:00'),"
        " (1, 1, 'household', 'Trần Văn Bình', 'Số 14', 'c', 'DONG-2027-003',"
        "  '2027-01-03T00:00:00+00:00'),"
        " (1, 1, 'business', 'Tạp hóa Bình', 'Số 14', 'd', 'DONG-2027-004',"
        "  '2027-01-03T00:00:00+00:00');"
    )
    raw.close()
    db = await Database.open(path)
    try:
        async with db.read() as conn:
            register = await repo.in_area(conn, 1)
            from bot.storage import pledges, stats

            signed = await pledges.signed_count(conn, 1, 1)
            by_area = await stats.signed_by_area(conn, 1, NOW)
            unsigned = await repo.unsigned(conn, 1, 1)
    finally:
        await db.close()
    assert sorted(h.head_name for h in register) == ["Nguyễn Văn An", "Trần Văn Bình"]
    assert signed == 2 and by_area[(1, "household")] == 2 and by_area[(1, "business")] == 1
    assert unsigned == []
