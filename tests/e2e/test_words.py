"""Texts the code puts together outside the catalogs read as the catalogs do: a language by its
name, a schedule and quiet hours in words, dates in the reader's format, an English greeting in
English."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_broadcasts import make_officer
from tests.e2e.test_onboarding import register
from tests.fakebotapi import FakeBotAPI


@pytest.fixture
async def running(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    bot = RunningBot(
        api, database, admins="42", clock=fixed_clock(datetime(2026, 5, 4, 3, 0, tzinfo=UTC))
    )
    await bot.start()
    yield bot
    await bot.stop()


async def test_my_data_names_the_language(api: FakeBotAPI, running: RunningBot) -> None:
    hoa = ChatUser(api, 3101, "Trần Thị Hoa")
    await register(api, hoa)
    shown = await hoa.send("/dulieucuatoi")
    assert "Ngôn ngữ: Tiếng Việt" in shown.text
    assert "Ngôn ngữ: vi" not in shown.text


async def test_english_welcome_is_all_english(api: FakeBotAPI, running: RunningBot) -> None:
    john = ChatUser(api, 3102, "John Smith", language_code="en")
    await john.send("/start")
    await john.press("✅")
    await john.press("John Smith")
    welcome = await john.press("Thôn Đông")
    assert "Hello John Smith!" in welcome.text
    assert "Xin chào" not in welcome.text


async def test_schedules_and_quiet_hours_in_words(api: FakeBotAPI, running: RunningBot) -> None:
    officer = ChatUser(api, 3103, "Lê Văn Công")
    await register(api, officer)
    await make_officer(running, officer.id)

    # A cron expression typed by the officer is read back in words.
    await officer.send("/thongbao")
    await officer.press("📣")
    await officer.press("🔥")
    await officer.press("🔀")
    await officer.press("👥")
    await officer.press("⚙️")
    confirm = await officer.send("0 8 * * 1")
    assert "Thứ Hai hằng tuần lúc 08:00" in confirm.text
    assert "0 8 * * 1" not in confirm.text and "cron" not in confirm.text.lower()
    await officer.press("✅")

    # A one-off date is a Vietnamese date, not an ISO one.
    await officer.send("/thongbao")
    await officer.press("📣")
    await officer.press("🔥")
    await officer.press("🔀")
    await officer.press("👥")
    await officer.press("📅")
    once = await officer.send("25/12/2026 07:30")
    assert "25/12/2026" in once.text and "2026-12-25" not in once.text

    # Quiet hours turned off read "tắt", not "off".
    await officer.send("/huy")
    await officer.send("/thongbao")
    await officer.press("🌙")
    off = await officer.send("tắt")
    assert "tắt" in off.text and "off" not in off.text
    menu = await officer.send("/thongbao")
    assert "Giờ yên tĩnh hiện tại: tắt" in menu.text


async def test_officer_finds_a_person_typed_without_diacritics(
    api: FakeBotAPI, running: RunningBot
) -> None:
    officer = ChatUser(api, 3104, "Lê Văn Công")
    await register(api, officer)
    await make_officer(running, officer.id)
    ba = ChatUser(api, 3105, "Trần Văn Ba")
    await register(api, ba)
    hoa = ChatUser(api, 3106, "Trần Thị Hoa")
    await register(api, hoa)

    await officer.send("/capquyen")
    found = await officer.send("tran van")
    assert any("Trần Văn Ba" in label for label in found.labels)
    assert not any("Trần Thị Hoa" in label for label in found.labels)
    # Upper case, stray punctuation and a decomposed "ầ" find the same person.
    await officer.send("/huy")
    await officer.send("/capquyen")
    again = await officer.send("TRA\u0300\u0302N  van,")
    assert any("Trần Văn Ba" in label for label in again.labels)


async def test_area_typed_without_diacritics_at_registration(
    api: FakeBotAPI, running: RunningBot
) -> None:
    an = ChatUser(api, 3107, "Nguyễn Văn An")
    await an.send("/start")
    await an.press("✅")
    await an.press("Nguyễn Văn An")
    done = await an.send("thon dong")
    assert "Thôn Đông" in done.text and "đã đăng ký" in done.text
