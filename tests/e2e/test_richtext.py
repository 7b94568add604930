"""What people typed arrives as typed on Telegram and on the console, whatever markup characters
it holds; a long answer reaches Telegram in parts that each fit its limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import areas as areas_repo
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_console_typing import Console, _demo
from tests.e2e.test_console_walk import number_of
from tests.e2e.test_figures import START
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant
from tests.fakebotapi import FakeBotAPI, parse_html, utf16_length
from tests.stats_seed import seed_year

NAME = "Tý *Tèo* _An_ & Co"  # names may not hold "<" or ">" (see check_label)
TYPED = "<b>Cháy</b> *to* _lắm_ & `x` [a](https://e.org) \\ a_b*c"
PLACE = "Ngõ *3* & <i>chợ</i>"


async def test_typed_text_arrives_as_typed_on_telegram(api: FakeBotAPI, bot: RunningBot) -> None:
    an = ChatUser(api, 2101, "Nguyễn Văn An")
    lan = ChatUser(api, 2102, "Trần Thị Lan")
    await register(api, an, name=NAME)
    await register(api, lan)
    await grant(bot, lan, "leader", "DONG")
    data = await an.send("/mydata")
    assert data.error is None and f"Tên: {NAME}\n" in data.rendered

    before = len(api.calls)
    await file_report(api, an, "Tranh chấp", TYPED, anonymous=False, place=PLACE)
    notice = await api.wait_for(
        lambda c: c.chat_id == lan.id and "Tin báo mới" in c.text, after=before
    )
    # Telegram accepted the HTML (the fake refuses what Telegram refuses) and shows the text
    # exactly as the resident typed it, with no bold or link made from it.
    assert notice.error is None
    assert f"\n{TYPED}" in notice.rendered and PLACE in notice.rendered
    assert "<b>Cháy</b>" not in notice.text and "<a " not in notice.text
    assert "&lt;b&gt;Cháy&lt;/b&gt; *to* _lắm_ &amp; `x` [a](https://e.org)" in notice.text


async def test_typed_text_shows_as_typed_on_the_console(tmp_path: Path) -> None:
    db, settings = await _demo(tmp_path)
    try:
        console = Console(db, settings)
        for line in ("/start", "1", NAME, "1"):  # agree, the name typed, Thôn Đông
            await console.type(line)
        assert f"Tên: {NAME}\n" in await console.type("/mydata")
        categories = await console.type("/baocao")
        await console.type(number_of("🤝 Tranh chấp", categories))
        await console.type(TYPED)
        for line in ("1", "1", PLACE, "2", "1"):  # continue, Thôn Đông, place, not now, named
            sent = await console.type(line)
        code = sent.split("Tin báo ", 1)[1].split(" ", 1)[0]
        await console.type("/as leader")
        listed = await console.type("/dsbaocao")
        card = await console.type(number_of(code, listed))
        assert f"\n{TYPED}\n" in card and PLACE in card
    finally:
        await db.close()


@pytest.fixture
async def seeded_many(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The known year of tests/stats_seed.py in a commune of 122 areas, one of them with a
    name full of markup characters."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    db = await Database.open(database)
    try:
        async with db.unit() as conn:
            for n in range(119):
                await areas_repo.add(conn, f"A{n:03d}", f"Tổ dân phố số {n} " + "x" * 40, 50, START)
            await areas_repo.add(conn, "ODD", "<b>Xóm *Mới*</b> & _Co_", 50, START)
        await seed_year(db, with_areas=False)
    finally:
        await db.close()
    running = RunningBot(api, database, admins="42", clock=fixed_clock(START))
    await running.start()
    yield running
    await running.stop()


async def test_a_long_answer_reaches_telegram_in_parts_within_its_limit(
    api: FakeBotAPI, seeded_many: RunningBot
) -> None:
    # 122 areas: the area picker goes by pages, so the officer registers from the area's link.
    officer = ChatUser(api, 7101, "Người 7101")
    await officer.send("/start DONG")
    await officer.press("✅")
    await officer.press(officer.first_name)
    await grant(seeded_many, officer, "officer")
    await officer.send("/thongke")
    await officer.press("Toàn xã")
    before = len(api.calls)
    await officer.press("Năm nay")
    await api.wait_idle(quiet=0.2)
    parts = [
        c
        for c in api.calls[before:]
        if c.chat_id == officer.id and c.method in ("editMessageText", "sendMessage")
    ]
    # The menu's message becomes the first part; the rest follow, the options on the last.
    assert [c.method for c in parts][:2] == ["editMessageText", "sendMessage"]
    assert all(c.error is None for c in parts)
    shown = [parse_html(c.text)[0] for c in parts]
    assert all(utf16_length(s) <= 4096 for s in shown)
    assert sum(utf16_length(s) for s in shown) > 4096
    assert [bool(c.buttons) for c in parts] == [False] * (len(parts) - 1) + [True]
    # Parts end at line ends: every area's line arrives whole, the odd name as typed.
    lines = [line for s in shown for line in s.split("\n")]
    assert "Tiếp nhận 11 tin báo, phản ánh: 3 trộm cắp" in "\n".join(shown)
    assert sum(1 for line in lines if "Tổ dân phố số" in line) == 119
    assert any("<b>Xóm *Mới*</b> & _Co_" in line for line in lines)
