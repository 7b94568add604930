"""The scheduler service: one AsyncIOScheduler, started in the bot's start-up and shut down with
it. Features register their jobs here; anything a job needs to remember lives in the database.
With several processes on one database, each run is claimed there first (scheduler.presence.
TimerClaims): a timer runs in one process at a time, once per period."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.storage import chat_turns, retention
from bot.storage.db import Connection, Database

if TYPE_CHECKING:
    from scheduler.presence import TimerClaims

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TURNS_KEPT = 3600.0  # seconds: longer than any chat's interval or a group's minute


class Scheduler:
    def __init__(self, tz: ZoneInfo, claims: TimerClaims | None = None) -> None:
        self.scheduler = AsyncIOScheduler(timezone=tz)
        self.claims = claims

    def every(self, job_id: str, seconds: int, job: Callable[[], Awaitable[object]]) -> None:
        """Run ``job`` once right after start (what fell due while the bot was stopped is done
        at once), then every ``seconds``. A run still going at shutdown is cancelled quietly:
        its transaction rolls back and the next start does the work again. With ``claims``,
        a run another process has claimed (or is doing) is left to it."""
        claims = self.claims

        async def run() -> None:
            try:
                if claims is not None and not await claims.take(job_id, seconds):
                    return
            except asyncio.CancelledError:
                log.debug("timer %s stopped by the shutdown", job_id)
                return
            except Exception:
                log.warning("timer %s: claiming its run failed; trying next time", job_id)
                return
            try:
                await job()
            except asyncio.CancelledError:
                log.debug("timer %s stopped by the shutdown", job_id)
            finally:
                if claims is not None:
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await claims.release(job_id)

        self.scheduler.add_job(
            run,
            IntervalTrigger(seconds=seconds),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=seconds,
            next_run_time=datetime.now(self.scheduler.timezone),
        )

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


Purge = Callable[[Connection, int], Awaitable[retention.Batch]]


async def in_batches(db: Database, purge: Purge) -> int:
    """Run ``purge`` batch by batch, each in its own short transaction, letting the chats'
    updates waiting for the database go first in between; returns the rows deleted."""
    total, after = 0, 0
    while True:
        async with db.unit() as conn:
            deleted, last = await purge(conn, after)
        total += deleted
        if last is None:
            return total
        after = last
        await asyncio.sleep(0)


async def housekeeping(db: Database, clock: Clock) -> tuple[int, int, int]:
    """Drop expired menus and conversations (their buttons then answer "no longer active"),
    and the ids of messages seen long enough ago that no platform repeats them."""
    now = clock()
    menus = await in_batches(db, lambda conn, after: retention.purge_menus(conn, now, after))
    conversations = await in_batches(
        db, lambda conn, after: retention.purge_conversations(conn, now, after)
    )
    seen_before = now - retention.SEEN_KEPT
    seen = await in_batches(
        db, lambda conn, after: retention.purge_seen_messages(conn, seen_before, after)
    )
    async with db.unit() as conn:  # chats' turns of outbox messages, idle for an hour
        await chat_turns.purge(conn, TURNS_KEPT)
    return menus, conversations, seen


async def purge_old(db: Database, now: datetime, keep: timedelta) -> tuple[int, int, int]:
    """Purge what is older than ``keep`` (see ``bot.storage.retention``), in batches: returns
    (outbox rows, broadcast runs kept as counts, strangers' chats)."""
    cutoff = now - keep
    async with db.unit() as conn:
        runs = await retention.finish_runs(conn, cutoff)
    rows = await in_batches(db, lambda conn, after: retention.purge_run_rows(conn, runs, after))
    rows += await in_batches(db, lambda conn, after: retention.purge_outbox(conn, cutoff, after))
    strangers = await in_batches(
        db, lambda conn, after: retention.purge_strangers(conn, cutoff, after)
    )
    return rows, len(runs), strangers


def install_housekeeping(
    scheduler: Scheduler, db: Database, clock: Clock, keep: timedelta | None = None
) -> None:
    """The hourly clean-up; with ``keep`` (the retention setting) old rows are purged too."""

    async def job() -> None:
        dropped = await housekeeping(db, clock)
        if any(dropped):
            log.info(
                "housekeeping: %d expired menus, %d expired conversations, %d old message ids"
                " dropped",
                *dropped,
            )
        if keep is not None:
            purged = await purge_old(db, clock(), keep)
            if any(purged):
                log.info(
                    "housekeeping: %d old outbox messages purged (%d broadcast runs kept as"
                    " counts), %d idle strangers' chats purged",
                    *purged,
                )

    scheduler.every("housekeeping", 3600, job)
