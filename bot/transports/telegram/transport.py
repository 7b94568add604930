"""Telegram transport (python-telegram-bot): updates in, replies out, command menus, polling.

Polling is our own loop over ``getUpdates`` instead of PTB's updater: each update is parsed on
its own, so one update the library cannot read is skipped with a log line instead of being
fetched again forever (seen with PTB 22.8 and newer Bot API shapes).

Each chat is independent: the poller hands every update to its chat's lane (a task that runs
that chat's updates in order, handling and replying) and goes on at once, so one chat's
429s, server errors, hung requests or big download never hold up another chat. Replies are
paced by the same :class:`~bot.transports.pacing.Pacer` as the outbox (replies first), and
a request that may have reached Telegram (no answer in time) is never sent again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.dispatcher import Dispatcher
from bot.core.events import EventKind
from bot.core.registry import Registry
from bot.storage.db import Database
from bot.transports.chat_lanes import ChatLanes
from bot.transports.pacing import Pacer
from bot.transports.telegram.edits import MessageMap, Resent
from bot.transports.telegram.ids import PLATFORM
from bot.transports.telegram.menus import CommandMenus
from bot.transports.telegram.outbox_sender import OutboxSending
from bot.transports.telegram.polling import Polling
from bot.transports.telegram.replies import Replies

log = logging.getLogger(__name__)

HANDLING = 2  # events handled (in the database) at the same time


class TelegramTransport(Polling, Replies, OutboxSending, CommandMenus):
    platform = PLATFORM

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        dispatcher: Dispatcher,
        registry: Registry,
        db: Database,
        *,
        pacer: Pacer | None = None,
    ) -> None:
        self.app = app
        self.bot = app.bot
        self.dispatcher = dispatcher
        self.registry = registry
        self.db = db
        # Groups that became supergroups: old id -> new id (see follow_moves).
        self.moved: dict[str, str] = {}
        self._moves_known = False  # whether self.moved is up to date (see follow_moves)
        # The sending budget shared with the outbox worker (replies are not paced without one).
        self.pacer = pacer
        # Chats known to be groups (from the kind of the chats of events): a reply to one may
        # have to follow it to its supergroup; shared with the pacer, which spaces groups more.
        self.groups: set[str] = pacer.groups if pacer is not None else set()
        self._lanes: ChatLanes[tuple[int | None, Update]] = ChatLanes(self._handle_in_lane, "chat")
        self._inboxed: set[int] = set()  # update ids kept in the inbox, not handled yet
        # Webhook mode (several processes): this process's name in the chats' claims, the
        # chats it holds (each drained in its own lane), and what wakes its claiming.
        self.holder: str | None = None
        self.lease = timedelta(seconds=30)
        self._held: set[str] = set()
        self._claims: ChatLanes[str] = ChatLanes(self._drain, "claimed")
        self._claim_wake = asyncio.Event()
        # Few events wait for the database at once, so the outbox worker's short transactions
        # never queue behind a crowd of them (sending, the slow part, is outside).
        self._handling = asyncio.Semaphore(HANDLING)
        self.menus_task: asyncio.Task[None] | None = None
        # Outbox messages sent in parts: how many parts went out, while a later part waits for
        # a retry (the worker sends the message again; those parts are not).
        self._parts_sent: dict[int, int] = {}
        # Messages that could no longer be edited and were sent anew (see telegram/edits.py).
        self.resent = Resent()
        # A request to reply sent after a message with options: request id -> that message,
        # which the answer (a reply to the request) may edit in place.
        self.prompts = MessageMap()
        self._register_handlers()

    # Handlers: the registry drives them --------------------------------------------------
    def _register_handlers(self) -> None:
        for command in self.registry.commands:
            self.app.add_handler(CommandHandler([command.name, command.alias], self._on_update))
        self.app.add_handler(MessageHandler(filters.COMMAND, self._on_update))
        self.app.add_handler(CallbackQueryHandler(self._on_update))
        self.app.add_handler(ChatMemberHandler(self._on_update, ChatMemberHandler.MY_CHAT_MEMBER))
        self.app.add_handler(MessageHandler(filters.ALL, self._on_update))

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        event = self.to_event(update)
        if event is None:
            if update.callback_query:
                await self._answer(update.callback_query, None)
            return
        if event.document is not None:
            event = await self.fetch_document(event)
        update_id = update.update_id
        async with self._handling:
            leave = self._leave_inbox(update_id) if update_id in self._inboxed else None
            # It leaves the inbox in the event's transaction; the outbox is woken after the reply.
            outcome = await self.dispatcher.handle(event, within=leave, wake_outbox=False)
            if leave is not None and leave.elsewhere:
                self._inboxed.discard(update_id)
                log.warning("update %s: its chat was taken over by another process", update_id)
                return
            if outcome.committed:
                self._inboxed.discard(update_id)
            if event.kind == EventKind.CHAT_MIGRATED:
                self._moves_known = False
            await self._handled(update_id)  # when the event's transaction failed
            if outcome.checkpoint_after:
                # /forgetme: the update itself was kept in the inbox (with the person's name)
                # until now; checkpoint again so no page of the file still holds it.
                await self.db.checkpoint()
        try:
            await self.render(event, outcome, update.callback_query)
        finally:
            if outcome.outbox_written:
                self.dispatcher.outbox_signal.set()
