"""SQLite's write-ahead log is copied into the database beside the shared connection: no write
waits for that copy (a slow disk), the log does not grow without end under steady writes, and a
full checkpoint (/forgetme's) still empties it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage import kv
from bot.storage.db import Database
from bot.storage.log_copies import LogCopies

pytestmark = pytest.mark.sqlite_only(reason="SQLite's write-ahead log")

PAGE = 4096


async def _write(db: Database, key: str, size: int = 3000) -> None:
    async with db.unit() as conn:
        await kv.put(conn, key, key[-1] * size)


def _log_size(path: Path) -> int:
    log = path.with_name(path.name + "-wal")
    return log.stat().st_size if log.exists() else 0


def slow_disk(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Copies of the log wait for the disk until the first event is set; the second is set
    when a copy has begun."""
    disk, started = threading.Event(), threading.Event()
    passive = LogCopies._passive

    def slow(copies: LogCopies) -> tuple[int, int]:
        started.set()
        disk.wait(10)
        return passive(copies)

    monkeypatch.setattr(LogCopies, "_passive", slow)
    return disk, started


async def test_the_log_stays_small_under_steady_writes(tmp_path: Path) -> None:
    path = tmp_path / "steady.sqlite3"
    db = await Database.open(path)
    db.log_copies.every = 0.0
    db.log_copies.restart_frames = 100
    try:
        for n in range(1500):  # each write a page or more: 15 times the restart threshold
            await _write(db, f"key{n}")
            if n % 20 == 19:
                # A slow machine's copy could fall behind the writes for long; every 20 writes
                # wait for the copy under way (the writes during it still go on meanwhile).
                async with db.log_copies.held():
                    pass
        await asyncio.sleep(0.2)
        # Copied and started over again and again: never near the 1,500 pages written.
        assert _log_size(path) < 600 * PAGE
        async with db.read() as conn:
            assert await kv.get(conn, "key1499") == "9" * 3000
            assert await kv.get(conn, "key0") == "0" * 3000
    finally:
        await db.close()


async def test_writes_go_on_while_the_log_is_copied_on_a_slow_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "slow.sqlite3"
    db = await Database.open(path)
    db.log_copies.every = 0.0
    disk, started = slow_disk(monkeypatch)
    try:
        await _write(db, "first")  # starts a copy, which the disk holds
        await asyncio.to_thread(started.wait, 5)
        # Every update's write goes through while the copy waits for the disk.
        await asyncio.wait_for(asyncio.gather(*(_write(db, f"k{n}") for n in range(20))), 5)
        async with db.read() as conn:
            assert await kv.get(conn, "k19") == "9" * 3000
        disk.set()
    finally:
        disk.set()
        await db.close()
    reopened = await Database.open(path)
    try:
        async with reopened.read() as conn:
            assert await kv.get(conn, "first") == "t" * 3000
    finally:
        await reopened.close()


async def test_a_full_checkpoint_empties_the_log_even_during_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "forget.sqlite3"
    db = await Database.open(path)
    db.log_copies.every = 0.0
    disk, started = slow_disk(monkeypatch)
    try:
        for n in range(30):
            await _write(db, f"name{n}")
        await asyncio.to_thread(started.wait, 5)
        emptied = asyncio.create_task(db.checkpoint())
        await asyncio.sleep(0.05)
        assert not emptied.done()  # it waits for the copy under way
        disk.set()
        await asyncio.wait_for(emptied, 5)
        assert _log_size(path) == 0
    finally:
        disk.set()
        await db.close()


async def test_writes_go_on_while_a_full_checkpoint_waits_for_another_processs_reader(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.sqlite3"
    db = await Database.open(path)
    db.log_copies.every = 3600.0  # no copy of the log of its own meanwhile
    export = sqlite3.connect(path, isolation_level=None)  # a long export, in another process
    try:
        await _write(db, "before")
        export.execute("BEGIN")
        export.execute("SELECT COUNT(*) FROM kv").fetchone()  # its snapshot: up to here
        await _write(db, "forgotten")
        emptied = asyncio.create_task(db.checkpoint())  # /forgetme's
        await asyncio.sleep(0.3)
        # The log cannot be emptied while the export reads an older snapshot; every chat's
        # writes go through meanwhile.
        for n in range(5):
            await asyncio.wait_for(_write(db, f"meanwhile{n}"), 0.5)
        assert not emptied.done()
        export.execute("COMMIT")  # the export is done
        await asyncio.wait_for(emptied, 5)
        assert _log_size(path) == 0
        async with db.read() as conn:
            assert await kv.get(conn, "meanwhile4") == "4" * 3000
    finally:
        export.close()
        await db.close()
