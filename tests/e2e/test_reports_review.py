"""Reports and mediation, from the review of the records change (issue #11, points 4 and 5):
what a handler reads never names the reporter, typed reasons are words, a duplicate is named
by the code the list shows."""

from __future__ import annotations

import re

from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.members import find
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, people, rows, settle
from tests.fakebotapi import Call, FakeBotAPI


async def listing(api: FakeBotAPI, user: ChatUser) -> Call:
    """/dsbaocao's answer itself (not a notice the outbox delivers meanwhile)."""
    before = len(api.calls)
    await user.send_only("/dsbaocao")
    found = await api.wait_for(
        lambda c: c.chat_id == user.id and "phụ trách" in c.text, after=before
    )
    await api.wait_idle(quiet=0.05)
    return found


async def test_history_never_names_the_reporter(api: FakeBotAPI, bot: RunningBot) -> None:
    """The reporter's own steps (saying "not fixed", confirming a fix) are in the history as
    "the reporter": a leader reading it learns no name, and no identity is shown unaudited."""
    an, lan, _ = await people(api, bot)
    tam = ChatUser(api, 2004, "Phạm Văn Tâm")
    await register(api, tam)
    await grant(bot, tam, "leader", "DONG")
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi chung", anonymous=False)
    card = await settle(api, lan.press("Tranh chấp", in_call=await listing(api, lan)))
    await settle(api, lan.press("Đã giải quyết", in_call=card))
    await settle(api, lan.send("Hai nhà đã thống nhất mở lại lối đi"))
    before = len(api.calls)
    await settle(api, lan.press("Xác nhận"))
    asked = await api.wait_for(lambda c: c.chat_id == an.id and "hài lòng" in c.text, after=before)
    await settle(api, an.press("Chưa xong: mở lại", in_call=asked))

    for leader in (lan, tam):
        card = await settle(api, leader.press("Tranh chấp", in_call=await listing(api, leader)))
        history = await settle(api, leader.press("Lịch sử", in_call=card))
        assert "Mở lại" in history.text and "người báo tin" in history.text
        assert "Nguyễn Văn An" not in history.text
    assert await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.identity_shown'") == []
    # The audit log tells a reopening by the reporter from one by an officer.
    reopened = await rows(bot, "SELECT details FROM audit_log WHERE action = 'report.reopened'")
    assert len(reopened) == 1 and '"reporter"' in str(reopened[0]["details"])


async def test_a_reason_or_a_reopening_note_is_words_not_a_number(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """A number typed at the reason step (the duplicate's number, a list position) would reach
    the reporter as "Reason: 12": it is refused with a clear answer, and nothing changes."""
    an, _, hung = await people(api, bot)
    await file_report(api, an, "Trộm cắp", "Mất xe đạp ở chợ", anonymous=False)
    card = await settle(api, hung.press("Trộm cắp", in_call=await listing(api, hung)))
    await settle(api, hung.press("Không thuộc phạm vi", in_call=card))
    refused = await settle(api, hung.send("12"))
    assert "bằng chữ" in refused.text and "Xác nhận" not in str(refused.labels)
    long = await settle(api, hung.send("x" * 1001))
    assert "1.000 ký tự" in long.text
    confirm = await settle(api, hung.send("Việc ở chợ huyện do Công an huyện thụ lý"))
    assert "Công an huyện thụ lý" in confirm.text
    done = await settle(api, hung.press("Xác nhận", in_call=confirm))
    assert (await rows(bot, "SELECT status FROM reports"))[0]["status"] == "not_ours"
    events = await rows(bot, "SELECT reason FROM report_events WHERE reason IS NOT NULL")
    assert events == [{"reason": "Việc ở chợ huyện do Công an huyện thụ lý"}]

    await settle(api, hung.press("Mở lại", in_call=done))
    assert "bằng chữ" in (await settle(api, hung.send("5"))).text
    assert (await rows(bot, "SELECT status FROM reports"))[0]["status"] == "not_ours"
    reopened = await settle(api, hung.send("Công an huyện trả lại hồ sơ"))
    assert "Đã mở lại" in reopened.text


async def test_a_duplicate_is_named_by_the_code_the_list_shows(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """The list labels reports by their code, so the duplicate step takes a code, as typed on
    a phone (lower case, without the dash); a number still works."""
    an, _, hung = await people(api, bot)
    await file_report(api, an, "Trộm cắp", "Mất xe đạp ở chợ", anonymous=True)
    await file_report(api, an, "Cờ bạc", "Mất xe đạp ở chợ, lần nữa", anonymous=True)
    first, second = await rows(bot, "SELECT id, code FROM reports ORDER BY id")
    card = await settle(api, hung.press("Cờ bạc", in_call=await listing(api, hung)))
    asked = await settle(api, hung.press("Trùng lặp", in_call=card))
    assert str(second["code"]) in asked.text and "ACDE-3479" in asked.text
    assert "mã" in (await settle(api, hung.send("ABCD"))).text
    typed = str(first["code"]).replace("-", "").lower()
    reason = await settle(api, hung.send(typed))
    assert "lý do" in reason.text
    confirm = await settle(api, hung.send("Đã gộp vào tin báo trước"))
    assert str(first["code"]) in confirm.text
    await settle(api, hung.press("Xác nhận", in_call=confirm))
    saved = await rows(
        bot, "SELECT status, duplicate_of FROM reports WHERE id = ?", (second["id"],)
    )
    assert saved == [{"status": "duplicate", "duplicate_of": first["id"]}]


async def test_reopening_stays_an_officers_act(api: FakeBotAPI, bot: RunningBot) -> None:
    """A leader cannot reopen, not even one who pressed Reopen while still an officer."""
    an, _, hung = await people(api, bot)
    await grant(bot, hung, "leader", "DONG")
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi chung", anonymous=True)
    card = await settle(api, hung.press("Tranh chấp", in_call=await listing(api, hung)))
    await settle(api, hung.press("Đã giải quyết", in_call=card))
    confirm = await settle(api, hung.send("Hai nhà đã thống nhất"))
    done = await settle(api, hung.press("Xác nhận", in_call=confirm))
    assert "Mở lại" in str(done.labels)

    await settle(api, hung.press("Mở lại", in_call=done))
    await revoke(bot, hung, "officer")
    refused = await settle(api, hung.send("Người dân báo lại"))
    assert "Chỉ cán bộ Công an xã" in refused.text
    assert (await rows(bot, "SELECT status FROM reports"))[0]["status"] == "resolved"


async def revoke(bot: RunningBot, user: ChatUser, role: str) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await find(conn, "telegram", str(user.id))
            assert member is not None
            await roles_repo.revoke(conn, member.id, role, None)
    finally:
        await db.close()


async def test_two_officers_closing_one_report_at_once(api: FakeBotAPI, bot: RunningBot) -> None:
    """Two officers on the same report: the first confirmation wins; the other is told at its
    next step that the report changed meanwhile (at the reason step: before typing a reason
    for nothing), and writes nothing."""
    an, _, hung = await people(api, bot)
    minh = ChatUser(api, 2005, "Đỗ Văn Minh")
    await register(api, minh)
    await grant(bot, minh, "officer")
    await file_report(api, an, "Trộm cắp", "Mất xe đạp ở chợ", anonymous=False)
    await file_report(api, an, "Cờ bạc", "Đánh bài ăn tiền", anonymous=False)

    # Both at the confirmation.
    hung_card = await settle(api, hung.press("Trộm cắp", in_call=await listing(api, hung)))
    minh_card = await settle(api, minh.press("Trộm cắp", in_call=await listing(api, minh)))
    await settle(api, hung.press("Đã giải quyết", in_call=hung_card))
    await settle(api, minh.press("Không thuộc phạm vi", in_call=minh_card))
    hung_confirm = await settle(api, hung.send("Đã tìm thấy xe, trả lại chủ"))
    minh_confirm = await settle(api, minh.send("Việc ở chợ huyện"))
    await settle(api, hung.press("Xác nhận", in_call=hung_confirm))
    late = await settle(api, minh.press("Xác nhận", in_call=minh_confirm))
    assert "trong lúc đó" in late.text and "Đã giải quyết" in late.text

    # One at the reason step while the other confirms.
    hung_card = await settle(api, hung.press("Cờ bạc", in_call=await listing(api, hung)))
    minh_card = await settle(api, minh.press("Cờ bạc", in_call=await listing(api, minh)))
    await settle(api, hung.press("Không thuộc phạm vi", in_call=hung_card))
    await settle(api, minh.press("Đã giải quyết", in_call=minh_card))
    hung_confirm = await settle(api, hung.send("Việc do Công an huyện thụ lý"))
    await settle(api, hung.press("Xác nhận", in_call=hung_confirm))
    told = await settle(api, minh.send("Đã nhắc nhở các hộ"))
    assert "trong lúc đó" in told.text and "Không thuộc phạm vi" in told.text
    assert "Xác nhận" not in str(told.labels)

    saved = await rows(bot, "SELECT status FROM reports ORDER BY id")
    assert saved == [{"status": "resolved"}, {"status": "not_ours"}]
    changes = await rows(bot, "SELECT to_status FROM report_events WHERE to_status != 'new'")
    assert changes == [{"to_status": "resolved"}, {"to_status": "not_ours"}]
    audit = await rows(bot, "SELECT action FROM audit_log WHERE action = 'report.status'")
    assert len(audit) == 2
    notices = [c for c in api.calls if c.chat_id == an.id and "cập nhật" in c.text]
    assert len(notices) == 2


async def test_a_mistyped_session_year_is_refused(api: FakeBotAPI, bot: RunningBot) -> None:
    """25/12/2062 for 25/12/2026 would hide the outcome buttons for decades: refused, with the
    days that are allowed; nothing is written until a good day."""
    _, lan, _ = await people(api, bot)
    await settle(api, lan.send("/hoagiai"))
    await settle(api, lan.press("Vụ mới"))
    await settle(api, lan.send("Ông A, Bà B"))
    await settle(api, lan.press("Tôi"))
    refused = await settle(api, lan.send("25/12/2062"))
    assert "phải từ" in refused.text
    assert await rows(bot, "SELECT * FROM mediation_cases") == []
    case = await settle(api, lan.send("01/01/2020"))
    assert "phải từ" in case.text
    opened = await settle(api, lan.press("Hôm nay"))
    assert "Ông A, Bà B" in opened.text
    assert len(await rows(bot, "SELECT * FROM mediation_cases")) == 1


async def test_a_mediator_who_is_not_a_leader_records_the_outcome(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """A member of the mediation team (a resident) chosen as mediator was told "see /mediation",
    a command only leaders may use: the notice now opens the case, where they record the outcome."""
    an, lan, _ = await people(api, bot)
    await settle(api, lan.send("/hoagiai"))
    await settle(api, lan.press("Vụ mới"))
    await settle(api, lan.send("Ông Tư, Bà Năm"))
    await settle(api, lan.send("Nguyễn Văn"))
    before = len(api.calls)
    await settle(api, lan.press("Nguyễn Văn An"))
    await settle(api, lan.press("Hôm nay"))
    notice = await api.wait_for(
        lambda c: c.chat_id == an.id and "hòa giải viên" in c.text, after=before
    )
    assert "anh/chị" in notice.text and not re.search(r"/hoagiai(?!vien)", notice.text)
    card = await settle(api, an.press("Xem vụ hòa giải", in_call=notice))
    assert "Ông Tư, Bà Năm" in card.text
    # Once the notice's button has expired, the command it names finds the case again.
    assert "/hoagiaivien" in notice.text
    mine = await settle(api, an.send("/hoagiaivien"))
    card = await settle(api, an.press("Ông Tư, Bà Năm", in_call=mine))
    assert "Hòa giải thành" in str(card.labels)
    await settle(api, an.press("Hòa giải thành", in_call=card))
    closed = await settle(api, an.send("Hai bên thống nhất chia đôi lối đi"))
    assert "Kết quả" in closed.text
    saved = await rows(bot, "SELECT outcome, note FROM mediation_cases")
    assert saved == [{"outcome": "success", "note": "Hai bên thống nhất chia đôi lối đi"}]
    assert "Hiện không có vụ" in (await settle(api, an.send("/hoagiaivien"))).text


async def test_cancelling_a_confirmation_says_so_and_keeps_the_report(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """✖️ Cancel on the confirmation: "Chưa thay đổi gì" read as "not changed yet"; the answer
    says it was cancelled and the report stays as it was."""
    an, _, hung = await people(api, bot)
    await file_report(api, an, "Trộm cắp", "Mất xe đạp ở chợ", anonymous=True)
    card = await settle(api, hung.press("Trộm cắp", in_call=await listing(api, hung)))
    await settle(api, hung.press("Đã giải quyết", in_call=card))
    confirm = await settle(api, hung.send("Đã tìm thấy xe"))
    cancelled = await settle(api, hung.press("Hủy", in_call=confirm))
    assert "Đã hủy" in cancelled.text and "Chưa thay đổi" not in cancelled.text
    assert (await rows(bot, "SELECT status FROM reports"))[0]["status"] == "new"
    assert await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.status'") == []


async def test_more_parties_than_a_case_holds_are_refused_not_cut(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """Eleven parties were cut to ten without a word; now the leader is told, and types again."""
    _, lan, _ = await people(api, bot)
    await settle(api, lan.send("/hoagiai"))
    await settle(api, lan.press("Vụ mới"))
    eleven = ", ".join(f"Hộ ông Số {n}" for n in "ABCDEFGHIJK")
    refused = await settle(api, lan.send(eleven))
    assert "tối đa 10 bên" in refused.text and "11" in refused.text
    asked = await settle(api, lan.send("Hộ ông A, Hộ ông B"))
    assert "hòa giải" in asked.text and "Tôi" in str(asked.labels)


async def test_a_case_can_be_handed_to_the_authorities_before_its_session(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """ "Mediated" waits for the session day; "transferred to the authorities" does not (a
    party goes to court the day after the case is opened): no need to move the session day."""
    _, lan, _ = await people(api, bot)
    await settle(api, lan.send("/hoagiai"))
    await settle(api, lan.press("Vụ mới"))
    await settle(api, lan.send("Ông A, Bà B"))
    await settle(api, lan.press("Tôi"))
    case = await settle(api, lan.press("3 ngày nữa"))
    mine = await settle(api, lan.send("/hoagiaivien"))  # a leader reads "đồng chí"
    assert "đồng chí làm hòa giải viên" in mine.text and "Ông A, Bà B" in str(mine.labels)
    assert "Hòa giải thành" not in str(case.labels) and "không thành" not in str(case.labels)
    await settle(api, lan.press("Chuyển cơ quan có thẩm quyền", in_call=case))
    closed = await settle(api, lan.send("Bà B đã khởi kiện ra tòa"))
    assert "Kết quả" in closed.text
    saved = await rows(bot, "SELECT outcome, session_on FROM mediation_cases")
    assert saved[0]["outcome"] == "transferred" and saved[0]["session_on"] is not None


async def test_a_resident_mediator_is_addressed_as_a_resident(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """A member of the mediation team who is a resident reads "anh/chị", never "đồng chí":
    in the steps of their case and when refused a case handed on to someone else."""
    an, lan, _ = await people(api, bot)
    await settle(api, lan.send("/hoagiai"))
    await settle(api, lan.press("Vụ mới"))
    await settle(api, lan.send("Ông Sáu, Bà Bảy"))
    await settle(api, lan.send("Nguyễn Văn"))
    before = len(api.calls)
    await settle(api, lan.press("Nguyễn Văn An"))
    await settle(api, lan.press("Hôm nay"))
    notice = await api.wait_for(
        lambda c: c.chat_id == an.id and "hòa giải viên" in c.text, after=before
    )
    card = await settle(api, an.press("Xem vụ hòa giải", in_call=notice))
    day = await settle(api, an.press("Ngày hòa giải", in_call=card))
    assert "anh/chị" in day.text.lower() and "đồng chí" not in day.text.lower()
    wrong = await settle(api, an.send("mai kia"))
    assert "anh/chị" in wrong.text.lower() and "đồng chí" not in wrong.text.lower()
    await settle(api, an.press("Hôm nay"))
    note = await settle(api, an.press("Hòa giải thành", in_call=card))
    assert "anh/chị" in note.text.lower() and "đồng chí" not in note.text.lower()
    await settle(api, an.send("/huy"))
    # The leader hands the case to herself: the resident's old button is refused, in his words.
    listed = await settle(api, lan.send("/hoagiai"))
    case = await settle(api, lan.press("Ông Sáu, Bà Bảy", in_call=listed))
    await settle(api, lan.press("Hòa giải viên", in_call=case))
    await settle(api, lan.press("Tôi"))
    refused = await settle(api, an.press("Xem vụ hòa giải", in_call=notice))
    toast = str(refused.params.get("text", ""))
    assert toast and "anh/chị" in toast and "đồng chí" not in toast
