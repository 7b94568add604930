"""The sending budget of a platform (its limits), shared by the outbox worker and the
transport's direct replies."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

log = logging.getLogger(__name__)


CATCH_UP = 0.05
IN_FLIGHT_POLL = 0.02  # how often a message waits to see a chat's request in flight answered
# Flood answers from this many chats within FLOOD_WINDOW pause every chat, when they are also
# most of the platform's last FLOOD_SAMPLE answers (the overall limit refuses nearly every
# request; a few chats past their own limits among many served ones do not stop the others).
FLOOD_CHATS = 3
FLOOD_WINDOW = 1.0
FLOOD_SAMPLE = 20


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # all chats together
    private_interval: float = 1.0  # seconds between two messages to one chat (groups too)
    group_interval: float = 3.0  # a group gets at most group_burst messages per burst*interval
    max_attempts: int = 5
    concurrency: int = 8
    group_burst: int = 20  # 20 a minute in one group
    safety: float = 0.97  # run the global clock a little under the limit (timer jitter)

    def scaled(self, factor: float) -> Limits:
        return replace(
            self,
            per_second=self.per_second * factor,
            private_interval=self.private_interval / factor,
            group_interval=self.group_interval / factor,
            concurrency=max(self.concurrency, int(self.concurrency * factor / 2)),
        )

    @property
    def group_window(self) -> float:
        return self.group_burst * self.group_interval


class Pacer:
    """The one sending budget of a platform, shared by the outbox worker and direct replies.

    Times are the event loop's clock. :meth:`turn` waits until a chat may get a message (no
    request to it in flight, its interval passed, its group window not full), then takes the
    next slot of the global clock; :meth:`done` records the answer. Whoever asks first gets
    the next slot, and the worker asks for one slot at a time, so a reply waits for at most one
    broadcast message. A 429 holds the chat that drew it; flood answers from several chats at
    once that are most of the recent answers pause every chat (the overall limit was hit)."""

    def __init__(
        self, limits: Limits = Limits(), is_group: Callable[[str], bool] | None = None
    ) -> None:
        self.limits = limits
        # The chats known to be groups (by their kind, from the chats table and the events):
        # the outbox worker and the transport add to it.
        self.groups: set[str] = set()
        self.is_group = is_group or self.groups.__contains__
        # This process's part of the overall limit when several processes send on one
        # database: 1 / the live processes (bot.storage.processes; set by scheduler.presence).
        # Replies and the outbox of this process share that part, replies first.
        self.share = 1.0
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.chat_ready: dict[str, float] = {}
        self.group_sends: dict[str, deque[float]] = {}
        self.in_flight: dict[str, int] = {}
        self.replies_waiting: dict[str, int] = {}
        self._floods: deque[tuple[float, str]] = deque()
        self._answers: deque[bool] = deque(maxlen=FLOOD_SAMPLE)  # True: a flood answer
        self._reserved = 0

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    def interval(self) -> float:
        return 1.0 / (self.limits.per_second * self.limits.safety * self.share)

    def ready_at(self, chat_id: str, *, reply: bool = False) -> float:
        """When ``chat_id`` may get its next message (a guess while a request is in flight,
        or, for the outbox, while a reply waits for the chat)."""
        ready = max(self.chat_ready.get(chat_id, 0.0), self.paused_until)
        if self.in_flight.get(chat_id) or (not reply and self.replies_waiting.get(chat_id)):
            ready = max(ready, self.now() + IN_FLIGHT_POLL)
        return ready

    async def turn(self, chat_id: str, *, reply: bool = False) -> None:
        """Wait for ``chat_id``'s turn and a global slot; the caller then sends one request
        and must call :meth:`done` with its outcome. A ``reply`` goes before the outbox's
        messages to the same chat."""
        if reply:
            self.replies_waiting[chat_id] = self.replies_waiting.get(chat_id, 0) + 1
        try:
            while True:
                wait = self.ready_at(chat_id, reply=reply) - self.now()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
        finally:
            if reply:
                count = self.replies_waiting[chat_id] - 1
                if count > 0:
                    self.replies_waiting[chat_id] = count
                else:
                    del self.replies_waiting[chat_id]
        start = self.reserve(chat_id)
        wait = start - self.now()
        if wait > 0:
            try:
                await asyncio.sleep(wait)
            except BaseException:
                self.done(chat_id, sent=False)
                raise

    def reserve(self, chat_id: str) -> float:
        """Take the next slot for one request to ``chat_id`` and return when it may go. Slots
        lie on an even grid; a sender that wakes a little late keeps its place on the grid (so
        timer lateness does not add up), but never catches up more than ``CATCH_UP`` seconds:
        the rate over any second stays within the limit."""
        now, interval = self.now(), self.interval()
        start = max(self.next_slot, now - min(CATCH_UP, 10 * interval), self.paused_until)
        self.next_slot = start + interval
        self.in_flight[chat_id] = self.in_flight.get(chat_id, 0) + 1
        self._reserved += 1
        if self._reserved % 1000 == 0:
            self._forget_idle(now)
        return start

    def done(self, chat_id: str, *, sent: bool, hold: float = 0.0) -> None:
        """The request to ``chat_id`` was answered (``sent``: it may have reached the chat);
        ``hold``: the seconds a 429 asked to wait."""
        count = self.in_flight.get(chat_id, 0) - 1
        if count > 0:
            self.in_flight[chat_id] = count
        else:
            self.in_flight.pop(chat_id, None)
        now = self.now()
        ready = now + hold
        self._answers.append(hold > 0)
        if sent:
            ready = max(ready, now + self.limits.private_interval)
            if self.is_group(chat_id) and self.limits.group_interval > 0:
                window = self.group_sends.setdefault(chat_id, deque())
                window.append(now)
                horizon = self.limits.group_window
                while window and now - window[0] > horizon:
                    window.popleft()
                if len(window) >= self.limits.group_burst:
                    ready = max(ready, window[0] + horizon)
        if hold > 0:
            self._flood(chat_id, now, hold)
        self.chat_ready[chat_id] = max(self.chat_ready.get(chat_id, 0.0), ready)

    def _flood(self, chat_id: str, now: float, hold: float) -> None:
        self._floods.append((now, chat_id))
        while self._floods and now - self._floods[0][0] > FLOOD_WINDOW:
            self._floods.popleft()
        several = len({chat for _, chat in self._floods}) >= FLOOD_CHATS
        if several and 2 * sum(self._answers) > len(self._answers):
            self.paused_until = max(self.paused_until, now + hold)
            log.warning("flood limits in several chats at once: pausing every chat %.1fs", hold)

    def _forget_idle(self, now: float) -> None:
        horizon = self.limits.group_window
        for chat_id in [c for c, ready in self.chat_ready.items() if ready < now]:
            window = self.group_sends.get(chat_id)
            if window and now - window[-1] <= horizon:
                continue
            self.chat_ready.pop(chat_id, None)
            self.group_sends.pop(chat_id, None)
