"""A task cancelled while its COMMIT (or its BEGIN, waiting for another process) runs in
aiosqlite's thread keeps the database until that statement is done: the next task's unit of
work then begins cleanly, and nothing of either is lost or undone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.storage import kv
from bot.storage.db import Database

pytestmark = pytest.mark.sqlite_only(
    reason="the SQLite connection's own thread, COMMIT and busy waits"
)


async def _until(condition: object, rounds: int = 200) -> None:
    for _ in range(rounds):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def _write(db: Database, key: str) -> None:
    async with db.unit() as conn:
        await kv.put(conn, key, "saved")


async def _cancelled_during_its_commit(
    db: Database, gate: threading.Event
) -> tuple[asyncio.Task[None], asyncio.Task[None]]:
    """A unit writing "first" whose COMMIT waits behind aiosqlite's busy thread (a checkpoint on
    a slow disk, say) until ``gate`` is set, its task cancelled meanwhile: (the busy thread's
    task, the unit's task)."""
    busy = asyncio.create_task(db.conn.in_thread(gate.wait))  # type: ignore[attr-defined]
    changes = db.conn.total_changes
    first = asyncio.create_task(_write(db, "first"))
    await _until(lambda: db.conn.total_changes > changes)  # written, now committing
    first.cancel()
    return busy, first


async def test_a_task_cancelled_during_its_commit_lets_the_next_one_begin(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "cancel.sqlite3")
    gate = threading.Event()
    try:
        busy, first = await _cancelled_during_its_commit(db, gate)
        second = asyncio.create_task(_write(db, "second"))
        for _ in range(20):
            await asyncio.sleep(0)
        gate.set()
        await busy
        with pytest.raises(asyncio.CancelledError):
            await first
        await second  # began after the first COMMIT, not inside its transaction
        async with db.read() as conn:
            assert await kv.get(conn, "first") == "saved"  # committed, not rolled back
            assert await kv.get(conn, "second") == "saved"
        assert not db.conn.in_transaction
    finally:
        gate.set()
        await db.close()


async def test_the_next_unit_gets_the_database_as_soon_as_a_commit_is_done(
    tmp_path: Path,
) -> None:
    """The connection is let go of from aiosqlite's thread when the COMMIT is done, before the
    committing task runs again: that task, cancelled meanwhile, must then leave alone the
    transaction the next unit has begun (a timer stopped while chats write)."""
    db = await Database.open(tmp_path / "handover.sqlite3")
    gate = threading.Event()
    began_while_committing: list[bool] = []

    async def write_twice() -> None:
        async with db.unit() as conn:
            await kv.put(conn, "second", "saved")
            began_while_committing.append(not first.done())
            await asyncio.sleep(0.05)  # the cancelled task runs again meanwhile
            await kv.put(conn, "third", "saved")

    try:
        busy, first = await _cancelled_during_its_commit(db, gate)
        second = asyncio.create_task(write_twice())
        for _ in range(20):
            await asyncio.sleep(0)
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, 5)  # its transaction was not the cancelled task's to end
        await busy
        assert began_while_committing == [True]  # before the committing task ran again
        async with db.read() as conn:
            for key in ("first", "second", "third"):
                assert await kv.get(conn, key) == "saved", key
    finally:
        gate.set()
        await db.close()


async def test_a_task_cancelled_while_waiting_for_another_process_leaves_no_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.sqlite3"
    db = await Database.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the command line writing
        first = asyncio.create_task(_write(db, "first"))
        for _ in range(50):
            await asyncio.sleep(0)
        assert not first.done()  # its BEGIN waits in aiosqlite's thread
        first.cancel()
        for _ in range(20):
            await asyncio.sleep(0)
        other.execute("COMMIT")  # the waiting BEGIN now succeeds, in that thread
        await db.conn.in_thread(lambda: None)  # type: ignore[attr-defined]
        with pytest.raises(asyncio.CancelledError):
            await first
        assert not db.conn.in_transaction  # its transaction was not left open
        await _write(db, "second")
        async with db.read() as conn:
            assert await kv.get(conn, "first") is None  # cancelled before it wrote
            assert await kv.get(conn, "second") == "saved"
    finally:
        other.close()
        await db.close()
