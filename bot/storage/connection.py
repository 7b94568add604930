"""What the repositories and features know of a database connection: nothing of its engine.

:class:`Connection` is exactly the API the code uses (statements with ``?`` placeholders, rows
addressable by name and by position); the SQLite connection (bot/storage/db.py) and the
PostgreSQL one (bot/storage/postgres.py) both provide it. Transactions are not part of it: they
are begun and ended by :meth:`bot.storage.db.Database.unit` and ``read``. Errors of either
engine reach the code as :class:`DatabaseError` and :class:`IntegrityError`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, overload


class DatabaseError(Exception):
    """A statement failed (whatever the engine)."""


class IntegrityError(DatabaseError):
    """A constraint refused a write: a unique key, a foreign key, a check, a trigger's refusal."""


class ConnectionLost(DatabaseError):
    """The connection to the database server was lost in the middle of a unit of work (the
    server restarted, or cut it): the server undid the unit, which may be run again whole."""


def log_failure(log: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled: a lost connection to the database (its server
    restarting) is a fault, a warning with its reason; anything else is a bug, an error with
    its traceback."""
    exc = sys.exc_info()[1]
    if isinstance(exc, ConnectionLost):
        log.warning(message + ": %s", *args, exc)
    else:
        log.exception(message, *args)


@dataclass(frozen=True)
class Dialect:
    """The little SQL that differs between the engines, for the repositories that need it
    (everything else is written once, in the syntax both share)."""

    name: str  # "sqlite" or "postgresql"

    def group_concat(self, expr: str, separator: str = ",", order_by: str | None = None) -> str:
        """The values of ``expr`` joined by ``separator`` (an aggregate). In order of
        ``order_by`` when given: PostgreSQL sorts them itself; SQLite (which takes an ORDER BY
        in an aggregate only from 3.44 on) keeps the order of the rows it is given, so the
        caller reads them from a subquery sorted the same way."""
        sep = "'" + separator.replace("'", "''") + "'"
        if self.name == "postgresql":
            order = f" ORDER BY {order_by}" if order_by else ""
            return f"string_agg(CAST({expr} AS TEXT), {sep}{order})"
        return f"GROUP_CONCAT({expr}, {sep})"

    def json_array_length(self, expr: str) -> str:
        """The length of the JSON array kept as text in ``expr``."""
        if self.name == "postgresql":
            return f"json_array_length(CAST({expr} AS json))"
        return f"json_array_length({expr})"

    def instr(self, haystack: str, needle: str) -> str:
        """Where ``needle`` first occurs in ``haystack`` (1-based; 0 when it does not)."""
        if self.name == "postgresql":
            return f"strpos({haystack}, {needle})"
        return f"instr({haystack}, {needle})"

    def indexed_by(self, index: str) -> str:
        """SQLite's hint that a table be read through ``index`` (its planner may take a worse
        one); PostgreSQL's planner has no such hint, and needs none here."""
        if self.name == "postgresql":
            return ""
        return f" INDEXED BY {index}"

    def join_in_order(self) -> str:
        """A join whose left table is read first: SQLite's planner keeps a CROSS JOIN's order
        (it may otherwise walk the bigger table); PostgreSQL's needs no such hint (and takes
        no ON after CROSS JOIN)."""
        if self.name == "postgresql":
            return "JOIN"
        return "CROSS JOIN"

    def leading_integer(self, expr: str) -> str:
        """The number the text ``expr`` starts with, 0 when it starts with no digit (what
        SQLite's ``CAST(... AS INTEGER)`` gives)."""
        if self.name == "postgresql":
            return f"COALESCE(CAST(substring({expr} from '^[0-9]{{1,18}}') AS BIGINT), 0)"
        return f"CAST({expr} AS INTEGER)"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


class Row(Protocol):
    """A row: ``row["name"]`` or ``row[0]``."""

    @overload
    def __getitem__(self, key: int | str, /) -> Any: ...

    @overload
    def __getitem__(self, key: slice, /) -> tuple[Any, ...]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> list[str]: ...

    def __len__(self) -> int: ...


class Cursor(Protocol):
    """The outcome of one statement, its rows already fetched."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    async def fetchone(self) -> Row | None: ...

    async def fetchall(self) -> Iterable[Row]: ...


class CursorResult(Protocol):
    """What ``execute`` gives: awaited, or used as ``async with``."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...


class Connection(Protocol):
    """One connection, inside a unit of work or a read of :class:`bot.storage.db.Database`."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> CursorResult: ...

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> Iterable[Row]: ...

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor: ...


async def insert(conn: Connection, sql: str, parameters: Iterable[Any] = ()) -> int:
    """Run an ``INSERT`` and give the id of its new row (``RETURNING id``: both engines have
    it, where a cursor's ``lastrowid`` is SQLite's own)."""
    async with conn.execute(f"{sql} RETURNING id", parameters) as cur:
        row = await cur.fetchone()
    assert row is not None, "the INSERT wrote no row"
    return int(row[0])
