"""Copying SQLite's write-ahead log into the database beside the shared connection.

SQLite copies the log into the database (a checkpoint: it writes the pages and syncs the disk,
tens to hundreds of milliseconds on a small server's disk) inside the commit that makes the log
reach 1,000 pages, and every chat's update then waits for that commit. The shared connection
never does it (``wal_autocheckpoint = 0``); after a commit, at most once every ``every``
seconds, a connection of its own copies what it can in a worker thread while the bot goes on
writing: a "passive" checkpoint, which neither waits for a writer nor blocks one.

A copy made while writes go on never catches up with the log's end, and SQLite starts the log
again from its beginning only once all of it is copied: under steady writes the log would grow
without end. So when the log has grown past ``restart_frames`` pages, the few pages written
during the copy are copied too, holding the writers back for that short while (the bulk of the
work, and most of the syncing, was done without them); the next write then starts the log over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator

log = logging.getLogger(__name__)

COPY_EVERY = 1.0  # seconds: the least time between two copies of the log into the database
RESTART_FRAMES = 1000  # pages (SQLite's own threshold): past it, the log is started over


class LogCopies:
    def __init__(
        self,
        path: str,
        writers: asyncio.Lock,
        *,
        every: float = COPY_EVERY,
        restart_frames: int = RESTART_FRAMES,
    ) -> None:
        self.path = path
        self.every = every
        self.restart_frames = restart_frames
        self._writers = writers  # held by every write of the shared connection
        self._copy_lock = asyncio.Lock()  # taken before ``writers``, never after
        self._task: asyncio.Task[None] | None = None
        self._conn: sqlite3.Connection | None = None
        self._last = time.monotonic()
        self._failed = False
        self._closed = False

    def after_commit(self) -> None:
        """Have the log copied in the background if the last copy is done and old enough."""
        if self._closed or (self._task is not None and not self._task.done()):
            return
        if time.monotonic() - self._last < self.every:
            return
        self._last = time.monotonic()
        self._task = asyncio.create_task(self._copy(), name="sqlite-log-copy")

    async def _copy(self) -> None:
        try:
            async with self._copy_lock:
                if self._closed:
                    return
                log_frames, copied = await asyncio.to_thread(self._passive)
                if log_frames >= self.restart_frames and copied == log_frames:
                    # What was written meanwhile, with the writers held back: the log is then
                    # copied whole and the next write starts it over.
                    async with self._writers:
                        await asyncio.to_thread(self._passive)
        except sqlite3.Error as exc:
            # The log keeps everything meanwhile (nothing is lost); a later commit tries again.
            if not self._failed:
                log.warning("could not copy the database log into %s: %s", self.path, exc)
            self._failed = True
        else:
            self._failed = False
        finally:
            self._last = time.monotonic()

    def _passive(self) -> tuple[int, int]:
        """One passive checkpoint, in a worker thread: (pages in the log, pages copied)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return (int(row[1]), int(row[2])) if row else (0, 0)

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """No copy runs while the block runs (take it before the writers' lock): for a full
        checkpoint or a close of the database."""
        async with self._copy_lock:
            yield

    def close(self) -> None:
        """No more copies (call it inside :meth:`held`)."""
        self._closed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None
