"""The one aiosqlite connection, its pragmas, migrations and units of work.

All access goes through :meth:`Database.unit` (a write transaction) or :meth:`Database.read`.
Both hold one asyncio lock: with a single connection shared by many tasks, this keeps one
task's statements from landing inside another task's transaction.

Statements run on the event loop's own thread, what may take long in aiosqlite's thread
(bot/storage/sqlite_connection.py).

The shared connection never copies the write-ahead log into the database itself: a connection
of its own does, beside it (bot/storage/log_copies.py), so that no update waits for the disk.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.storage import folding, legacy_html
from bot.storage.connection import (
    Connection,
    Cursor,
    DatabaseError,
    Dialect,
    IntegrityError,
    Row,
)
from bot.storage.log_copies import LogCopies
from bot.storage.sqlite_connection import (
    BUSY_TIMEOUT_MS,
    PrefetchingConnection,
    connect,
    neutral_error,
    truncate_log,
)

__all__ = [
    "Connection",
    "Cursor",
    "Database",
    "DatabaseError",
    "Dialect",
    "IntegrityError",
    "Row",
]

log = logging.getLogger(__name__)

# A full checkpoint waits this long for another process's reader or checkpoint, the writers held
# back, and is tried again after a pause without them, this many times (about 15 s in all).
CHECKPOINT_WAIT_MS = 200
CHECKPOINT_ATTEMPTS = 50
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# The first line of a migration that must run with foreign keys off (it remakes tables).
FOREIGN_KEYS_OFF = "-- foreign_keys: off"


class SchemaTooNewError(Exception):
    """The database was written by a newer version of the bot."""


def migrations() -> list[tuple[int, str, str]]:
    """All shipped migrations as (number, file name, sql), in order."""
    found: list[tuple[int, str, str]] = []
    folder = resources.files("bot.storage").joinpath("migrations")
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def sqlite_file(path: str | Path) -> str | Path:
    """The SQLite file of a database setting (``sqlite:FILE`` or just ``FILE``)."""
    text = str(path)
    return (
        text.removeprefix("sqlite://").removeprefix("sqlite:")
        if text.startswith("sqlite:")
        else path
    )


async def file_of(conn: Connection) -> str:
    """Where the connection's database is, to open a connection of its own to it: the file
    of its main database ("" for an in-memory one), or a PostgreSQL connection string."""
    location = getattr(conn, "conninfo", None)
    if isinstance(location, str):
        return location
    async with conn.execute("PRAGMA database_list") as cur:
        for row in await cur.fetchall():
            if row[1] == "main":
                return str(row[2] or "")
    return ""


def latest_schema_version() -> int:
    """The schema version is the number of the newest migration (each feature owns its own)."""
    return max((n for n, _, _ in migrations()), default=0)


async def register_functions(conn: aiosqlite.Connection) -> None:
    """SQL functions the migrations use (the household keys of bot/storage/folding.py, the
    rewriting of kept messages in bot/storage/legacy_html.py)."""
    await conn.create_function("xat_match_key", 3, folding.match_key, deterministic=True)
    await conn.create_function("xat_search_key", 4, folding.search_key, deterministic=True)
    await conn.create_function("xat_html_to_markup", 1, legacy_html.to_markup, deterministic=True)


class Database:
    def __init__(self, conn: PrefetchingConnection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        # The log's copy into the database, made beside the shared connection.
        self.log_copies = LogCopies(path, self._lock)

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """The database at ``path``: a SQLite file (or ``sqlite:FILE``), or PostgreSQL's
        ``postgresql://...`` (bot/storage/pg_database.py)."""
        if str(path).startswith(("postgresql://", "postgres://")):
            from bot.storage.pg_database import PostgresDatabase

            return await PostgresDatabase.open_postgresql(str(path), migrate=migrate)
        return await cls.open_sqlite(path, migrate=migrate)

    @classmethod
    async def open_sqlite(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """The SQLite file at ``path`` (or ``sqlite:FILE``), whatever else :meth:`open` is
        made to do (``xomantoan copy`` reads a commune's file on a PostgreSQL deployment)."""
        path = sqlite_file(path)
        try:
            conn = await connect(str(path))
        except sqlite3.Error as exc:  # a file that cannot be opened or is no database
            raise neutral_error(exc) from exc
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA foreign_keys = ON")
        # Waits for another process's lock happen in aiosqlite's thread (see _execute).
        await conn.execute("PRAGMA busy_timeout = 0")
        await register_functions(conn)
        # Deleted content is overwritten with zeros, not left in free space of the file:
        # /forgetme must leave no trace of a name (nor may an earlier deleted conversation).
        await conn.execute("PRAGMA secure_delete = ON")
        if str(path) != ":memory:":
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            # The log is copied into the database beside this connection (self.log_copies).
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
        db = cls(conn, str(path))
        try:
            await db.check_version()
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        async with self.log_copies.held(), self._lock:
            self.log_copies.close()
            # The last connection to the file to close copies the rest of the log.
            await self.conn.close()

    async def claim_poller(self) -> bool:
        """Take the poller's lock that lives in the database itself, if any (on SQLite the
        whole process holds a file beside the database: bot/storage/lock.py)."""
        return True

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def check_version(self) -> None:
        current, latest = await self.schema_version(), latest_schema_version()
        if current > latest:
            raise SchemaTooNewError(
                f"the database {self.path} has schema version {current}, but this version of "
                f"the bot knows only up to {latest}: it was written by a newer version. "
                "Upgrade the bot, or restore a backup made by this version."
            )

    async def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction; return their names."""
        applied: list[str] = []
        async with self._lock:
            current = await self.schema_version()
            for number, name, sql in migrations():
                if number <= current:
                    continue
                script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
                # A migration that remakes tables turns foreign keys off while it runs (SQLite
                # ignores the pragma inside a transaction) and has them all checked instead.
                keys_off = sql.startswith(FOREIGN_KEYS_OFF)
                if keys_off:
                    script = script.removesuffix("COMMIT;")
                    await self.conn.execute("PRAGMA foreign_keys = OFF")
                try:
                    await self.conn.executescript(script)
                    if keys_off:
                        async with self.conn.execute("PRAGMA foreign_key_check") as cur:
                            broken = list(await cur.fetchall())
                        if broken:
                            raise IntegrityError(
                                f"{name} leaves rows that point nowhere: {list(broken[0])}"
                            )
                        await self.conn.execute("COMMIT")
                except (sqlite3.Error, DatabaseError):
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
                finally:
                    if keys_off:
                        await self.conn.execute("PRAGMA foreign_keys = ON")
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on an exception."""
        await self._lock.acquire()
        released = False

        def release() -> None:
            """Let the next unit have the connection (on the event loop's thread)."""
            nonlocal released
            if not released:
                released = True
                self._lock.release()
                if self.path != ":memory:":
                    self.log_copies.after_commit()

        try:
            # A BEGIN or COMMIT that waits in aiosqlite's thread is finished there even when this
            # task is cancelled (see to_the_end); the lock is let go of with no transaction open.
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                await self._end_transaction()
                raise
            try:
                yield self.conn
            except BaseException:
                await self._end_transaction()
                raise
            conn = self.conn
            try:
                if isinstance(conn, PrefetchingConnection):
                    # Committing writes the log (and now and then copies it into the database
                    # and syncs both): a slow disk holds this thread, not the event loop. The
                    # connection is let go of as soon as the COMMIT is done, from that thread:
                    # on a busy loop this task's own next turn may be milliseconds away.
                    raw = conn._conn
                    await conn.in_thread(
                        lambda: raw.execute("COMMIT"), busy_timeout=BUSY_TIMEOUT_MS, then=release
                    )
                else:
                    await conn.execute("COMMIT")
            except BaseException:
                if not released:  # once released, the connection is the next unit's
                    await self._end_transaction()  # a COMMIT that failed leaves it open
                raise
        finally:
            release()

    async def _end_transaction(self) -> None:
        """Roll back the transaction still open, if any (on the event loop's thread: nothing
        to wait for, so no cancellation comes in between)."""
        if self.conn.in_transaction:
            await self.conn.execute("ROLLBACK")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """Read-only access, serialised with the units of work, as one consistent snapshot
        (another process, such as the bot while the CLI exports, may write meanwhile)."""
        async with self._lock:
            await self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                await self.conn.execute("ROLLBACK")

    @staticmethod
    @asynccontextmanager
    async def reading(path: str) -> AsyncIterator[Connection]:
        """A connection of its own to the database file ``path`` (opened for the time of the
        block), as one consistent snapshot: for long reads made outside the shared
        connection, such as a download written in a worker thread."""
        db = await Database.open(path, migrate=False)
        try:
            async with db.read() as conn:
                yield conn
        finally:
            await db.close()

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and truncate it to zero bytes (what
        /forgetme counts on: no page of the log still holds what was deleted)."""
        if self.path == ":memory:":
            return
        conn = self.conn
        for _ in range(CHECKPOINT_ATTEMPTS):
            async with self.log_copies.held(), self._lock:
                if isinstance(conn, PrefetchingConnection):  # it writes the file and syncs it
                    rows = await conn.in_thread(
                        partial(truncate_log, conn._conn), busy_timeout=CHECKPOINT_WAIT_MS
                    )
                else:
                    async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
                        rows = list(await cur.fetchall())
            if not rows or not rows[0][0]:  # not "busy": done
                return
            # Another process reads an older snapshot (an export, a backup) or copies the log
            # itself: try again, the chats' writes going on meanwhile.
            await asyncio.sleep(0.1)
        log.warning("the database log of %s could not be emptied: in use", self.path)

    async def backup(self, target: str | Path) -> None:
        """Copy the live database with SQLite's online backup API."""
        try:
            dest = sqlite3.connect(str(target))
        except sqlite3.Error as exc:
            raise neutral_error(exc) from exc
        try:
            async with self._lock:
                conn = self.conn
                if isinstance(conn, PrefetchingConnection):  # copies the whole file
                    raw = conn._conn
                    await conn.in_thread(lambda: raw.backup(dest), busy_timeout=BUSY_TIMEOUT_MS)
                else:
                    await conn.backup(dest)
        finally:
            dest.close()
