"""One bot process per SQLite database: an exclusive lock on a file beside the SQLite file.
(On PostgreSQL several processes may run; only the one that polls holds a lock, in the server:
``Database.claim_poller``.)

Two processes polling one database answered the same updates twice, and the second reset the
first one's in-flight outbox rows at start. The process that runs the bot (polling, timers and
the outbox worker) holds this lock for its whole life; a second one stops at once with one line.
The operating system releases the lock when its holder dies, however it dies, so a crash leaves
no stale lock: the pid written in the file is only there for the message. Commands that only
read or copy the database (stats, export, backup) do not take it.

While the lock is held, outbox rows marked 'sending' can only belong to this process or to an
earlier holder that has died: the start-up reset of those rows never touches a live process's.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

SERVERS = ("postgresql:", "postgres:")  # what Path makes of postgresql://...


class LockError(Exception):
    """The bot cannot run on this database now; the message is one line."""


class DatabaseInUseError(LockError):
    """Another live process runs the bot on this database."""


class PollerInUseError(LockError):
    """Another live process polls the platform for this database (PostgreSQL)."""


def lock_path(database: str | Path) -> Path:
    path = Path(database).expanduser()
    return path.with_name(path.name + ".lock")


class ProcessLock:
    """Held from :meth:`acquire` until :meth:`release` (or the process's end)."""

    def __init__(self, database: str | Path) -> None:
        self.database = Path(database)
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        if str(self.database) == ":memory:" or str(self.database).startswith(SERVERS):
            return  # nothing on disk; a server database holds its own lock (claim_process)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise DatabaseInUseError(
                f"another bot process (pid {holder}) is already running on {self.database};"
                " stop it first (stats, export and backup still work meanwhile)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    @property
    def held(self) -> bool:
        """Whether this process is surely the only one on the database (its SQLite file is
        locked, or it lives in memory); False on a server database."""
        return self._fd is not None or str(self.database) == ":memory:"

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> ProcessLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
