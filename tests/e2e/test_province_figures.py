"""The province's figures over the fake Bot API: a province officer compares two communes in
/thongke (a line per commune), and five past years of ratings, imported from a file, give the
right share of safe areas per year and the right streaks, for the province and per commune."""

from __future__ import annotations

from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_pledges_households import send_file
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    ADMIN,
    file_theft,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_reports import settle
from tests.fakebotapi import FakeBotAPI

RATINGS = (
    '"Mã xã","Xã, phường","Mã thôn","Khu dân cư","Số hộ",2021,2022,2023,2024,2025\n'
    "NGASON,,NS1,,,x,x,x,x,x\n"
    "NGASON,,NS2,,,0,x,x,0,x\n"
    "NGASON,,NS3,Thôn Sơn Ba,60,x,x,đạt,x,không đạt\n"
    "NGAHOA,,NH1,,100,,x,x,x,x\n"
)


async def test_a_province_officer_compares_two_communes_and_their_ratings(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, hoa = await residents(api)
    chief = ChatUser(api, 3020, "Cán bộ Tỉnh")
    await register(api, chief, "Thôn Sơn Một")
    await make_officer(api, chief, "Toàn tỉnh")
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await file_theft(api, son, "Thôn Sơn Hai", "Mất xe đạp ở chợ")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất trâu ngoài đồng")
    await api.wait_idle()

    scope = await settle(api, chief.send("/thongke"))
    assert "🏘 Toàn tỉnh" in scope.labels
    await settle(api, chief.press("🏘 Toàn tỉnh"))
    answer = await settle(api, chief.press("Năm nay"))
    text = answer.text
    assert "Toàn tỉnh" in text and "Theo từng xã, phường:" in text
    son_line = next(line for line in text.splitlines() if line.startswith("• Xã Nga Sơn:"))
    hoa_line = next(line for line in text.splitlines() if line.startswith("• Xã Nga Hòa:"))
    assert "ký cam kết 0/200 hộ" in son_line and "2 tin báo (2 tin về tội phạm" in son_line
    assert "ký cam kết 0/95 hộ" in hoa_line and "1 tin báo (1 tin về tội phạm" in hoa_line

    # Five past years imported: the rating table of the province and of each commune.
    admin = ChatUser(api, ADMIN, "Quản trị")
    await settle(api, admin.send("/khuvuc"))
    await settle(api, admin.press("Nhập thôn, tổ dân phố"))
    done = await send_file(admin, api, "r1", "khu.csv", RATINGS.encode("utf-8-sig"))
    assert "Đã nhập" in done.text
    await settle(api, chief.send("/thongke"))
    await settle(api, chief.press("🏘 Toàn tỉnh"))
    answer = await settle(api, chief.press("Năm trước"))
    lines = answer.text.splitlines()
    assert "Khu dân cư đạt tiêu chuẩn an toàn theo năm:" in lines
    province_line = next(line for line in lines if line.startswith("• Toàn tỉnh: 2021"))
    # NS1 met 5 years, NS2 2022, 2023, 2025, NS3 all but 2025, NH1 2022 to 2025 (not rated 2021).
    for share in ("2021: 2/4", "2022: 4/4", "2023: 4/4", "2024: 3/4", "2025: 3/4"):
        assert share in province_line, share
    assert "đạt năm cuối: 3, đạt 3 năm liền: 2, đạt 5 năm liền: 1" in province_line
    son_rating = next(line for line in lines if line.startswith("• Xã Nga Sơn: 2021"))
    assert "2021: 2/3" in son_rating and "2025: 2/3" in son_rating
    assert "đạt năm cuối: 2, đạt 3 năm liền: 1, đạt 5 năm liền: 1" in son_rating
    hoa_rating = next(line for line in lines if line.startswith("• Xã Nga Hòa: 2021"))
    assert "2021: 0/1" in hoa_rating and "2022: 1/1" in hoa_rating
    assert "đạt năm cuối: 1, đạt 3 năm liền: 1, đạt 5 năm liền: 0" in hoa_rating


async def test_a_commune_officer_sees_their_whole_commune_and_not_the_other(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    from tests.e2e.test_figures import craft_button
    from tests.e2e.test_reports import rows

    son, hoa = await residents(api)
    officer = ChatUser(api, 3010, "Cán bộ Lương")
    await register(api, officer, "Thôn Sơn Hai")
    await make_officer(api, officer, "Xã Nga Sơn")
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất trâu ngoài đồng")
    await api.wait_idle()

    scope = await settle(api, officer.send("/thongke"))
    assert "🏘 Xã Nga Sơn" in scope.labels
    assert not any("Hòa" in label or "Toàn" in label for label in scope.labels)
    await settle(api, officer.press("🏘 Xã Nga Sơn"))
    answer = await settle(api, officer.press("Năm nay"))
    assert "Xã Nga Sơn" in answer.text.splitlines()[0]
    assert "Tiếp nhận 1 tin báo, phản ánh: 1 trộm cắp" in answer.text  # not the other commune's
    assert "Theo từng xã, phường:" not in answer.text  # one commune: no table per commune
    await officer.press("📊 Bảng tính Excel")
    workbook = await api.wait_for(lambda c: c.chat_id == officer.id and c.method == "sendDocument")
    assert workbook.params["document"]["filename"].startswith("xomantoan-figures-NGASON-")
    # The other commune, pressed anyway, is refused.
    hoa_id = (await rows(province, "SELECT id FROM communes WHERE code = 'NGAHOA'"))[0]["id"]
    for action in (f"sts:scope:c{hoa_id}", f"stf:xlsx:c{hoa_id}:2026-01-01:2026-12-31"):
        crafted = await craft_button(province, api, officer, action)
        assert "phụ trách" in crafted.params["text"], action
