"""Several bot processes on one PostgreSQL database (issue 17's done-when): three real bot
processes deliver queued messages to 1,000 chats against the fake Bot API; one is killed with
SIGKILL half-way. Nothing is lost, nothing is sent twice beyond what was in flight in the killed
process, and no chat gets two messages within its interval, whichever processes sent them."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from bot.core.sealing import encode_key
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.outbox import NewMessage
from tests.conftest import seed_areas
from tests.e2e.harness import TOKEN
from tests.fakebotapi import Call, FakeBotAPI
from tests.postgresql import Cluster, database_setting

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
CHATS = range(5001, 6001)  # 1,000 chats get the broadcast
BUSY = range(5001, 5101)  # 100 of them also get three messages of their own
INTERVAL = 0.1  # Telegram's limits scaled 10x: 300 a second overall, 0.1 s in one chat
LEASE = 8.0  # long enough that a survivor slowed by a loaded machine is not taken for dead


@pytest.fixture
def cluster(pg_cluster: Cluster | None) -> Cluster:
    if pg_cluster is None:
        pytest.skip("PostgreSQL only: runs in the PostgreSQL run (--backend=postgresql)")
    return pg_cluster


async def start_bot(
    api: FakeBotAPI, database: Path, *, polling: bool
) -> asyncio.subprocess.Process:
    """``python -m bot run`` pointed at the fake server and the run's PostgreSQL database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XOMANTOAN_")}
    env.update(
        XOMANTOAN_TELEGRAM_TOKEN=TOKEN,
        XOMANTOAN_TELEGRAM_API_URL=api.url,
        XOMANTOAN_DATABASE=database_setting(database),
        XOMANTOAN_SEAL_KEY=encode_key(bytes(range(32))),
        XOMANTOAN_POLL_TIMEOUT_SECONDS="1",
        XOMANTOAN_TELEGRAM_POLLING="true" if polling else "false",
        XOMANTOAN_PROCESS_LEASE_SECONDS=str(LEASE),
        XOMANTOAN_TELEGRAM_MESSAGES_PER_SECOND="300",
        XOMANTOAN_TELEGRAM_CHAT_INTERVAL_SECONDS=str(INTERVAL),
        PYTHONPATH=str(ROOT),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    db = await Database.open(database)
    try:
        async with db.read() as conn:
            return [tuple(r) for r in await conn.execute_fetchall(sql, params)]
    finally:
        await db.close()


async def wait_for_rows(database: Path, sql: str, want: int, timeout: float = 120) -> None:
    for _ in range(int(timeout * 5)):
        rows = await query(database, sql)
        if rows and rows[0][0] == want:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{sql}: {rows} after {timeout}s, {want} wanted")


def queued_texts() -> list[tuple[int, str]]:
    """In sending order: half the broadcast, then each busy chat's three messages one after
    another (every process reads them at once: only the chat's interval keeps them apart), then
    the rest of the broadcast."""
    broadcast = [(chat, "Thông báo: phòng cháy mùa khô") for chat in CHATS]
    own = [(chat, f"Tin riêng {n} cho {chat}") for chat in BUSY for n in range(3)]
    return broadcast[:500] + own + broadcast[500:]


def ours(call: Call) -> bool:
    return call.method == "sendMessage" and call.chat_id in CHATS


@pytest.mark.timeout(420)
async def test_three_processes_one_killed_half_way_lose_nothing_and_send_nothing_twice(
    cluster: Cluster, api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    bots = [await start_bot(api, database, polling=n == 0) for n in range(3)]
    try:
        # A fourth that would poll too is refused with one line (Telegram allows one poller).
        await wait_for_rows(database, "SELECT COUNT(*) FROM processes WHERE polling = 1", 1)
        fourth = await start_bot(api, database, polling=True)
        _, err = await asyncio.wait_for(fourth.communicate(), 60)
        lines = [line for line in err.decode().splitlines() if line.startswith("xomantoan:")]
        assert fourth.returncode == 2 and len(lines) == 1
        assert "another bot process is already polling" in lines[0]
        assert "XOMANTOAN_TELEGRAM_POLLING=false" in lines[0]

        await wait_for_rows(database, "SELECT COUNT(*) FROM processes", 3)
        await asyncio.sleep(LEASE / 3)  # each has heard of the others: a third of 300/s each
        texts = queued_texts()
        db = await Database.open(database)
        try:
            async with db.unit() as conn:
                await outbox.enqueue_many(
                    conn, [NewMessage("telegram", str(c), t) for c, t in texts], NOW
                )
        finally:
            await db.close()

        # Half-way, one process dies without a chance to record anything.
        await api.wait_until(lambda: sum(map(ours, api.calls)) >= len(texts) // 2, timeout=180)
        victim = bots[1]
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        rows = await query(database, "SELECT id FROM processes WHERE pid = ?", victim.pid)
        assert rows, "the killed process was taken for dead before its messages were counted"
        victim_id = rows[0][0]
        in_flight = await query(
            database,
            "SELECT chat_id, text FROM outbox WHERE status = 'sending' AND held_by = ?",
            victim_id,
        )
        sent_by_victim = await query(
            database, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND held_by = ?", victim_id
        )
        assert sent_by_victim[0][0] > 0  # it had been sending its part

        # The survivors take back its messages in flight and deliver everything.
        await wait_for_rows(
            database, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'", len(texts), timeout=240
        )
        await api.wait_idle(quiet=0.5)
        assert await query(database, "SELECT COUNT(*) FROM processes") == [(2,)]
        delivered = Counter((c.chat_id, c.text) for c in api.calls if ours(c) and c.status == 200)
        # 0 lost ...
        assert set(delivered) == set(texts)
        # ... and 0 sent twice, beyond the killed process's messages in flight at its death.
        twice = {key: n for key, n in delivered.items() if n > 1}
        in_flight_keys = {(int(str(chat)), str(text)) for chat, text in in_flight}
        assert set(twice) <= in_flight_keys and all(n == 2 for n in twice.values())
        assert sum(delivered.values()) <= len(texts) + len(in_flight)
        # Each chat's pacing held across processes: no two requests to one chat closer than
        # its interval at the fake server's clock.
        times: dict[int, list[float]] = defaultdict(list)
        for call in api.calls:
            if ours(call) and call.chat_id is not None:
                times[call.chat_id].append(call.at)
        gaps = [b - a for at in times.values() for a, b in pairwise(at)]
        assert len(gaps) >= 3 * len(BUSY)
        assert min(gaps) >= INTERVAL * 0.99
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
        for bot in bots:
            await asyncio.wait_for(bot.wait(), 60)
    assert [bot.returncode for bot in bots] == [0, -signal.SIGKILL, 0]
