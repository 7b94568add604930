"""The outbox worker: delivers queued messages at the platform's limits, and never loses one.

Telegram's limits (as documented by Telegram): about 30 messages a second overall, about one a
second in one chat, 20 a minute in one group. One :class:`Pacer` per platform holds that budget
and is shared by this worker and by the transport's direct replies: a global clock of evenly
spaced slots, and per chat the moment it may get its next message. The worker keeps the
pending messages in memory, one queue per chat, and takes one slot at a time, so a reply to a
person takes the next free slot before any further broadcast message (a benchmark in
``bench/broadcast.py`` measures how close to the limits it runs).

Durability: the database is the source of truth. A message is claimed just before its request
goes out: marked ``sending`` and held by this process (in a small group, one transaction, with
row locks and its chat's turn taken, so that several processes on one PostgreSQL database never
claim one message or one chat's turn together: bot.storage.outbox.start_sending), and marked
``sent`` as soon as it is answered.
Delivery is *at most once for a request that may have reached Telegram while the bot runs*:
a request that got no answer in time (or whose connection broke after it was written) is not
sent again, but recorded as ``sent`` with the note ``unconfirmed`` (Telegram most likely has
it); only answers that prove the message was not sent (429, a server error, no connection)
are retried. Across a crash it is *at least once* for the few messages in flight at that
moment: ``recover`` at start, and a survivor's heartbeat when a process dies
(scheduler/presence.py), turn the dead process's ``sending`` back into ``pending`` (whether the
request had left cannot be known, and a missing alert is worse than a rare duplicate); a live
process's are never touched. A normal stop waits for the requests in flight, so a restart sends
nothing twice.

It honours ``retry_after`` on a 429 (that chat waits; the whole worker pauses when several
chats draw one at once), marks chats that blocked or removed the bot as inactive and skips
their messages, follows a group to its new supergroup id, retries other errors with back-off
a bounded number of times and then records them as failed with the reason. Messages to one
person go before a broadcast (``priority``).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core.sealing import Sealer, is_sealed
from bot.storage import chats, outbox, processes
from bot.storage.chat_turns import Answer, TurnRules
from bot.storage.connection import log_failure
from bot.storage.db import Database, DatabaseError
from bot.storage.outbox import OutboxMessage
from bot.transports.delivery_record import Recording
from bot.transports.pacing import Limits, Pacer
from bot.transports.send_results import Sender, SendResult

log = logging.getLogger(__name__)


class SealedAddressError(Exception):
    """A message's sealed chat cannot be opened with this deployment's key."""


Clock = Callable[[], datetime]
REFILL_SECONDS = 1.0
WINDOW = 2_000  # pending messages held in memory at most (plus any that must go first)
# New messages read from the database at a time: reading a whole window of 2,000 at the start of
# a broadcast to 100,000 people held the event loop (every chat) for 20 ms; the window fills in
# a few steps instead, the chats' updates going in between.
READ_AT_ONCE = 500
STOP_GRACE = 5.0  # a normal stop waits this long for the requests in flight


class OutboxWorker(Recording):
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        *,
        signal: asyncio.Event | None = None,
        limits: Limits = Limits(),
        is_group: Callable[[str], bool] | None = None,
        pacer: Pacer | None = None,
        sealer: Sealer | None = None,
        process_id: str | None = None,
        lease: float = processes.DEFAULT_LEASE,
    ) -> None:
        self.db = db
        # The process the rows it marks 'sending' are held by (bot.storage.processes).
        self.process_id = process_id or processes.new_id()
        self.lease = lease
        self.rules = TurnRules(limits.private_interval, limits.group_burst, limits.group_window)
        # Opens sealed addresses (an anonymous reporter's chat) for the one request that
        # sends to them: the address is never written, kept or logged in the clear.
        self.sealer = sealer
        self.sender = sender
        self.clock = clock
        self.signal = signal or asyncio.Event()
        self.limits = limits
        self.is_group = is_group
        # The budget shared with the transport's direct replies (its own when not given).
        self.pacer = pacer or Pacer(limits, is_group)
        self._known: set[int] = set()
        self._queues: dict[str, list[tuple[int, int, OutboxMessage]]] = {}
        self._waiting: list[tuple[float, str]] = []  # (ready at, chat id)
        # Set when a chat is scheduled: an idle worker wakes for it instead of sleeping until
        # the next refill (a chat whose message was just answered is due again soon).
        self._wake = asyncio.Event()
        self._idle_waits: dict[str, asyncio.Future[bool]] = {}
        self._ready: list[tuple[int, int, str]] = []  # (-priority, head id, chat id)
        self._scheduled: set[str] = set()  # chats in _waiting or _ready
        self._busy: set[str] = set()  # chats with a request in flight
        self._kinds_read: set[str] = set()  # chats whose kind was read into pacer.groups
        self._held: list[tuple[datetime, int, OutboxMessage]] = []
        self._results: list[tuple[int, int | None]] = []
        self._answers: list[Answer] = []  # the chats' turns to give back with those results
        self._results_waiting = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._next_refill = 0.0
        self._started = 0

    # Clock ------------------------------------------------------------------------------
    def _mono(self) -> float:
        return asyncio.get_running_loop().time()

    # Start and stop ---------------------------------------------------------------------
    async def recover(self) -> int:
        """Take back what dead processes held (silent past the lease; on SQLite, any earlier
        holder of the lock file): their messages in flight are sent again."""
        async with self.db.unit() as conn:
            return (await processes.take_back(conn, self.lease, at_start=True)).messages

    async def run(self) -> None:
        """Deliver until cancelled."""
        recovered = await self.recover()
        if recovered:
            log.info(
                "outbox: %d messages were in flight at the last stop; sending them again", recovered
            )
        self._semaphore = asyncio.Semaphore(self.limits.concurrency)
        flusher = asyncio.create_task(self._flush_loop(), name="outbox-flush")
        try:
            while True:
                await self._step()
        finally:
            # A normal stop lets the requests in flight be answered and recorded, so that a
            # restart sends none of them again; after STOP_GRACE they stay 'sending'.
            if self._tasks:
                with contextlib.suppress(BaseException):
                    await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in list(self._tasks):
                task.cancel()
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            for waiting in self._idle_waits.values():
                waiting.cancel()
            # Whatever is still in flight stays 'sending' and is sent again after a restart.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._flush())

    async def drain(self, *, within: float = 30.0) -> int:
        """Send everything that is due now and wait for the answers (for tests and the CLI).
        Returns how many messages were handed to the sender."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limits.concurrency)
        deadline = self._mono() + within
        started = self._started
        await self._refill()
        while self._mono() < deadline:
            await self._flush()  # the answers give the chats' turns back (no flusher here)
            self._release_held()
            self._promote()
            if not self._ready and not self._tasks:
                if not self._waiting:
                    if await self._refill():  # the next window of the queue
                        continue
                    break
                await asyncio.sleep(max(0.001, self._waiting[0][0] - self._mono()))
                continue
            if not self._ready:
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
                continue
            await self._dispatch_some()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        await self._flush()
        return self._started - started

    # Loading ----------------------------------------------------------------------------
    async def _refill(self) -> int:
        """Read the next window of pending messages; returns how many were new."""
        async with self.db.read() as conn:
            found = await outbox.pending_window(
                conn, self.sender.platform, self._known, WINDOW, READ_AT_ONCE
            )
            unread = {m.chat_id for m in found} - self._kinds_read
            if unread:  # whether a chat is a group comes from its kind, read once per chat
                self.pacer.groups |= await chats.group_ids(conn, self.sender.platform, unread)
                self._kinds_read |= unread
        now = self.clock()
        for message in found:
            if message.id in self._known:
                continue
            self._known.add(message.id)
            if message.not_before > now:
                heapq.heappush(self._held, (message.not_before, message.id, message))
            else:
                self._enqueue(message)
        return len(found)

    def _enqueue(self, message: OutboxMessage, *, front: bool = False) -> None:
        queue = self._queues.setdefault(message.chat_id, [])
        order = -(10**12) if front else message.id
        heapq.heappush(queue, (-message.priority, order, message))
        self._schedule(message.chat_id)

    def _schedule(self, chat_id: str) -> None:
        if chat_id in self._scheduled or chat_id in self._busy or not self._queues.get(chat_id):
            return
        self._scheduled.add(chat_id)
        heapq.heappush(self._waiting, (self.pacer.ready_at(chat_id), chat_id))
        self._wake.set()

    def _release_held(self) -> None:
        now = self.clock()
        while self._held and self._held[0][0] <= now:
            _, _, message = heapq.heappop(self._held)
            self._enqueue(message)

    def _promote(self) -> None:
        now = self._mono()
        while self._waiting and self._waiting[0][0] <= now:
            _, chat_id = heapq.heappop(self._waiting)
            queue = self._queues.get(chat_id)
            if not queue:
                self._scheduled.discard(chat_id)
                continue
            priority, _, head = queue[0]
            heapq.heappush(self._ready, (priority, head.id, chat_id))

    # The loop ---------------------------------------------------------------------------
    async def _step(self) -> None:
        if self.signal.is_set() or self._mono() >= self._next_refill:
            self.signal.clear()
            more = await self._refill() >= READ_AT_ONCE  # more may wait: read on at once
            self._next_refill = self._mono() + (0.0 if more else REFILL_SECONDS)
        self._release_held()
        self._promote()
        if not self._ready:
            await self._idle()
            return
        await self._dispatch_some()

    async def _idle(self) -> None:
        now = self._mono()
        wait = self._next_refill - now
        if self._waiting:
            wait = min(wait, self._waiting[0][0] - now)
        if self._held:
            wall = (self._held[0][0] - self.clock()).total_seconds()
            wait = min(wait, max(wall, 0.05))
        wait = max(0.001, min(wait, REFILL_SECONDS))
        self._wake.clear()
        waits = self._idle_waits
        for name, event in (("signal", self.signal), ("wake", self._wake)):
            if name not in waits or waits[name].done():
                waits[name] = asyncio.ensure_future(event.wait())
        await asyncio.wait(waits.values(), timeout=wait, return_when=asyncio.FIRST_COMPLETED)

    async def _dispatch_some(self) -> None:
        """Take a few ready chats (as many as fit in the next ~20 ms of slots), mark their head
        messages as being sent in one transaction, and start each at its slot."""
        assert self._semaphore is not None
        count = max(1, min(len(self._ready), int(self.limits.per_second * 0.02)))
        picked: list[OutboxMessage] = []
        now = self._mono()
        for _ in range(count):
            _, _, chat_id = heapq.heappop(self._ready)
            self._scheduled.discard(chat_id)
            queue = self._queues.get(chat_id)
            if not queue:
                continue
            ready = self.pacer.ready_at(chat_id)
            if ready > now:  # a reply went to this chat since it was scheduled
                self._scheduled.add(chat_id)
                heapq.heappush(self._waiting, (ready, chat_id))
                continue
            _, _, message = heapq.heappop(queue)
            self._busy.add(chat_id)
            picked.append(message)
        if not picked:
            return
        groups = {m.chat_id for m in picked if self.pacer.is_group(m.chat_id)}
        try:
            async with self.db.unit() as conn:
                claimed = await outbox.start_sending(
                    conn,
                    self.sender.platform,
                    [m.id for m in picked],
                    self.process_id,
                    groups,
                    self.rules,
                )
        except DatabaseError:  # the database is away, or two claims met: they are asked again
            log.warning("outbox: claiming messages failed; asking again", exc_info=True)
            claimed = outbox.Claimed(waits={m.id: REFILL_SECONDS for m in picked})
        sending, skipped, edits = claimed.sending, claimed.skipped, claimed.edits
        for message in picked:
            if message.id in claimed.waits:  # its chat's turn is not yet (another process)
                self._later(message, claimed.waits[message.id])
                continue
            if message.id not in sending:
                self._known.discard(message.id)
                self._done_with_chat(message.chat_id)
                if message.id in skipped:
                    self._drop_chat(message.chat_id)
                continue
            if message.id in edits:
                message = replace(message, edit_message_id=edits[message.id])
            # A reply may have taken the chat's turn meanwhile: then the message waits for the
            # chat in its own task, never holding up the other chats here.
            wait_turn = self.pacer.ready_at(message.chat_id) > self._mono()
            if not wait_turn:
                await self.pacer.turn(message.chat_id)  # the next global slot
            try:
                await self._semaphore.acquire()
            except BaseException:
                if not wait_turn:
                    self.pacer.done(message.chat_id, sent=False)
                raise
            self._started += 1
            task = asyncio.create_task(self._send_one(message, wait_turn=wait_turn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _later(self, message: OutboxMessage, wait: float) -> None:
        """Put a message back at its chat's head; the chat is asked again after ``wait``."""
        chat_id = message.chat_id
        self._busy.discard(chat_id)
        heapq.heappush(
            self._queues.setdefault(chat_id, []), (-message.priority, message.id, message)
        )
        if chat_id not in self._scheduled:
            self._scheduled.add(chat_id)
            heapq.heappush(self._waiting, (self._mono() + wait, chat_id))
            self._wake.set()

    def _done_with_chat(self, chat_id: str) -> None:
        """The worker is done with the chat's head message (the pacer knows when the chat may
        get the next one)."""
        self._busy.discard(chat_id)
        if not self._queues.get(chat_id):
            self._queues.pop(chat_id, None)
            return
        self._schedule(chat_id)

    def _drop_chat(self, chat_id: str) -> None:
        for _, _, message in self._queues.pop(chat_id, []):
            self._known.discard(message.id)

    # Sending ----------------------------------------------------------------------------
    async def _send_one(self, message: OutboxMessage, *, wait_turn: bool = False) -> None:
        assert self._semaphore is not None
        result = SendResult("error", reason="cancelled")
        if wait_turn:
            try:
                await self.pacer.turn(message.chat_id)
            except BaseException:
                self._semaphore.release()
                raise
        try:
            try:
                result = await self.sender.deliver(self._opened(message))
            except SealedAddressError:
                log.warning(
                    "outbox: message %d has a sealed address this key cannot open", message.id
                )
                result = SendResult("failed", reason="sealed address cannot be opened")
            except Exception as exc:  # a sender bug must not stop delivery of the rest
                log.exception("outbox: sending message %d failed unexpectedly", message.id)
                result = SendResult("error", reason=type(exc).__name__)
        finally:
            self._semaphore.release()
            self.pacer.done(
                message.chat_id,
                sent=result.kind in ("sent", "unconfirmed"),
                hold=max(result.retry_after, 0.1) if result.kind == "retry_after" else 0.0,
            )
        try:
            await self._record(message, result)
        except Exception:
            log_failure(log, "outbox: recording the result of message %d failed", message.id)

    def _opened(self, message: OutboxMessage) -> OutboxMessage:
        """The message with its sealed chat opened, for the sender only (the worker's queues,
        the pacer and the database keep the sealed form). One that cannot be opened (a key
        changed since) fails as undeliverable."""
        if not is_sealed(message.chat_id):
            return message
        address = self.sealer.unseal(message.chat_id) if self.sealer else None
        if address is None:
            raise SealedAddressError
        return replace(message, chat_id=address, opened=True)
