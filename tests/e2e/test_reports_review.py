"""Reports and mediation, from the review of the records change (issue #11, points 4 and 5):
what a handler reads never names the reporter, typed reasons are words, a duplicate is named
by the code the list shows."""

from __future__ import annotations

from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, people, rows, settle
from tests.fakebotapi import FakeBotAPI


async def test_history_never_names_the_reporter(api: FakeBotAPI, bot: RunningBot) -> None:
    """The reporter's own steps (saying "not fixed", confirming a fix) are in the history as
    "the reporter": a leader reading it learns no name, and no identity is shown unaudited."""
    an, lan, _ = await people(api, bot)
    tam = ChatUser(api, 2004, "Phạm Văn Tâm")
    await register(api, tam)
    await grant(bot, tam, "leader", "DONG")
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi chung", anonymous=False)
    card = await settle(api, lan.send("/dsbaocao"))
    card = await settle(api, lan.press("Tranh chấp", in_call=card))
    await settle(api, lan.press("Đã giải quyết", in_call=card))
    await settle(api, lan.send("Hai nhà đã thống nhất mở lại lối đi"))
    before = len(api.calls)
    await settle(api, lan.press("Xác nhận"))
    asked = await api.wait_for(lambda c: c.chat_id == an.id and "thật sự" in c.text, after=before)
    await settle(api, an.press("Chưa", in_call=asked))

    for leader in (lan, tam):
        listing = await settle(api, leader.send("/dsbaocao"))
        card = await settle(api, leader.press("Tranh chấp", in_call=listing))
        history = await settle(api, leader.press("Lịch sử", in_call=card))
        assert "Mở lại" in history.text and "người báo tin" in history.text
        assert "Nguyễn Văn An" not in history.text
    assert await rows(bot, "SELECT * FROM audit_log WHERE action = 'report.identity_shown'") == []
