"""Storage: pragmas, migrations, refusal of newer databases, backups, 64-bit chat ids."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import areas, chats, conversations, kv, outbox
from bot.storage.conversations import Conversation
from bot.storage.db import Database, SchemaTooNewError, latest_schema_version

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.sqlite_only(reason="SQLite's pragmas and sqlite_master")
async def test_pragmas_and_schema(db: Database) -> None:
    async with db.read() as conn:
        assert (await (await conn.execute("PRAGMA journal_mode")).fetchone())[0] == "wal"
        assert (await (await conn.execute("PRAGMA foreign_keys")).fetchone())[0] == 1
        # Statements run on the event loop and never wait there for another process's lock:
        # a locked database is waited for in aiosqlite's thread (the next test).
        assert (await (await conn.execute("PRAGMA busy_timeout")).fetchone())[0] == 0
    assert await db.schema_version() == latest_schema_version()


@pytest.mark.sqlite_only(reason="SQLite's file lock held by another sqlite3 connection")
async def test_a_lock_held_by_another_process_is_waited_for_without_stopping_the_bot(
    tmp_path: Path,
) -> None:
    """The command line writing (another connection holding the write lock) makes the bot's
    next write wait for it, not fail, while everything else in the bot keeps running."""
    path = tmp_path / "locked.sqlite3"
    db = await Database.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO kv (key, value) VALUES ('cli', 'first')")

        async def write() -> None:
            async with db.unit() as conn:
                await kv.put(conn, "bot", "second")

        task = asyncio.create_task(write())
        for _ in range(50):  # the event loop goes on meanwhile
            await asyncio.sleep(0)
        assert not task.done()
        other.execute("COMMIT")
        await task
        async with db.read() as conn:
            assert await kv.get(conn, "cli") == "first"
            assert await kv.get(conn, "bot") == "second"
            assert (await (await conn.execute("PRAGMA busy_timeout")).fetchone())[0] == 0
    finally:
        other.close()
        await db.close()


@pytest.mark.sqlite_only(reason="sets SQLite's user_version with sqlite3")
async def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {latest_schema_version() + 1}")
    raw.close()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        await Database.open(path)


async def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    first = await Database.open(path)
    await first.close()
    second = await Database.open(path)
    assert await second.migrate() == []
    await second.close()


async def test_failed_unit_of_work_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.unit() as conn:
            await areas.add(conn, "X1", "Xóm 1", 10, NOW)
            raise RuntimeError("boom")
    async with db.read() as conn:
        assert await areas.list_areas(conn) == []


async def test_large_chat_ids_and_migration(db: Database) -> None:
    big = "-1009876543210987"
    async with db.unit() as conn:
        await chats.upsert(conn, "telegram", "-42", "group", "Nhóm", NOW)
        await outbox.enqueue(conn, "telegram", "-42", "xin chào", [], NOW)
        assert await chats.migrate(conn, "telegram", "-42", big, NOW)
        assert await chats.migrate(conn, "telegram", "-42", big, NOW) is False  # second notice
        moved = await chats.find(conn, "telegram", big)
        claimed = await outbox.claim_due(conn, "telegram", NOW, 10)
    assert moved is not None and moved.chat_id == big
    assert [m.chat_id for m in claimed] == [big]


async def test_conversation_survives_reopen_and_expires(tmp_path: Path) -> None:
    path = tmp_path / "conv.sqlite3"
    db = await Database.open(path)
    async with db.unit() as conn:
        await conversations.save(
            conn,
            "telegram",
            "5",
            "5",
            Conversation("f", "s", "t", {"a": 1}),
            NOW,
            NOW.replace(day=22),
        )
    await db.close()
    db = await Database.open(path)
    async with db.read() as conn:
        found = await conversations.load(conn, "telegram", "5", "5", NOW)
        expired = await conversations.load(conn, "telegram", "5", "5", NOW.replace(day=23))
    await db.close()
    assert found is not None and found.data == {"a": 1} and found.step == "s"
    assert expired is None


@pytest.mark.sqlite_only(reason="SQLite's online backup (PostgreSQL: tests/unit/test_pg_backup.py)")
async def test_online_backup(db: Database, tmp_path: Path) -> None:
    async with db.unit() as conn:
        await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
    target = tmp_path / "backup.sqlite3"
    await db.backup(target)
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT name FROM areas").fetchall() == [("Thôn Đông",)]
    copy.close()


@pytest.mark.sqlite_only(reason="SQLite's migration 0009 on an older SQLite file")
async def test_an_observations_single_note_becomes_its_first_note(tmp_path: Path) -> None:
    """Migration 0009 keeps what a database written before it holds."""
    from bot.storage import patrol_observations
    from bot.storage.db import migrations

    path = tmp_path / "before_notes.sqlite3"
    raw = sqlite3.connect(path)
    for number, _name, sql in migrations():
        if number < 9:
            raw.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    raw.executescript(
        "INSERT INTO areas (id, code, name, households, created_at)"
        " VALUES (1, 'DONG', 'Thôn Đông', 10, '2026-01-01T00:00:00+00:00');"
        "INSERT INTO patrols (id, area_id, status, source, started_at, ended_at, created_at,"
        " updated_at) VALUES (1, 1, 'closed', 'live', '2026-11-20T12:00:00+00:00',"
        " '2026-11-20T14:00:00+00:00', '2026-11-20T12:00:00+00:00', '2026-11-20T14:00:00+00:00');"
        "INSERT INTO patrol_observations (id, patrol_id, kind, note, created_at) VALUES"
        " (1, 1, 'late_business', 'Tiệm net Minh Anh', '2026-11-20T12:30:00+00:00'),"
        " (2, 1, 'littering', NULL, '2026-11-20T12:40:00+00:00');"
    )
    raw.close()
    db = await Database.open(path)
    try:
        async with db.read() as conn:
            first, second = await patrol_observations.observations(conn, 1)
    finally:
        await db.close()
    assert [n.text for n in first.notes] == ["Tiệm net Minh Anh"] and first.report_id is None
    assert second.notes == () and second.note is None
