"""A live patrol over the fake Bot API: participants, observations, summary, group post."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage import audit, chats
from bot.storage import members as members_repo
from bot.storage import patrols as patrols_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, group_chat
from tests.e2e.test_onboarding import register
from tests.fakebotapi import FakeBotAPI


async def make_leader(bot: RunningBot, user_id: int, area_code: str = "DONG") -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", user_id)
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
                conn, "telegram", chat_id, "group", "Xóm Đông", datetime.now(UTC)
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
    await to.press("Lấn chiếm")
    flagged = await to.press("Chuyển thành phản ánh")
    assert "/baocao" in flagged.text and "/report" not in flagged.text
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
            observations = await patrols_repo.observations(conn, found[0].id)
            assert sorted((o.kind, o.count, o.reminded, o.for_report) for o in observations) == [
                ("encroachment", 1, True, True),
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
