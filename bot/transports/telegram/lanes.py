"""The inbox and one lane per chat: each chat's updates handled in order."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.storage import inbox, kv
from bot.transports.telegram.ids import PLATFORM
from bot.transports.telegram.state import TransportState

log = logging.getLogger(__name__)


class Lanes(TransportState):
    # One lane per chat --------------------------------------------------------------------
    async def _accept(self, accepted: list[tuple[int | None, Update, Any]], offset: int) -> None:
        """Keep a fetched batch in the inbox (the next getUpdates confirms it to Telegram, which
        then forgets it) and hand each update to its chat's lane."""
        kept = [(update_id, item) for update_id, _, item in accepted if update_id is not None]
        async with self.db.unit() as conn:
            await inbox.put_many(conn, PLATFORM, kept, self.dispatcher.clock())
            await kv.put(conn, "telegram.offset", str(offset))
        self._inboxed.update(update_id for update_id, _ in kept)
        for update_id, update, _ in accepted:
            self.submit(update, update_id)

    async def resume(self) -> int:
        """Hand the updates left in the inbox by the last run (fetched, not handled) to their
        lanes, before polling again; returns how many."""
        async with self.db.read() as conn:
            waiting = await inbox.waiting(conn, PLATFORM)
        for update_id, item in waiting:
            self._inboxed.add(update_id)
            try:
                update = Update.de_json(item, self.bot)
            except Exception:
                log.warning("skipped update %s that could not be read", update_id, exc_info=True)
                await self._handled(update_id)
                continue
            self.submit(update, update_id)
        if waiting:
            log.info("handling %d updates received before the last stop", len(waiting))
        return len(waiting)

    def _leave_inbox(self, update_id: int) -> Callable[[Any], Awaitable[None]]:
        async def remove(conn: Any) -> None:
            await inbox.remove(conn, PLATFORM, update_id)

        return remove

    async def _handled(self, update_id: int | None) -> None:
        """The update's transaction has committed: it leaves the inbox (a crash from now on
        may lose its reply, never handle it twice)."""
        if update_id is None or update_id not in self._inboxed:
            return
        self._inboxed.discard(update_id)
        async with self.db.unit() as conn:
            await inbox.remove(conn, PLATFORM, update_id)

    def submit(self, update: Update, update_id: int | None = None) -> None:
        """Hand an update to its chat's lane and return at once: the chat's updates are
        handled in order, each chat independently of the others."""
        chat, user = update.effective_chat, update.effective_user
        key = chat.id if chat is not None else (user.id if user is not None else 0)
        self._lanes.submit(key, (update_id, update))

    async def _handle_in_lane(self, item: tuple[int | None, Update]) -> None:
        update_id, update = item
        try:
            await self.app.process_update(update)
        except Exception:
            log.exception("update %s could not be processed", update_id)
        try:  # one no handler took, or one that failed, is not kept either
            await self._handled(update_id)
        except Exception:
            log.exception("could not take update %s out of the inbox", update_id)

    async def stop_lanes(self, grace: float = 5.0) -> None:
        """At a stop: let the lanes finish for up to ``grace`` seconds, then cancel them (the
        replies they had not sent are then lost)."""
        await self._lanes.stop(grace)
