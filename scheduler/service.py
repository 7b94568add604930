"""The scheduler service: one AsyncIOScheduler, started in the bot's start-up and shut down with
it. Features register their jobs here; anything a job needs to remember lives in SQLite."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.storage import conversations, menus
from bot.storage.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Scheduler:
    def __init__(self, tz: ZoneInfo) -> None:
        self.scheduler = AsyncIOScheduler(timezone=tz)

    def every(self, job_id: str, seconds: int, job: Callable[[], Awaitable[object]]) -> None:
        """Run ``job`` once right after start (what fell due while the bot was stopped is done
        at once), then every ``seconds``."""
        self.scheduler.add_job(
            job,
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


async def housekeeping(db: Database, clock: Clock) -> tuple[int, int]:
    """Drop expired menus and conversations (their buttons then answer "no longer active")."""
    async with db.unit() as conn:
        now = clock()
        return await menus.purge_expired(conn, now), await conversations.purge_expired(conn, now)


def install_housekeeping(scheduler: Scheduler, db: Database, clock: Clock) -> None:
    async def job() -> None:
        dropped = await housekeeping(db, clock)
        if any(dropped):
            log.info("housekeeping: %d expired menus, %d expired conversations dropped", *dropped)

    scheduler.every("housekeeping", 3600, job)
