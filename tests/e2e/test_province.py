"""A province-wide deployment over the fake Bot API: two communes, a commune officer who never
sees the other commune's reports, people or figures, a province officer who sees both, and the
import of areas with five past years of ratings giving the right streaks and shares."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.features.rating import service as rating_service
from bot.storage import areas as areas_repo
from bot.storage import chats
from bot.storage import communes as communes_repo
from bot.storage import ratings as ratings_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock, group_chat
from tests.e2e.test_figures import craft_button
from tests.e2e.test_onboarding import register
from tests.e2e.test_pledges_households import send_file
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import FakeBotAPI

START = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
ADMIN = 42


@pytest.fixture
async def province(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """Xã Nga Sơn (two areas) and Xã Nga Hòa (one area) in one deployment."""
    database = tmp_path / "province.sqlite3"
    db = await Database.open(database)
    async with db.unit() as conn:
        son = await communes_repo.add(conn, "NGASON", "Xã Nga Sơn", START)
        hoa = await communes_repo.add(conn, "NGAHOA", "Xã Nga Hòa", START)
        await areas_repo.add(conn, "NS1", "Thôn Sơn Một", 120, START, son.id)
        await areas_repo.add(conn, "NS2", "Thôn Sơn Hai", 80, START, son.id)
        await areas_repo.add(conn, "NH1", "Thôn Hòa Một", 95, START, hoa.id)
    await db.close()
    running = RunningBot(api, database, admins=str(ADMIN), clock=fixed_clock(START))
    await running.start()
    yield running
    await running.stop()


async def make_officer(api: FakeBotAPI, user: ChatUser, of: str) -> None:
    """The admin makes ``user`` an officer of ``of`` (a commune's name, or "Toàn tỉnh")."""
    admin = ChatUser(api, ADMIN, "Quản trị")
    await settle(api, admin.send("/capquyen"))
    await settle(api, admin.press("Cán bộ Công an xã, phường"))
    await settle(api, admin.send(user.first_name.split()[-1]))
    which = await settle(api, admin.press(user.first_name))
    assert "xã, phường nào" in which.text
    assert {"Xã Nga Sơn", "Xã Nga Hòa", "Toàn tỉnh"} <= set(which.labels)
    confirm = await settle(api, admin.press(of))
    role = "cán bộ Công an tỉnh" if of == "Toàn tỉnh" else f"cán bộ Công an {of}"
    assert role in confirm.text
    await settle(api, admin.press("Xác nhận"))
    told = await api.wait_for(lambda c: c.chat_id == user.id and "được giao" in c.text)
    assert role in told.text


async def file_theft(api: FakeBotAPI, user: ChatUser, area: str, text: str) -> None:
    await settle(api, user.send("/baocao"))
    await settle(api, user.press("Trộm cắp"))
    await settle(api, user.send(text))
    await settle(api, user.press("Tiếp tục"))
    await settle(api, user.press(area))
    await settle(api, user.press("Tôi không muốn nói"))
    await settle(api, user.press("Không"))
    await settle(api, user.press("Gửi kèm tên"))


async def residents(api: FakeBotAPI) -> tuple[ChatUser, ChatUser]:
    """A resident of each commune, each reporting a theft in their area."""
    son = ChatUser(api, 3001, "Mai Văn Sơn")
    hoa = ChatUser(api, 3002, "Đỗ Thị Hòa")
    admin = ChatUser(api, ADMIN, "Quản trị")
    await register(api, admin, "Thôn Sơn Một")
    await register(api, son, "Thôn Sơn Một")
    await register(api, hoa, "Thôn Hòa Một")
    return son, hoa


async def test_a_commune_officer_is_refused_another_communes_data(
    api: FakeBotAPI, province: RunningBot
) -> None:
    son, hoa = await residents(api)
    officer = ChatUser(api, 3010, "Cán bộ Lương")
    await register(api, officer, "Thôn Sơn Hai")
    await make_officer(api, officer, "Xã Nga Sơn")
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất trâu ngoài đồng")
    await api.wait_idle()
    # Told of their commune's report only.
    told = [c.text for c in api.sent(officer.id)]
    assert any("Mất xe máy" in text for text in told)
    assert not any("Mất trâu" in text for text in told)

    # Reports: the list holds one; the other commune's card, pressed anyway, is refused.
    listing = await settle(api, officer.send("/dsbaocao"))
    assert "1 tin báo" in listing.text
    other = (await rows(province, "SELECT id FROM reports WHERE description LIKE 'Mất trâu%'"))[0]
    refused = await craft_button(province, api, officer, f"rt:view:{other['id']}")
    assert "không thuộc phạm vi" in refused.params["text"]

    # People: the other commune's resident is not found when making a leader.
    await settle(api, officer.send("/capquyen"))
    nobody = await settle(api, officer.send("Hòa"))
    assert "Không có ai" in nobody.text
    await settle(api, officer.send("/huy"))
    # ... and only their communes' areas are offered for a leader.
    await settle(api, officer.send("/capquyen"))
    await settle(api, officer.send("Sơn"))
    areas = await settle(api, officer.press("Mai Văn Sơn"))
    assert set(areas.labels) == {"Thôn Sơn Một", "Thôn Sơn Hai"}
    await settle(api, officer.send("/huy"))

    # Figures: their areas only, never the whole deployment nor the other commune.
    scope = await settle(api, officer.send("/thongke"))
    assert "Thôn Sơn Một" in scope.labels and "Thôn Sơn Hai" in scope.labels
    assert not any("Hòa" in label or "Toàn" in label for label in scope.labels)
    nh1 = (await rows(province, "SELECT id FROM areas WHERE code = 'NH1'"))[0]["id"]
    for action in (f"sts:scope:{nh1}", "sts:scope:0", f"stf:xlsx:{nh1}:2026-01-01:2026-12-31"):
        crafted = await craft_button(province, api, officer, action)
        assert "địa bàn" in crafted.params["text"] and "phụ trách" in crafted.params["text"]
    await api.wait_idle()
    assert not any("Hòa Một" in c.text for c in api.sent(officer.id))
    assert not [c for c in api.sent(officer.id, "sendDocument")]

    # Settings every commune shares are the province's to change.
    crafted = await craft_button(province, api, officer, "rcfg:route:theft")
    assert "áp dụng cho mọi xã" in crafted.params["text"]
    await settle(api, officer.send("/thongbao"))
    quiet = await settle(api, officer.press("Giờ yên tĩnh"))
    assert "áp dụng cho mọi xã" in quiet.params["text"]
    routes = await rows(province, "SELECT * FROM report_routes")
    assert routes == []

    # The other commune's village group stays linked to its area.
    group = group_chat(-100777, "Nhóm Thôn Hòa Một")
    db = await Database.open(province.database)
    try:
        async with db.unit() as conn:
            chat = await chats.upsert(conn, "telegram", group["id"], "group", group["title"], START)
            await chats.link_area(conn, chat.id, int(str(nh1)))
    finally:
        await db.close()
    offered = await settle(api, officer.send("/lienketnhom", group))
    assert "Thôn Hòa Một" not in offered.labels
    kept = await settle(api, officer.press("Thôn Sơn Một", group))
    assert kept.method == "answerCallbackQuery"
    linked = await rows(province, "SELECT area_id FROM chats WHERE chat_id = '-100777'")
    assert linked == [{"area_id": nh1}]


async def test_a_province_officer_sees_and_compares_both_communes(
    api: FakeBotAPI, province: RunningBot
) -> None:
    son, hoa = await residents(api)
    chief = ChatUser(api, 3020, "Cán bộ Tỉnh")
    await register(api, chief, "Thôn Sơn Một")
    await make_officer(api, chief, "Toàn tỉnh")
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất trâu ngoài đồng")
    await api.wait_idle()
    told = [c.text for c in api.sent(chief.id)]
    assert any("Mất xe máy" in text for text in told) and any("Mất trâu" in text for text in told)
    listing = await settle(api, chief.send("/dsbaocao"))
    assert "2 tin báo" in listing.text

    communes = await settle(api, chief.send("/khuvuc"))
    assert "Xã Nga Sơn (NGASON): 2 thôn, tổ dân phố; 200 hộ" in communes.text
    assert "Xã Nga Hòa (NGAHOA): 1 thôn, tổ dân phố; 95 hộ" in communes.text
    one = await settle(api, chief.press("Xã Nga Hòa"))
    assert "Thôn Hòa Một" in one.text and "Thôn Sơn" not in one.text

    scope = await settle(api, chief.send("/thongke"))
    assert {"Thôn Sơn Một", "Thôn Sơn Hai", "Thôn Hòa Một"} <= set(scope.labels)
    assert any("Toàn" in label for label in scope.labels)


async def test_import_of_areas_and_five_past_years_of_ratings(
    api: FakeBotAPI, province: RunningBot
) -> None:
    from openpyxl import load_workbook

    admin = ChatUser(api, ADMIN, "Quản trị")
    await register(api, admin, "Thôn Sơn Một")
    await settle(api, admin.send("/khuvuc"))
    asked = await settle(api, admin.press("Nhập thôn, tổ dân phố"))
    assert "CSV" in asked.text and "x (đạt)" in asked.text
    template = await admin.press("Tệp mẫu (XLSX)")
    assert template.method == "sendDocument"
    sheet = load_workbook(io.BytesIO(template.params["document"]["data"])).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Mã xã, phường", "Xã, phường"] and header[-5:] == [
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
    ]
    head = '"Mã xã","Xã, phường","Mã thôn","Khu dân cư","Số hộ",2021,2022,2023,2024,2025\n'
    bad = head + "NGASON,,NS1,,,x,x,x,ok,x\nNGAHOA,,NS2,,,x,x,x,x,x\n"
    refused = await send_file(admin, api, "r1", "khu.csv", bad.encode("utf-8-sig"))
    assert "Chưa nhập thôn, tổ dân phố nào. Số dòng cần sửa: 2" in refused.text
    assert "Dòng 2: không hiểu kết quả năm 2024" in refused.text
    assert "Dòng 3: thôn, tổ dân phố này thuộc xã, phường khác" in refused.text
    assert await rows(province, "SELECT * FROM area_ratings") == []  # nothing half-imported

    good = head + (
        "NGASON,,NS1,,,x,x,x,x,x\n"
        "NGASON,,NS2,,,0,x,x,0,x\n"
        "NGASON,,NS3,Thôn Sơn Ba,60,x,x,đạt,x,không đạt\n"
        "NGAHOA,,NH1,,100,,x,x,x,x\n"
        "NGATHANH,Xã Nga Thạnh,NT1,Thôn Thạnh Một,70,x,x,x,x,x\n"
    )
    done = await send_file(admin, api, "r2", "khu.csv", good.encode("utf-8-sig"))
    assert "Đã nhập: thêm 1 xã" in done.text and "thêm 2, cập nhật 1, giữ nguyên 2" in done.text
    assert "ghi mới 24" in done.text

    # The rating's own service: streaks and the share of areas rated safe per year.
    db = await Database.open(province.database)
    try:
        async with db.read() as conn:
            years = [y.year for y in await ratings_repo.years(conn)]
            son = await communes_repo.by_code(conn, "NGASON")
            assert son is not None
            table = await rating_service.commune_table(
                conn, years, await areas_repo.ids_of_communes(conn, [son.id])
            )
    finally:
        await db.close()
    assert years == [2021, 2022, 2023, 2024, 2025]
    assert {row.area.code: row.streak for row in table.rows} == {"NS1": 5, "NS2": 1, "NS3": 0}
    assert [table.shares[y].met for y in years] == [2, 3, 3, 2, 2]
    assert all(table.shares[y].areas == 3 for y in years)

    # In the chat: the table of the deployment counts the imported years.
    await settle(api, admin.send("/binhxet"))
    shown = await settle(api, admin.press("Bảng tổng hợp"))
    assert "Năm 2021: 3/5 khu dân cư" in shown.text and "Năm 2025: 4/5 khu dân cư" in shown.text
    assert shown.text.count("đạt 5 năm liền tính đến năm 2025") == 2  # NS1 and NT1

    # The same file again changes nothing.
    await settle(api, admin.send("/khuvuc"))
    await settle(api, admin.press("Nhập thôn, tổ dân phố"))
    again = await send_file(admin, api, "r3", "khu.csv", good.encode("utf-8-sig"))
    assert "thêm 0 xã" in again.text and "thêm 0, cập nhật 0, giữ nguyên 5" in again.text
    assert "ghi mới 0, đã có từ trước 24" in again.text


async def test_the_area_picker_of_a_province_goes_by_commune_then_pages(
    api: FakeBotAPI, province: RunningBot
) -> None:
    db = await Database.open(province.database)
    try:
        async with db.unit() as conn:
            son = await communes_repo.by_code(conn, "NGASON")
            assert son is not None
            for n in range(1, 31):
                await areas_repo.add(conn, f"NSX{n:02d}", f"Xóm Sơn {n:02d}", 40, START, son.id)
    finally:
        await db.close()
    an = ChatUser(api, 3030, "Phan Văn An")
    await settle(api, an.send("/start"))
    await settle(api, an.press("✅"))
    communes = await settle(api, an.press(an.first_name))
    assert communes.labels == ["🏘 Xã Nga Hòa (1)", "🏘 Xã Nga Sơn (32)"]
    first = await settle(api, an.press("Xã Nga Sơn"))
    assert len(first.buttons) == 24 + 2  # a page of areas, then back to the communes and next
    assert "Xóm Sơn 30" not in first.labels and "▶️ 2/2" in first.labels
    second = await settle(api, an.press("▶️ 2/2"))
    assert "Xóm Sơn 30" in second.labels and "◀️" in second.labels
    assert second.text == first.text  # the same question, other buttons
    done = await settle(api, an.press("Xóm Sơn 30"))
    assert "Xóm Sơn 30" in done.text
    rows_ = await rows(
        province,
        "SELECT a.code FROM members m JOIN areas a ON a.id = m.area_id WHERE m.user_id = '3030'",
    )
    assert rows_ == [{"code": "NSX30"}]
