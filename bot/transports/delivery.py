"""The outbox worker: delivers queued messages at the platform's limits, and never loses one.

Telegram's limits (as documented by Telegram): about 30 messages a second overall, about one a
second in one private chat, 20 a minute in one group. The worker paces itself to stay under
them, honours ``retry_after`` on a 429, marks chats that blocked or removed the bot as inactive,
follows a group to its new supergroup id, retries other errors with back-off a bounded number of
times and then records them as failed with the reason. A message is marked as being sent before
the request goes out, so after a crash only the messages in flight at that moment are sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.storage import chats, outbox
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    kind: str  # "sent", "retry_after", "blocked", "migrated", "failed", "error"
    reason: str = ""
    retry_after: float = 0.0
    new_chat_id: int | None = None

    @classmethod
    def sent(cls) -> SendResult:
        return cls("sent")


class Sender(Protocol):
    platform: str

    async def deliver(self, message: OutboxMessage) -> SendResult: ...


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # all chats together
    private_interval: float = 1.0  # seconds between two messages to one private chat
    group_interval: float = 3.0  # 20 a minute in one group
    max_attempts: int = 5
    concurrency: int = 8

    def scaled(self, factor: float) -> Limits:
        return Limits(
            self.per_second * factor,
            self.private_interval / factor,
            self.group_interval / factor,
            self.max_attempts,
            self.concurrency,
        )


Clock = Callable[[], datetime]


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        *,
        signal: asyncio.Event | None = None,
        limits: Limits = Limits(),
        is_group: Callable[[int], bool] = lambda chat_id: chat_id < 0,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.signal = signal or asyncio.Event()
        self.limits = limits
        self.is_group = is_group
        self._chat_ready: dict[int, float] = {}
        self._paused_until = 0.0
        self._next_slot = 0.0

    def _now_mono(self) -> float:
        return asyncio.get_running_loop().time()

    async def recover(self) -> int:
        async with self.db.unit() as conn:
            return await outbox.recover_in_flight(conn)

    async def run(self) -> None:
        """Deliver until cancelled."""
        recovered = await self.recover()
        if recovered:
            log.info(
                "outbox: %d messages were in flight at the last stop; sending them again", recovered
            )
        while True:
            sent = await self.drain()
            if sent:
                continue
            wait = await self._idle_seconds()
            self.signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.signal.wait(), timeout=wait)

    async def _idle_seconds(self) -> float:
        async with self.db.read() as conn:
            due = await outbox.next_due_at(conn, self.sender.platform)
        # Short waits: timers and the command line may queue messages from another connection.
        if due is None:
            return 1.0
        return max(0.05, min(1.0, (due - self.clock()).total_seconds()))

    async def drain(self) -> int:
        """Send what is due now; return how many messages were handled."""
        batch_size = max(1, int(self.limits.per_second))
        async with self.db.unit() as conn:
            batch = await outbox.claim_due(conn, self.sender.platform, self.clock(), batch_size)
        if not batch:
            return 0
        semaphore = asyncio.Semaphore(self.limits.concurrency)
        tasks = []
        for message in batch:
            delay = self._chat_delay(message.chat_id)
            if delay > 0:
                async with self.db.unit() as conn:
                    await outbox.retry_later(
                        conn,
                        message.id,
                        self.clock() + timedelta(seconds=delay),
                        "paced",
                        count=False,
                    )
                continue
            await self._global_slot()
            await semaphore.acquire()
            tasks.append(asyncio.create_task(self._send_one(message, semaphore)))
        if tasks:
            await asyncio.gather(*tasks)
        return len(batch)

    def _chat_delay(self, chat_id: int) -> float:
        now = self._now_mono()
        ready = self._chat_ready.get(chat_id, 0.0)
        if ready > now:
            return ready - now
        interval = (
            self.limits.group_interval if self.is_group(chat_id) else self.limits.private_interval
        )
        self._chat_ready[chat_id] = now + interval
        return 0.0

    async def _global_slot(self) -> None:
        now = self._now_mono()
        start = max(now, self._next_slot, self._paused_until)
        self._next_slot = start + 1.0 / self.limits.per_second
        if start > now:
            await asyncio.sleep(start - now)

    async def _send_one(self, message: OutboxMessage, semaphore: asyncio.Semaphore) -> None:
        try:
            async with self.db.read() as conn:
                chat = await chats.find(conn, self.sender.platform, message.chat_id)
            if chat is not None and not chat.active:
                async with self.db.unit() as conn:
                    await outbox.mark_final(conn, message.id, "skipped", "chat inactive")
                return
            try:
                result = await self.sender.deliver(message)
            except Exception as exc:  # a sender bug must not stop delivery of the rest
                log.exception("outbox: sending message %d failed unexpectedly", message.id)
                result = SendResult("error", reason=type(exc).__name__)
            await self._record(message, result)
        finally:
            semaphore.release()

    async def _record(self, message: OutboxMessage, result: SendResult) -> None:
        now = self.clock()
        async with self.db.unit() as conn:
            if result.kind == "sent":
                await outbox.mark_sent(conn, message.id, now)
            elif result.kind == "retry_after":
                self._paused_until = self._now_mono() + result.retry_after
                await outbox.retry_later(
                    conn,
                    message.id,
                    now + timedelta(seconds=result.retry_after),
                    f"flood limit: retry after {result.retry_after:g}s",
                    count=False,
                )
            elif result.kind == "blocked":
                await chats.set_active(conn, self.sender.platform, message.chat_id, False, now)
                await outbox.mark_final(conn, message.id, "skipped", result.reason)
                await outbox.skip_chat(conn, self.sender.platform, message.chat_id, result.reason)
            elif result.kind == "migrated" and result.new_chat_id is not None:
                await chats.migrate(
                    conn, self.sender.platform, message.chat_id, result.new_chat_id, now
                )
                await outbox.retry_later(conn, message.id, now, "chat migrated", count=False)
            elif result.kind == "failed" or message.attempts + 1 >= self.limits.max_attempts:
                await outbox.mark_final(conn, message.id, "failed", result.reason)
            else:
                backoff = min(300.0, 2.0 ** (message.attempts + 1))
                await outbox.retry_later(
                    conn, message.id, now + timedelta(seconds=backoff), result.reason
                )
        if result.kind in ("retry_after", "migrated", "error"):
            self.signal.set()
