"""A live patrol over the fake Bot API: participants, observations, summary, group post."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.reports.model import ReportSettings, Target
from bot.storage import audit, chats, patrol_observations, report_settings
from bot.storage import members as members_repo
from bot.storage import patrols as patrols_repo
from bot.storage import reports as reports_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import rows
from tests.fakebotapi import FakeBotAPI


async def make_leader(bot: RunningBot, user_id: int, area_code: str = "DONG") -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(user_id))
            assert member is not None
            async with conn.execute("SELECT id FROM areas WHERE code = ?", (area_code,)) as cur:
                row = await cur.fetchone()
            assert row is not None
            await roles_repo.grant(conn, member.id, "leader", row[0], None, datetime.now(UTC))
    finally:
        await db.close()


async def link_group(bot: RunningBot, chat_id: int, area_code: str = "DONG") -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            chat = await chats.upsert(
                conn, "telegram", str(chat_id), "group", "Xóm Đông", datetime.now(UTC)
            )
            async with conn.execute("SELECT id FROM areas WHERE code = ?", (area_code,)) as cur:
                row = await cur.fetchone()
            assert row is not None
            await chats.link_area(conn, chat.id, row[0])
    finally:
        await db.close()


async def test_live_patrol_from_start_to_summary(api: FakeBotAPI, bot: RunningBot) -> None:
    to = ChatUser(api, 2001, "Lê Văn Tổ")
    an = ChatUser(api, 2002, "Nguyễn Văn An")
    binh = ChatUser(api, 2003, "Trần Bình")
    for user in (to, an, binh):
        await register(api, user)
    await make_leader(bot, to.id)
    await link_group(bot, -5001)

    # A resident cannot log patrols.
    refused = await an.send("/tuantra")
    assert "tổ trưởng" in refused.text.lower() or "chỉ" in refused.text.lower()

    menu = await to.send("/patrol")
    assert "Thôn Đông" in menu.text
    pick = await to.press("Bắt đầu tuần tra")
    assert any("✅ Lê Văn Tổ" in label for label in pick.labels)
    toggled = await to.press("Nguyễn Văn An")
    assert toggled.method == "editMessageText"
    assert any("✅ Nguyễn Văn An" in label for label in toggled.labels)
    typed = await to.send("Phạm Văn Ba, Hoàng Thị Tư")
    assert "Phạm Văn Ba" in typed.text
    panel = await to.press("(4)")
    assert "4" in panel.text and "tuần tra" in panel.text.lower()

    # An got a private notice and confirms.
    notice = await api.wait_for(lambda c: c.chat_id == an.id and "Lê Văn Tổ" in c.text)
    confirmed = await an.press("Tôi có tham gia", in_call=notice)
    assert "xác nhận" in confirmed.text

    # A second patrol for the same area is refused: /patrol shows the open one.
    again = await to.send("/patrol")
    assert "Kết thúc" in " ".join(again.labels)

    card = await to.press("Quá giờ")
    assert "×" in card.text
    counted = await to.send("3")
    assert "× 3" in counted.text
    too_many = await to.send("1001")
    assert "1.000" in too_many.text
    zero = await to.send("0")
    assert "1.000" in zero.text
    noted = await to.send("Quán nước đầu ngõ")
    assert "Quán nước đầu ngõ" in noted.text
    await to.press("Quay lại")
    await to.press("Xả rác")
    no_reminder = await to.press("Không nhắc nhở")
    assert "không" in no_reminder.text.lower()

    summary = await to.press("Kết thúc")
    assert "Nguyễn Văn An" in summary.text
    assert "Phạm Văn Ba" in summary.text
    assert "3" in summary.text
    posted_before = len(api.sent(-5001))
    await to.press("Đăng tóm tắt")
    group_post = await api.wait_for(lambda c: c.chat_id == -5001 and "Thôn Đông" in c.text)
    assert len(api.sent(-5001)) == posted_before + 1
    assert "Nguyễn Văn An" not in group_post.text and "Quán nước" not in group_post.text
    assert "4" in group_post.text

    db = await Database.open(bot.database)
    try:
        async with db.read() as conn:
            found = await patrols_repo.recent(conn, None)
            assert len(found) == 1 and not found[0].is_open
            observations = await patrol_observations.observations(conn, found[0].id)
            assert sorted((o.kind, o.count, o.reminded, o.for_report) for o in observations) == [
                ("late_business", 3, True, False),
                ("littering", 1, False, False),
            ]
            actions = {e.action for e in await audit.entries(conn, action_prefix="patrol.")}
            assert {"patrol.started", "patrol.ended", "patrol.summary_posted"} <= actions
    finally:
        await db.close()


async def test_nobody_and_other_area_leader_are_refused(api: FakeBotAPI, bot: RunningBot) -> None:
    to = ChatUser(api, 2011, "Lê Văn Tổ")
    tay = ChatUser(api, 2012, "Đỗ Văn Tây")
    await register(api, to)
    await register(api, tay, area="Thôn Tây")
    await make_leader(bot, to.id)
    await make_leader(bot, tay.id, "TAY")
    await link_group(bot, -5002)
    group = group_chat(-5002, "Xóm Đông")
    # The leader of Thôn Tây cannot log patrols in Thôn Đông's group.
    refused = await tay.send("/patrol", chat=group)
    assert "Thôn Đông" not in refused.text and refused.buttons == []

    await to.send("/patrol")
    await to.press("Bắt đầu tuần tra")
    await to.press("Lê Văn Tổ")  # unselect the only participant
    answer = await to.press("(0)")
    assert answer.method == "answerCallbackQuery"
    assert "ít nhất" in answer.params["text"]


async def start_patrol(to: ChatUser) -> None:
    await to.send("/patrol")
    await to.press("Bắt đầu tuần tra")
    await to.press("(1)")


async def test_notes_add_up_and_counts_are_never_notes(api: FakeBotAPI, bot: RunningBot) -> None:
    to = ChatUser(api, 2021, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)
    await start_patrol(to)
    await to.press("Quá giờ")

    await to.send("Tiệm net Minh Anh")
    await to.send("Quán bia Hùng")
    card = await to.send("Karaoke số 5")
    for i, note in enumerate(("Tiệm net Minh Anh", "Quán bia Hùng", "Karaoke số 5"), 1):
        assert f"{i}. {note}" in card.text
    assert any("Xóa ghi chú 2: Quán bia Hùng" in label for label in card.labels)

    # Numbers, with or without a sign, change the count; they are never kept as a note.
    assert "× 4" in (await to.send("4")).text
    assert "× 6" in (await to.send("+2")).text
    counted = await to.send("-3")
    assert "× 3" in counted.text and "-3" not in counted.text
    too_few = await to.send("-3")
    assert "0 trường hợp" in too_few.text and "Hoàn tác" in too_few.text
    # A number inside words is a note.
    with_words = await to.send("3 quán còn mở")
    assert "4. 3 quán còn mở" in with_words.text and "× 3" in with_words.text

    removed = await to.press("Xóa ghi chú 2")
    assert "Quán bia Hùng" not in removed.text
    assert "1. Tiệm net Minh Anh" in removed.text and "2. Karaoke số 5" in removed.text
    stale = await to.press("Xóa ghi chú 2: Quán bia Hùng", in_call=card)
    assert stale.method == "answerCallbackQuery"

    db = await Database.open(bot.database)
    try:
        async with db.read() as conn:
            patrol = (await patrols_repo.recent(conn, None))[0]
            [observation] = await patrol_observations.observations(conn, patrol.id)
            assert observation.count == 3
            assert [n.text for n in observation.notes] == [
                "Tiệm net Minh Anh",
                "Karaoke số 5",
                "3 quán còn mở",
            ]
    finally:
        await db.close()


async def test_an_observation_becomes_a_prefilled_report_once(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    to = ChatUser(api, 2031, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)
    await start_patrol(to)
    await to.press("Lấn chiếm")
    await to.send("Hàng rau lấn vỉa hè")
    await to.send("2")
    await to.send_only("", location={"latitude": 21.0285, "longitude": 105.8542})
    card = await api.wait_for(lambda c: c.chat_id == to.id and "Đã kèm vị trí" in c.text)

    review = await to.press("Chuyển thành tin báo", in_call=card)
    assert "Tin báo từ ghi nhận tuần tra" in review.text
    assert "Xả rác, lấn chiếm lòng lề đường" in review.text  # the kind's report category
    assert "Thôn Đông" in review.text and "📍" in review.text
    assert "Lấn chiếm × 2" in review.text and "Hàng rau lấn vỉa hè" in review.text
    assert "/report" not in review.text and "/baocao" not in review.text
    asked = await to.press("Viết lại nội dung")
    assert "nội dung mới" in asked.text
    rewritten = await to.send("Hàng rau lấn hết vỉa hè đầu chợ, đã nhắc 2 lần")
    assert "đầu chợ" in rewritten.text and "Hàng rau lấn vỉa hè\n" not in rewritten.text
    before = len(api.calls)
    await to.press("Gửi kèm tên")  # its notice to the handlers may come first: wait for both
    sent = await api.wait_for(
        lambda c: c.chat_id == to.id and "đã được gửi" in c.text, after=before
    )
    assert sent.method == "editMessageText"
    # A leader's screen: no resident's "anh/chị", and the bot does not speak as "em".
    assert "anh/chị" not in sent.text and "em sẽ" not in sent.text
    linked = await api.wait_for(lambda c: c.chat_id == to.id and "đã được gắn" in c.text)

    await api.wait_idle(quiet=0.05)  # the new report's notice to its handlers

    # The same observation cannot become a second report.
    again = await to.press("Chuyển thành tin báo", in_call=card)
    assert again.method == "answerCallbackQuery" and "đã được chuyển" in again.text
    assert "Quay lại" in " ".join(linked.labels)

    reports = await rows(bot, "SELECT * FROM reports")
    assert len(reports) == 1
    report = reports[0]
    assert report["category"] == "littering" and report["anonymous"] == 0
    assert report["latitude"] == 21.0285
    assert report["description"] == "Hàng rau lấn hết vỉa hè đầu chợ, đã nhắc 2 lần"
    member = (await rows(bot, "SELECT id FROM members WHERE user_id = ?", (to.id,)))[0]
    assert report["reporter_member_id"] == member["id"]
    area = (await rows(bot, "SELECT id FROM areas WHERE code = 'DONG'"))[0]
    assert report["area_id"] == area["id"]
    [observation] = await rows(bot, "SELECT * FROM patrol_observations")
    assert observation["report_id"] == report["id"] and observation["for_report"] == 1


async def test_a_report_from_a_group_patrol_is_made_in_private(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    to = ChatUser(api, 2041, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)
    await link_group(bot, -5041)
    # One report an hour at most for a resident, and the leader has just sent one: a leader's
    # limit is five times a resident's, so the report from the patrol goes through.
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            await report_settings.save_settings(conn, ReportSettings(max_per_hour=1))
            member = await members_repo.find(conn, "telegram", str(to.id))
            assert member is not None
            now = datetime.now(UTC)
            earlier = reports_repo.NewReport(
                "other", None, "Trước đó", Target.OFFICERS, False, member.id
            )
            await reports_repo.create(conn, earlier, "ACDE-3479", now, now)
    finally:
        await db.close()
    group = group_chat(-5041, "Xóm Đông")
    await to.send("/patrol", chat=group)
    # In a group, a step waiting for typed input is followed by a request to reply to it.
    mark = len(api.calls)
    await to.press("Bắt đầu tuần tra", chat=group)
    await api.wait_for(lambda c: api.forced_reply(-5041, to.id) is c, after=mark)
    await to.press("(1)", chat=group)
    mark = len(api.calls)
    await to.press("Người, xe khả nghi", chat=group)
    await api.wait_for(lambda c: api.forced_reply(-5041, to.id) is c, after=mark)
    before = len(api.sent(-5041))
    told = await to.press("Chuyển thành tin báo", chat=group)
    assert told.method == "answerCallbackQuery" and "tin nhắn riêng" in told.text
    offer = await api.wait_for(lambda c: c.chat_id == to.id and "khả nghi" in c.text)
    review = await to.press("Chuyển thành tin báo", in_call=offer)
    assert review.chat_id == to.id and "Người hoặc xe khả nghi" in review.text
    assert any("Đang xảy ra: không" in label for label in review.labels)
    urgent = await to.press("Đang xảy ra")
    assert any("Đang xảy ra: có" in label for label in urgent.labels)
    pressed = len(api.calls)
    await to.press("Gửi kèm tên")
    sent = await api.wait_for(
        lambda c: c.chat_id == to.id and "đã được gửi" in c.text, after=pressed
    )
    assert sent.method == "editMessageText" and "113" in sent.text
    await api.wait_idle(quiet=0.05)
    assert len(api.sent(-5041)) == before  # nothing of the report reaches the group
    [report] = await rows(bot, "SELECT category, happening_now FROM reports WHERE id > 1")
    assert report["category"] == "suspicious" and report["happening_now"] == 1
