"""One lane per chat, for every transport: a chat's updates are handled in order, each chat
independently of the others (one chat's slow reply never makes another wait)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChatLanes(Generic[T]):
    """``handle`` is called for each item of a chat in turn (it handles its own failures: an
    exception it lets through ends nothing but that item's handling)."""

    def __init__(self, handle: Callable[[T], Awaitable[None]], name: str) -> None:
        self._handle = handle
        self._name = name
        self._lanes: dict[Hashable, deque[T]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: Hashable, item: T) -> None:
        """Queue ``item`` in its chat's lane and return at once."""
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(item)
            return
        self._lanes[key] = deque([item])
        task = asyncio.create_task(self._run(key), name=f"{self._name}-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: Hashable) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                try:
                    await self._handle(lane[0])
                finally:
                    lane.popleft()
        finally:
            if self._lanes.get(key) is lane:
                del self._lanes[key]

    async def stop(self, grace: float = 5.0) -> None:
        """At a stop: let the lanes finish for up to ``grace`` seconds, then cancel them (the
        replies they had not sent are then lost)."""
        tasks = list(self._tasks)
        if tasks:
            with contextlib.suppress(BaseException):
                await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
