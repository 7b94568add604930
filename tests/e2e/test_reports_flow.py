"""Reports end to end, part 2: happening now, the escalation timer, the rate limit, blocking,
bad input and a mediation case from start to outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.context import CoreConfig
from bot.features.reports import screens as reports
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_reports import file_report, people, rows, settle
from tests.fakebotapi import FakeBotAPI


async def test_happening_now_shows_numbers_and_alerts_officers(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an, lan, hung = await people(api, bot)
    await settle(api, an.send("/baocao"))
    await settle(api, an.press("Xả rác"))
    await settle(api, an.send("Có người đổ trộm rác xây dựng ra đường"))
    await settle(api, an.press("Tiếp tục"))
    await settle(api, an.press("Thôn Đông"))
    await settle(api, an.send("", location={"latitude": 21.0285, "longitude": 105.8542}))
    numbers = await settle(api, an.press("Có, đang xảy ra"))
    assert "113" in numbers.text and "114" in numbers.text and "115" in numbers.text
    before = len(api.calls)
    done = await settle(api, an.press("Gửi kèm tên"))
    assert "113" in done.text
    officer = await api.wait_for(lambda c: c.chat_id == hung.id and "Khẩn" in c.text, after=before)
    leader = await api.wait_for(lambda c: c.chat_id == lan.id and "Khẩn" in c.text, after=before)
    assert "maps.google.com" in officer.text and "Đang xảy ra" in leader.text
    report = (await rows(bot, "SELECT * FROM reports"))[0]
    assert report["happening_now"] == 1 and report["latitude"] == 21.0285
    due = datetime.fromisoformat(str(report["ack_due_at"]))
    created = datetime.fromisoformat(str(report["created_at"]))
    assert due - created == timedelta(hours=1)


async def test_escalation_by_the_timer(api: FakeBotAPI, tmp_path: Path) -> None:
    """The bot runs on a clock the test moves; the timer's job is called with that time."""
    database = tmp_path / "clock.sqlite3"
    await seed_areas(database)
    clock = fixed_clock(datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    bot = RunningBot(api, database, admins="42", clock=clock)
    await bot.start()
    try:
        an, lan, hung = await people(api, bot)
        await file_report(api, an, "Tranh chấp", "Tranh chấp ranh giới đất", anonymous=True)
        before = len(api.calls)
        job = next(j for j in reports.feature.jobs if j.name == "reports-escalation")
        db = await Database.open(database)
        try:
            clock.advance(hours=7)
            assert await job.run(db, CoreConfig(), clock.now) == 0
            clock.advance(hours=1, minutes=1)
            assert await job.run(db, CoreConfig(), clock.now) == 2
            clock.advance(hours=1)
            assert await job.run(db, CoreConfig(), clock.now) == 0
        finally:
            await db.close()
        reminder = await api.wait_for(
            lambda c: c.chat_id == lan.id and "Nhắc việc" in c.text, after=before
        )
        await api.wait_for(lambda c: c.chat_id == hung.id and "Báo lên" in c.text, after=before)
        history = await settle(api, lan.press("Lịch sử", in_call=reminder))
        assert "đã báo lên Công an xã" in history.text and "ẩn danh" in history.text
    finally:
        await bot.stop()


async def test_rate_limit_counts_anonymous_and_named(api: FakeBotAPI, bot: RunningBot) -> None:
    an, _, _ = await people(api, bot)
    await file_report(api, an, "Trộm cắp", "Mất xe đạp", anonymous=True)
    await file_report(api, an, "Trộm cắp", "Mất gà", anonymous=False)
    await file_report(api, an, "Cờ bạc", "Đánh bài ăn tiền", anonymous=True, place=None)
    refused = await an.send("/baocao")
    assert "tối đa" in refused.text
    assert len(await rows(bot, "SELECT * FROM reports")) == 3
    # The counter holds only keyed hashes and times: no user id, no report id.
    counter = await rows(bot, "SELECT * FROM report_rate")
    assert len(counter) == 2 and set(counter[0]) == {"key", "at"}
    assert str(an.id) not in str(counter)


async def test_officer_blocks_a_reporter(api: FakeBotAPI, bot: RunningBot) -> None:
    an, _, hung = await people(api, bot)
    before = len(api.calls)
    await file_report(api, an, "Trộm cắp", "Báo tin sai sự thật", anonymous=False)
    card = await api.wait_for(
        lambda c: c.chat_id == hung.id and "Tin báo mới" in c.text, after=before
    )
    blocked = await hung.press("Chặn", in_call=card)
    assert "bị chặn" in blocked.text
    refused = await an.send("/baocao")
    assert "chưa thể gửi" in refused.text
    entries = await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.reporter_blocked'")
    assert len(entries) == 1 and entries[0]["subject_type"] == "member"


async def test_bad_input_is_answered_politely(api: FakeBotAPI, bot: RunningBot) -> None:
    an, _, _ = await people(api, bot)
    refused = await an.send("/dsbaocao")
    assert "chỉ dành cho" in refused.text
    menu = await settle(api, an.send("/baocao"))
    await settle(api, an.press("Trộm cắp"))
    stale = await an.press("Cờ bạc", in_call=menu)
    assert stale.method == "answerCallbackQuery"
    before = len(api.calls)
    await an.send_only(
        "",
        sticker={
            "file_id": "S1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        },
    )
    answer = await api.wait_for(lambda c: c.chat_id == an.id, after=before)
    assert "ảnh" in answer.text and "thoại" in answer.text
    too_long = await settle(api, an.send("x" * 3001))
    assert "quá dài" in too_long.text
    before = len(api.calls)
    await an.send_only(
        "",
        photo=[{"file_id": "PHOTO-1", "file_unique_id": "p1", "width": 10, "height": 10}],
        caption="Ảnh chiếc xe bị mất",
    )
    got = await api.wait_for(
        lambda c: c.chat_id == an.id and "Tiếp tục" in str(c.labels), after=before
    )
    assert "ảnh" in got.text
    await api.wait_idle(quiet=0.05)
    await settle(api, an.press("Tiếp tục"))
    await settle(api, an.press("Thôn Đông"))
    before = len(api.calls)
    await an.send_only(
        "", photo=[{"file_id": "PHOTO-2", "file_unique_id": "p2", "width": 10, "height": 10}]
    )
    wrong = await api.wait_for(lambda c: c.chat_id == an.id, after=before)
    assert "vị trí" in wrong.text
    await api.wait_idle(quiet=0.05)
    await settle(api, an.press("Tôi không muốn nói"))
    await settle(api, an.press("Không"))
    await settle(api, an.press("Gửi ẩn danh"))
    report = (await rows(bot, "SELECT * FROM reports"))[0]
    assert "PHOTO-1" in str(report["media"]) and "PHOTO-2" not in str(report["media"])
    assert report["description"] == "Ảnh chiếc xe bị mất"
    assert report["place"] is None


async def test_mediation_case_from_report_to_outcome(api: FakeBotAPI, bot: RunningBot) -> None:
    an, lan, _ = await people(api, bot)
    before = len(api.calls)
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi", anonymous=False)
    card = await api.wait_for(
        lambda c: c.chat_id == lan.id and "Tin báo mới" in c.text, after=before
    )
    await settle(api, lan.press("Tiếp nhận", in_call=card))
    ask = await settle(api, lan.press("Vụ hòa giải"))
    assert "Các bên" in ask.text
    ask_mediator = await settle(api, lan.send("Ông Nguyễn Văn Tư, Bà Lê Thị Năm"))
    assert "hòa giải" in ask_mediator.text
    await settle(api, lan.press("Tôi"))
    case = await settle(api, lan.press("Hôm nay"))
    assert "Ông Nguyễn Văn Tư" in case.text and "Trần Thị Lan" in case.text
    assert "Địa bàn: Thôn Đông" in case.text and "Nơi ở" not in case.text
    await settle(api, lan.press("Hòa giải thành"))
    closed = await settle(api, lan.send("Hai bên thống nhất mở lại lối đi chung"))
    assert "Kết quả" in closed.text
    listed = await lan.send("/hoagiai")
    assert "0 vụ" in listed.text
    saved = (await rows(bot, "SELECT * FROM mediation_cases"))[0]
    assert saved["outcome"] == "success" and saved["report_id"] is not None
    assert saved["session_on"] is not None and saved["mediator_member_id"] is not None


async def test_a_cancelled_mediation_case_leaves_nothing_behind(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """New case → area → one party → /huy: no row, no audit line, not in the list. The case is
    written only at its last step, whole (parties, mediator, session day)."""
    _, lan, hung = await people(api, bot)
    await settle(api, hung.send("/hoagiai"))
    await settle(api, hung.press("Vụ mới"))
    await settle(api, hung.press("Thôn Đông"))
    await settle(api, hung.send("Ông A"))
    cancelled = await settle(api, hung.send("/huy"))
    assert "Đã hủy" in cancelled.text
    listed = await settle(api, hung.send("/hoagiai"))
    assert "0 vụ" in listed.text and not any("Ông A" in label for label in listed.labels)
    assert await rows(bot, "SELECT * FROM mediation_cases") == []
    assert await rows(bot, "SELECT * FROM audit_log WHERE action LIKE 'mediation.%'") == []

    # Gone through to the end, the case is one whole row.
    await settle(api, hung.press("Vụ mới"))
    await settle(api, hung.press("Thôn Đông"))
    await settle(api, hung.send("Ông A, Bà B"))
    await settle(api, hung.send("Trần Thị"))
    await settle(api, hung.press("Trần Thị Lan"))
    assert await rows(bot, "SELECT * FROM mediation_cases") == []
    before = len(api.calls)
    case = await settle(api, hung.press("Ngày mai"))
    saved = await rows(bot, "SELECT * FROM mediation_cases")
    assert len(saved) == 1 and saved[0]["mediator_member_id"] is not None
    assert saved[0]["session_on"] is not None and "Bà B" in str(saved[0]["parties"])
    await api.wait_for(lambda c: c.chat_id == lan.id and "hòa giải viên" in c.text, after=before)

    # A session tomorrow has no outcome yet: no outcome buttons, and an older card's button
    # is refused too.
    assert "Hòa giải thành" not in str(case.labels)
    assert "không thành được ghi nhận từ ngày đó" in case.text
    assert "Chuyển cơ quan có thẩm quyền" in str(case.labels)  # a transfer needs no session
    await settle(api, hung.press("Ngày hòa giải", in_call=case))
    today = await settle(api, hung.press("Hôm nay"))
    assert "Hòa giải thành" in str(today.labels)
    await settle(api, hung.press("Ngày hòa giải", in_call=today))
    await settle(api, hung.press("3 ngày nữa"))
    refused = await settle(api, hung.press("Hòa giải thành", in_call=today))
    assert refused.method == "answerCallbackQuery" and "từ ngày đó" in refused.params["text"]
    assert (await rows(bot, "SELECT outcome FROM mediation_cases"))[0]["outcome"] is None


async def test_english_reader_gets_english(api: FakeBotAPI, bot: RunningBot) -> None:
    john = ChatUser(api, 2050, "John", language_code="en")
    from tests.e2e.test_onboarding import register

    await register(api, john)
    menu = await john.send("/report")
    assert "Report a problem" in menu.text and "👜 Theft" in menu.labels
