"""An officer sends and schedules awareness broadcasts; groups and subscribers receive them; the
officer gets a delivery report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import core_config
from bot.config import load_settings
from bot.features.broadcasts.service import progress_tick, run_due
from bot.storage import broadcasts as repo
from bot.storage import chats, members, roles
from bot.storage.db import Database
from bot.transports.telegram.links import TelegramLinks
from tests.conftest import seed_areas
from tests.e2e.harness import TOKEN, ChatUser, RunningBot, add_bot_to_group, fixed_clock, group_chat
from tests.e2e.test_onboarding import register
from tests.fakebotapi import FakeBotAPI

GROUP = group_chat(-100500, "Thôn Đông - An ninh", "supergroup")


@pytest.fixture
async def running(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    # 10:00 in Vietnam: outside quiet hours.
    bot = RunningBot(
        api, database, admins="42", clock=fixed_clock(datetime(2026, 5, 4, 3, 0, tzinfo=UTC))
    )
    await bot.start()
    yield bot
    await bot.stop()


async def make_officer(bot: RunningBot, user_id: int) -> None:
    db = await Database.open(bot.database)
    async with db.unit() as conn:
        member = await members.find(conn, "telegram", str(user_id))
        assert member is not None
        await roles.grant(conn, member.id, "officer", None, None, datetime.now(UTC))
    await db.close()


async def link_group(bot: RunningBot, chat_id: int, area_code: str) -> None:
    from bot.storage import areas

    db = await Database.open(bot.database)
    async with db.unit() as conn:
        area = await areas.by_code(conn, area_code)
        chat = await chats.find(conn, "telegram", str(chat_id))
        assert area is not None and chat is not None
        await chats.link_area(conn, chat.id, area.id)
    await db.close()


async def tick(bot: RunningBot, job: object) -> int:
    db = await Database.open(bot.database)
    settings = load_settings(telegram_token=TOKEN, database=bot.database)
    try:
        links = TelegramLinks("xomantoan_test_bot")
        return await job(db, core_config(settings, links), bot.clock())  # type: ignore[operator]
    finally:
        await db.close()


async def test_officer_broadcasts_now_and_gets_a_report(
    api: FakeBotAPI, running: RunningBot
) -> None:
    officer = ChatUser(api, 2001, "Lê Văn Công")
    resident = ChatUser(api, 2002, "Trần Thị Hoa")
    await register(api, officer)
    await register(api, resident)
    await make_officer(running, officer.id)
    # The resident subscribes to fire safety.
    menu = await resident.send("/subscribe")
    assert "🔥" in " ".join(menu.labels)
    await resident.press("🔥")
    done = await resident.press("Xong")
    assert "1" in done.text
    # A village group linked to Thôn Đông.
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await link_group(running, GROUP["id"], "DONG")

    await officer.send("/thongbao")
    await officer.press("📣")
    await officer.press("🔥")
    await officer.press("🔀")
    await officer.press("🏘")
    summary = await officer.press("▶️")
    assert "🔥" in summary.text or "cháy" in summary.text.lower()
    before = len(api.calls)
    sent = await officer.press("✅")
    assert "2" in sent.text
    in_group = await api.wait_for(lambda c: c.chat_id == GROUP["id"], after=before)
    assert "Công an xã" in in_group.text and "sạc" in in_group.text.lower()
    private = await api.wait_for(lambda c: c.chat_id == resident.id, after=before)
    assert (
        "/unsubscribe" in private.text or "/ngungnhantin" in private.text or "nhận" in private.text
    )
    await api.wait_idle(quiet=0.3)
    # The progress timer sees every message out and reports to the officer.
    assert await tick(running, progress_tick) == 1
    report = await api.wait_for(
        lambda c: c.chat_id == officer.id and "2" in c.text, after=before + 2
    )
    assert "✅" in report.text


async def test_blocked_and_migrated_chats_in_a_broadcast(
    api: FakeBotAPI, running: RunningBot
) -> None:
    officer = ChatUser(api, 2101, "Phạm Minh")
    await register(api, officer)
    await make_officer(running, officer.id)
    old_group = group_chat(-4001, "Thôn Tây", "group")
    await add_bot_to_group(api, officer, old_group)
    await api.wait_for(lambda c: c.chat_id == -4001)
    await link_group(running, -4001, "TAY")
    blocked = ChatUser(api, 2102, "Võ Lan")
    await register(api, blocked, area="Thôn Tây")
    await blocked.send("/subscribe")
    await blocked.press("🚨")
    await blocked.press("Xong")
    api.migrated[-4001] = -1004001
    api.blocked_chats.add(blocked.id)

    # There is no library message for urgent alerts: the officer writes one.
    await officer.send("/broadcast")
    await officer.press("✍️")
    await officer.press("🚨")
    await officer.send("Bão số 3 đổ bộ tối nay. Không ra sông, chằng chống nhà cửa.")
    await officer.send("/broadcast")
    await officer.press("📣")
    await officer.press("🚨")
    await officer.press("Bão số 3")
    await officer.press("📍")
    await officer.press("Thôn Tây")
    await officer.press("Xong")
    await officer.press("🚨")
    before = len(api.calls)
    await officer.press("✅")
    await api.wait_for(lambda c: c.chat_id == -1004001 and "Bão" in c.text, after=before)
    await api.wait_idle(quiet=0.3)
    assert await tick(running, progress_tick) == 1
    report = await api.wait_for(
        lambda c: c.chat_id == officer.id and "✅" in c.text, after=before + 1
    )
    assert "1" in report.text
    db = await Database.open(running.database)
    async with db.read() as conn:
        chat = await chats.find(conn, "telegram", str(blocked.id))
        moved = await chats.find(conn, "telegram", "-1004001")
    await db.close()
    assert chat is not None and not chat.active
    assert moved is not None


async def test_lunar_schedule_shows_coming_dates_and_runs(
    api: FakeBotAPI, running: RunningBot
) -> None:
    officer = ChatUser(api, 2201, "Đặng Hùng")
    await register(api, officer)
    await make_officer(running, officer.id)
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await link_group(running, GROUP["id"], "DONG")
    await officer.send("/broadcast")
    await officer.press("📣")
    await officer.press("🧨")
    await officer.press("🔀")
    await officer.press("👥")
    await officer.press("🌙")
    await officer.send("1/1 08:00")
    confirm = await officer.press("15")
    # 15 days before Tết 2027 (6 Feb 2027) is 22 Jan 2027.
    assert "22/1/2027" in confirm.text or "22/01/2027" in confirm.text
    done = await officer.press("✅")
    assert "🌙" not in done.text
    listing = await officer.send("/broadcast")
    shown = await officer.press("🗓")
    assert any("🧨" in label for label in shown.labels)
    # The scheduler runs it when it is due (the bot's clock moves to that morning).
    running.clock.now = datetime(2027, 1, 22, 1, 0, 30, tzinfo=UTC)
    before = len(api.calls)
    assert await tick(running, run_due) == 1
    message = await api.wait_for(lambda c: c.chat_id == GROUP["id"], after=before)
    assert "pháo" in message.text.lower()
    db = await Database.open(running.database)
    async with db.read() as conn:
        schedule = (await repo.list_schedules(conn))[0]
    await db.close()
    assert schedule.next_run_at is not None and schedule.next_run_at.year == 2028
    assert listing is not None


async def test_the_report_gives_telegrams_refusal_in_the_officers_language(
    api: FakeBotAPI, running: RunningBot
) -> None:
    officer = ChatUser(api, 2301, "Lê Văn Công")
    await register(api, officer)
    await make_officer(running, officer.id)
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await link_group(running, GROUP["id"], "DONG")
    # The group's admins took the bot's right to write: Telegram refuses, in English.
    refusal = "Bad Request: not enough rights to send text messages to the chat"
    api.fail("sendMessage", 400, refusal, chat_id=GROUP["id"])
    await officer.send("/thongbao")
    await officer.press("📣")
    await officer.press("🔥")
    await officer.press("🔀")
    await officer.press("🏘")
    await officer.press("▶️")
    before = len(api.calls)
    await officer.press("✅")
    await api.wait_for(lambda c: c.chat_id == GROUP["id"] and c.status == 400, after=before)
    await api.wait_idle(quiet=0.3)
    assert await tick(running, progress_tick) == 1
    report = await api.wait_for(
        lambda c: c.chat_id == officer.id and "Không gửi được" in c.text, after=before
    )
    assert "Không gửi được: 1" in report.text
    assert "không có quyền gửi tin vào cuộc trò chuyện: 1" in report.text
    assert "rights" not in report.text and "Bad Request" not in report.text


async def test_a_library_message_names_the_commune_police(
    api: FakeBotAPI, running: RunningBot
) -> None:
    """The ready-made texts name the police the reader goes to: the commune's by its name where
    the broadcast goes to one commune, "Công an xã, phường" where it spans several."""
    from bot.storage import areas, communes

    db = await Database.open(running.database)
    async with db.unit() as conn:
        area = await areas.by_code(conn, "DONG")
        assert area is not None and area.commune_id is not None
        await communes.rename(conn, area.commune_id, "Xã An Bình")
    await db.close()
    officer = ChatUser(api, 2201, "Phạm Minh")
    await register(api, officer)
    await make_officer(running, officer.id)
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await link_group(running, GROUP["id"], "DONG")

    async def send_fraud_warning() -> str:
        await officer.send("/thongbao")
        await officer.press("📣")
        await officer.press("📵")
        preview = await officer.press("KHÔNG gọi")
        await officer.press("👥")
        await officer.press("▶️")
        before = len(api.calls)
        await officer.press("✅")
        sent = await api.wait_for(lambda c: c.chat_id == GROUP["id"], after=before)
        await api.wait_idle(quiet=0.2)
        assert "Công an xã\n" not in preview.rendered and "Công an xã." not in preview.rendered
        return sent.rendered

    one = await send_fraud_warning()
    assert "đến trực tiếp Công an Xã An Bình." in one
    assert "báo ngay Công an Xã An Bình hoặc gọi 113" in one

    db = await Database.open(running.database)  # a second commune: a province deployment
    async with db.unit() as conn:
        other = await communes.add(conn, "XB", "Xã Bình Minh", datetime(2026, 1, 2, tzinfo=UTC))
        await areas.add(conn, "BAC", "Thôn Bắc", 80, datetime(2026, 1, 2, tzinfo=UTC), other.id)
    await db.close()
    several = await send_fraud_warning()
    assert "báo ngay Công an xã, phường hoặc gọi 113" in several
    assert "Xã An Bình" not in several
