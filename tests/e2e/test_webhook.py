"""Telegram by webhook, over HTTP: the fake Bot API is told the address (setWebhook) and posts
updates to the bot's own HTTP server as Telegram does; the secret header is checked, an
update posted twice is answered once, a body that is no update is refused and the bot goes
on, and going back to polling deletes the webhook."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.storage import inbox, seen_messages
from bot.storage.db import Database
from bot.transports.telegram.polling import ALLOWED_UPDATES
from tests.conftest import seed_areas
from tests.e2e.harness import TOKEN, WEBHOOK_URL, ChatUser, RunningBot, free_port
from tests.e2e.test_faults import run_process
from tests.e2e.zalo_harness import WEBHOOK_SECRET as ZALO_SECRET
from tests.e2e.zalo_harness import ZALO_TOKEN
from tests.fakebotapi import FakeBotAPI

SECRET = "webhook-secret_0123456789"


def message(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "An", "language_code": "en"}
    body: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "An"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": body}


@pytest.fixture
async def hooked(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot in webhook mode on a fresh database."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    running = RunningBot(api, database, admins="42", webhook=True, webhook_secret=SECRET)
    await running.start()
    yield running
    await running.stop()


async def waiting_updates(database: Path) -> list[int]:
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            return [u for u, _ in await inbox.waiting(conn, "telegram")]
    finally:
        await db.close()


async def test_the_webhook_is_set_once_and_updates_posted_to_it_are_answered(
    api: FakeBotAPI, hooked: RunningBot
) -> None:
    assert api.webhook is not None
    assert api.webhook["url"] == WEBHOOK_URL
    assert api.webhook["secret_token"] == SECRET
    assert api.webhook["allowed_updates"] == ALLOWED_UPDATES
    assert api.webhook.get("drop_pending_updates") in (False, "False", None)
    answer = await ChatUser(api, 601, "An", language_code="en").send("/help")
    assert "What I can do" in answer.text
    assert [status for _, _, status in api.posted] == [200]
    # A restart finds the webhook set: Telegram is not told again.
    await hooked.stop()
    before = len(api.calls)
    await hooked.start()
    assert [c.method for c in api.calls[before:] if "Webhook" in c.method] == ["getWebhookInfo"]
    answer = await ChatUser(api, 602, "Bình", language_code="en").send("/privacy")
    assert "Your data" in answer.text


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_kept(
    api: FakeBotAPI, hooked: RunningBot
) -> None:
    update = message(900, 603, "/help")
    assert (await api.post_update(hooked.target, update, secret="not-the-secret"))[0] == 403
    assert (await api.post_update(hooked.target, update, secret=""))[0] == 403
    assert (await api.post_update(hooked.target, update, secret=SECRET[:-1]))[0] == 403
    await api.wait_idle(quiet=0.3)
    assert api.sent(603) == []
    assert await waiting_updates(hooked.database) == []
    db = await Database.open(hooked.database)
    async with db.unit() as conn:  # not even marked as seen: the real call is taken
        assert await seen_messages.first_time(conn, "telegram", "update 901", hooked_now())
    await db.close()
    status, _ = await api.post_update(hooked.target, update)
    assert status == 200
    await api.wait_for(lambda c: c.chat_id == 603 and c.method == "sendMessage")


def hooked_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_an_update_posted_twice_is_answered_once(api: FakeBotAPI, hooked: RunningBot) -> None:
    update = message(910, 604, "/help")
    first = await api.post_update(hooked.target, update)
    again = await api.post_update(hooked.target, update)  # Telegram's repeat of a slow call
    assert (first[0], again[0]) == (200, 200)
    await api.wait_for(lambda c: c.chat_id == 604 and c.method == "sendMessage")
    # Repeated once more after it was handled (its row has left the inbox): still taken once.
    assert (await api.post_update(hooked.target, update))[0] == 200
    await api.wait_idle(quiet=0.5)
    assert len(api.sent(604, "sendMessage")) == 1
    assert await waiting_updates(hooked.database) == []


async def test_a_body_that_is_no_update_gets_400_and_the_bot_goes_on(
    api: FakeBotAPI, hooked: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for body in ("{not json", '["a", "list"]', '{"message": {}}', '{"update_id": "12"}'):
        status, _ = await api.post_update(hooked.target, body)
        assert status == 400, body
    refusals = [r for r in caplog.records if "webhook call refused" in r.getMessage()]
    assert len(refusals) == 4
    assert SECRET not in caplog.text and TOKEN not in caplog.text
    assert hooked.task is not None and not hooked.task.done()
    answer = await ChatUser(api, 605, "An", language_code="en").send("/help")
    assert "What I can do" in answer.text


@pytest.mark.timeout(180)  # a real process starting on a loaded machine
async def test_one_process_by_webhook_with_a_secret_derived_from_the_token_never_logs_it(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """The command line in webhook mode (one process, SQLite too), logging everything: the
    secret is derived from the token when not set, and neither reaches the log."""
    port = free_port()
    api.webhook_targets = [f"http://127.0.0.1:{port}"]
    process = await run_process(
        api,
        tmp_path / "bot.sqlite3",
        XOMANTOAN_TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        XOMANTOAN_HTTP_PORT=str(port),
        XOMANTOAN_LOG_LEVEL="DEBUG",
    )
    try:
        await api.wait_for(lambda c: c.method == "setWebhook", timeout=60)
        derived = load_settings(telegram_token=TOKEN).telegram_secret
        assert derived and len(derived) >= 32
        assert api.webhook is not None and api.webhook["secret_token"] == derived
        answer = await ChatUser(api, 606, "An", language_code="en").send("/help")
        assert "What I can do" in answer.text
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 60)
    log = err.decode()
    assert "webhook set to https://bot.example.vn/telegram/updates" in log
    assert derived not in log and TOKEN not in log


async def test_going_back_to_polling_deletes_the_webhook(
    api: FakeBotAPI, hooked: RunningBot
) -> None:
    await ChatUser(api, 607, "An", language_code="en").send("/help")
    await hooked.stop()
    polling = RunningBot(api, hooked.database, admins="42")
    before = len(api.calls)
    await polling.start()
    try:
        assert [c.method for c in api.calls[before:] if "Webhook" in c.method] == ["deleteWebhook"]
        assert api.webhook is None
        answer = await ChatUser(api, 607, "An", language_code="en").send("/privacy")
        assert "Your data" in answer.text
        assert len(api.sent(607, "sendMessage")) == 2  # the first update was not taken again
    finally:
        await polling.stop()


async def test_polling_deletes_a_webhook_set_by_someone_else(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    api.webhook = {"url": "https://elsewhere.example/hook"}  # getUpdates is refused now
    await api.wait_until(lambda: api.webhook is None)
    answer = await ChatUser(api, 608, "An", language_code="en").send("/help")
    assert "What I can do" in answer.text
    assert [c.method for c in api.calls if "Webhook" in c.method] == ["deleteWebhook"]


async def test_updates_kept_while_polling_are_handled_after_switching_to_the_webhook(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """Polling kept updates a busy chat had not handled yet (the inbox); after a restart in
    webhook mode they are handled, and what was fetched is not posted again."""
    api.hang("sendMessage", chat_id=609)
    person = ChatUser(api, 609, "An", language_code="en")
    await person.send_only("/help")
    await api.wait_for(lambda c: c.chat_id == 609 and c.method == "sendMessage")
    second = await person.send_only("/privacy")  # waits behind the hung reply, in the inbox
    await api.wait_until(lambda: api.confirmed > second)  # fetched, kept and confirmed
    await bot.kill()
    assert len(await waiting_updates(bot.database)) == 1
    api.release()
    hooked = RunningBot(api, bot.database, admins="42", webhook=True, webhook_secret=SECRET)
    await hooked.start()
    try:
        answer = await api.wait_for(lambda c: c.chat_id == 609 and "Your data" in c.text)
        assert answer.status == 200
        await api.wait_idle(quiet=0.5)
        assert api.posted == []  # both were fetched by polling and confirmed
        assert len(api.sent(609, "sendMessage")) == 2
    finally:
        await hooked.stop()


async def test_telegram_and_zalo_webhooks_share_the_bots_one_http_server(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    import httpx

    from tests.e2e.zalo_harness import RunningZaloBot
    from tests.fakezaloapi import FakeZaloAPI, ZaloUser

    zalo = FakeZaloAPI(ZALO_TOKEN)
    await zalo.start()
    both = RunningZaloBot(zalo, tmp_path / "bot.sqlite3", telegram=api, webhook=True,
                          telegram_webhook=True)  # fmt: skip
    await both.start()
    try:
        await api.wait_for(lambda c: c.method == "setWebhook")
        assert api.webhook is not None
        assert api.webhook["url"] == "https://bot.example.vn/telegram/updates"
        answer = await ChatUser(api, 610, "An", language_code="en").send("/help")
        assert "What I can do" in answer.text
        assert {target for _, target, _ in api.posted} == {both.http}
        before = len(zalo.calls)
        update = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "An").update("trợ giúp")
        posted = await zalo.post_webhook(both.http + "/zalo/webhook", update, secret=ZALO_SECRET)
        assert posted.status_code == 200
        await zalo.wait_for(lambda c: c.method == "sendMessage", after=before)
        # Each platform's secret opens only its own path.
        tg_update = message(920, 611, "/help")
        assert (await api.post_update(both.http, tg_update, secret=ZALO_SECRET))[0] == 403
        async with httpx.AsyncClient() as client:
            health = await client.get(both.http + "/health")
        assert health.status_code == 200
    finally:
        await both.stop()
        await zalo.stop()


@pytest.mark.sqlite_only(reason="the lock file beside the SQLite database")
@pytest.mark.timeout(180)  # a real process starting on a loaded machine
async def test_on_sqlite_a_second_webhook_process_refuses_to_start(
    api: FakeBotAPI, hooked: RunningBot
) -> None:
    second = await run_process(
        api,
        hooked.database,
        XOMANTOAN_TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        XOMANTOAN_HTTP_PORT=str(free_port()),
    )
    _, err = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 2
    assert "another bot process" in err.decode() and "already running" in err.decode()
    answer = await ChatUser(api, 612, "An", language_code="en").send("/help")  # the first goes on
    assert "What I can do" in answer.text


@pytest.mark.timeout(180)  # a real process starting on a loaded machine
async def test_an_address_telegram_refuses_stops_the_process_with_one_line(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    refusal = "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    api.fail("setWebhook", 400, refusal, times=5)
    process = await run_process(
        api,
        database,
        XOMANTOAN_TELEGRAM_WEBHOOK_URL="https://bot.example:8080/telegram",
        XOMANTOAN_TELEGRAM_WEBHOOK_SECRET=SECRET,
        XOMANTOAN_HTTP_PORT=str(free_port()),
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    stderr = err.decode()
    assert process.returncode == 2
    assert "Traceback" not in stderr and SECRET not in stderr
    refused = [line for line in stderr.splitlines() if line.startswith("xomantoan:")]
    assert len(refused) == 1
    assert "XOMANTOAN_TELEGRAM_WEBHOOK_URL" in refused[0]
    assert "https://bot.example:8080/telegram" in refused[0]
    assert "only on ports 80, 88, 443 or 8443" in refused[0]
    assert [c.method for c in api.calls].count("setWebhook") == 1  # not asked again and again
