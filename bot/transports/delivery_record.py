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
from bot.storage.connection import ConnectionLost
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
        async with self.db.unit() as conn:
            await chat_turns.release(
                conn,
                self.sender.platform,
                [self._answer(message, result)],
                self.process_id,
                self.rules,
            )
            if result.kind == "unconfirmed":
                # It may have arrived: never sent again (see the module docstring).
                await outbox.mark_unconfirmed(conn, message.id, now, result.reason or UNCONFIRMED)
                self._known.discard(message.id)
                self._done_with_chat(chat_id)
                log.warning("outbox: message %d got no answer; not sent again", message.id)
            elif result.kind == "retry_after":
                wait = max(result.retry_after, 0.1)
                await outbox.retry_later(
                    conn,
                    message.id,
                    now + timedelta(seconds=wait),
                    f"flood limit: retry after {result.retry_after:g}s",
                    count=False,
                )
                self._enqueue(message, front=True)
                self._done_with_chat(chat_id)  # the pacer holds the chat for ``wait``
                log.warning("outbox: flood limit in one chat; it waits %.1fs", wait)
            elif result.kind == "blocked":
                await chats.set_active(conn, self.sender.platform, chat_id, False, now)
                await outbox.mark_final(conn, message.id, "skipped", result.reason)
                await outbox.skip_chat(conn, self.sender.platform, chat_id, result.reason)
                self._known.discard(message.id)
                self._drop_chat(chat_id)
                self._done_with_chat(chat_id)
            elif result.kind == "migrated" and result.new_chat_id is not None:
                new_id = result.new_chat_id
                if chat_id in self.pacer.groups:
                    self.pacer.groups.add(new_id)
                await chats.migrate(conn, self.sender.platform, chat_id, new_id, now)
                await outbox.retry_later(conn, message.id, now, "chat migrated", count=False)
                moved = [m for _, _, m in self._queues.pop(chat_id, [])]
                self._done_with_chat(chat_id)
                for other in [message, *moved]:
                    self._enqueue(replace(other, chat_id=new_id))
            elif result.kind == "failed" or message.attempts + 1 >= self.limits.max_attempts:
                reason = outbox.failure_reason(result.failure, result.reason or result.kind)
                await outbox.mark_final(conn, message.id, "failed", reason)
                self._known.discard(message.id)
                self._done_with_chat(chat_id)
            else:
                backoff = min(300.0, 2.0 ** (message.attempts + 1))
                when = now + timedelta(seconds=backoff)
                await outbox.retry_later(conn, message.id, when, result.reason)
                retry = replace(message, attempts=message.attempts + 1, not_before=when)
                heapq.heappush(self._held, (when, message.id, retry))
                self._done_with_chat(chat_id)
        self.signal.set()

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
