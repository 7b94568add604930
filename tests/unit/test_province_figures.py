"""A province's figures without the chat: the table per commune, the figures of one commune,
the rating per year with its streaks, and both tables in the workbook and the summary report."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import docx
from openpyxl import load_workbook

from bot.features.figures.csvfiles import csv_files
from bot.features.figures.documents import summary_file
from bot.features.figures.figures import as_json, collect
from bot.features.figures.xlsx import workbook_bytes
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas, communes
from bot.storage.db import Database
from bot.storage.timefmt import to_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)


async def seed(db: Database) -> tuple[int, int]:
    """Two communes: Sơn (S1, S2) and Hòa (H1); reports, a patrol and four years of ratings."""
    async with db.unit() as conn:
        son = await communes.add(conn, "SON", "Xã Nga Sơn", NOW)
        hoa = await communes.add(conn, "HOA", "Xã Nga Hòa", NOW)
        s1 = await areas.add(conn, "S1", "Thôn Sơn Một", 100, NOW, son.id)
        s2 = await areas.add(conn, "S2", "Thôn Sơn Hai", 50, NOW, son.id)
        h1 = await areas.add(conn, "H1", "Thôn Hòa Một", 80, NOW, hoa.id)
        when = to_db(datetime(2026, 5, 1, tzinfo=UTC))
        for n, (area, category) in enumerate(
            ((s1, "theft"), (s2, "dispute"), (h1, "theft"), (h1, "drugs"))
        ):
            await conn.execute(
                "INSERT INTO reports (code, category, area_id, anonymous, target, created_at,"
                " updated_at) VALUES (?, ?, ?, 0, 'officers', ?, ?)",
                (f"R{n}", category, area.id, when, when),
            )
        await conn.execute(
            "INSERT INTO patrols (area_id, status, source, started_at, headcount, created_at,"
            " updated_at) VALUES (?, 'closed', 'backfill', ?, 4, ?, ?)",
            (h1.id, when, when, when),
        )
        history = {s1: (1, 1, 1, 1, 1), s2: (1, 0, 1, 1, 1), h1: (0, 1, 1, 0, 1)}
        for year in range(2022, 2027):
            await conn.execute(
                "INSERT INTO rating_years (year, opened_at) VALUES (?, ?)", (year, when)
            )
        for area, results in history.items():
            for year, met in zip(range(2022, 2027), results, strict=True):
                await conn.execute(
                    "INSERT INTO area_ratings (year, area_id, result, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (year, area.id, met, when, when),
                )
    return son.id, hoa.id


async def test_the_province_table_per_commune_and_the_rating_per_year(db: Database) -> None:
    son, _ = await seed(db)
    async with db.read() as conn:
        province = json.loads(as_json(await collect(conn, None, YEAR, TZ, NOW)))
        one = json.loads(as_json(await collect(conn, None, YEAR, TZ, NOW, commune_id=son)))
    assert province["scope"] == {"kind": "province", "area": None, "commune": None}
    rows = {row["commune"]["code"]: row for row in province["communes"]}
    assert list(rows) == ["HOA", "SON"]
    assert rows["SON"]["areas"] == 2 and rows["SON"]["households"] == 150
    assert (rows["SON"]["reports"], rows["SON"]["crime"]) == (2, 1)  # a dispute is no crime
    assert (rows["HOA"]["reports"], rows["HOA"]["crime"]) == (2, 2)
    assert (rows["HOA"]["patrols"], rows["HOA"]["participations"]) == (1, 4)
    assert province["reports"]["total"] == 4
    rating = province["rating"]
    assert rating["years"] == [2022, 2023, 2024, 2025, 2026]
    assert [(y["met"], y["areas"]) for y in rating["total"]["years"]] == [
        (2, 3),
        (2, 3),
        (3, 3),
        (2, 3),
        (3, 3),
    ]
    assert rating["total"]["years"][0]["percent"] == 66.7
    assert rating["total"]["streaks"] == {"1": 3, "3": 2, "5": 1}
    by_commune = {r["commune"]["code"]: r for r in rating["communes"]}
    assert by_commune["SON"]["streaks"] == {"1": 2, "3": 2, "5": 1}
    assert by_commune["HOA"]["streaks"] == {"1": 1, "3": 0, "5": 0}

    # One commune of the province: its own figures, no table per commune.
    assert one["scope"]["kind"] == "commune"
    assert one["scope"]["commune"] == {"code": "SON", "name": "Xã Nga Sơn"}
    assert one["reports"]["total"] == 2 and one["pledges"]["households"] == 150
    assert one["communes"] == [] and one["rating"]["total"]["streaks"]["3"] == 2


async def test_the_workbook_and_the_report_of_a_province_hold_both_tables(db: Database) -> None:
    await seed(db)
    t = Translator("vi", TZ)
    async with db.read() as conn:
        book = load_workbook(io.BytesIO(await workbook_bytes(conn, None, YEAR, TZ, t, now=NOW)))
        report = await summary_file(conn, None, YEAR, TZ, t, NOW, "Tỉnh Thanh Hóa")
    summary = [list(r) for r in book["Tổng hợp"].iter_rows(values_only=True)]
    son = next(r for r in summary if r[0] == "SON" and r[1] == "Xã Nga Sơn")
    assert son[2:4] == [150, 0] and son[5:7] == [2, 1]
    total = next(r for r in summary if r[1] == "Toàn tỉnh")
    assert total[2:7] == [0.667, 0.667, 1, 0.667, 1] and total[7:10] == [3, 2, 1]
    document = docx.Document(io.BytesIO(report.render()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kết quả theo từng xã, phường" in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Toàn tỉnh", "2/3", "2/3", "3/3", "2/3", "3/3", "3", "2", "1"] in cells
    assert any(row[1:3] == ["Xã Nga Hòa", "0/80"] for row in cells)


async def test_the_csv_files_of_a_province_hold_both_tables_and_of_one_commune_neither(
    db: Database,
) -> None:
    son, _ = await seed(db)
    t = Translator("vi", TZ)
    async with db.read() as conn:
        province = dict(await csv_files(conn, None, YEAR, TZ, t, NOW))
        commune = dict(await csv_files(conn, None, YEAR, TZ, t, NOW, commune_id=son))
    per_commune = next(
        v for k, v in province.items() if k.startswith("xomantoan-communes-") and "rating" not in k
    )
    table = list(csv.reader(io.StringIO(per_commune.decode("utf-8-sig"))))
    assert table[0][:2] == ["Mã xã, phường", "Xã, phường"]
    assert [(row[0], row[1]) for row in table[1:]] == [("HOA", "Xã Nga Hòa"), ("SON", "Xã Nga Sơn")]
    rating = next(v for k, v in province.items() if k.startswith("xomantoan-communes-rating-"))
    rows = list(csv.reader(io.StringIO(rating.decode("utf-8-sig"))))
    assert rows[0][2:7] == ["2022", "2023", "2024", "2025", "2026"]
    assert len(rows) == 1 + 2 + 1  # the header, two communes, the whole province
    assert not any(name.startswith("xomantoan-communes") for name in commune)
