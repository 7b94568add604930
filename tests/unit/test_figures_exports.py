"""The officers' downloadable files: the XLSX workbook and the CSVs, built from a small known
data set inserted through the repositories, then read back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.features.figures.csvfiles import csv_files, csv_value
from bot.features.figures.figures import collect
from bot.features.figures.tables import export_tables
from bot.features.figures.workbook import export_basename
from bot.features.figures.xlsx import workbook_bytes
from bot.features.reports.model import Status, Target
from bot.i18n import Translator
from bot.shared.cells import text_cell
from bot.shared.periods import Period
from bot.storage import (
    areas,
    broadcasts,
    chats,
    exports,
    mediation,
    members,
    outbox,
    patrol_observations,
    patrols,
    pledge_campaigns,
    pledges,
)
from bot.storage import reports as reports_repo
from bot.storage.db import Connection, Database
from bot.storage.pledges import Line
from bot.storage.reports import NewReport
from bot.storage.stats import campaign_counted
from bot.storage.timefmt import to_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
REPORTER_NAME = "Trần Thị Kín Đáo"
REPORTER_TG = 777000111
NAMED_REPORTER = "Đỗ Văn Tên Thật"
NAMED_TG = 777000222
PARTIES = ["Ông Hùng Hàng Xóm", "Bà Lan Bên Cạnh"]
FORMULA_ADDRESS = '=HYPERLINK("http://evil.example","bấm")'
FORMULA_NOTE = "-2+3 quán mở\tquá giờ"
GROUP_DONG, GROUP_TAY = -1001111, -1002222


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Data:
    dong: int
    tay: int
    dong_patrol: int
    tay_patrol: int
    fire_run: int
    case_id: int


async def _member(conn: Connection, user_id: int, name: str, area_id: int) -> int:
    m = await members.ensure(conn, "telegram", user_id, NOW)
    await members.complete_onboarding(
        conn, m.id, display_name=name, area_id=area_id, language="vi", consent_version=1, now=NOW
    )
    return m.id


async def seed(db: Database) -> Data:
    async with db.unit() as conn:
        t0 = at("2026-01-01T00:00:00")
        dong = (await areas.add(conn, "DONG", "Thôn Đông", 120, t0)).id
        tay = (await areas.add(conn, "TAY", "Thôn Tây", 95, t0)).id
        reporter = await _member(conn, REPORTER_TG, REPORTER_NAME, dong)
        named = await _member(conn, NAMED_TG, NAMED_REPORTER, tay)
        leader = await _member(conn, 555, "Lê Văn Tổ Trưởng", dong)

        # Pledges of the 2026 campaign (and one of 2025, which must not show).
        old = await pledge_campaigns.add_campaign(
            conn, "2025", date(2025, 1, 1), date(2025, 12, 31), None, t0
        )
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết 2026", date(2026, 1, 1), date(2026, 12, 31), None, t0
        )

        async def sign(
            campaign_id: int,
            area_id: int,
            audience: str,
            head: str,
            address: str,
            ref: str,
            when: str,
        ) -> int:
            return await pledges.sign(
                conn,
                campaign_id=campaign_id,
                area_id=area_id,
                audience=audience,
                head_name=head,
                address=address,
                household_key=ref.lower(),
                member_id=None,
                public=audience == "household",
                reference=ref,
                lines=[Line(1, "Không ma túy", False)],
                item_ids=[None],
                now=at(when),
            )

        await sign(
            old.id, dong, "household", "Cũ Năm Trước", "Xóm 9", "CK25-DONG-1", "2025-03-01T02:00:00"
        )
        await sign(
            campaign.id,
            dong,
            "household",
            "Nguyễn Văn An",
            "Xóm 1, Thôn Đông",
            "CK26-DONG-1",
            "2026-03-01T02:00:00",
        )
        withdrawn = await sign(
            campaign.id,
            dong,
            "household",
            "Phạm Thị Hoa",
            FORMULA_ADDRESS,
            "CK26-DONG-2",
            "2026-03-02T02:00:00",
        )
        await pledges.withdraw(conn, withdrawn, leader, at("2026-04-01T18:30:00"))  # 2/4 local
        await sign(
            campaign.id,
            tay,
            "business",
            "Tạp hóa Minh",
            "Chợ Tây",
            "CK26-TAY-1",
            "2026-03-03T02:00:00",
        )

        # Reports: one anonymous in DONG, one named in TAY, one just before the period.
        anon = await reports_repo.create(
            conn,
            NewReport("theft", dong, "Mất xe đạp", Target.OFFICERS, True, None, happening_now=True),
            "ACDE-FGHJ",
            at("2026-05-10T13:30:00"),  # 20:30 local
            at("2026-05-10T14:30:00"),
        )
        await reports_repo.set_status(
            conn, anon, Status.RESOLVED, leader, at("2026-05-11T01:00:00")
        )
        await reports_repo.create(
            conn,
            NewReport("fraud", tay, "Cuộc gọi giả công an", Target.OFFICERS, False, named),
            "KMNP-QRTU",
            at("2025-12-31T17:00:00"),  # 00:00 local on 1 January 2026: inside
            at("2025-12-31T18:00:00"),
        )
        await reports_repo.create(
            conn,
            NewReport("fraud", tay, "Trước kỳ", Target.OFFICERS, False, named),
            "VWXY-3467",
            at("2025-12-31T16:59:00"),  # 23:59 local on 31 December 2025: outside
            at("2025-12-31T18:00:00"),
        )
        dispute = await reports_repo.create(
            conn,
            NewReport("dispute", dong, "Tranh chấp lối đi", Target.LEADERS, False, reporter),
            "CDEF-GHJK",
            at("2026-06-01T02:00:00"),
            at("2026-06-01T10:00:00"),
        )

        # Mediation: names of parties must never reach the files.
        case = await mediation.create(
            conn,
            area_id=dong,
            parties=PARTIES,
            created_by=leader,
            now=at("2026-06-01T03:00:00"),
            report_id=dispute.id,
        )
        await mediation.set_session(conn, case.id, date(2026, 6, 5))
        await mediation.close(conn, case.id, "success", "Hai bên đồng ý", at("2026-06-05T10:00:00"))
        await mediation.create(
            conn, area_id=tay, parties=["Một Người"], created_by=None, now=at("2026-07-01T03:00:00")
        )

        # Patrols: DONG with 2 named participants (one declined) and a head count of 2.
        dong_patrol = await patrols.create(
            conn,
            area_id=dong,
            leader_member_id=leader,
            source="live",
            started_at=at("2026-07-01T13:00:00"),  # 20:00 local
            ended_at=at("2026-07-01T15:00:00"),
            headcount=2,
            now=at("2026-07-01T13:00:00"),
        )
        await patrols.add_participant(conn, dong_patrol, member_id=leader)
        await patrols.add_participant(conn, dong_patrol, name="Anh Ba")
        await patrols.add_participant(conn, dong_patrol, member_id=reporter)
        await patrols.set_participation(
            conn, dong_patrol, reporter, False, at("2026-07-01T16:00:00")
        )
        await patrol_observations.add_observation(
            conn,
            dong_patrol,
            "late_business",
            count=3,
            created_by=leader,
            now=at("2026-07-01T13:20:00"),
        )
        litter = await patrol_observations.add_observation(
            conn,
            dong_patrol,
            "littering",
            reminded=False,
            created_by=leader,
            now=at("2026-07-01T13:40:00"),
        )
        await patrol_observations.update_observation(
            conn, litter, location=(21.0285, 105.8542), for_report=True
        )
        await patrol_observations.add_note(conn, litter, FORMULA_NOTE, at("2026-07-01T13:41:00"))
        tay_patrol = await patrols.create(
            conn,
            area_id=tay,
            leader_member_id=None,
            source="backfill",
            started_at=at("2026-08-02T12:00:00"),
            ended_at=at("2026-08-02T14:00:00"),
            headcount=5,
            now=at("2026-08-03T01:00:00"),
        )
        await patrol_observations.add_observation(
            conn, tay_patrol, "noise", count=2, created_by=None, now=at("2026-08-03T01:00:00")
        )

        # Awareness: one run to both groups and a DONG resident; one skipped run.
        for chat_id, area_id in ((GROUP_DONG, dong), (GROUP_TAY, tay)):
            chat = await chats.upsert(conn, "telegram", chat_id, "group", "Nhóm", NOW)
            await chats.link_area(conn, chat.id, area_id)
        common: dict[str, Any] = dict(
            schedule_id=None,
            topic="fire",
            message_ref="lib:fire",
            target="commune",
            area_ids=[],
            urgent=False,
            variant=0,
            not_before=None,
            requested_by=None,
            report=True,
        )
        fire_run = await broadcasts.add_run(
            conn,
            due_at=at("2026-08-19T01:00:00"),
            now=at("2026-08-19T01:00:00"),
            status="done",
            **common,
        )
        ids = [
            await outbox.enqueue(conn, "telegram", chat, "PCCC", [], NOW, batch_id=fire_run)
            for chat in (GROUP_DONG, GROUP_TAY, REPORTER_TG)
        ]
        await outbox.mark_sent(conn, ids[0], NOW)
        await outbox.mark_sent(conn, ids[1], NOW)
        await outbox.mark_final(conn, ids[2], "failed", "blocked")
        await broadcasts.add_run(
            conn,
            due_at=at("2026-09-01T01:00:00"),
            now=at("2026-09-01T01:00:00"),
            status="skipped",
            reason="quiet",
            **common,
        )
    return Data(dong, tay, dong_patrol, tay_patrol, fire_run, case.id)


async def book_of(db: Database, area_id: int | None, language: str = "vi") -> dict[str, Worksheet]:
    async with db.read() as conn:
        content = await workbook_bytes(conn, area_id, YEAR, TZ, Translator(language, TZ), now=NOW)
    book = load_workbook(io.BytesIO(content))
    return {ws.title: ws for ws in book.worksheets}


def values(ws: Worksheet) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def summary_value(ws: Worksheet, label: str) -> object:
    for label_cell, value in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if label_cell == label:
            return value
    raise AssertionError(f"no summary line {label!r}")


SHEETS_VI = [
    "Tổng hợp",
    "Cam kết",
    "Tin báo, phản ánh",
    "Hòa giải",
    "Tuần tra",
    "Ghi nhận khi tuần tra",
    "Tuyên truyền",
]
SHEETS_EN = ["Summary", "Pledges", "Reports", "Mediation", "Patrols", "Observations", "Deliveries"]


async def test_sheets_headers_and_rows_in_vietnamese(db: Database) -> None:
    data = await seed(db)
    book = await book_of(db, None)
    assert list(book) == SHEETS_VI

    for title in SHEETS_VI[1:]:
        ws = book[title]
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1])
        widths = [
            ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)
        ]
        assert all(8 <= w <= 48 for w in widths)

    pledge_rows = values(book["Cam kết"])
    assert pledge_rows[0] == [
        "Số cam kết",
        "Mã thôn, tổ dân phố",
        "Thôn, tổ dân phố",
        "Đối tượng ký",
        "Chủ hộ hoặc người đại diện",
        "Địa chỉ",
        "Niêm yết công khai",
        "Thời gian ký",
        "Ngày rút cam kết",
    ]
    assert pledge_rows[1:] == [
        [
            "CK26-DONG-1",
            "DONG",
            "Thôn Đông",
            "Hộ gia đình",
            "Nguyễn Văn An",
            "Xóm 1, Thôn Đông",
            "có",
            datetime(2026, 3, 1, 9, 0),
            None,
        ],
        [
            "CK26-DONG-2",
            "DONG",
            "Thôn Đông",
            "Hộ gia đình",
            "Phạm Thị Hoa",
            "'" + FORMULA_ADDRESS,
            "có",
            datetime(2026, 3, 2, 9, 0),
            datetime(2026, 4, 2, 0, 0),  # a date cell reads back as midnight
        ],
        [
            "CK26-TAY-1",
            "TAY",
            "Thôn Tây",
            "Cơ sở kinh doanh",
            "Tạp hóa Minh",
            "Chợ Tây",
            "không",
            datetime(2026, 3, 3, 9, 0),
            None,
        ],
    ]
    signed = book["Cam kết"]["H2"]
    assert signed.is_date and signed.number_format == "dd/mm/yyyy hh:mm"
    assert book["Cam kết"]["I3"].number_format == "dd/mm/yyyy"

    report_rows = values(book["Tin báo, phản ánh"])
    assert report_rows[0][:6] == [
        "Mã theo dõi",
        "Thời gian gửi",
        "Mã thôn, tổ dân phố",
        "Thôn, tổ dân phố",
        "Loại việc",
        "Tình trạng xử lý",
    ]
    assert [r[0] for r in report_rows[1:]] == ["KMNP-QRTU", "ACDE-FGHJ", "CDEF-GHJK"]
    assert report_rows[1][1] == datetime(2026, 1, 1, 0, 0)
    assert report_rows[2] == [
        "ACDE-FGHJ",
        datetime(2026, 5, 10, 20, 30),
        "DONG",
        "Thôn Đông",
        "Trộm cắp",
        "Đã giải quyết",
        "Công an xã, phường",
        "có",
        "có",
        "không",
        datetime(2026, 5, 11, 8, 0),
    ]
    assert report_rows[1][4] == "Lừa đảo qua mạng" and report_rows[1][8] == "không"

    mediation_rows = values(book["Hòa giải"])
    assert mediation_rows[1] == [
        data.case_id,
        datetime(2026, 6, 1, 10, 0),
        "DONG",
        "Thôn Đông",
        "CDEF-GHJK",
        2,
        datetime(2026, 6, 5, 0, 0),
        "Hòa giải thành",
        datetime(2026, 6, 5, 17, 0),
    ]
    assert mediation_rows[2][5:8] == [1, None, "Đang giải quyết"]

    patrol_rows = values(book["Tuần tra"])
    assert patrol_rows[1] == [
        data.dong_patrol,
        "DONG",
        "Thôn Đông",
        datetime(2026, 7, 1, 0, 0),
        datetime(2026, 7, 1, 20, 0),
        datetime(2026, 7, 1, 22, 0),
        "Ghi trực tiếp",
        "Đã kết thúc",
        4,  # head count 2 + leader + Anh Ba (the declined member does not count)
        4,
        3,
    ]
    assert patrol_rows[2][6] == "Ghi bổ sung sau" and patrol_rows[2][8:] == [5, 2, 2]

    observation_rows = values(book["Ghi nhận khi tuần tra"])
    assert len(observation_rows) == 4
    assert observation_rows[1][3:6] == ["Quá giờ", 3, "có"]
    assert observation_rows[2] == [
        data.dong_patrol,
        "DONG",
        datetime(2026, 7, 1, 0, 0),
        "Xả rác",
        1,
        "không",
        "'-2+3 quán mở quá giờ",
        "không",
        21.0285,
        105.8542,
        "có",
        datetime(2026, 7, 1, 20, 40),
    ]
    assert isinstance(book["Ghi nhận khi tuần tra"]["E2"].value, int)

    delivery_rows = values(book["Tuyên truyền"])
    assert len(delivery_rows) == 2  # the skipped run is left out, as in the figures
    assert delivery_rows[1] == [
        data.fire_run,
        datetime(2026, 8, 19, 8, 0),
        "Phòng cháy, chữa cháy",
        "Toàn xã",
        None,
        "không",
        "Đã gửi xong",
        2,
        1,
        0,
        0,
        None,
    ]


async def test_english_reader_gets_english_sheets_and_labels(db: Database) -> None:
    await seed(db)
    book = await book_of(db, None, "en")
    assert list(book) == SHEETS_EN
    reports = values(book["Reports"])
    assert reports[0][:5] == ["Tracking code", "Made at", "Area code", "Area", "Report category"]
    assert reports[2][4:9] == ["Theft", "Resolved", "Commune police", "yes", "yes"]
    assert book["Reports"]["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert values(book["Mediation"])[1][7] == "Mediated successfully"
    assert values(book["Observations"])[1][3] == "Open past hours"
    assert values(book["Deliveries"])[1][2:4] == ["Fire safety", "Whole commune"]
    assert summary_value(book["Summary"], "Scope") == "Whole commune"


async def test_summary_agrees_with_the_figures(db: Database) -> None:
    data = await seed(db)
    book = await book_of(db, None)
    async with db.read() as conn:
        figures = await collect(conn, None, YEAR, TZ, NOW)
    ws = book["Tổng hợp"]
    assert ws["A1"].font.b
    assert summary_value(ws, "Phạm vi") == "Toàn xã"
    assert summary_value(ws, "Từ ngày") == datetime(2026, 1, 1)
    assert summary_value(ws, "Đến ngày") == datetime(2026, 12, 31)
    assert summary_value(ws, "Thời gian lập") == datetime(2026, 12, 1, 10, 0)
    assert summary_value(ws, "Đợt ký cam kết") == "Cam kết 2026"
    assert summary_value(ws, "Số hộ trên địa bàn") == figures.pledges.households == 215
    assert summary_value(ws, "Số hộ đã ký cam kết") == figures.pledges.signed == 1
    share = summary_value(ws, "Tỷ lệ hộ đã ký")
    assert figures.pledges.percent is not None
    assert share == pytest.approx(figures.pledges.percent / 100)
    assert summary_value(ws, "Số tin báo, phản ánh") == figures.reports.total == 3
    assert summary_value(ws, "Tin báo ẩn danh") == figures.reports.anonymous == 1
    assert summary_value(ws, "Loại việc: Trộm cắp") == 1
    assert summary_value(ws, "Số vụ việc đưa ra hòa giải") == figures.mediation.total == 2
    assert summary_value(ws, "Kết quả: Hòa giải thành") == 1
    assert summary_value(ws, "Số buổi tuần tra") == figures.patrols.patrols == 2
    assert summary_value(ws, "Số lượt người tham gia") == figures.patrols.participations == 9
    assert summary_value(ws, "Số trường hợp đã nhắc nhở") == figures.patrols.reminders_total
    assert summary_value(ws, "Số đợt gửi tin tuyên truyền") == figures.awareness.runs == 1
    assert summary_value(ws, "Tin đã gửi tới") == figures.awareness.sent == 2

    # The rows add up to the same totals.
    rows = values(book["Tuần tra"])[1:]
    assert sum(int(str(r[8])) for r in rows) == figures.patrols.participations
    assert sum(int(str(r[10])) for r in rows) == figures.patrols.reminders_total
    standing_households = [
        r for r in values(book["Cam kết"])[1:] if r[3] == "Hộ gia đình" and r[8] is None
    ]
    assert len(standing_households) == figures.pledges.signed
    # The per-area coverage table of the commune.
    table = [r[:5] for r in values(ws) if r[0] in ("DONG", "TAY")]  # wider tables follow
    assert table == [
        ["DONG", "Thôn Đông", 120, 1, pytest.approx(0.008)],
        ["TAY", "Thôn Tây", 95, 0, 0],
    ]
    assert data.dong


async def test_an_area_holds_only_its_own_rows(db: Database) -> None:
    data = await seed(db)
    book = await book_of(db, data.dong)
    assert summary_value(book["Tổng hợp"], "Phạm vi") == "Thôn Đông (DONG)"
    # The column of the area code in each sheet.
    for title, column in (
        ("Cam kết", 1),
        ("Tin báo, phản ánh", 2),
        ("Hòa giải", 2),
        ("Tuần tra", 1),
    ):
        assert {r[column] for r in values(book[title])[1:]} == {"DONG"}, title
    assert [r[0] for r in values(book["Tin báo, phản ánh"])[1:]] == ["ACDE-FGHJ", "CDEF-GHJK"]
    assert {r[1] for r in values(book["Ghi nhận khi tuần tra"])[1:]} == {"DONG"}
    # Only the DONG group and the DONG resident count for this area.
    assert values(book["Tuyên truyền"])[1][7:11] == [1, 1, 0, 0]
    async with db.read() as conn:
        figures = await collect(conn, data.dong, YEAR, TZ, NOW)
    assert figures.awareness.sent == 1 and figures.awareness.failed == 1

    tay = await book_of(db, data.tay)
    assert [r[0] for r in values(tay["Cam kết"])[1:]] == ["CK26-TAY-1"]
    assert [r[1] for r in values(tay["Tuyên truyền"])[1:]] == [datetime(2026, 8, 19, 8, 0)]
    assert values(tay["Tuyên truyền"])[1][7:9] == [1, 0]


async def test_no_reporter_party_or_chat_id_leaves_a_trace(db: Database) -> None:
    data = await seed(db)
    forbidden = [
        REPORTER_NAME,
        str(REPORTER_TG),
        NAMED_REPORTER,
        str(NAMED_TG),
        *PARTIES,
        str(GROUP_DONG),
        str(GROUP_TAY),
        "Mất xe đạp",  # report content stays in the bot
        "Hai bên đồng ý",
    ]
    texts: list[str] = []
    for area_id in (None, data.dong, data.tay):
        for language in ("vi", "en"):
            for ws in (await book_of(db, area_id, language)).values():
                texts += [str(v) for row in values(ws) for v in row if v is not None]
            async with db.read() as conn:
                for _name, content in await csv_files(
                    conn, area_id, YEAR, TZ, Translator(language, TZ), NOW
                ):
                    texts.append(content.decode("utf-8-sig"))
    joined = "\n".join(texts)
    for word in forbidden:
        assert word not in joined, word
    # The anonymous report shows only that it is anonymous.
    book = await book_of(db, None)
    row = next(r for r in values(book["Tin báo, phản ánh"]) if r[0] == "ACDE-FGHJ")
    assert row[8] == "có"


async def test_formula_looking_text_is_neutralised(db: Database) -> None:
    await seed(db)
    book = await book_of(db, None)
    for ws in book.values():
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in ("=", "+", "-", "@"), cell.value
    assert text_cell("=1+1") == "'=1+1"
    assert text_cell("@SUM(A1)") == "'@SUM(A1)"
    assert text_cell("  +84 912\n345 ") == "'+84 912 345"
    assert text_cell("bình\x00thường\x1b") == "bình thường"
    assert text_cell(None) == ""


async def test_each_csv_parses_back_with_the_same_rows(db: Database) -> None:
    data = await seed(db)
    t = Translator("vi", TZ)
    async with db.read() as conn:
        files = await csv_files(conn, data.dong, YEAR, TZ, t, NOW)
        tables = await export_tables(conn, [data.dong], YEAR, TZ, t)
        rows = [await table.rows(conn) for table in tables]
    assert [name for name, _ in files] == [
        f"xomantoan-{kind}-DONG-2026-01-01_2026-12-31.csv"
        for kind in (
            "pledges",
            "reports",
            "mediation",
            "patrols",
            "observations",
            "deliveries",
            "timeliness",  # reports handled on time, per category and area (#16)
        )
    ]
    timely = list(csv.reader(io.StringIO(files[6][1].decode("utf-8-sig"), newline="")))
    assert timely[0][:2] == ["Tính theo", "Loại việc hoặc thôn, tổ dân phố"]
    assert timely[1][1] == "Tất cả tin báo" and timely[-1][1] == "Thôn Đông"
    book = await book_of(db, data.dong)
    for (name, content), table, table_rows, title in zip(
        files[:6], tables, rows, SHEETS_VI[1:], strict=True
    ):
        assert content.startswith(b"\xef\xbb\xbf"), name
        text = content.decode("utf-8-sig")
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), name
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert parsed[0] == table.headers == values(book[title])[0]
        expected = [[str(csv_value(v)) for v in row] for row in table_rows]
        assert parsed[1:] == expected, name
        assert len(parsed) - 1 == len(values(book[title])) - 1
    reports = list(csv.reader(io.StringIO(files[1][1].decode("utf-8-sig"), newline="")))
    assert reports[1][:2] == ["ACDE-FGHJ", "2026-05-10 20:30"]
    pledges_csv = list(csv.reader(io.StringIO(files[0][1].decode("utf-8-sig"), newline="")))
    assert pledges_csv[2][5] == "'" + FORMULA_ADDRESS and pledges_csv[2][8] == "2026-04-02"


async def test_commune_csv_names_and_empty_period(db: Database) -> None:
    await seed(db)
    empty = Period(date(2030, 1, 1), date(2030, 1, 31))
    async with db.read() as conn:
        files = await csv_files(conn, None, empty, TZ, Translator("en", TZ), NOW)
        content = await workbook_bytes(conn, None, empty, TZ, Translator("en", TZ), now=NOW)
    assert files[0][0] == "xomantoan-pledges-commune-2030-01-01_2030-01-31.csv"
    for _name, data in files:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        # Pledges still list the 2026 campaign (the latest started by then); the rest is empty.
        assert len(rows) >= 1
    book = load_workbook(io.BytesIO(content))
    assert [ws.max_row for ws in book.worksheets[2:]] == [1, 1, 1, 1, 1]


def test_export_basename() -> None:
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert (
        export_basename("reports", "DONG", period) == "xomantoan-reports-DONG-2026-01-01_2026-03-31"
    )
    assert (
        export_basename("figures", None, period)
        == "xomantoan-figures-commune-2026-01-01_2026-03-31"
    )
    assert export_basename("patrols", "TỔ 1/2", period).startswith("xomantoan-patrols-TỔ_1_2-")


async def test_a_full_sheet_goes_on_in_a_next_sheet_with_its_header(db: Database) -> None:
    """Excel holds 1,048,576 rows a sheet; the limit is injected small here (3 rows: the header
    and 2 records), and a longer table goes on in "Cam kết (2)" with its header again."""
    await seed(db)
    t = Translator("vi", TZ)
    async with db.read() as conn:
        whole = await workbook_bytes(conn, None, YEAR, TZ, t, now=NOW)
        split = await workbook_bytes(conn, None, YEAR, TZ, t, now=NOW, sheet_rows=3)
    one = {ws.title: values(ws) for ws in load_workbook(io.BytesIO(whole)).worksheets}
    book = load_workbook(io.BytesIO(split))
    sheets = {ws.title: values(ws) for ws in book.worksheets}
    assert list(sheets)[:4] == ["Tổng hợp", "Cam kết", "Cam kết (2)", "Tin báo, phản ánh"]
    assert all(len(rows) <= 3 for title, rows in sheets.items() if title != "Tổng hợp")
    pledges = one["Cam kết"]
    assert len(pledges) == 4  # the header and 3 pledges: 2 on the first sheet, 1 on the next
    assert sheets["Cam kết"] == pledges[:3]
    assert sheets["Cam kết (2)"] == [pledges[0], pledges[3]]
    assert book["Cam kết (2)"].freeze_panes == "A2"
    assert book["Cam kết (2)"]["H2"].number_format == "dd/mm/yyyy hh:mm"
    # Every record is on exactly one sheet, in order.
    for title in SHEETS_VI[1:]:
        parts = [rows for name, rows in sheets.items() if name.split(" (")[0] == title]
        assert [row for rows in parts for row in rows[1:]] == one[title][1:], title


async def test_rows_come_in_windows_without_losing_or_repeating_one(db: Database) -> None:
    """Rows are read a window at a time, each after the last one's (time, number): records
    made in the same second are neither skipped nor read twice."""
    await seed(db)
    same = to_db(at("2026-09-09T09:09:09"))
    async with db.unit() as conn:
        for n in range(5):
            await conn.execute(
                "INSERT INTO reports (code, category, anonymous, target, created_at, updated_at)"
                " VALUES (?, 'theft', 1, 'officers', ?, ?)",
                (f"SAME-{n}", same, same),
            )
    begin, end = YEAR.utc_bounds(TZ)
    async with db.read() as conn:
        at_once = [r async for w in exports.reports(conn, None, begin, end) for r in w]
        windows = [w async for w in exports.reports(conn, None, begin, end, window=2)]
        campaign = await campaign_counted(conn, YEAR.end)
        assert campaign is not None
        pledged = [
            p async for w in exports.pledges(conn, campaign.id, None, end, window=1) for p in w
        ]
        patrolled = [
            o async for w in exports.observations(conn, None, begin, end, window=1) for o in w
        ]
    assert [len(w) for w in windows] == [2, 2, 2, 2]
    assert [r for w in windows for r in w] == at_once and len(at_once) == 8
    assert [r.code for r in at_once if r.code.startswith("SAME")] == [f"SAME-{n}" for n in range(5)]
    assert [p.reference for p in pledged] == ["CK26-DONG-1", "CK26-DONG-2", "CK26-TAY-1"]
    assert len(patrolled) == 3


async def test_an_observations_notes_come_in_the_order_they_were_added(db: Database) -> None:
    await seed(db)
    begin, end = YEAR.utc_bounds(TZ)
    async with db.read() as conn:
        noted = [o async for w in exports.observations(conn, None, begin, end) for o in w]
    observation = next(o for o in noted if o.note)
    async with db.unit() as conn:
        for n, text in enumerate(("thứ hai", "thứ ba", "a thứ tư", "thứ năm")):
            await patrol_observations.add_note(
                conn, observation.id, text, at(f"2026-07-01T13:4{n + 2}:00")
            )
    async with db.read() as conn:
        noted = [o async for w in exports.observations(conn, None, begin, end) for o in w]
    again = next(o for o in noted if o.id == observation.id)
    assert again.note == f"{observation.note}; thứ hai; thứ ba; a thứ tư; thứ năm"
