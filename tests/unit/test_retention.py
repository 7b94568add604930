"""Housekeeping purges old outbox rows and idle strangers' chats, and the figures stay the same."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import SettingsError, load_settings
from bot.features.figures.figures import as_json, collect
from bot.shared.periods import Period
from bot.storage import (
    chats,
    conversations,
    deliveries,
    members,
    menus,
    outbox,
    retention,
    roles,
    seen_messages,
)
from bot.storage.conversations import Conversation
from bot.storage.db import Database
from scheduler.service import Scheduler, housekeeping, install_housekeeping, purge_old
from tests.stats_seed import DONG_GROUP, DONG_RESIDENT, TAY_RESIDENT, TZ, seed_year

YEAR = Period(datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date())
LATER = datetime(2028, 1, 1, tzinfo=UTC)
KEEP = timedelta(days=180)


async def _everything(db: Database, area_ids: list[int | None]) -> list[str]:
    """Every figure of every scope, and the workbook's per-run delivery rows."""
    out = []
    async with db.read() as conn:
        for area_id in area_ids:
            out.append(as_json(await collect(conn, area_id, YEAR, TZ, LATER)))
            begin, end = YEAR.utc_bounds(TZ)
            scope = None if area_id is None else [area_id]
            out.append(repr(await deliveries.deliveries(conn, scope, begin, end)))
    return out


async def _count(db: Database, sql: str) -> int:
    async with db.read() as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_purge_keeps_the_figures_exactly(db: Database) -> None:
    seeded = await seed_year(db)
    async with db.unit() as conn:
        # The fire run has nothing left to send: the progress timer marks such a run done.
        await conn.execute("UPDATE broadcast_runs SET status = 'done' WHERE topic = 'fire'")
    scopes: list[int | None] = [None, seeded.dong, seeded.tay]
    before = await _everything(db, scopes)
    assert "sent=3, failed=1" in before[1]  # the fire run, counted from its outbox rows
    rows_before = await _count(db, "SELECT COUNT(*) FROM outbox")

    rows, runs, _ = await purge_old(db, LATER, KEEP)

    assert runs == 1 and rows == 4  # the fire run's four messages
    assert await _count(db, "SELECT COUNT(*) FROM outbox") == rows_before - 4
    # The fraud run still has a message to send: nothing of it is purged.
    assert await _count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 1
    assert await _everything(db, scopes) == before
    assert await purge_old(db, LATER, KEEP) == (0, 0, 0)  # nothing twice
    assert await _everything(db, scopes) == before


async def test_purge_drops_old_final_messages_only(db: Database) -> None:
    old, recent = LATER - timedelta(days=400), LATER - timedelta(days=10)
    async with db.unit() as conn:
        sent_old = await outbox.enqueue(conn, "telegram", "7001", "a", [], old)
        await outbox.mark_sent(conn, sent_old, old)
        failed_old = await outbox.enqueue(conn, "telegram", "7001", "b", [], old)
        await outbox.mark_final(conn, failed_old, "failed", "x")
        pending_old = await outbox.enqueue(conn, "telegram", "7001", "c", [], old)
        sent_recent = await outbox.enqueue(conn, "telegram", "7001", "d", [], recent)
        await outbox.mark_sent(conn, sent_recent, recent)
        # An old message that a message still waiting will edit in place stays.
        edited = await outbox.enqueue(conn, "telegram", "7002", "e", [], old)
        await outbox.mark_sent(conn, edited, old)
        await outbox.enqueue(conn, "telegram", "7002", "f", [], recent, edit_of=edited)

    rows, runs, _ = await purge_old(db, LATER, KEEP)

    assert (rows, runs) == (2, 0)
    async with db.read() as conn:
        left = {m: await outbox.status_of(conn, m) for m in (sent_old, failed_old, pending_old)}
        assert left == {sent_old: None, failed_old: None, pending_old: "pending"}
        assert await outbox.status_of(conn, sent_recent) == "sent"
        assert await outbox.status_of(conn, edited) == "sent"


async def test_purge_drops_idle_strangers_chats_only(db: Database) -> None:
    seeded = await seed_year(db)
    old, recent = LATER - timedelta(days=400), LATER - timedelta(days=10)
    async with db.unit() as conn:
        for chat_id, when in ((9001, old), (9002, recent), (DONG_RESIDENT, old), (9003, old)):
            await chats.upsert(conn, "telegram", chat_id, "private", None, when)
        await chats.upsert(conn, "telegram", TAY_RESIDENT, "private", None, old)
        await chats.set_active(conn, "telegram", TAY_RESIDENT, False, old)  # blocked the bot
        # 9003 never registered but was made a team leader from the command line.
        leader = await members.ensure(conn, "telegram", "9003", old)
        await roles.grant(conn, leader.id, "leader", seeded.dong, None, old)
        await members.ensure(conn, "telegram", "9001", old)  # began /start, never agreed

    _, _, strangers = await purge_old(db, LATER, KEEP)

    assert strangers == 1
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", "9001") is None
        for kept in (9002, 9003, DONG_RESIDENT, TAY_RESIDENT, DONG_GROUP):
            assert await chats.find(conn, "telegram", kept) is not None
        # A registered resident who blocked the bot is still known as unreachable.
        blocked = await chats.find(conn, "telegram", TAY_RESIDENT)
        assert blocked is not None and not blocked.active


def test_retention_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().retention_days == 180
    monkeypatch.setenv("XOMANTOAN_RETENTION_DAYS", "365")
    assert load_settings().retention_days == 365
    monkeypatch.setenv("XOMANTOAN_RETENTION_DAYS", "3")
    with pytest.raises(SettingsError, match=r"^Setting XOMANTOAN_RETENTION_DAYS:"):
        load_settings()


async def test_the_hourly_housekeeping_job_purges_with_the_setting(db: Database) -> None:
    old = LATER - timedelta(days=400)
    async with db.unit() as conn:
        await chats.upsert(conn, "telegram", "9101", "private", None, old)
    scheduler = Scheduler(TZ)
    install_housekeeping(
        scheduler, db, lambda: LATER, timedelta(days=load_settings().retention_days)
    )
    job = scheduler.scheduler.get_job("housekeeping")
    assert job is not None
    await job.func()
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", "9101") is None


async def test_a_large_purge_goes_in_batches_and_lets_the_chats_in_between(
    db: Database,
) -> None:
    """Statements run on the event loop's thread: 12,000 old messages purged in one DELETE
    held every chat until it was done. In batches of 5,000, a chat's update waiting for the
    database goes between two of them."""
    old = LATER - timedelta(days=400)
    async with db.unit() as conn:
        first = await outbox.enqueue(conn, "telegram", "7001", "a", [], old)
        await outbox.mark_sent(conn, first, old)
        await conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11999)"
            " INSERT INTO outbox (platform, chat_id, text, status, created_at, not_before,"
            " sent_at) SELECT platform, chat_id, text, status, created_at, not_before, sent_at"
            " FROM outbox, n WHERE outbox.id = ?",
            (first,),
        )
    total = await _count(db, "SELECT COUNT(*) FROM outbox")
    assert total == 12000

    seen: list[int] = []

    async def chat(purging: asyncio.Task[tuple[int, int, int]]) -> None:
        while not purging.done():  # one update after another, as a busy chat sends them
            async with db.unit() as conn, conn.execute("SELECT COUNT(*) FROM outbox") as cur:
                row = await cur.fetchone()
                seen.append(int(row[0]) if row else -1)
            await asyncio.sleep(0)

    purging = asyncio.create_task(purge_old(db, LATER, KEEP))
    chatting = asyncio.create_task(chat(purging))
    assert await purging == (12000, 0, 0)
    await chatting
    assert {7000, 2000} <= set(seen)  # a chat's update between the batches of 5,000
    assert await _count(db, "SELECT COUNT(*) FROM outbox") == 0


async def test_housekeeping_drops_expired_menus_and_conversations_only(db: Database) -> None:
    now = LATER
    async with db.unit() as conn:
        for n, expires in enumerate((now - timedelta(hours=1), now + timedelta(hours=1))):
            await menus.create(conn, "telegram", "7001", "7001", ["x"], None, now, expires)
            talk = Conversation("flow", "step", f"t{n}")
            await conversations.save(conn, "telegram", "7001", str(n), talk, now, expires)
    assert await housekeeping(db, lambda: now) == (1, 1, 0)
    assert await _count(db, "SELECT COUNT(*) FROM menus") == 1
    assert await _count(db, "SELECT COUNT(*) FROM conversations WHERE user_id = '1'") == 1
    assert await _count(db, "SELECT COUNT(*) FROM conversations") == 1


async def test_housekeeping_forgets_message_ids_seen_days_ago(db: Database) -> None:
    """A message id is remembered long enough to drop a platform's repeats, then purged."""
    now = LATER
    async with db.unit() as conn:
        assert await seen_messages.first_time(conn, "zalo", "old", now - timedelta(days=4))
        assert await seen_messages.first_time(conn, "zalo", "recent", now - timedelta(hours=2))
        assert not await seen_messages.first_time(conn, "zalo", "recent", now)
    assert await housekeeping(db, lambda: now) == (0, 0, 1)
    async with db.unit() as conn:
        assert await seen_messages.first_time(conn, "zalo", "old", now)  # new again
        assert not await seen_messages.first_time(conn, "zalo", "recent", now)


async def _registered_and_one_stranger(db: Database) -> int:
    """retention.SCAN + 500 registered people's chats, then one idle stranger's at the end."""
    old = LATER - timedelta(days=400)
    registered = retention.SCAN + 500
    async with db.unit() as conn:
        await conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO members (platform, user_id, display_name, consent_at, created_at,"
            " updated_at) SELECT 'telegram', 'r' || i, 'Người', ?, ?, ? FROM n",
            (registered, *[old.isoformat()] * 3),
        )
        await conn.execute(
            "INSERT INTO chats (platform, chat_id, kind, created_at, updated_at)"
            " SELECT platform, user_id, 'private', created_at, created_at FROM members"
        )
        await chats.upsert(conn, "telegram", "9001", "private", None, old)  # the stranger
    return registered


async def test_a_purge_batch_looks_at_a_bounded_window_of_the_table(db: Database) -> None:
    """Looking for idle strangers among 100,000 members' chats read them all in one statement
    (15 ms holding every chat): a batch now looks at most at retention.SCAN rows, and the next
    batches go on from there until the stranger at the end is found."""
    registered = await _registered_and_one_stranger(db)
    async with db.unit() as conn:
        first = await retention.purge_strangers(conn, LATER - KEEP)
    assert first[0] == 0 and first[1] is not None  # stopped after a window, none found yet
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", "9001") is not None

    assert (await purge_old(db, LATER, KEEP))[2] == 1
    async with db.read() as conn:
        assert await chats.find(conn, "telegram", "9001") is None
        assert await chats.find(conn, "telegram", "r1") is not None
    assert await _count(db, "SELECT COUNT(*) FROM chats") == registered


@pytest.mark.sqlite_only(reason="reads SQLite's statement trace and query plans")
async def test_a_purge_window_is_walked_by_rowid_not_through_an_index(db: Database) -> None:
    """SQLite's planner drew the window's walk to an index on the chats' kind (every private
    chat through it, 17 ms a window at 100,000 members): the window is read by rowid."""
    await _registered_and_one_stranger(db)
    async with db.unit() as conn:
        statements: list[str] = []
        await conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        await retention.purge_strangers(conn, LATER - KEEP)
        await conn.set_trace_callback(None)  # type: ignore[attr-defined]
        for sql in statements:
            async with conn.execute("EXPLAIN QUERY PLAN " + sql) as cur:
                steps = [str(r[3]) for r in await cur.fetchall()]
            assert not any(s.startswith("SEARCH chats USING INDEX") for s in steps), steps
