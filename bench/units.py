"""The SQLite database's one connection, as the updates queue for it: how long each unit of
work (and each read) waited for the connection, how long it held it, and how long its COMMIT
waited for aiosqlite's thread. A diagnosis for the benches, never loaded by the bot.

``install(path)`` in a bot process (``BENCH_UNITS=<file>`` in ``bench.updates``): the
database's lock is replaced by one that times its holders, and at exit what was timed is
written to ``path`` as JSON, which ``summary(path, window)`` turns into lines.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class TimedLock(asyncio.Lock):
    """The writers' lock, timing each holder: (when it was asked for, seconds waited,
    seconds held)."""

    def __init__(self, into: list[tuple[float, float, float]]) -> None:
        super().__init__()
        self.into = into
        self._asked = self._got = 0.0

    async def acquire(self) -> bool:
        asked = time.monotonic()
        await super().acquire()
        self._asked, self._got = asked, time.monotonic()
        return True

    def release(self) -> None:
        self.into.append((self._asked, self._got - self._asked, time.monotonic() - self._got))
        super().release()


def install(path: str) -> None:
    from bot.storage.db import Database
    from bot.storage.sqlite_connection import PrefetchingConnection

    holds: list[tuple[float, float, float]] = []
    queued: list[tuple[float, float]] = []  # (when handed over, seconds before the thread began)
    init = Database.__init__
    in_thread = PrefetchingConnection.in_thread

    def timed_init(db: Database, *args: Any, **kwargs: Any) -> None:
        init(db, *args, **kwargs)
        lock = TimedLock(holds)
        db._lock = lock
        db.log_copies._writers = lock

    async def timed_in_thread(conn: PrefetchingConnection, fn: Callable[[], T], **kwargs: Any) -> T:
        handed = time.monotonic()

        def timed() -> T:
            queued.append((handed, time.monotonic() - handed))
            return fn()

        return await in_thread(conn, timed, **kwargs)

    Database.__init__ = timed_init  # type: ignore[method-assign]
    PrefetchingConnection.in_thread = timed_in_thread  # type: ignore[method-assign]

    def write() -> None:
        Path(path).write_text(json.dumps({"holds": holds, "queued": queued}))

    atexit.register(write)


def _quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    mean = sum(ordered) / len(ordered) * 1000
    return f"mean {mean:.2f}, p50 {at(0.5):.2f}, p90 {at(0.9):.2f}, p99 {at(0.99):.2f} ms"


def summary(path: str, window: tuple[float, float]) -> list[str]:
    """Lines about the units of work asked for within ``window`` (monotonic seconds)."""
    data = json.loads(Path(path).read_text())
    holds = [h for h in data["holds"] if window[0] <= h[0] <= window[1]]
    queued = [q[1] for q in data["queued"] if window[0] <= q[0] <= window[1]]
    return [
        f"the database's connection in the paced run: {len(holds)} units of work and reads",
        f"  waited for it: {_quantiles([h[1] for h in holds])}",
        f"  held it: {_quantiles([h[2] for h in holds])}",
        f"  a COMMIT (or other slow statement) waited for aiosqlite's thread: {_quantiles(queued)}",
    ]
