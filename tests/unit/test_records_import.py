"""Importing what communes already have: areas with household counts and past years' ratings,
read from CSV or XLSX, checked line by line, all or nothing, rerunnable; then the rating's own
service gives the streaks and the share of areas rated safe each year."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.richtext import plain as plain_text
from bot.features.admin import records
from bot.features.admin.records import RecordProblem
from bot.features.admin.records_service import Imported, import_records
from bot.features.rating import model
from bot.features.rating import service as rating_service
from bot.i18n import Translator
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import ratings as ratings_repo
from bot.storage.db import Database

NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
THIS_YEAR = 2026

# Two communes of a province, five past years (x: met; 0: not met; empty: not rated).
PROVINCE = (
    "Mã xã,Xã,Mã khu dân cư,Khu dân cư,Số hộ,2021,2022,2023,2024,2025\n"
    "NGASON,Xã Nga Sơn,NS1,Thôn 1,120,x,x,x,x,x\n"
    "NGASON,Xã Nga Sơn,NS2,Thôn 2,95,0,x,x,0,x\n"
    "NGASON,Xã Nga Sơn,NS3,Thôn 3,80,x,x,đạt,x,không đạt\n"
    "NGAHOA,Xã Nga Hòa,NH1,Thôn Hòa 1,1.200,,x,x,x,x\n"
)


async def _run(db: Database, data: str | bytes, name: str = "f.csv") -> Imported | list[str]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    async with db.unit() as conn:
        result = await import_records(
            conn, raw, name, this_year=THIS_YEAR, actor=None, now=NOW, source="test"
        )
    if isinstance(result, list):
        t = Translator("en")
        return [plain_text(records.problem_line(t, p)) for p in result]
    return result


async def test_five_past_years_give_streaks_and_shares(db: Database) -> None:
    done = await _run(db, PROVINCE)
    assert isinstance(done, Imported)
    assert (done.communes_added, done.areas_added, done.results_added) == (2, 4, 19)
    assert done.years == (2021, 2022, 2023, 2024, 2025)
    async with db.read() as conn:
        nga = await communes_repo.by_code(conn, "NGASON")
        hoa = await communes_repo.by_code(conn, "NGAHOA")
        assert nga is not None and nga.name == "Xã Nga Sơn" and hoa is not None
        nh1 = await areas_repo.by_code(conn, "NH1")
        assert nh1 is not None and nh1.households == 1200 and nh1.commune_id == hoa.id
        years = [y.year for y in await ratings_repo.years(conn)]
        closed = all(y.closed for y in await ratings_repo.years(conn))
        nga_areas = await areas_repo.ids_of_communes(conn, [nga.id])
        table = await rating_service.commune_table(conn, years, nga_areas)
        whole = await rating_service.commune_table(conn, years)
        lines = {line.area_code: line for line in await rating_service.rating_lines(conn, 2025)}
    assert years == [2021, 2022, 2023, 2024, 2025] and closed
    streaks = {row.area.code: row.streak for row in table.rows}
    assert streaks == {"NS1": 5, "NS2": 1, "NS3": 0}
    assert {c: lines[c].streak for c in ("NS1", "NS2", "NS3", "NH1")} == {
        "NS1": 5,
        "NS2": 1,
        "NS3": 0,
        "NH1": 4,
    }
    assert [(s.met, s.rated, s.areas) for s in table.shares.values()] == [
        (2, 3, 3),  # 2021
        (3, 3, 3),
        (3, 3, 3),
        (2, 3, 3),  # 2024
        (2, 3, 3),  # 2025
    ]
    assert whole.shares[2021].met == 2 and whole.shares[2021].rated == 3
    assert whole.shares[2021].areas == 4  # Thôn Hòa 1 was not rated in 2021
    assert whole.shares[2025].met == 3 and whole.shares[2025].of_all == 3 / 4


async def test_rerunning_the_same_file_changes_nothing(db: Database) -> None:
    await _run(db, PROVINCE)
    again = await _run(db, PROVINCE)
    assert isinstance(again, Imported)
    assert (again.communes_added, again.areas_added, again.areas_updated) == (0, 0, 0)
    assert (again.areas_unchanged, again.results_added, again.results_unchanged) == (4, 0, 19)


async def test_bad_lines_are_listed_and_nothing_is_imported(db: Database) -> None:
    bad = (
        "Mã xã,Xã,Mã khu dân cư,Khu dân cư,Số hộ,2024,2025\n"
        "NGASON,Xã Nga Sơn,NS1,Thôn 1,120,x,x\n"
        "NGASON,Xã Nga Sơn,NS 2!,Thôn 2,95,x,x\n"
        "NGASON,Xã Nga Sơn,NS3,Thôn 3,nhiều,x,x\n"
        "NGASON,Xã Nga Sơn,NS4,Thôn 4,10,tốt,x\n"
        "NGASON,Xã Nga Sơn,NS1,Thôn 1 bis,10,x,x\n"
        ",,NS5,,10,x,x\n"
    )
    problems = await _run(db, bad)
    assert problems == [
        "Line 3: the area code must be letters and digits, at most 20",
        "Line 4: the households must be a whole number",
        "Line 5: the result of 2024 is not understood: write x (met) or 0 (not met)",
        "Line 6: the same area code as line 2",
        "Line 7: the name of this new area is missing",  # found by the plan of the good lines
    ]
    async with db.read() as conn:
        assert await areas_repo.list_areas(conn) == []
        assert await communes_repo.list_communes(conn) == []


async def test_a_file_never_overwrites_what_was_decided(db: Database) -> None:
    await _run(db, PROVINCE)
    problems = await _run(
        db,
        "Mã xã,Mã khu dân cư,2024,2025\nNGASON,NS1,x,0\nNGAHOA,NS2,x,x\n,NH1,x,x\n",
    )
    assert problems == [
        "Line 2: the result of 2025 differs from the one already recorded in the bot",
        "Line 3: this area belongs to another commune",
    ]
    async with db.read() as conn:
        history = await ratings_repo.results(conn)
        ns1 = await areas_repo.by_code(conn, "NS1")
    assert ns1 is not None and history[(ns1.id, 2025)] is True


async def test_years_must_be_past_and_a_province_needs_the_commune(db: Database) -> None:
    assert await _run(db, "Mã khu dân cư,Khu dân cư,2026\nA1,Thôn A,x\n") == [
        "Line 1: the column 2026 is not a past year"
    ]
    await _run(db, PROVINCE)
    assert await _run(db, "Mã khu dân cư,Khu dân cư,Số hộ\nNEW1,Thôn mới,10\n") == [
        "Line 2: which commune? There are several: fill in its code"
    ]


async def test_a_commune_only_deployment_needs_no_commune_column(db: Database) -> None:
    async with db.unit() as conn:
        dong = await areas_repo.add(conn, "DONG", "Thôn Đông", 100, NOW)
    done = await _run(
        db, "Mã khu dân cư,Khu dân cư,Số hộ,2024,2025\nDONG,,110,x,x\nTAY,Thôn Tây,90,,x\n"
    )
    assert isinstance(done, Imported)
    assert (done.areas_added, done.areas_updated, done.communes_added) == (1, 1, 0)
    async with db.read() as conn:
        listed = await areas_repo.list_areas(conn)
        only = await communes_repo.list_communes(conn)
        history = await ratings_repo.results(conn)
    assert [(a.code, a.name, a.households) for a in listed] == [
        ("DONG", "Thôn Đông", 110),
        ("TAY", "Thôn Tây", 90),
    ]
    assert len(only) == 1 and {a.commune_id for a in listed} == {only[0].id}
    assert model.streak(history, dong.id, 2025) == 2


async def test_templates_in_both_kinds_are_read_back(db: Database) -> None:
    from openpyxl import load_workbook

    t = Translator("vi")
    name, data = records.template(t, "xlsx", THIS_YEAR)
    assert name.endswith(".xlsx")
    header = next(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert (
        header[:3] == ("Mã xã, phường", "Xã, phường", "Mã thôn, tổ dân phố")
        and header[-1] == "2025"
    )
    assert header[5] == "2021"
    parsed = records.read_records(data, name, THIS_YEAR)
    assert [p.reason for p in parsed.problems] == [RecordProblem.EMPTY]
    _csv_name, csv_data = records.template(Translator("en"), "csv", THIS_YEAR)
    assert csv_data.decode("utf-8-sig").startswith("Commune code,Commune,Area code,")
    filled = csv_data + b"XA1,Commune One,A1,Area One,12,x,,,,0\r\n"
    done = await _run(db, filled, "filled.csv")
    assert isinstance(done, Imported) and done.results_added == 2


def test_the_command_line_speaks_the_language_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xomantoan areas import` prints the summary and the refusals in the run's language,
    not English around Vietnamese line errors."""
    from bot.cli import main

    monkeypatch.setenv("XOMANTOAN_DATABASE", str(tmp_path / "cli.sqlite3"))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(PROVINCE, encoding="utf-8")
    bad.write_text(PROVINCE.replace("NS3,Thôn 3,80", "NS3,Thôn 3,nhiều"), encoding="utf-8")

    def run(*args: str) -> str:
        main(["areas", *args])
        out = capsys.readouterr()
        return out.out + out.err

    vi = run("import", str(bad)) + run("import", str(good)) + run("import", str(tmp_path / "x"))
    assert "cần sửa" in vi and "thêm 4" in vi and "không có tệp" in vi
    assert not [w for w in ("added", "nothing imported", "cannot read", "line(s)") if w in vi], vi
    en = run("import", str(good), "--lang", "en") + run("import", str(bad), "--lang", "en")
    assert "4 unchanged" in en and "needs fixing" in en
    assert "Dòng" not in en and "thêm" not in en, en
