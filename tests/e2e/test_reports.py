"""Reports end to end: residents report by name or anonymously, handlers triage, the loop closes."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import UTC, datetime

from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.members import find
from tests.e2e.harness import ChatUser, RunningBot, group_chat
from tests.e2e.test_onboarding import register
from tests.fakebotapi import Call, FakeBotAPI


async def grant(bot: RunningBot, user: ChatUser, role: str, area_code: str | None = None) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await find(conn, "telegram", str(user.id))
            assert member is not None
            area_id = None
            if area_code:
                async with conn.execute("SELECT id FROM areas WHERE code = ?", (area_code,)) as c:
                    row = await c.fetchone()
                    assert row is not None
                    area_id = int(row[0])
            await roles_repo.grant(conn, member.id, role, area_id, None, datetime.now(UTC))
    finally:
        await db.close()


async def rows(
    bot: RunningBot, sql: str, params: tuple[object, ...] = ()
) -> list[dict[str, object]]:
    db = await Database.open(bot.database)
    try:
        async with db.read() as conn, conn.execute(sql, params) as cur:
            return [dict(r) for r in await cur.fetchall()]
    finally:
        await db.close()


async def people(api: FakeBotAPI, bot: RunningBot) -> tuple[ChatUser, ChatUser, ChatUser]:
    """A resident of Thôn Đông, the leader of Thôn Đông and a commune officer."""
    an = ChatUser(api, 2001, "Nguyễn Văn An")
    lan = ChatUser(api, 2002, "Trần Thị Lan")
    hung = ChatUser(api, 2003, "Lê Văn Hùng")
    for person in (an, lan, hung):
        await register(api, person)
    await grant(bot, lan, "leader", "DONG")
    await grant(bot, hung, "officer")
    return an, lan, hung


async def settle(api: FakeBotAPI, action: Awaitable[Call]) -> Call:
    """Do one step and let every message it causes arrive before the next step."""
    call = await action
    await api.wait_idle(quiet=0.05)
    return call


async def file_report(
    api: FakeBotAPI,
    user: ChatUser,
    category: str,
    text: str,
    *,
    anonymous: bool,
    now: bool = False,
    place: str | None = "Ngõ 3 sau chợ",
) -> str:
    await settle(api, user.send("/baocao"))
    await settle(api, user.press(category))
    await settle(api, user.send(text))
    await settle(api, user.press("Tiếp tục"))
    await settle(api, user.press("Thôn Đông"))
    if place is None:
        await settle(api, user.press("Tôi không muốn nói"))
    else:
        await settle(api, user.send(place))
    await settle(api, user.press("Có, đang xảy ra" if now else "Không"))
    done = await settle(api, user.press("Gửi ẩn danh" if anonymous else "Gửi kèm tên"))
    return done.text


async def test_named_report_routed_to_leader_and_status_reaches_reporter(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an, lan, hung = await people(api, bot)
    before = len(api.calls)
    done = await file_report(
        api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi chung", anonymous=False
    )
    assert "cảm ơn" in done
    notice = await api.wait_for(
        lambda c: c.chat_id == lan.id and "Tin báo mới" in c.text, after=before
    )
    assert "Hai nhà tranh chấp lối đi chung" in notice.text
    # The area is where it happened, not the reporter's residence ("Nơi ở").
    assert "Địa bàn: Thôn Đông" in notice.text and "Nơi ở" not in notice.text
    assert "Nguyễn Văn An" not in notice.text  # identity only on request
    assert not [c for c in api.calls[before:] if c.chat_id == hung.id]  # disputes go to the leader

    await lan.press("Tiếp nhận", in_call=notice)
    update = await api.wait_for(
        lambda c: c.chat_id == an.id and "Đã tiếp nhận" in c.text, after=before
    )
    assert "Tiếp nhận" not in " ".join(update.labels)

    who = await lan.press("Xem người báo")
    assert "Nguyễn Văn An" in who.text
    # Telegram can open a chat with a person: the transport gives the button's link.
    assert [b.get("url") for b in who.buttons] == [f"tg://user?id={an.id}"]
    audit = await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.identity_shown'")
    assert len(audit) == 1

    await settle(api, lan.press("Đã giải quyết"))
    await settle(api, lan.send("Hai nhà đã thống nhất mở lại lối đi"))
    before = len(api.calls)
    await lan.press("Xác nhận")
    asked = await api.wait_for(lambda c: c.chat_id == an.id and "hài lòng" in c.text, after=before)
    assert "Hai nhà đã thống nhất mở lại lối đi" in asked.text
    before = len(api.calls)
    reopened = await an.press("Chưa xong: mở lại", in_call=asked)
    assert "mở lại" in reopened.text
    await api.wait_for(lambda c: c.chat_id == lan.id and "Mở lại" in c.text, after=before)
    report = (await rows(bot, "SELECT status, code FROM reports"))[0]
    assert report["status"] == "reopened"
    mine = await an.send("/dulieucuatoi")
    assert str(report["code"]) in mine.text


async def test_anonymous_report_keeps_no_link(api: FakeBotAPI, bot: RunningBot) -> None:
    an, lan, hung = await people(api, bot)
    before = len(api.calls)
    done = await file_report(api, an, "Ma túy", "Có người bán ma túy ở quán nước", anonymous=True)
    assert "ẩn danh" in done
    notice = await api.wait_for(
        lambda c: c.chat_id == hung.id and "Tin báo mới" in c.text, after=before
    )
    assert "ẩn danh" in notice.text
    assert not [c for c in api.calls[before:] if c.chat_id == lan.id]  # drugs go to officers

    report = (await rows(bot, "SELECT * FROM reports"))[0]
    assert report["reporter_member_id"] is None and report["anonymous"] == 1
    everything = json.dumps(await rows(bot, "SELECT * FROM reports"), ensure_ascii=False)
    everything += json.dumps(await rows(bot, "SELECT * FROM report_events"), ensure_ascii=False)
    assert str(an.id) not in everything
    member = (await rows(bot, "SELECT id FROM members WHERE user_id = ?", (an.id,)))[0]
    submitted = await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.submitted'")
    assert submitted[0]["actor_member_id"] is None
    assert await rows(bot, "SELECT * FROM conversations WHERE user_id = ?", (an.id,)) == []
    assert (
        await rows(bot, "SELECT * FROM menus WHERE user_id = ? AND options LIKE '%rep:%'", (an.id,))
        == []
    )
    assert member["id"] not in [
        r["actor_member_id"] for r in await rows(bot, "SELECT * FROM report_events")
    ]

    code = str(report["code"])
    tracked = await an.send(f"/track {code.lower().replace('-', ' ')}")
    assert code in tracked.text and "Mới" in tracked.text
    missing = await an.send("/track ACDE-3479")
    assert "không tìm thấy" in missing.text.lower()


async def test_group_redirect_reveals_nothing(api: FakeBotAPI, bot: RunningBot) -> None:
    an = ChatUser(api, 2010, "Nguyễn Văn An")
    await register(api, an)
    group = group_chat(-100500, "Thôn Đông")
    answer = await an.send("/report trộm xe", chat=group)
    await api.wait_idle()
    in_group = api.sent(group["id"])
    assert len(in_group) == 1
    assert "trộm" not in answer.text and "Nguyễn" not in answer.text
    assert answer.buttons[0]["url"].endswith("start=go-report")


async def test_reports_list_filters_and_pages(api: FakeBotAPI, bot: RunningBot) -> None:
    an, lan, hung = await people(api, bot)
    for text in ("Mất xe máy", "Mất gà", "Mất điện thoại"):
        await file_report(api, an, "Trộm cắp", text, anonymous=True)
    binh = ChatUser(api, 2020, "Phạm Thị Bình")
    await register(api, binh)
    await file_report(api, binh, "Xả rác", "Rác ở đầu ngõ", anonymous=True)
    officer_list = await hung.send("/dsbaocao")
    assert "4 tin báo" in officer_list.text
    leader_list = await lan.send("/dsbaocao")
    assert "1 tin báo" in leader_list.text  # littering only: theft is for the officers
    by_category = await hung.press("Loại việc ▸", in_call=officer_list)
    assert "3 tin báo" in by_category.text  # the first category is theft
    codes = [str(r["code"]) for r in await rows(bot, "SELECT code FROM reports ORDER BY id")]
    card = await settle(api, hung.press(codes[0]))
    assert "Mất xe máy" in card.text and "ẩn danh" in card.text
    assert not any("Xem người báo" in label for label in card.labels)
    foreign = await lan.press(codes[3], in_call=leader_list)
    assert "Rác ở đầu ngõ" in foreign.text


async def test_final_status_needs_reason_and_confirmation_and_can_be_reopened(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """ "Not our matter" is never one tap: the list shows codes (not positions that shift), the
    status needs a reason for the reporter and a confirmation naming the report's code; the
    reporter reads the reason (never an internal note); an officer can reopen with a note;
    all of it is in the report's history and the audit log."""
    an, _, hung = await people(api, bot)
    await file_report(api, an, "Trộm cắp", "Mất xe đạp ở chợ", anonymous=False)
    await file_report(api, an, "Trộm cắp", "Mất gà", anonymous=True)
    first = (await rows(bot, "SELECT id, code FROM reports ORDER BY id"))[0]
    code = str(first["code"])
    listing = await settle(api, hung.send("/dsbaocao"))
    assert any(label.startswith(code) for label in listing.labels)
    # A new report arrives: the list would renumber, the old list's button still names the code.
    await file_report(api, an, "Cờ bạc", "Đánh bài ăn tiền", anonymous=True)
    card = await settle(api, hung.press(code, in_call=listing))
    assert "Mất xe đạp ở chợ" in card.text
    await settle(api, hung.press("Thêm ghi chú", in_call=card))
    await settle(api, hung.send("Nghi vấn người quen của nhà bên cạnh"))

    asked = await settle(api, hung.press("Không thuộc phạm vi", in_call=card))
    assert code in asked.text and "lý do" in asked.text
    assert (await rows(bot, "SELECT status FROM reports WHERE id = ?", (first["id"],)))[0][
        "status"
    ] == "new"  # nothing changed by the tap
    cancelled = await settle(api, hung.send("/huy"))
    assert "hủy" in cancelled.text
    await settle(api, hung.press("Không thuộc phạm vi", in_call=card))
    confirm = await settle(api, hung.send("Việc mất xe ở chợ huyện do Công an huyện thụ lý"))
    assert code in confirm.text and "Không thuộc phạm vi xử lý của xã" in confirm.text
    assert "Xác nhận" in str(confirm.labels)
    assert (await rows(bot, "SELECT status FROM reports WHERE id = ?", (first["id"],)))[0][
        "status"
    ] == "new"
    before = len(api.calls)
    done = await settle(api, hung.press("Xác nhận", in_call=confirm))
    assert "Đã lưu" in done.text
    report = (await rows(bot, "SELECT status FROM reports WHERE id = ?", (first["id"],)))[0]
    assert report["status"] == "not_ours"
    told = await api.wait_for(lambda c: c.chat_id == an.id and code in c.text, after=before)
    assert "Công an huyện thụ lý" in told.text and "người quen" not in told.text
    again = await settle(api, hung.press("Xác nhận", in_call=confirm))
    assert again.method == "answerCallbackQuery"  # a stale confirmation does nothing

    tracked = await settle(api, an.send(f"/theodoi {code}"))
    assert "Không thuộc phạm vi xử lý của xã" in tracked.text
    assert "Công an huyện thụ lý" in tracked.text and "người quen" not in tracked.text

    # An officer reopens it, with a note.
    closed_card = await settle(api, hung.press(code, in_call=listing))
    ask_note = await settle(api, hung.press("Mở lại", in_call=closed_card))
    assert code in ask_note.text
    reopened = await settle(api, hung.send("Công an huyện trả lại: xe mất trên địa bàn xã"))
    assert "Đã mở lại" in reopened.text
    assert (await rows(bot, "SELECT status FROM reports WHERE id = ?", (first["id"],)))[0][
        "status"
    ] == "reopened"
    history = await settle(api, hung.press("Lịch sử", in_call=reopened))
    assert "Công an huyện thụ lý" in history.text and "Công an huyện trả lại" in history.text
    events = await rows(
        bot, "SELECT to_status, reason, note FROM report_events WHERE report_id = ?", (first["id"],)
    )
    assert events[-2] == {
        "to_status": "not_ours",
        "reason": "Việc mất xe ở chợ huyện do Công an huyện thụ lý",
        "note": None,
    }
    assert events[-1]["to_status"] == "reopened" and events[-1]["reason"] is None
    audit = await rows(
        bot,
        "SELECT action, details FROM audit_log WHERE subject_type = 'report' AND subject_id = ?"
        " AND action IN ('report.status', 'report.reopened') ORDER BY id",
        (first["id"],),
    )
    assert [a["action"] for a in audit] == ["report.status", "report.reopened"]
    assert "Công an huyện thụ lý" in str(audit[0]["details"])
    assert "Nguyễn Văn An" not in str(audit)
    tracked = await settle(api, an.send(f"/theodoi {code}"))
    assert "Mở lại" in tracked.text and "Công an huyện" not in tracked.text


async def test_a_voice_note_sent_with_a_report_reaches_its_handler(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """A resident describes what happened by voice: the note is kept with the report and the
    officer handling it hears it ("🔊 Nghe ghi âm" sends it to the officer's chat, as "🖼 Xem
    ảnh" does the photos), never in a group, and without the reporter's name."""
    an, _lan, hung = await people(api, bot)
    await settle(api, an.send("/baocao"))
    await settle(api, an.press("Trộm cắp"))
    voice = {"file_id": "VOICE-BAO-CAO", "file_unique_id": "vb1", "duration": 12}
    await settle(api, an.send("", voice=voice))
    await settle(api, an.send("Mất xe đạp ở sân nhà văn hóa"))
    await settle(api, an.press("Tiếp tục"))
    await settle(api, an.press("Thôn Đông"))
    await settle(api, an.send("Sân nhà văn hóa"))
    await settle(api, an.press("Không"))
    before = len(api.calls)
    await settle(api, an.press("Gửi kèm tên"))
    notice = await api.wait_for(
        lambda c: c.chat_id == hung.id and "Tin báo mới" in c.text, after=before
    )
    assert "1 tin nhắn thoại" in notice.text
    before = len(api.calls)
    await hung.press("Nghe ghi âm", in_call=notice)
    heard = await api.wait_for(
        lambda c: c.chat_id == hung.id and c.method == "sendVoice", after=before
    )
    assert heard.params["voice"] == "VOICE-BAO-CAO"
    assert "ghi âm 1/1" in heard.text and "Nguyễn Văn An" not in heard.text


async def test_a_leader_has_a_higher_hourly_limit_said_in_their_words(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """A team leader may send several reports in an hour (a patrol night), more than a
    resident, but not without end: past five times a resident's limit they are told why, as
    staff ("đồng chí"), and nothing more is filed."""
    from bot.storage import report_settings

    an, lan, _ = await people(api, bot)
    db = await Database.open(bot.database)
    async with db.unit() as conn:
        await report_settings.save_settings(conn, report_settings.ReportSettings(max_per_hour=1))
    await db.close()
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi chung", anonymous=False)
    refused = await settle(api, an.send("/baocao"))
    assert "tối đa" in refused.text and "anh/chị" in refused.text.lower()
    for number in range(5):
        done = await file_report(
            api, lan, "Tranh chấp", f"Tranh chấp lối đi số {number + 1}", anonymous=False
        )
        assert "cảm ơn" in done.lower() or "DONG" in done or "Tin báo" in done, done
    assert len(await rows(bot, "SELECT id FROM reports")) == 6
    stopped = await settle(api, lan.send("/baocao"))
    assert "5 tin báo" in stopped.text and "Đồng chí" in stopped.text
    assert "anh/chị" not in stopped.text.lower()
    assert len(await rows(bot, "SELECT id FROM reports")) == 6
