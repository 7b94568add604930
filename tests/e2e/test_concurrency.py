"""Each chat is independent, a send that may have arrived is not sent again, and replies and
the outbox share one pacing budget. Driven over HTTP against the fake Bot API's faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import outbox
from bot.storage.db import Database
from bot.transports.pacing import Limits
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot
from tests.fakebotapi import Call, FakeBotAPI, RateLimits

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def _reply_to(chat_id: int) -> object:
    return lambda c: c.chat_id == chat_id and c.method == "sendMessage" and c.status == 200


async def _b_is_answered_while_a_is_in_trouble(api: FakeBotAPI) -> tuple[Call, Call]:
    """A writes first and A's reply runs into trouble; B writes next. Returns B's answer and
    A's first successful answer."""
    a, b = ChatUser(api, 501, "An"), ChatUser(api, 502, "Bình")
    before = len(api.calls)
    await a.send_only("/help")
    await api.wait_for(lambda c: c.chat_id == a.id and c.method == "sendMessage", after=before)
    answer_b = await b.send("/help")
    answer_a = await api.wait_for(_reply_to(a.id), after=before, timeout=20)
    return answer_b, answer_a


async def test_another_chat_is_answered_while_one_chat_is_in_a_flood_storm(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    api.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=501,
        parameters={"retry_after": 1},
        times=3,
    )
    answer_b, answer_a = await _b_is_answered_while_a_is_in_trouble(api)
    assert api.calls.index(answer_b) < api.calls.index(answer_a)


async def test_another_chat_is_answered_while_several_chats_wait_out_their_flood_limits(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    """Three chats draw flood answers at once (each past its own limit, told to wait 15 s)
    among chats that are served: the others are not held with them."""
    served = [ChatUser(api, 510 + n, f"Dân {n}") for n in range(4)]
    for person in served:
        await person.send("/help")
    flooded = [ChatUser(api, 520 + n, f"Nhóm {n}") for n in range(3)]
    before = len(api.calls)
    for person in flooded:
        api.fail(
            "sendMessage",
            429,
            "Too Many Requests: retry after 15",
            chat_id=person.id,
            parameters={"retry_after": 15},
        )
        await person.send_only("/help")
    await api.wait_until(lambda: all(f.times == 0 for f in api.failures))
    answer = await ChatUser(api, 530, "Bình").send("/help")
    assert answer.status == 200
    # ... while the three still wait out their 15 s.
    assert [c for c in api.calls[before:] if c.chat_id in (520, 521, 522) and c.status == 200] == []


async def test_one_chats_updates_stay_in_order_while_its_replies_wait(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    api.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=501,
        parameters={"retry_after": 1},
        times=2,
    )
    a = ChatUser(api, 501, "An", language_code="en")
    before = len(api.calls)
    for command in ("/help", "/privacy", "/language"):
        await a.send_only(command)
    await api.wait_for(lambda c: c.chat_id == a.id and "Tiếng Việt" in str(c.labels), after=before)
    answers = [c.text for c in api.sent(a.id, "sendMessage") if c.status == 200]
    assert len(answers) == 3
    assert "What I can do" in answers[0]
    assert "Your data" in answers[1]
    assert "choose your language" in answers[2]


async def test_another_chat_is_answered_while_one_chat_gets_server_errors(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    api.fail("sendMessage", 502, "Bad Gateway", chat_id=501, times=2)
    answer_b, answer_a = await _b_is_answered_while_a_is_in_trouble(api)
    assert api.calls.index(answer_b) < api.calls.index(answer_a)
    # A server error is an answer: the reply surely did not go out, so it is sent again.
    assert [c.status for c in api.sent(501, "sendMessage")] == [502, 502, 200]


async def test_another_chat_is_answered_while_a_request_to_one_chat_hangs(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    api.hang("sendMessage", chat_id=501)
    a, b = ChatUser(api, 501, "An"), ChatUser(api, 502, "Bình")
    before = len(api.calls)
    await a.send_only("/help")
    await api.wait_for(lambda c: c.chat_id == a.id and c.method == "sendMessage", after=before)
    # The request to A is still unanswered (the bot waits up to its read timeout) while B
    # gets an answer.
    answer_b = await b.send("/help")
    assert not api.released.is_set()
    assert answer_b.status == 200
    api.release()


@pytest.fixture
async def impatient_bot(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot with a short read timeout, so a hung request times out quickly."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    running = RunningBot(api, database, admins="42", read_timeout=1.0)
    await running.start()
    yield running
    await running.stop()


async def test_a_reply_whose_request_timed_out_is_not_sent_again(
    impatient_bot: RunningBot, api: FakeBotAPI
) -> None:
    a = ChatUser(api, 501, "An")
    api.hang("sendMessage", chat_id=a.id)
    before = len(api.calls)
    first = await a.send("/help")  # recorded by the server, never answered
    # The chat goes on: its next update is handled after the bot gave up waiting.
    await a.send_only("/privacy")
    second = await api.wait_for(
        lambda c: c.chat_id == a.id and c.method == "sendMessage" and c.text != first.text,
        after=before,
    )
    await api.wait_idle()
    copies = [c for c in api.sent(a.id, "sendMessage") if c.text == first.text]
    assert len(copies) == 1, "the reply that may have arrived was sent again"
    assert api.calls.index(second) > api.calls.index(first)


async def _statuses(database: Path, ids: list[int]) -> dict[int, str | None]:
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            return {i: await outbox.status_of(conn, i) for i in ids}
    finally:
        await db.close()


async def test_an_outbox_message_whose_request_timed_out_is_not_sent_again(
    impatient_bot: RunningBot, api: FakeBotAPI
) -> None:
    api.hang("sendMessage", chat_id=601)
    db = await Database.open(impatient_bot.database)
    try:
        async with db.unit() as conn:
            ids = [
                await outbox.enqueue(conn, "telegram", str(chat), f"Tin số {chat}", [], NOW)
                for chat in (601, 602, 603)
            ]
    finally:
        await db.close()
    for _ in range(200):  # until every message has a final state (the worker refills each 1 s)
        statuses = await _statuses(impatient_bot.database, ids)
        if all(s not in ("pending", "sending") for s in statuses.values()):
            break
        await asyncio.sleep(0.1)
    await api.wait_idle()
    assert [len(api.sent(chat, "sendMessage")) for chat in (601, 602, 603)] == [1, 1, 1]
    assert set(statuses.values()) == {"sent"}  # the hung one was not given up as failed


async def test_replies_and_a_broadcast_share_one_budget_without_flood_answers(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """Telegram's limits, scaled 10x (300 a second, 0.1 s between two messages to one chat),
    enforced by the server with 429 answers. Residents who are getting a long broadcast write
    to the bot meanwhile."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    api.limits = RateLimits(scale=10)
    running = RunningBot(api, database, admins="42", limits=Limits().scaled(10))
    await running.start()
    try:
        residents = [ChatUser(api, 900 + n, f"Dân {n}") for n in range(5)]
        db = await Database.open(database)
        try:
            async with db.unit() as conn:
                for n in range(25):  # each resident's chat gets a message every 0.1 s
                    for person in residents:
                        await outbox.enqueue(
                            conn, "telegram", str(person.id), f"Thông báo {n}", [], NOW, priority=-1
                        )
                for chat in range(2000, 2300):
                    await outbox.enqueue(
                        conn, "telegram", str(chat), "Thông báo chung", [], NOW, priority=-1
                    )
        finally:
            await db.close()
        first = await api.wait_for(lambda c: c.text.startswith("Thông báo"))
        replies = []
        for person in residents:
            await person.send_only("/help")
        for person in residents:
            replies.append(
                await api.wait_for(
                    lambda c, p=person: (
                        c.chat_id == p.id
                        and c.method == "sendMessage"
                        and not c.text.startswith("Thông báo")
                    ),
                    after=api.calls.index(first),
                )
            )
        await api.wait_for(lambda c: c.text == "Thông báo 24" and c.chat_id == residents[-1].id)
        await api.wait_idle()
        assert api.too_many == 0, f"{api.too_many} flood answers"
        last_broadcast = max(i for i, c in enumerate(api.calls) if c.text.startswith("Thông báo"))
        # Each reply went out while the broadcast was still going, not behind it.
        assert all(api.calls.index(r) < last_broadcast for r in replies)
        broadcast = [c for c in api.calls if c.text.startswith("Thông báo") and c.status == 200]
        assert len(broadcast) == 25 * 5 + 300  # nothing lost, nothing twice
    finally:
        await running.stop()


async def test_updates_waiting_behind_a_busy_chat_are_handled_after_a_crash(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    """A's reply hangs; A's next messages wait in A's lane while the bot goes on polling (so
    Telegram forgets them). The bot dies; after the restart those messages are answered."""
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    first = RunningBot(api, database, admins="42")
    await first.start()
    a, b = ChatUser(api, 501, "An", language_code="en"), ChatUser(api, 502, "Bình")
    api.hang("sendMessage", chat_id=a.id)
    before = len(api.calls)
    await a.send_only("/help")
    await api.wait_for(lambda c: c.chat_id == a.id and c.method == "sendMessage", after=before)
    await a.send_only("/privacy")
    await b.send("/help")  # the bot has polled past A's waiting message
    await first.kill()
    after_crash = len(api.calls)
    second = RunningBot(api, database, admins="42")
    await second.start()
    try:
        answer = await api.wait_for(_reply_to(a.id), after=after_crash)
        assert "Your data" in answer.text
        await api.wait_idle()
        # /help had been handled before the crash: it is not handled a second time.
        assert [c for c in api.calls[after_crash:] if "What I can do" in c.text] == []
    finally:
        api.release()
        await second.stop()


async def test_a_reply_refused_on_every_attempt_is_delivered_later_by_the_outbox(
    bot: RunningBot, api: FakeBotAPI
) -> None:
    """Flood answers on every attempt of a reply: the reply is not dropped but handed to the
    durable outbox, which sends it once the chat may get messages again, exactly once."""
    api.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=501,
        parameters={"retry_after": 1},
        times=5,
    )
    a = ChatUser(api, 501, "An")
    before = len(api.calls)
    await a.send_only("/help")
    answer = await api.wait_for(_reply_to(a.id), after=before, timeout=30)
    assert "/trogiup" in answer.text
    await api.wait_idle()
    delivered = [c for c in api.sent(a.id, "sendMessage") if c.status == 200]
    assert len(delivered) == 1
    assert [c.status for c in api.sent(a.id, "sendMessage")] == [429] * 5 + [200]
