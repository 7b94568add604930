"""The bot processes running on one database, and what each holds (see README, "Several
processes (PostgreSQL)").

Each process registers at start and writes a heartbeat (``seen_at``) every few seconds; one
silent for longer than the lease is dead. A survivor then takes back what it held: its outbox
messages marked 'sending' become 'pending' again (a request may have been in flight: the same
rule as after a crash of the only process), its chats' turns are freed and its timers may run
elsewhere. Times are the database's clock in seconds (:func:`db_time`), so that processes on
machines whose clocks differ agree on who is silent.

On SQLite there is one process (the lock file's holder, ``alone``): at its start every other
registered process is dead, whenever it was last seen.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from dataclasses import dataclass

from bot.storage.db import Connection

DEFAULT_LEASE = 30.0


def new_id() -> str:
    """A process's id in the registry: its host and pid (for the operator) and a random part
    (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def db_time(conn: Connection) -> float:
    """Seconds since 1970 by the database's clock (the server's on PostgreSQL, where
    processes on several machines meet; this machine's on SQLite)."""
    if conn.dialect.name == "postgresql":
        async with conn.execute(
            "SELECT CAST(extract(epoch FROM clock_timestamp()) AS float8)"
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return float(row[0])
    return time.time()


@dataclass(frozen=True)
class Process:
    id: str
    host: str
    pid: int
    polling: bool
    started_at: float
    seen_at: float


async def register(
    conn: Connection, process_id: str, *, polling: bool, alone: bool = False
) -> float:
    """Enter this process in the registry; ``alone``: no other process can be running (the
    SQLite lock file is held), so every other one registered is dead. Returns the time."""
    now = await db_time(conn)
    if alone:
        await conn.execute("UPDATE processes SET seen_at = 0 WHERE id <> ?", (process_id,))
    host, pid = process_id.split(":")[0], os.getpid()
    await conn.execute(
        "INSERT INTO processes (id, host, pid, polling, started_at, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (process_id, host, pid, int(polling), now, now),
    )
    return now


async def beat(conn: Connection, process_id: str) -> bool:
    """The heartbeat; False when this process had been taken for dead (silent past the lease:
    a survivor took back what it held) and was entered again."""
    now = await db_time(conn)
    cur = await conn.execute("UPDATE processes SET seen_at = ? WHERE id = ?", (now, process_id))
    return cur.rowcount > 0


async def unregister(conn: Connection, process_id: str) -> None:
    """A normal stop: the process leaves the registry (what it still holds is taken back by the
    next survivor's look, or the next start)."""
    await conn.execute("DELETE FROM processes WHERE id = ?", (process_id,))


async def live(conn: Connection, lease: float) -> list[Process]:
    """The processes heard from within the lease, oldest first."""
    since = await db_time(conn) - lease
    rows = await conn.execute_fetchall(
        "SELECT id, host, pid, polling, started_at, seen_at FROM processes WHERE seen_at >= ?"
        " ORDER BY started_at, id",
        (since,),
    )
    return [Process(r[0], r[1], int(r[2]), bool(r[3]), float(r[4]), float(r[5])) for r in rows]


_NOT_LIVE = "(held_by IS NULL OR held_by NOT IN (SELECT id FROM processes WHERE seen_at >= ?))"


@dataclass(frozen=True)
class TakenBack:
    """What a survivor took back from dead processes."""

    dead: list[Process]
    messages: int  # outbox messages in flight, 'pending' again: they go out again
    chats: int  # chats' turns freed
    timers: int  # timers whose run had been claimed


async def take_back(conn: Connection, lease: float, *, at_start: bool = False) -> TakenBack:
    """Take back what processes silent for longer than ``lease`` held, and drop them from the
    registry. Messages in flight then are sent again: whether their request had left cannot be
    known (as after a crash of the only process); counted in ``messages``. ``at_start``: also
    rows marked 'sending' by no process (by a version before the registry)."""
    now = await db_time(conn)
    since = now - lease
    holder = _NOT_LIVE if at_start else f"held_by IS NOT NULL AND {_NOT_LIVE}"
    rows = await conn.execute_fetchall(
        "DELETE FROM processes WHERE seen_at < ?"
        " RETURNING id, host, pid, polling, started_at, seen_at",
        (since,),
    )
    dead = [Process(r[0], r[1], int(r[2]), bool(r[3]), float(r[4]), float(r[5])) for r in rows]
    cur = await conn.execute(
        f"UPDATE outbox SET status = 'pending', held_by = NULL WHERE status = 'sending'"
        f" AND {holder}",
        (since,),
    )
    messages = cur.rowcount
    cur = await conn.execute(
        f"UPDATE chat_turns SET held_by = NULL, ready_at = ? WHERE held_by IS NOT NULL"
        f" AND {_NOT_LIVE}",
        (now, since),
    )
    chats = cur.rowcount
    cur = await conn.execute(
        f"UPDATE timer_runs SET held_by = NULL, started_at = NULL WHERE held_by IS NOT NULL"
        f" AND {_NOT_LIVE}",
        (since,),
    )
    return TakenBack(dead, messages, chats, cur.rowcount)


# Timers --------------------------------------------------------------------------------------
async def claim_timer(
    conn: Connection, name: str, process_id: str, every: float, lease: float
) -> bool:
    """Claim this run of the timer ``name`` (run every ``every`` seconds by each process's
    scheduler): True for exactly one process per period, and never while another live process
    runs it. The next run falls due a little before ``every`` has passed, so that schedulers
    firing a little late or early between processes still run it each period."""
    now = await db_time(conn)
    await conn.execute(
        "INSERT INTO timer_runs (name, due_at) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
        (name,),
    )
    cur = await conn.execute(
        f"UPDATE timer_runs SET held_by = ?, started_at = ?, due_at = ?"
        f" WHERE name = ? AND due_at <= ? AND {_NOT_LIVE} RETURNING name",
        (process_id, now, now + every * 0.9, name, now, now - lease),
    )
    return (await cur.fetchone()) is not None


async def release_timer(conn: Connection, name: str, process_id: str) -> None:
    await conn.execute(
        "UPDATE timer_runs SET held_by = NULL, started_at = NULL WHERE name = ? AND held_by = ?",
        (name, process_id),
    )


async def timers_due_now(conn: Connection) -> None:
    """Every timer runs at once (a start with no other process live: what fell due while the
    bot was stopped is done now)."""
    await conn.execute("UPDATE timer_runs SET due_at = 0")
