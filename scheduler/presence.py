"""This process in the database's registry of bot processes (bot.storage.processes): entered at
start, a heartbeat every few seconds, out at a normal stop. Each beat also takes back what dead
processes held (silent for longer than the lease): their messages in flight are sent again,
their chats' turns and timers freed. And it gives each sending budget (Pacer) this process's
part of the overall limit: one n-th when n processes are live."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from bot.storage import processes
from bot.storage.db import Database, DatabaseError
from bot.transports.pacing import Pacer

log = logging.getLogger(__name__)

BEATS_PER_LEASE = 6  # a heartbeat every lease/6 seconds: several may be missed before death


class Presence:
    def __init__(
        self, db: Database, *, lease: float, polling: bool = False, alone: bool = False
    ) -> None:
        self.db = db
        self.id = processes.new_id()
        self.lease = lease
        self.polling = polling
        self.alone = alone  # no other process can run (SQLite's lock file is held)
        self.pacers: list[Pacer] = []
        self.live = 1
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Enter the registry and take back what dead processes held; with no other process
        live, every timer runs at once (what fell due while the bot was stopped is done now)."""
        async with self.db.unit() as conn:
            await processes.register(conn, self.id, polling=self.polling, alone=self.alone)
            others = [p for p in await processes.live(conn, self.lease) if p.id != self.id]
            if not others:
                await processes.timers_due_now(conn)
        await self._take_back(at_start=True)
        self._share(1 + len(others))
        if others:
            log.info("%d other bot processes run on this database", len(others))
        self._task = asyncio.create_task(self._beat_loop(), name="presence")

    def add_pacers(self, pacers: Sequence[Pacer]) -> None:
        self.pacers.extend(pacers)
        self._share(self.live)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            async with self.db.unit() as conn:
                await processes.unregister(conn, self.id)

    def _share(self, live: int) -> None:
        self.live = max(1, live)
        for pacer in self.pacers:
            pacer.share = 1.0 / self.live

    async def beat(self) -> None:
        """One heartbeat (and a look for dead processes)."""
        async with self.db.unit() as conn:
            if not await processes.beat(conn, self.id):
                log.error(
                    "this process was silent for longer than %gs and taken for dead: its messages"
                    " in flight were taken back by another process; entering the registry again",
                    self.lease,
                )
                await processes.register(conn, self.id, polling=self.polling)
            live = await processes.live(conn, self.lease)
        await self._take_back()
        self._share(len(live))

    async def _take_back(self, *, at_start: bool = False) -> None:
        async with self.db.unit() as conn:
            taken = await processes.take_back(conn, self.lease, at_start=at_start)
        for dead in taken.dead:
            if dead.id == self.id:
                continue
            log.warning(
                "bot process %s (pid %d on %s) silent for more than %gs: taken for dead",
                dead.id,
                dead.pid,
                dead.host,
                self.lease,
            )
        if taken.messages:
            log.warning(
                "%d outbox messages in flight in a process that stopped: sending them again"
                " (their requests may have reached the platform)",
                taken.messages,
            )

    async def _beat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.lease / BEATS_PER_LEASE)
            try:
                await self.beat()
            except DatabaseError:
                log.warning("heartbeat failed; trying again", exc_info=True)


class TimerClaims:
    """Each timer's run claimed in the database (bot.storage.processes.claim_timer): across the
    processes on one database a timer runs once per period, and never twice at once."""

    def __init__(self, db: Database, presence: Presence) -> None:
        self.db = db
        self.presence = presence

    async def take(self, name: str, every: float) -> bool:
        async with self.db.unit() as conn:
            return await processes.claim_timer(
                conn, name, self.presence.id, every, self.presence.lease
            )

    async def release(self, name: str) -> None:
        async with self.db.unit() as conn:
            await processes.release_timer(conn, name, self.presence.id)
