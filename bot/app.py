"""Assembling the bot: storage, registry, dispatcher, transport, outbox worker and timers.

Services start here and stop here (the rules-bot habit: start in post-init, close in shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.core.context import CoreConfig
from bot.core.dispatcher import Dispatcher, utc_now
from bot.core.registry import Job, Registry
from bot.handlers import build_registry
from bot.storage.db import Database
from bot.transports.delivery import Limits, OutboxWorker
from scheduler.service import Scheduler, install_housekeeping

log = logging.getLogger(__name__)
DEMO_DATABASE = Path(".demo") / "xomantoan-demo.sqlite3"

Clock = Callable[[], datetime]


def core_config(settings: Settings, bot_username: str | None) -> CoreConfig:
    from datetime import timedelta

    return CoreConfig(
        admins=frozenset(settings.admins),
        tz=settings.tz,
        default_language=settings.default_language,
        menu_ttl=timedelta(hours=settings.menu_ttl_hours),
        conversation_ttl=timedelta(hours=settings.conversation_ttl_hours),
        bot_username=bot_username or "xomantoan_bot",
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


async def run_telegram(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock = utc_now,
    limits: Limits | None = None,
) -> None:
    from bot.transports.telegram import TelegramTransport, build_application, with_retries

    token = settings.token
    assert token is not None
    stop = stop or asyncio.Event()
    db = await Database.open(settings.database)
    app = build_application(token, settings.telegram_api_url)
    scheduler = Scheduler(settings.tz)
    tasks: list[asyncio.Task[None]] = []
    transport: TelegramTransport | None = None
    try:
        await with_retries(app.initialize)
        registry = build_registry()
        dispatcher = Dispatcher(db, registry, core_config(settings, app.bot.username), clock)
        transport = TelegramTransport(app, dispatcher, registry, db)
        try:
            await transport.publish_commands()
        except Exception:
            log.warning("could not publish the command menus; commands still work", exc_info=True)
        worker = OutboxWorker(
            db, transport, clock, signal=dispatcher.outbox_signal, limits=limits or Limits()
        )
        install_housekeeping(scheduler, db, clock)
        install_jobs(scheduler, registry, db, dispatcher, clock)
        scheduler.start()
        tasks = [
            asyncio.create_task(worker.run(), name="outbox"),
            asyncio.create_task(transport.poll(settings.poll_timeout_seconds, stop), name="poll"),
        ]
        log.info("bot @%s is running (long polling)", app.bot.username)
        _stop_on_signals(stop)
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in done:
            if task is not stopper and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        scheduler.shutdown()
        if transport is not None:
            await transport.close()
        with contextlib.suppress(Exception):
            await app.shutdown()
        await db.close()
        log.info("bot stopped")


async def run_console(database: Path, settings: Settings) -> None:
    from bot.demo import GROUP, IDENTITIES, seed
    from bot.transports.console import ConsoleTransport

    database.parent.mkdir(parents=True, exist_ok=True)
    db = await Database.open(database)
    try:
        async with db.unit() as conn:
            await seed(conn, utc_now(), settings.tz)
        dispatcher = Dispatcher(db, build_registry(), core_config(settings, "xomantoan_demo_bot"))
        console = ConsoleTransport(
            dispatcher, IDENTITIES, GROUP, files_dir=database.parent / "files"
        )
        worker = OutboxWorker(
            db,
            console,
            utc_now,
            signal=dispatcher.outbox_signal,
            limits=Limits(per_second=1000, private_interval=0, group_interval=0),
        )
        delivery = asyncio.create_task(worker.run())
        try:
            await console.run()
        finally:
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery
    finally:
        await db.close()
