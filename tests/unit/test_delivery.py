"""The outbox worker: pacing order, 429, blocked chats, migrated groups, retries, restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.storage import chats, outbox
from bot.storage.connection import ConnectionLost
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage
from bot.transports.delivery import OutboxWorker
from bot.transports.pacing import Limits, Pacer
from bot.transports.send_results import SendResult

FAST = Limits(per_second=1000, private_interval=0.001, group_interval=0.0001, max_attempts=3)
NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeSender:
    platform: str = "telegram"
    delivered: list[tuple[int, int, str]] = field(default_factory=list)  # (outbox id, chat, text)
    script: dict[int, list[SendResult]] = field(default_factory=dict)  # chat -> results to give

    async def deliver(self, message: OutboxMessage) -> SendResult:
        chat = int(message.chat_id)  # the tests name chats by Telegram's integers
        queued = self.script.get(chat)
        if queued:
            return queued.pop(0)
        self.delivered.append((message.id, chat, message.text))
        return SendResult.sent(message_id=5000 + message.id)


async def queue(db: Database, chat_id: int, text: str, **kwargs: object) -> int:
    async with db.unit() as conn:
        await chats.upsert(
            conn, "telegram", str(chat_id), "group" if chat_id < 0 else "private", None, NOW
        )
        return await outbox.enqueue(conn, "telegram", str(chat_id), text, [], NOW, **kwargs)  # type: ignore[arg-type]


async def statuses(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        return await outbox.counts(conn)


async def test_delivers_and_records_the_platform_message_id(db: Database) -> None:
    sender, clock = FakeSender(), Clock()
    first = await queue(db, 1, "a")
    await queue(db, 1, "b")
    await queue(db, -5, "c")
    worker = OutboxWorker(db, sender, clock, limits=FAST)
    assert await worker.drain() == 3
    assert [text for _, chat, text in sender.delivered if chat == 1] == ["a", "b"]
    assert await statuses(db) == {"sent": 3}
    async with (
        db.read() as conn,
        conn.execute("SELECT sent_message_id FROM outbox WHERE id = ?", (first,)) as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and row[0] == 5000 + first


async def test_replies_to_one_person_go_before_a_broadcast(db: Database) -> None:
    sender = FakeSender()
    for chat in range(10, 20):
        await queue(db, chat, "bulk", priority=outbox.PRIORITY_BULK)
    await queue(db, 99, "reply")
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert sender.delivered[0][2] == "reply"


async def test_flood_limit_is_waited_out_and_nothing_is_lost(db: Database) -> None:
    sender = FakeSender(script={7: [SendResult("retry_after", retry_after=0.05)]})
    await queue(db, 7, "x")
    await queue(db, 8, "y")
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    await worker.drain()
    assert sorted(text for _, _, text in sender.delivered) == ["x", "y"]
    assert await statuses(db) == {"sent": 2}


async def test_blocked_chat_is_marked_inactive_and_skipped_from_then_on(db: Database) -> None:
    sender = FakeSender(script={3: [SendResult("blocked", reason="Forbidden: bot was blocked")]})
    await queue(db, 3, "one")
    await queue(db, 3, "two")
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert sender.delivered == []
    async with db.read() as conn:
        chat = await chats.find(conn, "telegram", "3")
    assert chat is not None and not chat.active
    assert await statuses(db) == {"skipped": 2}
    await queue(db, 3, "three")  # queued later: skipped without trying
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert sender.delivered == []


async def test_migrated_group_is_followed(db: Database) -> None:
    sender = FakeSender(script={-100: [SendResult("migrated", new_chat_id="-100200")]})
    await queue(db, -100, "hello")
    await queue(db, -100, "again")
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert sorted((chat, text) for _, chat, text in sender.delivered) == [
        (-100200, "again"),
        (-100200, "hello"),
    ]
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", "-100200") is not None


async def test_a_lost_database_connection_while_recording_an_answer_is_survived(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server cut the connection while the worker recorded that a group had moved: the
    recording is made again whole, and both messages reach the new group once each (before,
    the first stayed 'sending' until a restart and the second went to the old group)."""
    sender = FakeSender(script={-100: [SendResult("migrated", new_chat_id="-100200")]})
    await queue(db, -100, "hello")
    await queue(db, -100, "again")
    cut = [True]
    retry_later = outbox.retry_later

    async def lost_once(*args: Any, **kwargs: Any) -> None:
        if cut.pop() if cut else False:
            raise ConnectionLost("server closed the connection unexpectedly")
        await retry_later(*args, **kwargs)

    monkeypatch.setattr(outbox, "retry_later", lost_once)
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert sorted((chat, text) for _, chat, text in sender.delivered) == [
        (-100200, "again"),
        (-100200, "hello"),
    ]
    assert await statuses(db) == {"sent": 2}


async def test_errors_back_off_then_fail_with_the_reason(db: Database) -> None:
    error = SendResult("error", reason="network: timed out", failure="network")
    sender, clock = FakeSender(script={4: [error, error, error]}), Clock()
    await queue(db, 4, "z")
    worker = OutboxWorker(db, sender, clock, limits=FAST)
    await worker.drain()
    assert await statuses(db) == {"pending": 1}
    for _ in range(3):
        clock.now += timedelta(minutes=5)
        await worker.drain()
    async with (
        db.read() as conn,
        conn.execute("SELECT status, last_error, attempts FROM outbox") as cur,
    ):
        row = await cur.fetchone()
    assert row is not None and tuple(row) == ("failed", "network: network: timed out", 3)


async def test_bad_request_fails_at_once(db: Database) -> None:
    sender = FakeSender(
        script={6: [SendResult("failed", reason="Bad Request: message is too long")]}
    )
    await queue(db, 6, "long")
    await OutboxWorker(db, sender, Clock(), limits=FAST).drain()
    assert await statuses(db) == {"failed": 1}


async def test_restart_resends_only_what_was_in_flight(db: Database) -> None:
    ids = [await queue(db, 10 + n, f"m{n}") for n in range(4)]
    async with db.unit() as conn:
        await outbox.mark_sent(conn, ids[0], NOW)
        await conn.execute("UPDATE outbox SET status = 'sending' WHERE id = ?", (ids[1],))
    sender = FakeSender()
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    assert await worker.recover() == 1
    await worker.drain()
    assert sorted(text for _, _, text in sender.delivered) == ["m1", "m2", "m3"]


async def test_messages_held_until_their_time(db: Database) -> None:
    sender, clock = FakeSender(), Clock()
    await queue(db, 1, "morning", not_before=NOW + timedelta(hours=3))
    worker = OutboxWorker(db, sender, clock, limits=FAST)
    await worker.drain()
    assert sender.delivered == []
    clock.now += timedelta(hours=3)
    await worker.drain()
    assert [text for _, _, text in sender.delivered] == ["morning"]


async def test_an_edit_carries_the_message_id_of_the_earlier_message(db: Database) -> None:
    seen: list[int | None] = []

    class Recording(FakeSender):
        async def deliver(self, message: OutboxMessage) -> SendResult:
            seen.append(message.edit_message_id)
            return await super().deliver(message)

    sender = Recording()
    first = await queue(db, 1, "progress 0")
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    await worker.drain()
    await queue(db, 1, "progress 5", edit_of=first)
    await worker.drain()
    assert seen == [None, 5000 + first]


def test_scaled_limits() -> None:
    limits = Limits().scaled(10)
    assert limits.per_second == 300
    assert abs(limits.private_interval - 0.1) < 1e-9
    assert abs(limits.group_window - 6.0) < 1e-9


async def test_flood_answers_pause_every_chat_only_when_most_answers_are_floods() -> None:
    pacer = Pacer(FAST)

    def answer(chat: str, hold: float = 0.0) -> None:
        pacer.reserve(chat)
        pacer.done(chat, sent=hold == 0, hold=hold)

    for chat in range(10, 20):
        answer(str(chat))
    for chat in (1, 2, 3):  # three chats past their own limits among ten served
        answer(str(chat), hold=30)
    assert pacer.ready_at("50") < pacer.now() + 1  # the other chats go on
    assert pacer.ready_at("1") >= pacer.now() + 29
    for chat in range(4, 12):  # now nearly every request is refused: the overall limit
        answer(str(100 + chat), hold=30)
    assert pacer.ready_at("50") >= pacer.now() + 29


@dataclass
class TextSender:
    """A sender of a platform whose ids are not numbers."""

    platform: str
    delivered: list[str] = field(default_factory=list)

    async def deliver(self, message: OutboxMessage) -> SendResult:
        self.delivered.append(message.chat_id)
        return SendResult.sent()


async def test_a_group_is_paced_as_a_group_by_its_kind_not_the_sign_of_its_id(
    db: Database,
) -> None:
    async with db.unit() as conn:
        await chats.upsert(conn, "zalo", "g.1234", "group", "Nhóm", NOW)
        await chats.upsert(conn, "zalo", "-77", "private", None, NOW)
        for chat in ("g.1234", "-77"):
            await outbox.enqueue(conn, "zalo", chat, "tin", [], NOW)
    sender = TextSender("zalo")
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    assert await worker.drain() == 2
    assert sorted(sender.delivered) == ["-77", "g.1234"]
    assert worker.pacer.is_group("g.1234") and not worker.pacer.is_group("-77")
    assert set(worker.pacer.group_sends) == {"g.1234"}  # the group's window counts its message
