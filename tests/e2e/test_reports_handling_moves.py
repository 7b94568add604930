"""Review of report handling (issue 16): a report acknowledged in one commune and transferred
to another waits there as new (that commune acknowledges it itself, within its own deadline,
and is timed from the arrival); a reopened report gets fresh deadlines and leaves the body it
had been handed to; a person who lost the role is no longer sent the report."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import CoreConfig
from bot.features.reports import screens as reports
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import report_handling
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.timefmt import from_db
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_figures import craft_button
from tests.e2e.test_onboarding import register
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    file_theft,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_reports import file_report, grant, people, rows, settle
from tests.e2e.test_reports_handling import card_of, staff
from tests.e2e.test_reports_review import listing as report_list
from tests.fakebotapi import FakeBotAPI


async def test_an_acknowledged_report_moved_to_another_commune_waits_there_as_new(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, hanh, _ = await staff(api, province)
    await file_theft(api, son, "Thôn Sơn Một", "Mất máy bơm nước ngoài đồng")
    await api.wait_idle()
    card = card_of(api, luong, "Mất máy bơm")
    acknowledged = await settle(api, luong.press("Tiếp nhận", in_call=card))
    assert (await rows(province, "SELECT status FROM reports"))[0]["status"] == "acknowledged"
    province.clock.advance(hours=2)
    where = await settle(api, luong.press("Chuyển", in_call=acknowledged))
    await settle(api, luong.press("Xã Nga Hòa", in_call=where))
    before = len(api.calls)
    await settle(api, luong.send("Máy bơm bị mang sang xã Nga Hòa"))
    moved_at = province.clock.now
    report = (await rows(province, "SELECT * FROM reports"))[0]
    # Nga Hòa has not acknowledged it: it is new there, with Nga Hòa's deadline.
    assert report["status"] == "new"
    assert from_db(report["ack_due_at"]) == moved_at + timedelta(hours=8)
    moved = await api.wait_for(
        lambda c: c.chat_id == hanh.id and "chuyển đến xã" in c.text, after=before
    )
    assert "✅ Tiếp nhận" in moved.labels
    history = await settle(api, hanh.press("Lịch sử", in_call=moved))
    assert "chuyển đến xã khác: Máy bơm bị mang sang xã Nga Hòa" in history.text
    # Not acknowledged there in time: Nga Hòa's officers are called on, not Nga Sơn's.
    province.clock.advance(hours=8, minutes=1)
    before = len(api.calls)
    job = next(j for j in reports.feature.jobs if j.name == "reports-escalation")
    db = await Database.open(province.database)
    try:
        assert await job.run(db, CoreConfig(), province.clock.now) >= 1
    finally:
        await db.close()
    await api.wait_for(lambda c: c.chat_id == hanh.id and "Mất máy bơm" in c.text, after=before)
    # Acknowledged by Nga Hòa 9 hours after it arrived: late, and timed from the arrival
    # (Nga Sơn's acknowledgement before the move is not Nga Hòa's).
    await settle(api, hanh.press("Tiếp nhận", in_call=moved))
    db = await Database.open(province.database)
    try:
        async with db.unit() as conn:
            (timing,) = await report_handling.timings(
                conn, moved_at - timedelta(days=1), moved_at + timedelta(days=1)
            )
    finally:
        await db.close()
    assert timing.created_at == moved_at
    assert timing.acknowledged_at == moved_at + timedelta(hours=8, minutes=1)
    assert timing.acknowledged_at > timing.ack_due_at  # type: ignore[operator]


async def test_a_reopened_report_gets_the_communes_deadlines_afresh_and_leaves_the_body(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    # Nga Sơn acknowledges "other reports" within 12 hours (the deployment's default: 8).
    await settle(api, luong.send("/caidatbaocao"))
    shown = await settle(api, luong.press("Hạn xử lý của xã"))
    shown = await settle(api, luong.press("Tin khác", in_call=shown))
    assert "12 giờ" in shown.text and "Đã lưu" in shown.text
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm bình ắc quy")
    await api.wait_idle()
    card = card_of(api, luong, "bình ắc quy")
    code = str((await rows(province, "SELECT code FROM reports"))[0]["code"])
    where = await settle(api, luong.press("Chuyển", in_call=card))
    await settle(api, luong.press("Công an tỉnh", in_call=where))
    await settle(api, luong.send("Chuyển Công an tỉnh vì liên quan đường dây trộm"))
    assert (await rows(province, "SELECT transferred_to FROM reports"))[0]["transferred_to"]
    # Ten days later the province sends it back: Nga Sơn reopens it.
    province.clock.advance(days=10)
    listing = await settle(api, luong.send("/dsbaocao"))
    for _ in range(10):  # the status filter, in turn, up to "not the commune's matter"
        if "Không thuộc phạm vi" in listing.text:
            break
        listing = await settle(api, luong.press("Tình trạng", in_call=listing))
    closed = await settle(api, luong.press(code, in_call=listing))
    await settle(api, luong.press("Mở lại", in_call=closed))
    reopened = await settle(api, luong.send("Công an tỉnh trả lại cho xã xử lý"))
    assert "Đã mở lại" in reopened.text
    assert "Đã chuyển đến" not in reopened.text and "Hạn giải quyết" in reopened.text
    now = province.clock.now
    report = (await rows(province, "SELECT * FROM reports"))[0]
    assert report["status"] == "reopened" and report["transferred_to"] is None
    assert from_db(report["ack_due_at"]) == now + timedelta(hours=12)
    assert from_db(report["resolve_due_at"]) == now + timedelta(days=7)
    # Not late the moment it is reopened: nobody is called on for the old deadline.
    job = next(j for j in reports.feature.jobs if j.name == "reports-deadlines")
    db = await Database.open(province.database)
    try:
        assert await job.run(db, CoreConfig(), now) == 0
    finally:
        await db.close()
    tracked = await settle(api, son.send(f"/theodoi {code}"))
    assert "Cảnh sát" not in tracked.text and "Công an tỉnh" not in tracked.text


async def test_a_leader_who_lost_the_role_is_no_longer_sent_the_report(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, kien = await staff(api, province)
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm lợn giống")
    await api.wait_idle()
    card = card_of(api, luong, "lợn giống")
    picker = await settle(api, luong.press("Giao cho", in_call=card))
    given = await settle(api, luong.press("Trưởng thôn Kiên", in_call=picker))
    assert "Đã giao cho Trưởng thôn Kiên" in given.text
    await revoke(province, kien, "leader", "NS1")  # Kiên is no longer the hamlet's leader
    # The resolution deadline passes: the commune's officers are called on, not Kiên.
    province.clock.advance(days=7, minutes=1)
    before = len(api.calls)
    job = next(j for j in reports.feature.jobs if j.name == "reports-deadlines")
    db = await Database.open(province.database)
    try:
        assert await job.run(db, CoreConfig(), province.clock.now) == 1
    finally:
        await db.close()
    await api.wait_for(lambda c: c.chat_id == luong.id and "Quá hạn" in c.text, after=before)
    # Closed, then reopened by the officer: the reopened card goes to the area's handlers now.
    listing = await settle(api, luong.send("/dsbaocao"))
    opened = await settle(api, luong.press("Trộm cắp", in_call=listing))
    await settle(api, luong.press("Đã giải quyết", in_call=opened))
    confirm = await settle(api, luong.send("Đã tìm thấy lợn"))
    done = await settle(api, luong.press("Xác nhận", in_call=confirm))
    await settle(api, luong.press("Mở lại", in_call=done))
    await settle(api, luong.send("Chủ nhà báo lợn lại mất"))
    await api.wait_idle()
    assert not [c for c in api.calls[before:] if c.chat_id == kien.id]


async def revoke(bot: RunningBot, user: ChatUser, role: str, area_code: str) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(user.id))
            area = await areas_repo.by_code(conn, area_code)
            assert member is not None and area is not None
            assert await roles_repo.revoke(conn, member.id, role, area.id)
    finally:
        await db.close()


async def test_a_report_transferred_to_the_provincial_police_reaches_the_province_officers(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, hanh, _ = await staff(api, province)
    tinh = ChatUser(api, 3020, "Cán bộ Tỉnh")
    await register(api, tinh, "Thôn Sơn Một")
    await make_officer(api, tinh, "Toàn tỉnh")
    await file_theft(api, son, "Thôn Sơn Một", "Nghi có đường dây trộm trâu liên xã")
    await api.wait_idle()
    card = card_of(api, luong, "trộm trâu")
    where = await settle(api, luong.press("Chuyển", in_call=card))
    await settle(api, luong.press("Công an tỉnh", in_call=where))
    before = len(api.calls)
    await settle(api, luong.send("Đường dây hoạt động ở ba xã"))
    up = await api.wait_for(
        lambda c: c.chat_id == tinh.id and "chuyển lên Công an tỉnh" in c.text, after=before
    )
    assert "Đường dây hoạt động ở ba xã" in up.text and "trộm trâu" in up.text
    assert "Mai Văn Sơn" not in up.text
    assert "🔄 Mở lại" in up.labels  # the province takes it up by reopening it
    await api.wait_idle()
    assert not [c for c in api.calls[before:] if c.chat_id == hanh.id]  # another commune's


async def test_in_a_single_commune_a_transfer_to_the_province_tells_no_officer_here(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """Every officer of a single commune acts for the whole deployment: none of them is the
    province's, so none is sent the transferred report as if they were."""
    an, _, hung = await people(api, bot)
    minh = ChatUser(api, 2005, "Đỗ Văn Minh")
    await register(api, minh)
    await grant(bot, minh, "officer")
    await file_report(api, an, "Trộm cắp", "Mất trộm trâu ở bãi sông", anonymous=False)
    card = await settle(api, hung.press("Trộm cắp", in_call=await report_list(api, hung)))
    where = await settle(api, hung.press("Chuyển", in_call=card))
    await settle(api, hung.press("Công an tỉnh", in_call=where))
    before = len(api.calls)
    done = await settle(api, hung.send("Chuyển Công an tỉnh điều tra"))
    assert "Đã chuyển tin báo" in done.text
    await api.wait_idle()
    assert not [c for c in api.calls[before:] if c.chat_id == minh.id]


async def test_forged_transfers_to_nowhere_are_answered_and_change_nothing(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    """The report's own officer pressing forged buttons: a commune that does not exist, an area
    of the report's own commune or of none, a body that does not exist."""
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm dây điện")
    report = (await rows(province, "SELECT id FROM reports"))[0]["id"]
    own_area = (await rows(province, "SELECT id FROM areas WHERE code = 'NS2'"))[0]["id"]
    for action in (
        f"rh:com:{report}:99999",
        f"rh:area:{report}:{own_area}",
        f"rh:area:{report}:99999",
        f"rh:body:{report}:police_station",
    ):
        answer = await craft_button(province, api, luong, action)
        assert "không còn hiệu lực" in answer.params["text"], action
    stored = (await rows(province, "SELECT * FROM reports"))[0]
    assert stored["status"] == "new" and stored["transferred_to"] is None
    assert await rows(province, "SELECT * FROM conversations WHERE user_id = '3010'") == []
