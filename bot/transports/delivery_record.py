"""The outbox worker's side that records what became of each request: in the outbox, and the
chat's turn given back (bot.storage.chat_turns) so that any process may send it the next one."""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.storage import chat_turns, chats, outbox
from bot.storage.chat_turns import Answer, TurnRules
from bot.storage.connection import Connection, ConnectionLost
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage
from bot.transports.pacing import Limits, Pacer
from bot.transports.send_results import UNCONFIRMED, Sender, SendResult

log = logging.getLogger("bot.transports.delivery")


class Recording:
    """Part of :class:`bot.transports.delivery.OutboxWorker`: recording the answers."""

    db: Database
    sender: Sender
    clock: Callable[[], datetime]
    signal: asyncio.Event
    limits: Limits
    pacer: Pacer
    process_id: str
    rules: TurnRules
    _known: set[int]
    _held: list[tuple[datetime, int, OutboxMessage]]
    _queues: dict[str, list[tuple[int, int, OutboxMessage]]]
    _results: list[tuple[int, int | None]]
    _answers: list[Answer]
    _results_waiting: asyncio.Event

    if TYPE_CHECKING:

        def _enqueue(self, message: OutboxMessage, *, front: bool = False) -> None: ...

        def _done_with_chat(self, chat_id: str) -> None: ...

        def _drop_chat(self, chat_id: str) -> None: ...

    def _answer(self, message: OutboxMessage, result: SendResult) -> Answer:
        """The chat's turn given back with this result (see bot.storage.chat_turns)."""
        return Answer(
            message.chat_id,
            sent=result.kind in ("sent", "unconfirmed"),
            group=self.pacer.is_group(message.chat_id),
            hold=max(result.retry_after, 0.1) if result.kind == "retry_after" else 0.0,
        )

    async def _record(self, message: OutboxMessage, result: SendResult) -> None:
        chat_id = message.chat_id
        if result.kind == "sent":
            self._results.append((message.id, result.message_id))
            self._answers.append(self._answer(message, result))
            self._results_waiting.set()
            self._known.discard(message.id)
            self._done_with_chat(chat_id)
            return
        now = self.clock()
        delay = 1.0
        while True:
            try:
                async with self.db.unit() as conn:
                    after = await self._write_result(conn, message, result, now)
                break
            except ConnectionLost as exc:  # the database server restarting: tried again
                # Nothing of it was kept, and nothing in memory changed: the whole of it is
                # written again, and the message is not left 'sending' until a restart.
                log.warning(
                    "outbox: recording message %d: %s; trying again in %.0fs",
                    message.id,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        after()
        self.signal.set()

    async def _write_result(
        self, conn: Connection, message: OutboxMessage, result: SendResult, now: datetime
    ) -> Callable[[], None]:
        """Write what became of a request that was not sent (in the caller's transaction);
        return what then changes in this worker's memory, once that transaction committed."""
        chat_id = message.chat_id
        await chat_turns.release(
            conn, self.sender.platform, [self._answer(message, result)], self.process_id, self.rules
        )
        if result.kind == "unconfirmed":
            # It may have arrived: never sent again (see the module docstring).
            await outbox.mark_unconfirmed(conn, message.id, now, result.reason or UNCONFIRMED)

            def unconfirmed() -> None:
                self._known.discard(message.id)
                self._done_with_chat(chat_id)
                log.warning("outbox: message %d got no answer; not sent again", message.id)

            return unconfirmed
        if result.kind == "retry_after":
            wait = max(result.retry_after, 0.1)
            await outbox.retry_later(
                conn,
                message.id,
                now + timedelta(seconds=wait),
                f"flood limit: retry after {result.retry_after:g}s",
                count=False,
            )

            def flood() -> None:
                self._enqueue(message, front=True)
                self._done_with_chat(chat_id)  # the pacer holds the chat for ``wait``
                log.warning("outbox: flood limit in one chat; it waits %.1fs", wait)

            return flood
        if result.kind == "blocked":
            await chats.set_active(conn, self.sender.platform, chat_id, False, now)
            await outbox.mark_final(conn, message.id, "skipped", result.reason)
            await outbox.skip_chat(conn, self.sender.platform, chat_id, result.reason)

            def blocked() -> None:
                self._known.discard(message.id)
                self._drop_chat(chat_id)
                self._done_with_chat(chat_id)

            return blocked
        if result.kind == "migrated" and result.new_chat_id is not None:
            new_id = result.new_chat_id
            await chats.migrate(conn, self.sender.platform, chat_id, new_id, now)
            await outbox.retry_later(conn, message.id, now, "chat migrated", count=False)

            def migrated() -> None:
                if chat_id in self.pacer.groups:
                    self.pacer.groups.add(new_id)
                moved = [m for _, _, m in self._queues.pop(chat_id, [])]
                self._done_with_chat(chat_id)
                for other in [message, *moved]:
                    self._enqueue(replace(other, chat_id=new_id))

            return migrated
        if result.kind == "failed" or message.attempts + 1 >= self.limits.max_attempts:
            reason = outbox.failure_reason(result.failure, result.reason or result.kind)
            await outbox.mark_final(conn, message.id, "failed", reason)

            def failed() -> None:
                self._known.discard(message.id)
                self._done_with_chat(chat_id)

            return failed
        backoff = min(300.0, 2.0 ** (message.attempts + 1))
        when = now + timedelta(seconds=backoff)
        await outbox.retry_later(conn, message.id, when, result.reason)
        retry = replace(message, attempts=message.attempts + 1, not_before=when)

        def later() -> None:
            heapq.heappush(self._held, (when, message.id, retry))
            self._done_with_chat(chat_id)

        return later

    # Results ----------------------------------------------------------------------------
    async def _flush(self) -> None:
        if not self._results:
            return
        results, self._results = self._results, []
        answers, self._answers = self._answers, []
        try:
            async with self.db.unit() as conn:
                await outbox.mark_sent_many(conn, results, self.clock())
                await chat_turns.release(
                    conn, self.sender.platform, answers, self.process_id, self.rules
                )
        except BaseException:
            self._results = results + self._results
            self._answers = answers + self._answers
            raise

    async def _flush_loop(self) -> None:
        """Record answers as soon as they come (those that come meanwhile are recorded together):
        after a crash, a message that surely arrived is not sent again."""
        while True:
            await self._results_waiting.wait()
            self._results_waiting.clear()
            try:
                await self._flush()
            except asyncio.CancelledError:
                raise
            except ConnectionLost as exc:  # the database server restarting: a fault, not a bug
                log.warning("outbox: recording sent messages: %s; trying again in 1s", exc)
                await self._flush_again()
            except Exception:
                log.exception("outbox: recording sent messages failed; trying again in 1s")
                await self._flush_again()

    async def _flush_again(self) -> None:
        """The results not recorded are still waiting: ask again in a second, not only when
        the next message is sent (the queue may have emptied)."""
        await asyncio.sleep(1.0)
        self._results_waiting.set()
