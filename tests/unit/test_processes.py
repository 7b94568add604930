"""Several bot processes on one database: outbox claims, a dead process's messages taken back,
timers run once, chats' turns and the overall rate shared (bot.storage.processes,
bot.storage.chat_turns, scheduler.presence). Two Database handles on one database stand for two
processes (on SQLite the bot runs one, but the claims hold the same)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.storage import chat_turns, outbox, processes
from bot.storage.chat_turns import Answer, TurnRules
from bot.storage.db import Database
from bot.transports.delivery import OutboxWorker
from bot.transports.pacing import Limits, Pacer
from scheduler.presence import Presence, TimerClaims
from scheduler.service import Scheduler
from tests.postgresql import Cluster
from tests.unit.test_delivery import FakeSender, queue

NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
RULES = TurnRules(interval=0.001)
FAST = Limits(per_second=1000, private_interval=0.001, group_interval=0.0001)


async def _two(tmp_path: Path) -> tuple[Database, Database]:
    return await Database.open(tmp_path / "x.sqlite3"), await Database.open(tmp_path / "x.sqlite3")


async def _claim(db: Database, ids: list[int], process_id: str) -> outbox.Claimed:
    async with db.unit() as conn:
        return await outbox.start_sending(conn, "telegram", ids, process_id, set(), RULES)


async def test_two_workers_on_one_database_send_each_message_once_in_each_chats_order(
    tmp_path: Path,
) -> None:
    one, two = await _two(tmp_path)
    try:
        for n in range(4):
            for chat in range(1, 31):
                await queue(one, chat, f"{chat}-{n}")
        senders = [FakeSender(), FakeSender()]
        workers = [
            OutboxWorker(db, sender, lambda: NOW, limits=FAST, process_id=name)
            for db, sender, name in ((one, senders[0], "a"), (two, senders[1], "b"))
        ]
        await asyncio.gather(*(w.drain() for w in workers))
        delivered = senders[0].delivered + senders[1].delivered
        assert sorted(text for _, _, text in delivered) == sorted(
            f"{chat}-{n}" for chat in range(1, 31) for n in range(4)
        )
        assert senders[0].delivered and senders[1].delivered  # both sent some
        async with one.read() as conn:
            assert await outbox.counts(conn) == {"sent": 120}
    finally:
        await one.close()
        await two.close()


async def test_a_message_to_a_chat_another_process_is_sending_to_waits_its_turn(
    tmp_path: Path,
) -> None:
    one, two = await _two(tmp_path)
    try:
        first, second = await queue(one, 7, "a"), await queue(one, 7, "b")
        got = await _claim(one, [first], "a")
        assert got.sending == {first}
        # Process b holds the chat's next message: the chat has a request in flight (a's).
        later = await _claim(two, [second], "b")
        assert later.sending == set() and second in later.waits
        async with one.unit() as conn:
            await outbox.mark_sent_many(conn, [(first, 1)], NOW)
            await chat_turns.release(conn, "telegram", [Answer("7", sent=True)], "a", RULES)
        await asyncio.sleep(0.01)  # the chat's interval (1 ms) passes
        assert (await _claim(two, [second], "b")).sending == {second}
        async with two.read() as conn:
            rows = await conn.execute_fetchall("SELECT id, held_by FROM outbox ORDER BY id")
        assert [tuple(r) for r in rows] == [(first, "a"), (second, "b")]  # who sent it
    finally:
        await one.close()
        await two.close()


async def test_a_group_gets_its_burst_then_waits_for_the_window(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    rules = TurnRules(interval=0.0, group_burst=3, group_window=60.0)
    try:
        for _ in range(3):
            async with db.unit() as conn:
                waits = await chat_turns.take(conn, "telegram", ["-5"], "a", {"-5"}, rules)
                assert waits == {}
                await chat_turns.release(
                    conn, "telegram", [Answer("-5", sent=True, group=True)], "a", rules
                )
        async with db.unit() as conn:
            waits = await chat_turns.take(conn, "telegram", ["-5"], "b", {"-5"}, rules)
        assert 55 < waits["-5"] <= 60  # the fourth in a minute waits for the first to age out
    finally:
        await db.close()


async def test_a_dead_process_s_messages_in_flight_are_taken_back_a_live_one_s_are_not(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "x.sqlite3")
    try:
        dead_row, live_row = await queue(db, 1, "dead's"), await queue(db, 2, "live's")
        async with db.unit() as conn:
            await processes.register(conn, "host:1:dead", polling=False)
            await processes.register(conn, "host:2:live", polling=False)
        assert (await _claim(db, [dead_row], "host:1:dead")).sending == {dead_row}
        assert (await _claim(db, [live_row], "host:2:live")).sending == {live_row}
        async with db.unit() as conn:
            assert await processes.claim_timer(conn, "purge", "host:1:dead", 3600, 30)
            # The dead one's heartbeat stopped 40 s ago (lease 30 s); the live one's goes on.
            await conn.execute("UPDATE processes SET seen_at = seen_at - 40 WHERE id LIKE '%dead'")
            taken = await processes.take_back(conn, 30)
        assert [p.id for p in taken.dead] == ["host:1:dead"]
        assert (taken.messages, taken.chats, taken.timers) == (1, 1, 1)
        async with db.read() as conn:
            assert await outbox.status_of(conn, dead_row) == "pending"  # sent again
            assert await outbox.status_of(conn, live_row) == "sending"  # its process lives
            assert [p.id for p in await processes.live(conn, 30)] == ["host:2:live"]
        # The freed chat and the timer are anyone's again.
        assert (await _claim(db, [dead_row], "host:2:live")).sending == {dead_row}
        async with db.unit() as conn:
            await conn.execute("UPDATE timer_runs SET due_at = 0")
            assert await processes.claim_timer(conn, "purge", "host:2:live", 3600, 30)
    finally:
        await db.close()


async def test_a_timer_runs_once_across_processes(tmp_path: Path) -> None:
    one, two = await _two(tmp_path)
    presences = [Presence(one, lease=30), Presence(two, lease=30)]
    runs: list[str] = []
    try:
        for presence in presences:
            await presence.start()
        schedulers = []
        for presence, db in zip(presences, (one, two), strict=True):
            scheduler = Scheduler(ZoneInfo("UTC"), TimerClaims(db, presence))

            async def job(name: str = presence.id) -> None:
                runs.append(name)
                await asyncio.sleep(0.05)  # both schedulers fire while it runs

            scheduler.every("reports-escalation", 60, job)
            schedulers.append(scheduler.scheduler.get_job("reports-escalation"))
        await asyncio.gather(*(job.func() for job in schedulers))
        assert len(runs) == 1
        await asyncio.gather(*(job.func() for job in schedulers))  # the next firing, too soon
        assert len(runs) == 1
        async with one.unit() as conn:  # the period has passed
            await conn.execute("UPDATE timer_runs SET due_at = 0")
        await asyncio.gather(*(job.func() for job in schedulers))
        assert len(runs) == 2
        # Each process's part of the overall limit: a half each while both live.
        pacer = Pacer(Limits(per_second=30))
        presences[0].add_pacers([pacer])
        for presence in presences:
            await presence.beat()
        assert [p.live for p in presences] == [2, 2]
        assert pacer.interval() == pytest.approx(2 / (30 * pacer.limits.safety))
        await presences[1].stop()  # a normal stop leaves the registry: the other gets it all
        await presences[0].beat()
        assert pacer.interval() == pytest.approx(1 / (30 * pacer.limits.safety))
    finally:
        for presence in presences:
            await presence.stop()
        await one.close()
        await two.close()


@pytest.fixture
def cluster(pg_cluster: Cluster | None) -> Cluster:
    if pg_cluster is None:
        pytest.skip("PostgreSQL only: runs in the PostgreSQL run (--backend=postgresql)")
    return pg_cluster


async def test_a_claim_passes_over_rows_another_process_is_claiming(cluster: Cluster) -> None:
    """Two connections: while one claim's transaction holds its rows, another claim of the same
    rows returns at once with none of them (FOR UPDATE SKIP LOCKED), not after waiting."""
    url = cluster.url(cluster.new_database())
    one, two = await Database.open(url), await Database.open(url)
    try:
        ids = [await queue(one, chat, "tin") for chat in (1, 2, 3)]
        async with one.unit() as conn:
            claimed = await outbox.start_sending(conn, "telegram", ids[:2], "a", set(), RULES)
            assert claimed.sending == set(ids[:2])
            other = await asyncio.wait_for(_claim(two, ids, "b"), 5)  # a's not committed yet
            assert other.sending == {ids[2]}
        assert (await _claim(two, ids, "b")).sending == set()  # a's are 'sending' now
    finally:
        await one.close()
        await two.close()
