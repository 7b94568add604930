"""Zalo transport: updates in (long polling or the webhook) and mapped to the core's events;
what goes out is :class:`~bot.transports.zalo.sending.ZaloSender`'s.

Zalo has no buttons, no command menu, no deep links and no documents. Options are shown as
numbered lines and a person answers with the number or the option's words (see
:mod:`bot.transports.numbered`, shared with the console); commands are typed as Vietnamese
words (see :mod:`bot.transports.zalo.words`); in a group, where the bot sees only messages that
mention it, the mention is left out of the text.

Each update is kept in the inbox (with a local sequence number: Zalo gives none) before it is
handled, so a crash loses none, and leaves it in the event's own transaction; each chat's
updates are handled in order in the chat's lane, independently of other chats. A webhook call
Zalo makes twice (the same message id), or a message getUpdates gives again after a restart, is
handled once: the ids seen are kept in SQLite (see bot/storage/seen_messages.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.dispatcher import Dispatcher
from bot.core.events import Button, ChatInfo, Event, EventKind, Person
from bot.core.menus import parse_callback_data
from bot.core.registry import Registry
from bot.storage import inbox, kv, seen_messages
from bot.storage.connection import log_failure
from bot.storage.db import Connection, Database
from bot.storage.outbox import OutboxMessage
from bot.transports.chat_lanes import ChatLanes
from bot.transports.numbered import choice
from bot.transports.pacing import Pacer
from bot.transports.send_results import SendResult
from bot.transports.zalo.client import (
    Flood,
    TokenRefused,
    ZaloClient,
    ZaloError,
)
from bot.transports.zalo.links import Links
from bot.transports.zalo.sending import PhotoFetcher, ZaloSender
from bot.transports.zalo.updates import UnreadableUpdate, ZaloUpdate, parse_update
from bot.transports.zalo.words import typed_command

log = logging.getLogger(__name__)

PLATFORM = "zalo"
HANDLING = 2
BACKOFF_START, BACKOFF_MAX = 1.0, 60.0


class ZaloTransport:
    platform = PLATFORM

    def __init__(
        self,
        client: ZaloClient,
        dispatcher: Dispatcher,
        registry: Registry,
        db: Database,
        *,
        pacer: Pacer | None = None,
        links: Links | None = None,
        bot_names: tuple[str, ...] = (),
        fetch_photo: PhotoFetcher | None = None,
    ) -> None:
        self.client = client
        self.dispatcher = dispatcher
        self.registry = registry
        self.db = db
        # Everything outwards: replies, the outbox, files, the options last shown.
        self.sender = ZaloSender(
            client, dispatcher, db, pacer=pacer, links=links, fetch_photo=fetch_photo
        )
        self.bot_names = tuple(n.casefold() for n in bot_names if n)
        self._lanes: ChatLanes[tuple[int, Any]] = ChatLanes(self._handle_in_lane, "zalo")
        self._handling = asyncio.Semaphore(HANDLING)

    # In -----------------------------------------------------------------------------------
    async def receive(self, body: Any) -> None:
        """An update from getUpdates or the webhook: kept in the inbox, then handed to its
        chat's lane (the webhook answers Zalo as soon as it is kept)."""
        try:
            update = parse_update(body)
        except UnreadableUpdate as exc:
            log.info("skipped a Zalo update with nothing to answer (%s)", exc)
            return
        if update.is_bot:
            return
        # A message Zalo delivers again (a webhook call it repeats, getUpdates after a restart)
        # is taken once: its id is recorded in the transaction that keeps it in the inbox, so
        # one that could not be kept is taken when it comes again.
        async with self.db.unit() as conn:
            now = self.dispatcher.clock()
            if update.message_id and not await seen_messages.first_time(
                conn, PLATFORM, update.message_id, now
            ):
                log.info("skipped a Zalo update received twice")
                return
            seq = int(await kv.get(conn, "zalo.seq") or 0) + 1
            await kv.put(conn, "zalo.seq", str(seq))
            await inbox.put_many(conn, PLATFORM, [(seq, body)], now)
        self.submit(update.chat_id, seq, body)

    async def resume(self) -> int:
        """Hand the updates kept before the last stop and not handled to their lanes."""
        async with self.db.read() as conn:
            waiting = await inbox.waiting(conn, PLATFORM)
        for seq, body in waiting:
            try:
                update = parse_update(body)
            except UnreadableUpdate:
                await self._handled(seq)
                continue
            self.submit(update.chat_id, seq, body)
        if waiting:
            log.info("handling %d Zalo updates received before the last stop", len(waiting))
        return len(waiting)

    def submit(self, chat_id: str, seq: int, body: Any) -> None:
        self._lanes.submit(chat_id, (seq, body))

    async def _handle_in_lane(self, item: tuple[int, Any]) -> None:
        seq, body = item
        try:
            await self._process(seq, body)
        except Exception:
            log.exception("Zalo update %s could not be processed", seq)
            try:  # one that failed is not kept either
                await self._handled(seq)
            except Exception:
                log_failure(log, "could not take Zalo update %s out of the inbox", seq)

    @staticmethod
    def _leave_inbox(seq: int) -> Callable[[Connection], Awaitable[None]]:
        async def leave(conn: Connection) -> None:
            await inbox.remove(conn, PLATFORM, seq)

        return leave

    async def _handled(self, seq: int) -> None:
        async with self.db.unit() as conn:
            await inbox.remove(conn, PLATFORM, seq)

    async def _process(self, seq: int, body: Any) -> None:
        update = parse_update(body)
        await self.sender.load_options(update.chat_id)
        event = self.to_event(update, seq)
        async with self._handling:
            # It leaves the inbox in the event's transaction; the outbox is woken after the reply.
            outcome = await self.dispatcher.handle(
                event, within=self._leave_inbox(seq), wake_outbox=False
            )
            if not outcome.committed:
                await self._handled(seq)
            if outcome.checkpoint_after:
                await self.db.checkpoint()
        try:
            await self.sender.render(event, outcome)
        finally:
            if outcome.outbox_written:
                self.dispatcher.outbox_signal.set()

    def _without_mention(self, chat_id: str, text: str) -> str:
        """A group message reaches the bot when it mentions it: the mention is not the text.
        Zalo does not say where the bot's name ends ("@Xóm An Toàn 2"), so the words after
        the "@" are dropped up to the first rest that is a command or an option shown."""
        if not text.startswith("@"):
            return text
        lowered = text.casefold()
        for name in self.bot_names:
            if lowered.startswith("@" + name):
                return text[len(name) + 1 :].lstrip(" ,:")
        words = text.split()
        options = self.sender.options(chat_id)
        for start in range(1, min(len(words), 6)):
            rest = " ".join(words[start:])
            if choice(rest, options) is not None or typed_command(rest, self._known):
                return rest
        return " ".join(words[1:])

    def _known(self, name: str) -> bool:
        return self.registry.find(name) is not None

    def to_event(self, update: ZaloUpdate, seq: int) -> Event:
        chat = ChatInfo(update.chat_id, "group" if update.is_group else "private")
        person = Person(update.user_id, update.user_name)
        base: dict[str, Any] = {"update_id": seq}
        if update.kind == "image":
            return Event(
                PLATFORM,
                EventKind.PHOTO,
                chat,
                person,
                text=update.text,
                file_ids=[update.photo_url] if update.photo_url else [],
                **base,
            )
        if update.kind != "text":  # a sticker, or content Zalo withheld
            return Event(PLATFORM, EventKind.UNSUPPORTED, chat, person, **base)
        text = update.text
        if update.is_group:
            text = self._without_mention(update.chat_id, text)
        pressed = choice(text, self.sender.options(update.chat_id))
        if pressed is not None and pressed.data:  # a link's option is read, not pressed
            return pressed_event(PLATFORM, chat, person, text, pressed, seq)
        command = typed_command(text, self._known)
        if command is not None:
            name, args = command
            return Event(
                PLATFORM,
                EventKind.COMMAND,
                chat,
                person,
                text=text,
                command=name,
                args=args,
                **base,
            )
        return Event(PLATFORM, EventKind.TEXT, chat, person, text=text, **base)

    async def deliver(self, item: OutboxMessage) -> SendResult:
        """The outbox worker's sender (see :class:`ZaloSender`)."""
        return await self.sender.deliver(item)

    # Polling ------------------------------------------------------------------------------
    async def poll(self, wait_seconds: int, stop: asyncio.Event) -> None:
        """getUpdates until ``stop``: one update per answer. Every failure is logged in one line
        and retried with back-off; a refused token stops the bot (:class:`TokenRefused`)."""
        delay = BACKOFF_START
        while not stop.is_set():
            try:
                body = await self.client.get_update(wait_seconds)
            except asyncio.CancelledError:
                raise
            except TokenRefused:
                raise
            except Flood as exc:
                pause = self.sender.flood_hold(exc)
                log.warning("Zalo polling: asked to slow down (429); retrying in %.0fs", pause)
            except ZaloError as exc:
                pause = delay
                delay = min(delay * 2, BACKOFF_MAX)
                log.warning("Zalo polling failed (%s); retrying in %.0fs", exc, pause)
            else:
                delay = BACKOFF_START
                if body is not None:
                    await self._keep(body, stop)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)

    async def _keep(self, body: Any, stop: asyncio.Event) -> None:
        """A polled update into the inbox; getUpdates gives it once, so a failure to keep it
        (the database busy or full) is logged and tried again with back-off, never dropped
        while the bot runs, and never stops the polling."""
        delay = BACKOFF_START
        while True:
            try:
                await self.receive(body)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log_failure(log, "a Zalo update could not be kept; trying again in %.0fs", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                log.error("stopping with a Zalo update that could not be kept")
                return
            delay = min(delay * 2, BACKOFF_MAX)

    async def stop_lanes(self, grace: float = 5.0) -> None:
        await self._lanes.stop(grace)


def pressed_event(
    platform: str, chat: ChatInfo, person: Person, text: str, button: Button, seq: int
) -> Event:
    """Typed text naming an option shown: the core decides whether it presses it."""
    parsed = parse_callback_data(button.data or "")
    return Event(
        platform,
        EventKind.TEXT,
        chat,
        person,
        seq,
        text=text,
        menu_id=parsed[0] if parsed else None,
        option_index=parsed[1] if parsed else None,
        callback_id=str(seq),
        message_id=seq,
    )
