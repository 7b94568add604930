""":class:`bot.storage.db.Database` on PostgreSQL: the same units of work, reads and
migrations (bot/storage/migrations/postgresql), the schema version in a table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bot.storage import postgres
from bot.storage.connection import Connection, DatabaseError
from bot.storage.db import Database, SchemaTooNewError, log

MIGRATION_LOCK = 0x78617417  # pg_advisory_xact_lock key: one migrating process at a time
POLLER_LOCK = 0x78617418  # pg_try_advisory_lock key: one polling process per database


def display(conninfo: str) -> str:
    """The connection string without its password (for messages and logs)."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "postgresql://?"
    parts.pop("password", None)
    return make_conninfo("", **{k: str(v) for k, v in parts.items() if v is not None})


def latest_schema_version() -> int:
    return max((n for n, _, _ in postgres.migrations()), default=0)


class PostgresDatabase(Database):
    def __init__(self, session: postgres.Session, conninfo: str) -> None:
        self.session = session
        self.conninfo = conninfo
        self.path = display(conninfo)
        self._lock = asyncio.Lock()
        self._holder: psycopg.AsyncConnection[Any] | None = None

    @classmethod
    async def open_postgresql(
        cls, conninfo: str, *, migrate: bool = True, max_size: int = 4
    ) -> PostgresDatabase:
        pool = postgres.pool_for(conninfo, max_size=max_size)
        try:
            await pool.open(wait=True, timeout=10)
        except Exception as exc:
            await pool.close()
            raise DatabaseError(f"cannot connect to {display(conninfo)}: {exc}") from None
        db = cls(postgres.Session(pool, conninfo), conninfo)
        try:
            async with db.session.begun("BEGIN", "COMMIT") as conn:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                )
            await db.check_version()
            if migrate:
                await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        async with self._lock:
            if self._holder is not None:
                await self._holder.close()
                self._holder = None
            await self.session.pool.close()

    async def claim_poller(self) -> bool:
        """Take the poller's lock of this database: only one process may long-poll the
        platforms (Telegram refuses a second getUpdates); the others run in webhook mode or
        only send. Held by a connection of its own until :meth:`close` or the process's end
        (the server drops it with a killed process); False if another process holds it."""
        holder = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        cur = await holder.execute("SELECT pg_try_advisory_lock(%s)", (POLLER_LOCK,))
        row = await cur.fetchone()
        if not row or not row[0]:
            await holder.close()
            return False
        self._holder = holder
        return True

    async def schema_version(self) -> int:
        async with self.session.begun("BEGIN", "ROLLBACK") as conn:
            return await _version(conn)

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
            for number, name, sql in postgres.migrations():
                async with self.session.begun("BEGIN", "COMMIT") as conn:
                    await conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                    if number <= await _version(conn):
                        continue
                    await conn.script(sql)
                    await conn.execute("DELETE FROM schema_version")
                    await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
                log.info("applied migration %s", name)
                applied.append(name)
            async with self.session.begun("BEGIN", "COMMIT") as conn:
                await conn.script(postgres.IDENTITIES_AHEAD)
        return applied

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Connection]:
        async with self._lock, self.session.begun("BEGIN", "COMMIT") as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"  # one consistent snapshot
        async with self._lock, self.session.begun(begin, "ROLLBACK") as conn:
            yield conn

    async def checkpoint(self) -> None:
        """Nothing to do: the server manages its own log."""

    async def backup(self, target: str | Path) -> None:
        """The whole database with ``pg_dump --format=custom`` (bot/storage/pg_backup.py)."""
        from bot.storage import pg_backup

        await pg_backup.dump(self.conninfo, target)


async def _version(conn: postgres.PgConnection) -> int:
    async with conn.execute("SELECT MAX(version) FROM schema_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0
