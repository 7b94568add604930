"""Faults the network and Telegram can throw at the bot, over HTTP against the fake Bot API:
malformed getUpdates answers, a refused token, groups that became supergroups, HTML that
Telegram would refuse, edited messages, a second process on the same database."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.sealing import encode_key
from bot.storage import chats, inbox, outbox
from bot.storage.db import Database, DatabaseError
from bot.transports.telegram import polling as telegram_polling
from tests.conftest import seed_areas
from tests.e2e.harness import (
    TOKEN,
    ChatUser,
    RunningBot,
    add_bot_to_group,
    fixed_clock,
    group_chat,
)
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, people
from tests.fakebotapi import FakeBotAPI
from tests.postgresql import database_setting

ROOT = Path(__file__).resolve().parents[2]


async def run_process(
    api: FakeBotAPI, database: Path, *args: str, **settings: str
) -> asyncio.subprocess.Process:
    """The real command line (``python -m bot ...``) pointed at the fake server (``settings``:
    more XOMANTOAN_ variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XOMANTOAN_")}
    env.update(
        XOMANTOAN_TELEGRAM_TOKEN=TOKEN,
        XOMANTOAN_TELEGRAM_API_URL=api.url,
        XOMANTOAN_DATABASE=database_setting(database),
        XOMANTOAN_SEAL_KEY=encode_key(bytes(range(32))),
        XOMANTOAN_POLL_TIMEOUT_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(settings)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *(args or ("run",)),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


# 2. Malformed getUpdates answers ------------------------------------------------------------
async def test_every_malformed_poll_answer_is_retried(
    api: FakeBotAPI,
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(telegram_polling, "POLL_BACKOFF_START", 0.01)
    caplog.set_level(logging.WARNING, logger="bot.transports.telegram")
    api.fail_raw("getUpdates", 200, "<html><body>Wi-Fi login</body></html>")
    api.fail_raw("getUpdates", 200, '{"ok": true, "result": [{"update_id": 1, "mess')
    api.fail_raw("getUpdates", 200, '{"ok": true}', content_type="application/json")
    api.fail("getUpdates", 403, "Forbidden")
    api.fail_raw("getUpdates", 502, "<html>Bad Gateway</html>")
    await api.wait_until(lambda: all(f.times == 0 for f in api.failures))
    lan = ChatUser(api, 3001, "Vũ Thị Lan")
    answer = await lan.send("/help")
    assert "/trogiup" in answer.text
    assert bot.task is not None and not bot.task.done()
    lines = [r.getMessage() for r in caplog.records if "polling failed" in r.getMessage()]
    assert len(lines) == 5
    assert any("not JSON" in line for line in lines)
    assert any("no 'result'" in line for line in lines)
    assert any("403" in line for line in lines)
    assert all(TOKEN not in line for line in lines)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_bad_answer_at_start_up_is_retried(
    api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram_polling, "POLL_BACKOFF_START", 0.01)
    api.fail_raw("getMe", 200, "<html><body>Captive portal</body></html>")
    api.fail_raw("getMe", 404, "<html>Not Found</html>")
    api.fail("getMe", 500, "Internal Server Error")
    bot = RunningBot(api, tmp_path / "start.sqlite3")
    await bot.start()
    try:
        assert [c.method for c in api.calls[:4]] == ["getMe"] * 4
        answer = await ChatUser(api, 3002, "Lan").send("/help")
        assert "/trogiup" in answer.text
    finally:
        await bot.stop()


async def test_a_refused_token_stops_the_process_with_one_line(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    for method in ("getUpdates", "getMe"):  # refused while running, or at start-up
        api.fail(method, 401, "Unauthorized")
        process = await run_process(api, tmp_path / "bot.sqlite3")
        _, err = await asyncio.wait_for(process.communicate(), 60)
        stderr = err.decode()
        assert process.returncode == 2
        assert "Traceback" not in stderr
        refused = [line for line in stderr.splitlines() if line.startswith("xomantoan:")]
        assert refused == [
            "xomantoan: Setting XOMANTOAN_TELEGRAM_TOKEN: Telegram refused this token"
            " (401 Unauthorized); copy it again from @BotFather"
        ]


async def test_updates_that_could_not_be_kept_are_fetched_again_and_handled_once(
    api: FakeBotAPI,
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(telegram_polling, "POLL_BACKOFF_START", 0.01)
    caplog.set_level(logging.WARNING, logger="bot.transports.telegram")
    put_many = inbox.put_many
    refused = 0

    async def disk_trouble(*args: Any, **kwargs: Any) -> None:
        nonlocal refused
        if refused < 2:  # writing the fetched batch into the inbox fails twice
            refused += 1
            raise DatabaseError("disk I/O error")
        await put_many(*args, **kwargs)

    monkeypatch.setattr(inbox, "put_many", disk_trouble)
    an, lan = ChatUser(api, 3011, "Nguyễn Văn An"), ChatUser(api, 3012, "Vũ Thị Lan")
    await bot.stop()
    await an.send_only("/help")
    await lan.send_only("/privacy")
    await bot.start()
    await api.wait_for(lambda c: len(api.sent(an.id)) == 1 and len(api.sent(lan.id)) == 1)
    assert refused == 2
    # The bot still polls, and each update was answered once.
    later = await an.send("/help")
    assert "/trogiup" in later.text
    await api.wait_idle(quiet=0.3)
    assert len(api.sent(an.id)) == 2 and len(api.sent(lan.id)) == 1
    assert bot.task is not None and not bot.task.done()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and all("could not keep fetched updates" in e for e in errors)


# 4. Replies follow a group that became a supergroup ----------------------------------------
async def test_reply_to_a_group_that_just_became_a_supergroup_reaches_it(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    hung = ChatUser(api, 3101, "Lê Hùng")
    old = group_chat(-300400, "Nhóm Thôn Đông")
    new_id = -1003004005006
    await add_bot_to_group(api, hung, old)
    await api.wait_idle()
    # Telegram upgraded the group; a command typed just before reaches the bot afterwards.
    api.migrated[old["id"]] = new_id
    before = len(api.calls)
    await hung.send_only("/help", old)
    reply = await api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == new_id, after=before
    )
    assert "/trogiup" in reply.text
    # The move is remembered: the next reply meant for the old id goes straight to the new one.
    before = len(api.calls)
    await hung.send_only("/help", old)
    await api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == new_id, after=before)
    assert [c for c in api.calls[before:] if c.chat_id == old["id"]] == []
    db = await Database.open(bot.database)
    async with db.read() as conn:
        assert await chats.current_id(conn, "telegram", str(old["id"])) == str(new_id)
        # Late messages of the old group count for the group as it is now: no row comes back.
        assert await chats.find(conn, "telegram", str(old["id"])) is None
        assert await chats.find(conn, "telegram", str(new_id)) is not None
    await db.close()


# 5. HTML Telegram accepts, split on the rendered text --------------------------------------
async def test_a_long_report_full_of_markup_characters_reaches_the_leader_whole(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an, lan, _ = await people(api, bot)
    # What a resident may paste: arrows, "&", "<3", tags from a copied web page.
    description = " ".join(f"Lần {n}: ông A -> bà B & <b>con</b> <3 &amp;" for n in range(60))
    assert len(description) < 3000 < len(description.replace("&", "&amp;").replace("<", "&lt;"))
    before = len(api.calls)
    await file_report(api, an, "Tranh chấp", description, anonymous=False)
    await api.wait_for(lambda c: c.chat_id == lan.id and "Lần 59" in c.rendered, after=before)
    to_leader = [c for c in api.calls[before:] if c.chat_id == lan.id]
    assert [c.error for c in to_leader] == [None] * len(to_leader)
    whole = "\n".join(c.rendered for c in to_leader)
    assert description in whole  # shown as typed, every character, in one piece


# 6. Edited messages are not new input -----------------------------------------------------
async def test_an_edited_message_is_not_taken_as_new_input(
    api: FakeBotAPI, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.transports.telegram")
    an = ChatUser(api, 3201, "Nguyễn Văn An")
    await register(api, an)
    asked = await an.send("/baocao")
    assert asked.error is None
    await an.press("Xả rác")
    await api.wait_idle(quiet=0.1)
    described = await an.send("Có người đổ rác ra đường")
    assert "mô tả" in described.text
    await api.wait_idle(quiet=0.1)
    before = len(api.calls)
    original = api.updates[-1]["message"]
    for text in ("Có người đổ rác xây dựng ra đường", "/help", "/start"):
        await api.push({"edited_message": {**original, "text": text, "edit_date": 1}})
    await api.wait_until(lambda: api.confirmed > api.updates[-1]["update_id"])
    await api.wait_idle(quiet=0.2)
    assert [c for c in api.calls[before:] if c.chat_id == an.id] == []
    assert sum("ignored an edited message" in r.getMessage() for r in caplog.records) == 3
    # The report goes on from where it was: the description was kept as first sent.
    await an.press("Tiếp tục")
    await api.wait_idle(quiet=0.1)
    db = await Database.open(bot.database)
    sql = "SELECT data FROM conversations WHERE user_id = ?"
    async with db.read() as conn, conn.execute(sql, (an.id,)) as cur:
        row = await cur.fetchone()
    data = str(row[0]) if row else ""
    await db.close()
    assert "đổ rác ra đường" in data and "xây dựng" not in data


# 7. One bot process per database ------------------------------------------------------------
@pytest.mark.sqlite_only(reason="names the lock file's pid; ends with SQLite's backup")
async def test_a_second_bot_process_on_the_same_database_refuses_to_start(
    api: FakeBotAPI, bot: RunningBot, tmp_path: Path
) -> None:
    db = await Database.open(bot.database)
    async with db.unit() as conn:  # a message the running bot is sending right now
        held = await outbox.enqueue(conn, "telegram", "3301", "đang gửi", [], datetime.now(UTC))
        await conn.execute("UPDATE outbox SET status = 'sending' WHERE id = ?", (held,))
    before = len(api.calls)
    second = await run_process(api, bot.database)
    _, err = await asyncio.wait_for(second.communicate(), 60)
    assert second.returncode == 2
    lines = [line for line in err.decode().splitlines() if line.startswith("xomantoan:")]
    assert len(lines) == 1
    assert f"another bot process (pid {os.getpid()}) is already running on" in lines[0]
    assert api.calls[before:] == []  # it never reached Telegram, let alone polled
    async with db.read() as conn:
        assert await outbox.status_of(conn, held) == "sending"  # not reset under the live bot
    await db.close()
    # Commands that read or copy the database still work while the bot runs.
    stats = await run_process(api, bot.database, "stats", "--json")
    out, err = await asyncio.wait_for(stats.communicate(), 60)
    assert stats.returncode == 0, err.decode()
    assert out.decode().lstrip().startswith("{")
    backup = await run_process(api, bot.database, "backup", str(tmp_path / "copy.sqlite3"))
    assert await asyncio.wait_for(backup.wait(), 60) == 0
    assert (tmp_path / "copy.sqlite3").stat().st_size > 0


async def test_a_crashed_bot_leaves_no_stale_lock(api: FakeBotAPI, tmp_path: Path) -> None:
    database = tmp_path / "crash.sqlite3"
    first = await run_process(api, database)
    await api.wait_for(lambda c: c.method == "setMyCommands", timeout=60)
    first.kill()  # SIGKILL: no clean-up runs
    await first.wait()
    again = RunningBot(api, database)
    await again.start()  # starts: the lock died with its holder
    try:
        assert again.task is not None and not again.task.done()
    finally:
        await again.stop()


# 8. Bounded tables ----------------------------------------------------------------------------
async def test_strangers_chats_and_old_outbox_rows_are_purged_after_the_retention(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    clock = fixed_clock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    bot = RunningBot(api, database, clock=clock)
    await bot.start()
    stranger, resident = ChatUser(api, 3401, "Người lạ"), ChatUser(api, 3402, "Trần Thị Hoa")
    await stranger.send("xin chào")  # writes once, never registers
    await register(api, resident)
    db = await Database.open(database)
    async with db.unit() as conn:
        notice = await outbox.enqueue(conn, "telegram", resident.id, "Thông báo", [], clock())
    await api.wait_for(lambda c: c.chat_id == resident.id and c.text == "Thông báo")
    await api.wait_idle()
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", stranger.id) is not None
        assert await outbox.status_of(conn, notice) == "sent"
    await bot.stop()
    # Half a year and more later (the default retention is 180 days), the bot starts again.
    clock.advance(days=200)
    await bot.start()
    try:
        for _ in range(100):
            async with db.read() as conn:
                if await chats.find(conn, "telegram", stranger.id) is None:
                    break
            await asyncio.sleep(0.1)
        async with db.read() as conn:
            assert await chats.find(conn, "telegram", stranger.id) is None
            assert await outbox.status_of(conn, notice) is None
            assert await chats.find(conn, "telegram", resident.id) is not None
        answer = await resident.send("/mydata")
        assert "Trần Thị Hoa" in answer.text
    finally:
        await db.close()
        await bot.stop()
