"""The figures on the command line: the JSON that `xomantoan stats --json` prints and the files
that `export` and `summary` write, for a known year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.features.figures.figures import Figures
from bot.storage.db import Database
from tests.stats_seed import seed_year


@pytest.fixture
async def seeded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "commune.sqlite3"
    db = await Database.open(path)
    await seed_year(db)
    await db.close()
    monkeypatch.setenv("XOMANTOAN_DATABASE", str(path))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_stats_json_for_an_area_and_two_dates(
    seeded_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await _in_thread(
        capsys, "stats", "--json", "--area", "dong", "--from", "1/1/2026", "--to", "2026-12-31"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == set(Figures.model_json_schema()["properties"])  # type: ignore[arg-type]
    figures = Figures.model_validate(data)
    assert figures.scope.kind == "area"
    assert figures.scope.area is not None and figures.scope.area.code == "DONG"
    assert (figures.pledges.signed, figures.pledges.percent) == (120, 100.0)
    assert (figures.patrols.patrols, figures.patrols.participations) == (24, 120)
    assert figures.reports.by_category["theft"] == 3


async def test_stats_refuses_bad_input_with_one_line(
    seeded_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, message in (
        (("stats", "--json", "--area", "NOPE"), "no area with code NOPE"),
        (("stats", "--json", "--from", "2026-02-30", "--to", "2026-03-01"), "not a date"),
        (("stats", "--json", "--from", "1/3/2026", "--to", "1/1/2026"), "before"),
        (("stats", "--json", "--from", "1/3/2026"), "both --from and --to"),
        (("stats", "--json", "--commune-code", "NOPE"), "no commune with code NOPE"),
    ):
        code, out, err = await _in_thread(capsys, *argv)
        assert code == 2
        assert out == ""
        assert message in err
        assert "Traceback" not in err


async def _in_thread(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main() runs its own event loop, so it runs in a worker thread here."""
    import asyncio

    return await asyncio.to_thread(_run, capsys, *argv)


async def test_export_and_summary_write_files_that_open(
    seeded_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io

    import docx
    import openpyxl

    book_path = tmp_path / "out" / "figures.xlsx"
    code, out, _ = await _in_thread(capsys, "export", "--xlsx", str(book_path), "--lang", "en")
    assert code == 0
    assert str(book_path) in out
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames[0] == "Summary"
    assert len(book.sheetnames) == 7

    folder = tmp_path / "csv"
    code, out, _ = await _in_thread(capsys, "export", "--csv", str(folder), "--area", "TAY")
    assert code == 0
    files = sorted(folder.iterdir())
    assert len(files) == 7  # a table per kind, and reports handled on time
    patrols = next(f for f in files if "patrols" in f.name)
    assert "TAY" in patrols.name
    rows = list(csv.reader(io.StringIO(patrols.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + 6  # the header and TAY's six patrols

    report = tmp_path / "bao-cao.docx"
    code, out, _ = await _in_thread(
        capsys, "summary", str(report), "--period", "year", "--commune", "Xã An Bình"
    )
    assert code == 0
    document = docx.Document(str(report))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "AN BÌNH" in cells.upper()
    assert "BÁO CÁO" in text


async def test_rating_prints_the_commune_table(
    seeded_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from bot.storage import ratings

    db = await Database.open(seeded_file)
    async with db.unit() as conn:
        now = datetime(2026, 12, 20, tzinfo=UTC)
        await ratings.open_year(conn, 2026, None, now)
        rating = await ratings.ensure_area_rating(conn, 2026, 1, now)  # DONG
        for number in range(1, 6):
            await ratings.set_criterion(conn, rating, number, True, None, now)
        await ratings.set_criterion(
            conn, rating, 5, True, None, now, suggested=False, note="Tổ họp hằng tháng"
        )
        await ratings.set_result(conn, rating, True, None, now)
    await db.close()
    # In the bot's language (Vietnamese by default), or the one asked for, with area names.
    code, out, _ = await _in_thread(capsys, "rating", "--year", "2026", "--years", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["Thôn,", "tổ", "dân", "phố", "2025", "2026"]
    assert lines[0].split()[6:] == ["Số", "năm", "liên", "tục", "đạt"]
    assert lines[1].split() == ["Thôn", "Đông", ".", "+", "1"]
    assert lines[2].split() == ["Thôn", "Tây", ".", ".", "0"]
    assert lines[3].split() == ["Số", "khu", "dân", "cư", "đạt", "0/2", "1/2"]
    assert "chưa bình xét" in lines[4]
    assert (
        "! Thôn Đông năm 2026, tiêu chí 5: Đạt, khác với đề xuất theo số liệu;"
        " ghi chú: Tổ họp hằng tháng" in out
    )
    code, out, _ = await _in_thread(
        capsys, "rating", "--year", "2026", "--years", "2", "--lang", "en"
    )
    lines = out.splitlines()
    assert lines[0].split() == ["Area", "2025", "2026", "Streak"]
    assert lines[1].split() == ["Thôn", "Đông", ".", "+", "1"]
    assert lines[3].split() == ["Areas", "met", "0/2", "1/2"]
    assert "not rated" in lines[4]
    assert "! Thôn Đông 2026, criterion 5: Met against the records; note: Tổ họp" in out

    # The draft summary report of 2026 now carries the rating.
    report = seeded_file.parent / "report.docx"
    code, _, _ = await _in_thread(
        capsys, "summary", str(report), "--from", "2026-01-01", "--to", "2026-12-31"
    )
    assert code == 0
    import docx

    cells = [c.text for t in docx.Document(str(report)).tables for r in t.rows for c in r.cells]
    assert "Đạt" in cells
    assert "Chưa bình xét" in cells


async def test_a_province_and_one_of_its_communes_on_the_command_line(
    seeded_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A second commune makes the deployment a province: the whole of it has a table per
    commune; --commune-code gives one commune's figures and files named by its code."""
    from datetime import UTC, datetime

    from bot.storage import areas, communes

    db = await Database.open(seeded_file)
    async with db.unit() as conn:
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        hoa = await communes.add(conn, "HOA", "Xã Nga Hòa", moment)
        await areas.add(conn, "H1", "Thôn Hòa Một", 90, moment, hoa.id)
    await db.close()
    year = ("--from", "1/1/2026", "--to", "31/12/2026")
    code, out, _ = await _in_thread(capsys, "stats", "--json", *year)
    province = Figures.model_validate(json.loads(out))
    assert code == 0 and province.scope.kind == "province"
    assert [c.commune.code for c in province.communes] == ["HOA", "XA"]
    assert province.communes[1].reports == province.reports.total > 0
    code, out, _ = await _in_thread(capsys, "stats", "--json", "--commune-code", "hoa", *year)
    one = Figures.model_validate(json.loads(out))
    assert code == 0 and one.scope.kind == "commune" and one.communes == []
    assert one.scope.commune is not None and one.scope.commune.name == "Xã Nga Hòa"
    assert (one.reports.total, one.pledges.households) == (0, 90)
    code, out, _ = await _in_thread(capsys, "stats", "--lang", "en", *year)
    assert code == 0 and "The whole province" in out and "By commune:" in out
    code, out, _ = await _in_thread(
        capsys, "export", "--commune-code", "HOA", "--csv", str(tmp_path / "csv"), *year
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir())[0] == (
        "xomantoan-deliveries-HOA-2026-01-01_2026-12-31.csv"
    )
