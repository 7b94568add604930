"""The inbox and one lane per chat: each chat's updates handled in order."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update

from bot.storage import inbox, kv
from bot.storage.connection import log_failure
from bot.transports.telegram.ids import PLATFORM
from bot.transports.telegram.state import TransportState

log = logging.getLogger(__name__)


class HandledElsewhere(Exception):
    """The update's chat was taken over by another process (this one's lease had passed):
    its handling is rolled back here, and it is not answered."""


def chat_key(update: Update) -> str:
    """The lane (and the claim) an update belongs to: its chat, else its sender."""
    chat, user = update.effective_chat, update.effective_user
    return str(chat.id if chat is not None else (user.id if user is not None else 0))


class LeaveInbox:
    """The update leaves the inbox in its own transaction; in webhook mode only while this
    process (``holder``) still holds its chat, else the transaction is rolled back."""

    def __init__(self, update_id: int, holder: str | None) -> None:
        self.update_id = update_id
        self.holder = holder
        self.elsewhere = False

    async def __call__(self, conn: Any) -> None:
        removed = await inbox.remove(conn, PLATFORM, self.update_id, holder=self.holder)
        if not removed and self.holder is not None:
            self.elsewhere = True
            raise HandledElsewhere(f"update {self.update_id} was taken over by another process")


class Lanes(TransportState):
    # One lane per chat --------------------------------------------------------------------
    async def _accept(self, accepted: list[tuple[int | None, Update, Any]], offset: int) -> None:
        """Keep a fetched batch in the inbox (the next getUpdates confirms it to Telegram, which
        then forgets it) and hand each update to its chat's lane."""
        kept = [(update_id, item) for update_id, _, item in accepted if update_id is not None]
        keys = {u: chat_key(update) for u, update, _ in accepted if u is not None}
        async with self.db.unit() as conn:
            await inbox.put_many(conn, PLATFORM, kept, self.dispatcher.clock(), keys=keys)
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

    def _leave_inbox(self, update_id: int) -> LeaveInbox:
        return LeaveInbox(update_id, self.holder)

    async def _handled(self, update_id: int | None) -> None:
        """The update's transaction has committed: it leaves the inbox (a crash from now on
        may lose its reply, never handle it twice)."""
        if update_id is None or update_id not in self._inboxed:
            return
        self._inboxed.discard(update_id)
        async with self.db.unit() as conn:
            await inbox.remove(conn, PLATFORM, update_id, holder=self.holder)

    def submit(self, update: Update, update_id: int | None = None) -> None:
        """Hand an update to its chat's lane and return at once: the chat's updates are
        handled in order, each chat independently of the others."""
        self._lanes.submit(chat_key(update), (update_id, update))

    async def _handle_in_lane(self, item: tuple[int | None, Update]) -> None:
        update_id, update = item
        try:
            await self.app.process_update(update)
        except Exception:
            log.exception("update %s could not be processed", update_id)
        try:  # one no handler took, or one that failed, is not kept either
            await self._handled(update_id)
        except Exception:
            log_failure(log, "could not take update %s out of the inbox", update_id)

    async def stop_lanes(self, grace: float = 5.0) -> None:
        """At a stop: let the lanes finish for up to ``grace`` seconds, then cancel them (the
        replies they had not sent are then lost)."""
        await self._lanes.stop(grace)
