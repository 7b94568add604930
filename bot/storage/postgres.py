"""The PostgreSQL backend (psycopg 3 and its pool), chosen by a ``postgresql://`` database.

The repositories write their SQL once, with SQLite's ``?`` placeholders: each statement is
translated once (cached) to psycopg's ``%s``. Parameters are bound on the client, numbers as
untyped literals, so that a number compared with a text column (or a text with a number
column) is taken by the column's type, as SQLite does; ``numeric`` results (a SUM of BIGINT)
come back as int, or float when they have a fraction (SQLite's SUM and AVG). Rows are
addressable by name and position. Errors reach the code as the neutral ones of
bot/storage/connection.py. A connection lost before a unit of work began is replaced and the
unit begun again; one lost inside a unit raises ``ConnectionLost`` (the server rolled it back:
the caller may run it again whole, as the dispatcher does with an update); a commit whose
answer was lost is asked about by its transaction id (see :meth:`Session.begun`).

Several bot processes may share one database (bot.storage.processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

import psycopg
import psycopg_pool
from psycopg.adapt import Dumper, Loader
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

from bot.storage.connection import (
    POSTGRESQL,
    ConnectionLost,
    DatabaseError,
    Dialect,
    IntegrityError,
)
from bot.storage.connection import Cursor as CursorProtocol

log = logging.getLogger(__name__)

SCHEMES = ("postgresql://", "postgres://")
CONNECT_ATTEMPTS = 8  # a lost connection is replaced this often (~10 s: a server's restart)


# Every identity ahead of its table's largest id: a row written with its own id (a restore, a
# tool loading data) does not move the identity, and the next row the bot adds would collide.
IDENTITIES_AHEAD = """
DO $$
DECLARE
    r record;
    top bigint;
    seq text;
BEGIN
    FOR r IN SELECT c.table_name, c.column_name FROM information_schema.columns c
             WHERE c.table_schema = current_schema() AND c.is_identity = 'YES' LOOP
        seq := pg_get_serial_sequence(quote_ident(r.table_name), r.column_name);
        EXECUTE format('SELECT MAX(%I) FROM %I', r.column_name, r.table_name) INTO top;
        IF top IS NOT NULL AND top > COALESCE((SELECT s.last_value FROM pg_sequences s
                WHERE format('%I.%I', s.schemaname, s.sequencename) = seq), 0) THEN
            PERFORM setval(seq, top);
        END IF;
    END LOOP;
END $$
"""


def is_postgresql(target: object) -> bool:
    return str(target).startswith(SCHEMES)


def migrations() -> list[tuple[int, str, str]]:
    """The PostgreSQL migrations (bot/storage/migrations/postgresql) as (number, name, sql)."""
    from bot.storage.db import MIGRATION_NAME

    found: list[tuple[int, str, str]] = []
    folder = resources.files("bot.storage").joinpath("migrations").joinpath("postgresql")
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    return found


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """``sql`` with ``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` doubled),
    leaving quoted text and names alone."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


class _Row(tuple[Any, ...]):
    """A row by position (it is a tuple) or by column name, like sqlite3.Row."""

    _index: dict[str, int]
    _names: list[str]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _rows(cursor: Any) -> RowMaker[_Row]:
    names = [c.name for c in cursor.description or ()]
    index = {n: i for i, n in reversed(list(enumerate(names)))}  # the first of a name wins

    def make(values: Sequence[Any]) -> _Row:
        row = _Row(values)
        row._index = index
        row._names = names
        return row

    return make


class _UntypedNumber(Dumper):
    """A Python int or bool bound as an untyped literal ('5'): the column decides its type."""

    def dump(self, obj: Any) -> bytes:
        return str(int(obj)).encode()


class _Number(Loader):
    """numeric as int when whole, else float (what SQLite gives for SUM and AVG)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        if "." in text or "e" in text or "N" in text:
            value = float(text)
            return value
        return int(text)


# What the server says when it cuts a connection: connection exceptions (class 08), and an
# operator's or a shutdown's termination (57P01-57P03).
LOST = ("08", "57P01", "57P02", "57P03")


def lost(exc: BaseException) -> bool:
    """Is ``exc`` the loss of the connection (rather than a statement that failed)?"""
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = exc.sqlstate or ""
    return not state or state.startswith(LOST)


def _neutral(exc: psycopg.Error) -> DatabaseError:
    message = (exc.diag.message_primary if exc.diag else None) or str(exc)
    if isinstance(exc, psycopg.IntegrityError):  # the triggers' refusals are check violations
        return IntegrityError(message)
    if lost(exc):
        return ConnectionLost(f"the connection to the database was lost ({_line(exc)})")
    return DatabaseError(message)


class PgCursor:
    """The rows of one statement, fetched with it."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid: int | None = None  # PostgreSQL has none: INSERT ... RETURNING id

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        found = self._rows[self._next :]
        self._next = len(self._rows)
        return found


class _Result:
    """``execute``'s outcome: awaited, or used with ``async with``."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, CursorProtocol]:
        return self._run.__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> CursorProtocol:
        return await self._run  # type: ignore[no-any-return]

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None


Replay = tuple[str, str, list[Any], list[Any], int]  # kind, sql, parameters, rows, rowcount
REPLAY_LIMIT = 200  # statements of a unit kept to resume it on a new connection
REPLAY_ROWS = 10_000  # a unit reading more at once (an export) is not resumed


class PgConnection:
    """One pooled connection inside a unit of work or a read (bot/storage/connection.py).

    The unit's statements and what they returned are kept: when the connection is lost in
    the middle of the unit (the server restarted, or cut it), the unit is resumed on a new
    connection by running them again, and goes on as if nothing had happened if each
    returns what it returned before (nothing else changed meanwhile, and no new id was
    given); otherwise :class:`ConnectionLost` is raised, the server having undone the unit.
    """

    dialect: Dialect = POSTGRESQL

    def __init__(
        self,
        raw: psycopg.AsyncConnection[Any],
        conninfo: str,
        reconnect: Callable[[], Awaitable[psycopg.AsyncConnection[Any]]] | None = None,
    ) -> None:
        self.raw = raw
        self.conninfo = conninfo  # to open a connection of its own (a long download)
        self._reconnect = reconnect
        self._done: list[Replay] | None = [] if reconnect is not None else None
        self.lost: list[psycopg.AsyncConnection[Any]] = []  # given back to the pool at the end

    async def _once(self, kind: str, sql: str, args: list[Any]) -> tuple[list[Any], int]:
        if kind == "many":
            async with self.raw.cursor() as cur:
                await cur.executemany(translate(sql), args)
                return [], cur.rowcount
        async with self.raw.cursor(row_factory=_rows) as cur:
            await cur.execute(translate(sql), args)
            rows = await cur.fetchall() if cur.description else []
            return list(rows), cur.rowcount

    async def _statement(self, kind: str, sql: str, args: list[Any]) -> PgCursor:
        try:
            rows, count = await self._once(kind, sql, args)
        except psycopg.Error as exc:
            if not lost(exc) or not await self._resume(exc):
                raise _neutral(exc) from exc
            try:
                rows, count = await self._once(kind, sql, args)
            except psycopg.Error as again:
                raise _neutral(again) from again
        if self._done is not None:
            self._done.append((kind, sql, args, rows, count))
            if len(self._done) > REPLAY_LIMIT or len(rows) > REPLAY_ROWS:
                self._done = None
        return PgCursor(rows, count)

    async def _resume(self, exc: BaseException) -> bool:
        """Run the unit's statements again on a new connection; True if each returned what
        it returned before (the unit goes on there), else False (nothing kept)."""
        if self._reconnect is None or self._done is None:
            return False
        for _ in range(CONNECT_ATTEMPTS):  # the new one may be cut too (a restart under way)
            try:
                fresh = await self._reconnect()
            except DatabaseError:
                return False
            self.lost.append(self.raw)
            self.raw = fresh
            try:
                for kind, sql, args, rows, count in self._done:
                    if await self._once(kind, sql, args) != (rows, count):
                        log.debug("not the same on a new connection: %s", sql)
                        log.warning(
                            "database connection lost (%s); the unit was undone", _line(exc)
                        )
                        await fresh.execute("ROLLBACK")
                        return False
            except psycopg.Error as again:
                if lost(again):
                    continue
                return False
            log.warning("database connection lost (%s); resumed on a new connection", _line(exc))
            return True
        return False

    async def _run(self, sql: str, parameters: Iterable[Any] | None) -> PgCursor:
        return await self._statement("one", sql, list(parameters) if parameters is not None else [])

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Result:
        return _Result(self._run(sql, parameters))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None) -> Any:
        cur = await self._run(sql, parameters)
        return await cur.fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> PgCursor:
        return await self._statement("many", sql, [list(p) for p in parameters])

    async def script(self, sql: str) -> None:
        """Several statements at once (a migration), without parameters."""
        self._done = None  # not resumed elsewhere
        try:
            await self.raw.execute(sql.encode(), prepare=False)
        except psycopg.Error as exc:
            raise _neutral(exc) from exc


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(int, _UntypedNumber)
    conn.adapters.register_dumper(bool, _UntypedNumber)
    conn.adapters.register_loader("numeric", _Number)


def pool_for(conninfo: str, *, max_size: int = 4) -> AsyncConnectionPool[Any]:
    return AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        configure=_configure,
        check=AsyncConnectionPool.check_connection,
        kwargs={"autocommit": True, "cursor_factory": psycopg.AsyncClientCursor},
    )


class Session:
    """Begins units of work and reads on pooled connections (used by PostgresDatabase)."""

    def __init__(self, pool: AsyncConnectionPool[Any], conninfo: str) -> None:
        self.pool = pool
        self.conninfo = conninfo

    async def _connect(self, begin: str) -> psycopg.AsyncConnection[Any]:
        """A pooled connection with ``begin`` run on it; a lost one is replaced (the server may
        take seconds to come back: the pool waits for it), with one line in the log."""
        raw: psycopg.AsyncConnection[Any] | None = None
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                raw = await self.pool.getconn()
                await raw.execute(begin)
                if attempt:
                    log.info("database connection back")
                return raw
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
                if raw is not None:
                    await self.pool.putconn(raw)
                    raw = None
                if attempt == CONNECT_ATTEMPTS - 1:
                    raise DatabaseError(f"the database did not answer: {exc}") from exc
                if not attempt:  # one line per loss
                    log.warning("database connection lost (%s); connecting again", _line(exc))
                await asyncio.sleep(min(2.0, 0.2 * 2**attempt))
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def begun(self, begin: str, end: str) -> AsyncIterator[PgConnection]:
        """A connection with ``begin`` run on it, and ``end`` once the block is done (rolled
        back if it fails). A connection lost before the block began is replaced; one lost in
        the block is resumed on a new connection (see :class:`PgConnection`), or raises
        :class:`ConnectionLost`: the server undid the unit, which may be run again whole. A
        commit whose answer was lost is asked about (by its transaction id) once the server
        answers again: done, the block ends as if nothing had happened."""
        conn = PgConnection(await self._connect(begin), self.conninfo, lambda: self._connect(begin))
        try:
            yield conn
            if conn.raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                # A statement failed and the block went on (SQLite would commit the rest):
                # PostgreSQL has undone the whole unit, and it must not look committed.
                raise DatabaseError("a statement of this unit of work failed: it was undone")
            xid = None
            if end == "COMMIT":  # the unit's transaction id, if it wrote anything
                xid = (await conn.execute_fetchall("SELECT txid_current_if_assigned()"))[0][0]
            try:
                await conn.raw.execute(end)
            except psycopg.Error as exc:
                if not lost(exc):
                    raise _neutral(exc) from exc
                # Lost at the end: nothing to lose if nothing was written, else ask.
                if xid is not None and not await self._committed(int(xid)):
                    raise ConnectionLost(
                        f"the connection to the database was lost ({_line(exc)})"
                    ) from exc
                log.warning("database connection lost at the end of a unit (%s)", _line(exc))
        except BaseException:
            raw = conn.raw
            if not raw.closed and raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                with contextlib.suppress(psycopg.Error):
                    await raw.execute("ROLLBACK")
            raise
        finally:
            for gone in conn.lost:
                await self.pool.putconn(gone)
            await self.pool.putconn(conn.raw)

    async def _committed(self, xid: int) -> bool:
        """Did the server commit transaction ``xid``? Asked on a connection of its own, as
        soon as the server answers; a commit that cannot be asked about is an error (it is
        not known whether to run the unit again)."""
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, connect_timeout=5
                ) as asking:
                    cur = await asking.execute("SELECT txid_status(%s::bigint)", (xid,))
                    row = await cur.fetchone()
                    status = row[0] if row else None
                if status != "in progress":  # the cut backend may be ending still
                    return status == "committed"
            except psycopg.OperationalError:
                pass
            await asyncio.sleep(min(2.0, 0.2 * 2**attempt))
        raise DatabaseError(
            "the connection to the database was lost while committing, and whether the server "
            "committed cannot be known"
        )


def _line(exc: BaseException) -> str:
    """An error as one line (the library's messages span several)."""
    return " ".join(str(exc).split())
