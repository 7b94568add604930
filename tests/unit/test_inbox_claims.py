"""The claims by which one bot process at a time handles a chat's updates (webhook mode):
bot/storage/inbox.py on both engines, and on PostgreSQL two processes claiming at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import inbox
from bot.storage.db import Database

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def keep(db: Database, *updates: tuple[int, str]) -> None:
    """Keep updates (update id, chat key) as the webhook does."""
    async with db.unit() as conn:
        await inbox.put_many(
            conn,
            "telegram",
            [(u, {"update_id": u}) for u, _ in updates],
            T0,
            keys={u: key for u, key in updates},
        )


async def claim(db: Database, holder: str, now: datetime = T0, limit: int = 100) -> list[str]:
    async with db.unit() as conn:
        return await inbox.claim(conn, "telegram", holder, now, now + LEASE, limit)


async def waiting_in(db: Database, key: str, holder: str) -> list[int]:
    async with db.read() as conn:
        return [u for u, _ in await inbox.waiting_in(conn, "telegram", key, holder, 20)]


async def test_a_chat_is_held_by_one_process_and_read_in_update_order(db: Database) -> None:
    await keep(db, (12, "A"), (10, "A"), (11, "B"), (13, "A"))
    assert sorted(await claim(db, "p1")) == ["A", "B"]
    assert await claim(db, "p2") == []  # held: nothing for the other process
    assert await waiting_in(db, "A", "p1") == [10, 12, 13]
    assert await waiting_in(db, "A", "p2") == []  # not its chat
    await keep(db, (14, "A"), (15, "C"))  # more comes for a held chat, and a new chat
    assert await claim(db, "p2") == ["C"]
    assert await waiting_in(db, "A", "p1") == [10, 12, 13, 14]


async def test_an_update_leaves_the_inbox_only_while_its_chat_is_held(db: Database) -> None:
    await keep(db, (20, "A"))
    assert await claim(db, "p1") == ["A"]
    async with db.unit() as conn:
        assert not await inbox.remove(conn, "telegram", 20, holder="p2")  # not p2's chat
        assert await inbox.remove(conn, "telegram", 20, holder="p1")
        assert not await inbox.remove(conn, "telegram", 20, holder="p1")  # once
    assert await waiting_in(db, "A", "p1") == []


async def test_a_dead_holders_chat_is_taken_over_after_its_lease_only(db: Database) -> None:
    await keep(db, (30, "A"), (31, "A"))
    assert await claim(db, "p1") == ["A"]
    assert await claim(db, "p2", T0 + LEASE - timedelta(seconds=1)) == []
    taken_at = T0 + LEASE
    assert await claim(db, "p2", taken_at) == ["A"]  # p1 stopped renewing: p2 takes it
    assert await waiting_in(db, "A", "p2") == [30, 31]
    async with db.unit() as conn:  # p1, come back, can no longer handle or let go of it
        assert not await inbox.remove(conn, "telegram", 30, holder="p1")
        assert not await inbox.release(conn, "telegram", "A", "p1")
        assert not await inbox.holds(conn, "telegram", "A", "p1")
        assert await inbox.holds(conn, "telegram", "A", "p2")


async def test_renewing_keeps_a_chat_past_its_first_lease(db: Database) -> None:
    await keep(db, (40, "A"))
    assert await claim(db, "p1") == ["A"]
    later = T0 + LEASE - timedelta(seconds=5)
    async with db.unit() as conn:
        assert await inbox.renew(conn, "telegram", "p1", later + LEASE) == 1
    assert await claim(db, "p2", T0 + LEASE + timedelta(seconds=1)) == []
    assert await claim(db, "p2", later + LEASE) == ["A"]


async def test_a_chat_is_let_go_only_when_nothing_of_it_waits(db: Database) -> None:
    await keep(db, (50, "A"))
    assert await claim(db, "p1") == ["A"]
    async with db.unit() as conn:
        assert not await inbox.release(conn, "telegram", "A", "p1")  # 50 still waits
        assert await inbox.remove(conn, "telegram", 50, holder="p1")
        assert await inbox.release(conn, "telegram", "A", "p1")
    await keep(db, (51, "A"))  # the chat's next update: any process may claim it
    assert await claim(db, "p2") == ["A"]


async def test_a_stopping_process_lets_all_its_chats_go_at_once(db: Database) -> None:
    await keep(db, (60, "A"), (61, "B"))
    assert sorted(await claim(db, "p1")) == ["A", "B"]
    async with db.unit() as conn:
        await inbox.release_all(conn, "telegram", "p1")
    assert sorted(await claim(db, "p2")) == ["A", "B"]  # before any lease passed


async def test_claims_of_chats_with_nothing_waiting_are_forgotten(db: Database) -> None:
    await keep(db, (70, "A"), (71, "B"))
    assert sorted(await claim(db, "p1")) == ["A", "B"]
    async with db.unit() as conn:
        assert await inbox.remove(conn, "telegram", 70, holder="p1")
        # p1 dies holding both; after the lease, A (nothing waiting) is forgotten, B kept.
        assert await inbox.forget_idle(conn, "telegram", T0 + LEASE) == 1
        async with conn.execute("SELECT chat_key FROM inbox_claims") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["B"]
    assert await claim(db, "p2", T0 + LEASE) == ["B"]


async def test_a_claim_takes_at_most_its_limit_of_chats(db: Database) -> None:
    await keep(db, *[(80 + n, f"c{n}") for n in range(5)])
    first = await claim(db, "p1", limit=3)
    second = await claim(db, "p2", limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not set(first) & set(second)


@pytest.mark.postgresql_only(reason="two processes' transactions at once on one server")
async def test_processes_claiming_at_once_skip_each_others_chats_without_waiting(
    tmp_path: Path,
) -> None:
    """p1's claim is still open (not committed) when p2 claims: p2 does not wait for it and
    takes only the chats p1's transaction did not lock (FOR UPDATE SKIP LOCKED)."""
    path = tmp_path / "shared.sqlite3"  # the same PostgreSQL database for both
    first, second = await Database.open(path), await Database.open(path)
    try:
        await keep(first, *[(90 + n, f"c{n}") for n in range(4)])
        await claim(first, "seed", limit=0)  # every chat has its claim row
        async with first.unit() as conn:
            mine = await inbox.claim(conn, "telegram", "p1", T0, T0 + LEASE, 2)
            theirs = await asyncio.wait_for(claim(second, "p2", limit=10), 10)
        assert len(mine) == 2 and len(theirs) == 2
        assert not set(mine) & set(theirs)
        assert await claim(second, "p2") == []  # p1's are committed now
    finally:
        await first.close()
        await second.close()
