"""Assembling the bot: storage, registry, dispatcher, transport, outbox worker and timers.

Services start here and stop here (the rules-bot habit: start in post-init, close in shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.config import DEMO_DATABASE as DEMO_DATABASE  # re-exported: it used to live here
from bot.config import Settings
from bot.core.context import CoreConfig
from bot.core.dispatcher import Dispatcher, utc_now
from bot.core.events import Links, NoLinks
from bot.core.registry import Job, Registry
from bot.features import build_registry
from bot.storage.db import Database
from bot.storage.lock import PollerInUseError, ProcessLock
from bot.transports.delivery import OutboxWorker
from bot.transports.pacing import Limits, Pacer
from bot.transports.send_results import Sender
from scheduler.presence import Presence, TimerClaims
from scheduler.service import Scheduler, install_housekeeping

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def core_config(settings: Settings, links: Links) -> CoreConfig:
    from datetime import timedelta

    return CoreConfig(
        admins=frozenset(settings.admins),
        tz=settings.tz,
        default_language=settings.default_language,
        menu_ttl=timedelta(hours=settings.menu_ttl_hours),
        conversation_ttl=timedelta(hours=settings.conversation_ttl_hours),
        links=links,
        commune_name=settings.commune_name,
        sealer=settings.sealer(),
        reopen_days=settings.reopen_days,
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


def keep_start_up_out_of_collections() -> None:
    """What start-up made (the modules, the chat library, the catalogs, the registry: some
    300,000 objects) lives as long as the process. Python's full garbage collection walked all
    of it every time, holding the event loop, and so every chat, for 50-60 ms (measured in
    bench.updates with 100,000 members: the slowest single hold); frozen, a full collection
    looks only at what was made since."""
    gc.collect()
    gc.freeze()


# How long a thread may keep running Python while another waits for the interpreter (Python's
# default is 5 ms). The bot's other threads are short: aiosqlite's (each unit of work's COMMIT,
# which holds every chat's next unit until it is done) and those making a chart or a
# spreadsheet (the event loop waits for the interpreter meanwhile).
THREAD_SWITCH_SECONDS = 0.0005


@contextlib.contextmanager
def threads_switched_sooner() -> Iterator[None]:
    """The interpreter handed between threads every ``THREAD_SWITCH_SECONDS`` while the bot
    runs (the setting is the process's: the tests' process gets its own back)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(THREAD_SWITCH_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


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


class OutboxSignal(asyncio.Event):
    """The dispatcher's "messages were queued" signal, passed on to each platform's outbox
    worker (each clears its own when it looks)."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners: list[asyncio.Event] = []

    def listener(self) -> asyncio.Event:
        event = asyncio.Event()
        self.listeners.append(event)
        return event

    def set(self) -> None:
        super().set()
        for event in self.listeners:
            event.set()


@dataclass
class Delivery:
    """One platform's outbox sender, at that platform's limits."""

    sender: Sender
    limits: Limits
    pacer: Pacer | None = None


@contextlib.asynccontextmanager
async def background(
    core: Core,
    sender: Sender | list[Delivery],
    settings: Settings,
    limits: Limits | None = None,
    pacer: Pacer | None = None,
    presence: Presence | None = None,
) -> AsyncIterator[list[asyncio.Task[None]]]:
    """The outbox workers (one per platform) and the timers (housekeeping and every feature's
    jobs), started the same way whatever the transports, and stopped when the block ends.
    Yields the workers' tasks (they only end by failing). ``presence``: this process in the
    database's registry (its id on the messages it sends, its share of the limits, its timers'
    claims)."""
    deliveries = (
        sender if isinstance(sender, list) else [Delivery(sender, limits or Limits(), pacer)]
    )
    signal = core.dispatcher.outbox_signal
    lease = presence.lease if presence is not None else settings.process_lease_seconds
    workers = [
        OutboxWorker(
            core.db,
            d.sender,
            core.clock,
            signal=signal.listener() if isinstance(signal, OutboxSignal) else signal,
            limits=d.limits,
            pacer=d.pacer,
            sealer=core.dispatcher.config.sealer,
            process_id=presence.id if presence is not None else None,
            lease=lease,
        )
        for d in deliveries
    ]
    if presence is not None:
        presence.add_pacers([w.pacer for w in workers])
    scheduler = Scheduler(
        settings.tz, TimerClaims(core.db, presence) if presence is not None else None
    )
    install_housekeeping(scheduler, core.db, core.clock, timedelta(days=settings.retention_days))
    install_jobs(scheduler, core.registry, core.db, core.dispatcher, core.clock)
    scheduler.start()
    tasks = [asyncio.create_task(w.run(), name=f"outbox-{w.sender.platform}") for w in workers]
    try:
        yield tasks
    finally:
        scheduler.shutdown()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def run_bot(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock = utc_now,
    limits: Limits | None = None,
    zalo_limits: Limits | None = None,
    read_timeout: float = 20.0,
) -> None:
    """Telegram, Zalo, or both (each whose token is set), on one database: alone on SQLite,
    beside other processes on PostgreSQL (README, "Several processes")."""
    stop = stop or asyncio.Event()
    lock = ProcessLock(settings.database)
    lock.acquire()  # SQLite: one bot process per database; a second one stops here
    try:
        db = await Database.open(settings.database)
    except BaseException:
        lock.release()
        raise
    presence = Presence(
        db, lease=settings.process_lease_seconds, polling=polls(settings), alone=lock.held
    )
    try:
        await take_poller_lock(db, presence.polling)  # webhook mode: polls() says False
        await presence.start()
        async with contextlib.AsyncExitStack() as stack:
            telegram = None
            if settings.token:
                from bot.transports.telegram_runner import running_telegram

                telegram = await stack.enter_async_context(
                    running_telegram(settings, db, stop, read_timeout=read_timeout)
                )
                if telegram is None:
                    return
            links: Links = telegram.links if telegram is not None else NoLinks()
            core = build_core(db, settings, links, clock)
            core.dispatcher.outbox_signal = OutboxSignal()
            deliveries: list[Delivery] = []
            tasks: list[asyncio.Task[None]] = []
            if telegram is not None:
                tg_limits = limits or Limits(
                    per_second=settings.telegram_messages_per_second,
                    private_interval=settings.telegram_chat_interval_seconds,
                )
                transport = await telegram.start(core.dispatcher, core.registry, tg_limits)
                core.dispatcher.config.platform_links[transport.platform] = links
                deliveries.append(Delivery(transport, tg_limits, telegram.pacer))
            server = None  # the bot's own HTTP server, when a platform needs it
            by_webhook = telegram is not None and telegram.by_webhook
            if settings.zalo or by_webhook:
                from bot.transports.zalo.runner import http_server

                server = http_server(settings, db)
                stack.push_async_callback(server.stop)
                hook = telegram.webhook() if telegram is not None else None
                if hook is not None:
                    server.add_webhook(hook)
            if settings.zalo:
                from bot.transports.zalo.runner import running_zalo

                zalo = await stack.enter_async_context(
                    running_zalo(
                        settings,
                        db,
                        core.dispatcher,
                        core.registry,
                        stop,
                        clock,
                        limits=zalo_limits,
                        read_timeout=read_timeout,
                        fetch_photo=telegram.fetch_file if telegram is not None else None,
                        server=server,
                    )
                )
                if zalo is None:
                    return
                deliveries.append(Delivery(zalo.transport, zalo.limits, zalo.pacer))
                if zalo.receiving is not None:
                    tasks.append(zalo.receiving)
            if server is not None:
                await server.start()
            async with background(core, deliveries, settings, presence=presence) as workers:
                if telegram is not None and (settings.telegram_polling or by_webhook):
                    tasks.append(await telegram.receive(stop))
                _stop_on_signals(stop)
                keep_start_up_out_of_collections()
                stack.enter_context(threads_switched_sooner())
                stopper = asyncio.create_task(stop.wait())
                try:
                    done, _ = await asyncio.wait(
                        [stopper, *workers, *tasks], return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    stopper.cancel()
                    if telegram is not None:
                        await telegram.stop_receiving()
                for task in done:
                    if task is not stopper and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
    finally:
        gc.unfreeze()  # a process that goes on (the tests) collects them again
        await presence.stop()
        await db.close()
        lock.release()
        log.info("bot stopped")


run_telegram = run_bot  # the name tests and benchmarks know


def polls(settings: Settings) -> bool:
    """Whether this process long-polls a platform for updates (Telegram's getUpdates, Zalo's
    without a webhook): only one process per database may (the platform refuses a second
    poller). A process in webhook mode does not poll."""
    telegram = (
        settings.token is not None
        and settings.telegram_polling
        and settings.telegram_webhook_url is None
    )
    zalo = settings.zalo is not None and not settings.zalo_webhook_url
    return telegram or zalo


async def take_poller_lock(db: Database, polling: bool) -> None:
    """The poller's lock: taken only by a process that polls (on PostgreSQL an advisory lock
    held until the process ends; on SQLite the lock file already made it the only process). A
    second poller stops here with one line; processes that do not poll need no lock."""
    if polling and not await db.claim_poller():
        raise PollerInUseError(
            f"another bot process is already polling for updates on {db.path}; only one may"
            " poll: run the others with XOMANTOAN_TELEGRAM_POLLING=false (they send and run"
            " the timers) or in webhook mode (README, Several processes)"
        )


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
    presence = Presence(db, lease=settings.process_lease_seconds, alone=lock.held)
    try:
        await presence.start()
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
        async with background(core, console, settings, limits, presence=presence):
            await console.run()
    finally:
        await presence.stop()
        await db.close()
        lock.release()
