"""The shared SQLite connection: statements on the event loop's own thread, what may take long
in aiosqlite's thread.

The bot's queries are indexed lookups of a few microseconds, and handing each one to
aiosqlite's thread cost far more (a wake-up of that thread, a fight over the GIL, a wake-up of
the loop) than the query. What may take long runs in that thread still: a commit (it writes the
log), waiting for another process's write lock, a full checkpoint, a backup.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from aiosqlite import context as aiosqlite_context

from bot.storage.connection import SQLITE, DatabaseError, Dialect, IntegrityError

BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another process's lock
T = TypeVar("T")


class PrefetchedCursor(aiosqlite.Cursor):
    """A cursor whose rows were fetched together with its statement, in the same trip to the
    database thread: ``fetchone``, ``fetchall`` and ``close`` then cost no further trip (each
    trip is a thread hop of tens of microseconds, against a few for a typical query here)."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor, rows: list[Any]):
        super().__init__(conn, cursor)
        self._rows = rows
        self._next = 0

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        end = len(self._rows) if size is None else self._next + size
        found = self._rows[self._next : end]
        self._next += len(found)
        return found

    async def fetchall(self) -> list[Any]:
        return await self.fetchmany(None)

    async def close(self) -> None:
        self._rows = []


class PrefetchingConnection(aiosqlite.Connection):
    """aiosqlite's connection, with ``execute`` running the statement and fetching its rows at
    once, and every call made on the event loop's thread instead of a trip to aiosqlite's
    thread. The busy timeout is off for those calls: a statement that finds the database locked
    by another process (the command line writing) fails at once with SQLITE_BUSY having done
    nothing, and is then run again in aiosqlite's thread with the full timeout, so the event
    loop never waits for another process."""

    dialect: Dialect = SQLITE

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise neutral_error(exc) from exc
        except sqlite3.Error as exc:
            raise neutral_error(exc) from exc
        return await self.in_thread(partial(fn, *args, **kwargs), busy_timeout=BUSY_TIMEOUT_MS)

    async def in_thread(
        self,
        fn: Callable[[], T],
        *,
        busy_timeout: int = 0,
        then: Callable[[], None] | None = None,
    ) -> T:
        """Run ``fn`` in aiosqlite's thread (what may take long), waiting up to
        ``busy_timeout`` milliseconds for another process's lock. ``then``: called on the event
        loop's thread once ``fn`` succeeded and that thread is done with the connection, before
        the waiting task gets its turn again."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        conn = self._connection
        loop = asyncio.get_running_loop()

        def run() -> T:
            if busy_timeout:
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
            try:
                result = fn()
            except sqlite3.Error as exc:
                raise neutral_error(exc) from exc
            finally:
                if busy_timeout:
                    conn.execute("PRAGMA busy_timeout = 0")
            if then is not None:
                loop.call_soon_threadsafe(then)
            return result

        future: asyncio.Future[T] = loop.create_future()
        self._tx.put_nowait((future, run))
        return await to_the_end(future)

    async def close(self) -> None:
        """Closed in aiosqlite's thread, after what that thread is running: a commit of a task
        cancelled at a stop (a timer's) may still be under way there, and closing the connection
        from the event loop's thread meanwhile crashes the process (a segmentation fault)."""
        if self._connection is None:
            return
        try:
            await self.in_thread(self._conn.close)
        finally:
            self._connection = None
            stopped = self.stop()
            if stopped:
                await stopped

    @aiosqlite_context.contextmanager
    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> aiosqlite.Cursor:
        def run() -> tuple[sqlite3.Cursor, list[Any]]:
            args: Any = [] if parameters is None else parameters  # a sequence or a mapping
            cursor = self._conn.execute(sql, args)
            return cursor, cursor.fetchall()

        cursor, rows = await self._execute(run)
        return PrefetchedCursor(self, cursor, rows)


def neutral_error(exc: sqlite3.Error) -> DatabaseError:
    """SQLite's error as the neutral one the code catches (bot/storage/connection.py)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(str(exc))
    return DatabaseError(str(exc))


def truncate_log(raw: sqlite3.Connection) -> list[Any]:
    """A full checkpoint that empties the log: (busy, pages in the log, pages copied)."""
    return raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


async def to_the_end(future: asyncio.Future[T]) -> T:
    """The result of what runs in aiosqlite's thread, waited for even when the waiting task is
    cancelled (a shutdown, a timeout): that thread goes on with it regardless, and the task must
    not let go of the database (its lock) while a COMMIT, a BEGIN or a backup is still under
    way. The cancellation is raised once it is done."""
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.done():  # the statement itself was cancelled: nothing more to wait for
                raise
            cancelled = True
            continue
        if cancelled:
            raise asyncio.CancelledError
        return result


async def connect(path: str) -> PrefetchingConnection:
    """Open ``path`` (autocommit: transactions are begun and ended explicitly)."""
    conn = PrefetchingConnection(
        # Opened in aiosqlite's thread, used from the event loop's (see PrefetchingConnection).
        lambda: sqlite3.connect(path, isolation_level=None, check_same_thread=False),
        iter_chunk_size=64,
    )
    await conn
    return conn
