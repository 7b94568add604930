"""The outbox worker reads the queue a window at a time: it holds a bounded number of messages
whatever the queue's length, still delivers every message once and in order per chat, and a
reply queued behind a long broadcast still goes first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.storage import outbox
from bot.storage.db import Database
from bot.transports import delivery
from bot.transports.delivery import OutboxWorker
from tests.unit.test_delivery import FAST, Clock, FakeSender, queue, statuses


async def test_every_message_delivered_once_in_order_through_small_windows(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "WINDOW", 7)
    expected: dict[int, list[str]] = {}
    for n in range(60):
        chat = 100 + n % 9
        text = f"tin {n}"
        await queue(db, chat, text, priority=outbox.PRIORITY_BULK)
        expected.setdefault(chat, []).append(text)
    sender = FakeSender()
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    assert await worker._refill() == 7
    assert len(worker._known) == 7  # a window, not the whole queue
    assert await worker.drain() == 60
    delivered: dict[int, list[str]] = {}
    for _, chat, text in sender.delivered:
        delivered.setdefault(chat, []).append(text)
    assert delivered == expected
    assert len({message_id for message_id, _, _ in sender.delivered}) == 60
    assert await statuses(db) == {"sent": 60}


async def test_a_reply_behind_a_full_window_of_broadcast_goes_first(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "WINDOW", 5)
    for n in range(30):
        await queue(db, 200 + n, "bulk", priority=outbox.PRIORITY_BULK)
    sender = FakeSender()
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    await worker._refill()
    await queue(db, 999, "reply")
    await queue(db, 998, "alert", priority=outbox.PRIORITY_URGENT)
    await worker._refill()
    assert len(worker._known) == 7  # the window plus the two that must go first
    await worker.drain()
    assert [text for _, _, text in sender.delivered[:2]] == ["alert", "reply"]
    assert len(sender.delivered) == 32


async def test_drain_stops_when_the_next_window_holds_only_later_messages(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "WINDOW", 2)
    clock = Clock()
    await queue(db, 300, "now")
    await queue(db, 301, "later", not_before=clock.now + timedelta(hours=1))
    await queue(db, 302, "later too", not_before=clock.now + timedelta(hours=1))
    sender = FakeSender()
    assert await OutboxWorker(db, sender, clock, limits=FAST).drain() == 1
    assert [text for _, _, text in sender.delivered] == ["now"]
    assert await statuses(db) == {"sent": 1, "pending": 2}


async def test_a_window_is_read_a_few_hundred_messages_at_a_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a whole window of 2,000 messages at the start of a broadcast to 100,000 people
    held every chat for 20 ms: the window fills READ_AT_ONCE messages a step, in sending order."""
    monkeypatch.setattr(delivery, "WINDOW", 8)
    monkeypatch.setattr(delivery, "READ_AT_ONCE", 3)
    for n in range(20):
        await queue(db, 300 + n, f"tin {n}", priority=outbox.PRIORITY_BULK)
    await queue(db, 999, "reply")
    sender = FakeSender()
    worker = OutboxWorker(db, sender, Clock(), limits=FAST)
    assert [await worker._refill() for _ in range(4)] == [3, 3, 2, 0]
    assert len(worker._known) == 8
    assert await worker.drain() == 21
    assert sender.delivered[0][2] == "reply"
    assert sorted(text for _, _, text in sender.delivered[1:]) == sorted(
        f"tin {n}" for n in range(20)
    )
