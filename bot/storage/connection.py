"""What the repositories and features know of a database connection: nothing of its engine.

:class:`Connection` is exactly the API the code uses (statements with ``?`` placeholders, rows
addressable by name and by position); the SQLite connection (bot/storage/db.py) and the
PostgreSQL one (bot/storage/postgres.py) both provide it. Transactions are not part of it: they
are begun and ended by :meth:`bot.storage.db.Database.unit` and ``read``. Errors of either
engine reach the code as :class:`DatabaseError` and :class:`IntegrityError`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any, Protocol, overload


class DatabaseError(Exception):
    """A statement failed (whatever the engine)."""


class IntegrityError(DatabaseError):
    """A constraint refused a write: a unique key, a foreign key, a check, a trigger's refusal."""


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

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> CursorResult: ...

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> Iterable[Row]: ...

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor: ...
