"""Reports handled as a police post works (issue 16): a report given to a named leader,
transferred to another commune and closed there, the reporter told at each step (where it
went, never who); a missed deadline going up once per step; the list's "mine / unassigned /
overdue" filters. In a province of two communes (tests.e2e.test_province)."""

from __future__ import annotations

import json

from bot.core.context import CoreConfig
from bot.features.reports import screens as reports
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import make_leader
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    file_theft,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import Call, FakeBotAPI


async def staff(api: FakeBotAPI, bot: RunningBot) -> tuple[ChatUser, ChatUser, ChatUser]:
    """An officer of Xã Nga Sơn, an officer of Xã Nga Hòa, the leader of Thôn Sơn Một."""
    luong = ChatUser(api, 3010, "Cán bộ Lương")
    hanh = ChatUser(api, 3011, "Cán bộ Hạnh")
    kien = ChatUser(api, 3012, "Trưởng thôn Kiên")
    await register(api, luong, "Thôn Sơn Hai")
    await register(api, hanh, "Thôn Hòa Một")
    await register(api, kien, "Thôn Sơn Một")
    await make_officer(api, luong, "Xã Nga Sơn")
    await make_officer(api, hanh, "Xã Nga Hòa")
    await make_leader(bot, kien.id, "NS1")
    return luong, hanh, kien


def card_of(api: FakeBotAPI, user: ChatUser, text: str) -> Call:
    return next(c for c in reversed(api.sent(user.id)) if text in c.text and c.buttons)


async def test_a_report_is_assigned_transferred_closed_and_rated_the_reporter_told_each_step(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, hanh, kien = await staff(api, province)
    # A theft goes to the commune police: nobody is given it yet.
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await api.wait_idle()
    card = card_of(api, luong, "Mất xe máy")
    picker = await settle(api, luong.press("Giao cho", in_call=card))
    # People of the report's commune only: its leader and officer, never Nga Hòa's officer.
    assert "Trưởng thôn Kiên" in picker.labels and "Cán bộ Lương" in picker.labels
    assert "Cán bộ Hạnh" not in picker.labels
    before = len(api.calls)
    given = await settle(api, luong.press("Trưởng thôn Kiên", in_call=picker))
    assert "Đã giao cho Trưởng thôn Kiên" in given.text
    assert "Người xử lý: Trưởng thôn Kiên" in given.text
    told = await api.wait_for(
        lambda c: c.chat_id == kien.id and "được giao xử lý" in c.text, after=before
    )
    assert "Mất xe máy" in told.text and "Mai Văn Sơn" not in told.text
    reporter = await api.wait_for(
        lambda c: c.chat_id == son.id and "giao cho cán bộ phụ trách" in c.text, after=before
    )
    # Given, not acknowledged: the reporter is not told anybody has acknowledged it.
    assert "tiếp nhận" not in reporter.text
    assert "Trưởng thôn Kiên" not in reporter.text and "Lương" not in reporter.text
    code = str((await rows(province, "SELECT code FROM reports"))[0]["code"])
    assert code in reporter.text
    # Pressed again on the same person (a double tap): nobody is told twice.
    before = len(api.calls)
    await settle(api, luong.press("Trưởng thôn Kiên", in_call=picker))
    await api.wait_idle()
    assert not [c for c in api.calls[before:] if c.chat_id in (son.id, kien.id)]
    tracked = await settle(api, son.send(f"/theodoi {code}"))
    assert "Tin báo đã được giao cho cán bộ phụ trách" in tracked.text
    assert "Đã có cán bộ tiếp nhận" not in tracked.text and "Kiên" not in tracked.text

    # Transferred to Xã Nga Hòa (one area: no area to choose), with a note.
    where = await settle(api, luong.press("Chuyển", in_call=given))
    assert "Xã Nga Hòa" in str(where.labels) and "Công an tỉnh" in where.labels
    assert "Xã Nga Sơn" not in str(where.labels)
    asked = await settle(api, luong.press("Xã Nga Hòa", in_call=where))
    assert "ghi chú" in asked.text
    before = len(api.calls)
    done = await settle(api, luong.send("Đối tượng chạy về phía xã Nga Hòa"))
    assert "Đã chuyển tin báo" in done.text
    moved = await api.wait_for(
        lambda c: c.chat_id == hanh.id and "chuyển đến xã" in c.text, after=before
    )
    assert "Đối tượng chạy về phía xã Nga Hòa" in moved.text and "Mai Văn Sơn" not in moved.text
    told_where = await api.wait_for(
        lambda c: c.chat_id == son.id and "được chuyển đến" in c.text, after=before
    )
    assert "Xã Nga Hòa" in told_where.text
    assert "Hạnh" not in told_where.text and "Lương" not in told_where.text
    report = (await rows(province, "SELECT * FROM reports"))[0]
    assert report["status"] == "new" and report["assignee_member_id"] is None
    # It has left Nga Sơn's list and is Nga Hòa's now.
    listing = await settle(api, luong.send("/dsbaocao"))
    assert not any(code in label for label in listing.labels)
    theirs = await settle(api, hanh.send("/dsbaocao"))
    assert any(code in label for label in theirs.labels)

    # Closed by the existing close action in Nga Hòa; the reporter told.
    opened = await settle(api, hanh.press(code, in_call=theirs))
    assert "Người xử lý: chưa giao" in opened.text
    await settle(api, hanh.press("Đã giải quyết", in_call=opened))
    confirm = await settle(api, hanh.send("Đã tìm lại được xe và trả cho chủ"))
    before = len(api.calls)
    await settle(api, hanh.press("Xác nhận", in_call=confirm))
    closed = await api.wait_for(
        lambda c: c.chat_id == son.id and code in c.text and "Đã giải quyết" in c.text,
        after=before,
    )
    assert "Hạnh" not in closed.text
    assert "Đã tìm lại được xe" in closed.text  # the outcome in plain words
    rated = await settle(api, son.press("Hài lòng", in_call=closed))
    assert "cảm ơn" in rated.text.lower()
    ratings = await rows(province, "SELECT satisfied FROM report_ratings")
    assert [r["satisfied"] for r in ratings] == [1]
    history = await settle(api, hanh.press("Lịch sử", in_call=opened))
    assert "giao cho Trưởng thôn Kiên" in history.text
    assert "chuyển đến xã khác: Đối tượng chạy về phía xã Nga Hòa" in history.text
    tracked = await settle(api, son.send(f"/theodoi {code}"))
    assert "Đã giải quyết" in tracked.text


async def test_a_report_handed_to_another_body_and_an_anonymous_reporter_sees_it_by_code(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    await settle(api, son.send("/baocao"))
    await settle(api, son.press("cháy nổ"))
    await settle(api, son.send("Dây điện chập cháy ở chợ"))
    await settle(api, son.press("Tiếp tục"))
    await settle(api, son.press("Thôn Sơn Một"))
    await settle(api, son.press("Tôi không muốn nói"))
    await settle(api, son.press("Không"))
    sent = await settle(api, son.press("Gửi ẩn danh"))
    code = str((await rows(province, "SELECT code FROM reports"))[0]["code"])
    assert code in sent.text
    await api.wait_idle()
    card = card_of(api, luong, "Dây điện")
    where = await settle(api, luong.press("Chuyển", in_call=card))
    await settle(api, luong.press("PCCC", in_call=where))
    before = len(api.calls)
    await settle(api, luong.send("Đã gọi 114, xe chữa cháy đang tới"))
    report = (await rows(province, "SELECT * FROM reports"))[0]
    assert report["status"] == "not_ours" and report["transferred_to"] == "fire"
    # The anonymous reporter is told where it went through the sealed relay, never by whom.
    told = await api.wait_for(
        lambda c: c.chat_id == son.id and code in c.text and "(114)" in c.text, after=before
    )
    assert "Lương" not in told.text and "xe chữa cháy" not in told.text
    report = (await rows(province, "SELECT * FROM reports"))[0]
    assert str(son.id) not in json.dumps(report, default=str)
    tracked = await settle(api, son.send(f"/theodoi {code}"))
    assert "Đã chuyển đến Cảnh sát PCCC và CNCH (114) để xử lý" in tracked.text
    assert "Lương" not in tracked.text and "xe chữa cháy" not in tracked.text
    again = await settle(api, luong.press("Chuyển", in_call=card))
    assert again.method == "answerCallbackQuery" and "đã kết thúc" in again.params["text"]


async def test_a_missed_deadline_goes_up_once_per_step(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    tinh = ChatUser(api, 3020, "Cán bộ Tỉnh")
    await register(api, tinh, "Thôn Sơn Một")
    await make_officer(api, tinh, "Toàn tỉnh")
    # The commune officer sets the commune's deadlines: resolve within 3 days.
    await settle(api, luong.send("/caidatbaocao"))
    shown = await settle(api, luong.press("Hạn xử lý của xã"))
    assert "Xã Nga Sơn" in shown.text and "7 ngày" in shown.text
    for _ in range(4):  # 7 → 10 → 15 → 30 → 3
        shown = await settle(api, luong.press("Hạn giải quyết", in_call=shown))
    assert "3 ngày" in shown.text and "Đã lưu" in shown.text
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm gà trong đêm")
    report = (await rows(province, "SELECT * FROM reports"))[0]
    assert report["resolve_due_at"] is not None
    clock = province.clock
    job = next(j for j in reports.feature.jobs if j.name == "reports-deadlines")
    acknowledged = next(j for j in reports.feature.jobs if j.name == "reports-escalation")
    before = len(api.calls)
    db = await Database.open(province.database)
    try:
        clock.advance(hours=8, minutes=1)  # acknowledgement missed: the commune's officers
        assert await acknowledged.run(db, CoreConfig(), clock.now) >= 1
        assert await job.run(db, CoreConfig(), clock.now) == 0
        clock.advance(hours=8)  # missed again by the commune: the province
        assert await job.run(db, CoreConfig(), clock.now) == 1
        assert await job.run(db, CoreConfig(), clock.now) == 0
    finally:
        await db.close()
    # A restart of the timer's database handle neither loses nor repeats what was done.
    db = await Database.open(province.database)
    try:
        assert await job.run(db, CoreConfig(), clock.now) == 0
        clock.advance(days=3)  # not resolved in time: the commune's officers
        assert await job.run(db, CoreConfig(), clock.now) == 1
        assert await job.run(db, CoreConfig(), clock.now) == 0
    finally:
        await db.close()
    up = await api.wait_for(
        lambda c: c.chat_id == tinh.id and "Báo lên tỉnh" in c.text, after=before
    )
    assert "Mất trộm gà" in up.text and "Mai Văn Sơn" not in up.text
    late = await api.wait_for(lambda c: c.chat_id == luong.id and "Quá hạn" in c.text, after=before)
    history = await settle(api, luong.press("Lịch sử", in_call=late))
    assert "đã báo lên Công an tỉnh" in history.text
    assert "quá hạn giải quyết: đã báo lên Công an xã, phường" in history.text
    escalations = await rows(province, "SELECT kind, level FROM report_escalations ORDER BY at")
    assert [(e["kind"], e["level"]) for e in escalations] == [("ack", 2), ("resolve", 1)]


async def test_the_list_filters_mine_unassigned_and_overdue(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)
    luong, _, _ = await staff(api, province)
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe đạp")
    await file_theft(api, son, "Thôn Sơn Hai", "Mất điện thoại")
    await api.wait_idle()
    card = card_of(api, luong, "Mất xe đạp")
    picker = await settle(api, luong.press("Giao cho", in_call=card))
    # "📌 always" on his own row (the first: people in the order they joined): this one, and
    # every new theft of Thôn Sơn Một, is his.
    assert picker.labels[:2] == ["Cán bộ Lương", "📌 luôn giao"]
    pinned = await settle(api, luong.press("📌", in_call=picker))
    assert "sẽ giao cho người đó" in pinned.text and "Người xử lý: Cán bộ Lương" in pinned.text
    await file_theft(api, son, "Thôn Sơn Một", "Mất trộm xe thồ")
    ruled = await rows(province, "SELECT assignee_member_id FROM reports ORDER BY id")
    luong_id = (await rows(province, "SELECT id FROM members WHERE user_id = '3010'"))[0]["id"]
    assert [r["assignee_member_id"] for r in ruled] == [luong_id, None, luong_id]
    listing = await settle(api, luong.send("/dsbaocao"))
    assert "3 tin" in listing.text
    mine = await settle(api, luong.press("của đồng chí", in_call=listing))
    assert "Đang lọc: của đồng chí" in mine.text and "2 tin" in mine.text
    assert any("Trộm cắp" in label for label in mine.labels)
    unassigned = await settle(api, luong.press("chưa giao", in_call=mine))
    assert "1 tin" in unassigned.text
    late = await settle(api, luong.press("quá hạn", in_call=unassigned))
    assert "0 tin" in late.text or "Chưa có" in late.text
    province.clock.advance(hours=9)
    late = await settle(api, luong.press("quá hạn", in_call=unassigned))
    assert "3 tin" in late.text
    back = await settle(api, luong.press("✅", in_call=late))
    assert "Đang lọc" not in back.text and "3 tin" in back.text
