"""Assembling the bot: storage, registry, dispatcher, transport, outbox worker and timers.

Services start here and stop here (the rules-bot habit: start in post-init, close in shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.config import DEMO_DATABASE as DEMO_DATABASE  # re-exported: it used to live here
from bot.config import ENV_PREFIX, Settings, SettingsError
from bot.core.context import CoreConfig
from bot.core.dispatcher import Dispatcher, utc_now
from bot.core.events import Links
from bot.core.registry import Job, Registry
from bot.features import build_registry
from bot.storage.db import Database
from bot.storage.lock import ProcessLock
from bot.transports.delivery import OutboxWorker
from bot.transports.pacing import Limits, Pacer
from bot.transports.platforms import telegram_admins
from bot.transports.send_results import Sender
from scheduler.service import Scheduler, install_housekeeping

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def core_config(settings: Settings, links: Links) -> CoreConfig:
    from datetime import timedelta

    return CoreConfig(
        admins=telegram_admins(settings.admins),
        tz=settings.tz,
        default_language=settings.default_language,
        menu_ttl=timedelta(hours=settings.menu_ttl_hours),
        conversation_ttl=timedelta(hours=settings.conversation_ttl_hours),
        links=links,
        commune_name=settings.commune_name,
    )


def install_jobs(
    scheduler: Scheduler, registry: Registry, db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    """Every feature's timers. Each run looks in SQLite for what is due, so a restart loses
    nothing; messages it queues wake the outbox worker."""
    for job in registry.jobs:

        async def run(job: Job = job) -> None:
            try:
                queued = await job.run(db, dispatcher.config, clock())
            except Exception:
                log.exception("timer %s failed", job.name)
                return
            if queued:
                dispatcher.outbox_signal.set()

        scheduler.every(job.name, job.every_seconds, run)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


@dataclass
class Core:
    """What every transport shares: the database, the registry and the dispatcher."""

    db: Database
    registry: Registry
    dispatcher: Dispatcher
    clock: Clock


def build_core(db: Database, settings: Settings, links: Links, clock: Clock) -> Core:
    registry = build_registry()
    return Core(db, registry, Dispatcher(db, registry, core_config(settings, links), clock), clock)


@contextlib.asynccontextmanager
async def background(
    core: Core, sender: Sender, settings: Settings, limits: Limits, pacer: Pacer | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """The outbox worker and the timers (housekeeping and every feature's jobs), started the
    same way whatever the transport, and stopped when the block ends. Yields the worker's task
    (it only ends by failing)."""
    worker = OutboxWorker(
        core.db,
        sender,
        core.clock,
        signal=core.dispatcher.outbox_signal,
        limits=limits,
        pacer=pacer,
    )
    scheduler = Scheduler(settings.tz)
    install_housekeeping(scheduler, core.db, core.clock, timedelta(days=settings.retention_days))
    install_jobs(scheduler, core.registry, core.db, core.dispatcher, core.clock)
    scheduler.start()
    task = asyncio.create_task(worker.run(), name="outbox")
    try:
        yield task
    finally:
        scheduler.shutdown()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def run_telegram(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock = utc_now,
    limits: Limits | None = None,
    read_timeout: float = 20.0,
) -> None:
    from bot.transports.telegram.connection import build_application
    from bot.transports.telegram.links import TelegramLinks
    from bot.transports.telegram.polling import TOKEN_REFUSED, initialize
    from bot.transports.telegram.transport import TelegramTransport

    token = settings.token
    assert token is not None
    stop = stop or asyncio.Event()
    app = build_application(token, settings.telegram_api_url, read_timeout=read_timeout)
    lock = ProcessLock(settings.database)
    lock.acquire()  # one bot process per database; a second one stops here with one line
    try:
        db = await Database.open(settings.database)
    except BaseException:
        lock.release()
        raise
    limits = limits or Limits()
    # One sending budget for the replies and the outbox (replies first).
    pacer = Pacer(limits)
    try:
        if not await initialize(app, stop):
            return
        core = build_core(db, settings, TelegramLinks(app.bot.username), clock)
        transport = TelegramTransport(app, core.dispatcher, core.registry, db, pacer=pacer)
        try:
            await transport.publish_commands()
        except Exception:
            log.warning("could not publish the command menus; commands still work", exc_info=True)
        async with background(core, transport, settings, limits, pacer=pacer) as worker:
            await transport.resume()  # updates fetched before the last stop and not yet handled
            poll = asyncio.create_task(
                transport.poll(settings.poll_timeout_seconds, stop), name="poll"
            )
            log.info("bot @%s is running (long polling)", app.bot.username)
            _stop_on_signals(stop)
            stopper = asyncio.create_task(stop.wait())
            try:
                done, _ = await asyncio.wait(
                    [stopper, worker, poll], return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                stopper.cancel()
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await poll
                await transport.stop_lanes()
                await transport.close()
            for task in done:
                if task is not stopper and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
    except TOKEN_REFUSED:
        raise SettingsError(
            f"Setting {ENV_PREFIX}TELEGRAM_TOKEN: Telegram refused this token (401 Unauthorized);"
            " copy it again from @BotFather"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            await app.shutdown()
        await db.close()
        lock.release()
        log.info("bot stopped")


async def run_console(
    database: Path,
    settings: Settings,
    *,
    out: TextIO | None = None,
    read_line: Callable[[], str] | None = None,
    clock: Clock = utc_now,
) -> None:
    """The console chat on ``database`` (seeded with the demo commune when empty), with the
    same outbox worker and timers as on Telegram: schedules, reports' deadlines and roster
    reminders run here too."""
    from bot.demo import GROUP, IDENTITIES, seed
    from bot.transports.console import ConsoleLinks, ConsoleTransport

    database.parent.mkdir(parents=True, exist_ok=True)
    lock = ProcessLock(database)  # its outbox worker delivers too: one process per database
    lock.acquire()
    try:
        db = await Database.open(database)
    except BaseException:
        lock.release()
        raise
    try:
        async with db.unit() as conn:
            await seed(conn, clock(), settings.tz)
        core = build_core(db, settings, ConsoleLinks(), clock)
        console = ConsoleTransport(
            core.dispatcher,
            IDENTITIES,
            GROUP,
            out=out or sys.stdout,
            read_line=read_line,
            files_dir=database.parent / "files",
        )
        limits = Limits(per_second=1000, private_interval=0, group_interval=0)
        async with background(core, console, settings, limits):
            await console.run()
    finally:
        await db.close()
        lock.release()
