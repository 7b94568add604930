"""Telegram transport (python-telegram-bot): updates in, replies out, command menus, polling.

Polling is our own loop over ``getUpdates`` instead of PTB's updater: each update is parsed on
its own, so one update the library cannot read is skipped with a log line instead of being
fetched again forever (seen with PTB 22.8 and newer Bot API shapes).

Each chat is independent: the poller hands every update to its chat's lane (a task that runs
that chat's updates in order, handling and replying) and goes on at once, so one chat's
429s, server errors, hung requests or big download never hold up another chat. Replies are
paced by the same :class:`~bot.transports.delivery.Pacer` as the outbox (replies first), and
a request that may have reached Telegram (no answer in time) is never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import importlib.util
import logging
import os
import sys
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import httpx

# Opt in to PTB's coming behaviour (retry_after as a timedelta), read at each access.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# httpcore tries `import sniffio` on every request (twice); when it is not installed (newer
# anyio does not need it), each try searches every folder of sys.path again: about a
# millisecond per update. Recording its absence once makes each try fail at once.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.core.dispatcher import Dispatcher
from bot.core.events import (
    Button,
    ChatInfo,
    Document,
    Event,
    EventKind,
    ExpectedReply,
    Outcome,
    Outgoing,
    Person,
)
from bot.core.events import parse_command as parse_command_text
from bot.core.menus import parse_callback_data
from bot.core.permissions import EVERYONE, LEADERS, OFFICERS, Role
from bot.core.registry import Registry
from bot.core.richtext import plain
from bot.i18n import LANGUAGES, Translator
from bot.storage import chats as chats_repo
from bot.storage import inbox, kv, outbox
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage
from bot.transports.delivery import UNCONFIRMED, Pacer, SendResult
from bot.transports.platforms import TELEGRAM
from bot.transports.telegram_text import fit_caption, split_text, telegram_html

log = logging.getLogger(__name__)
# We call getUpdates through do_api_request on purpose (see the module docstring).
warnings.filterwarnings("ignore", message=".*Bot.getUpdates.*", category=PTBUserWarning)
PLATFORM = TELEGRAM


class TelegramLinks:
    """Links Telegram can open: the bot's private chat started with a payload (a deep link),
    and a chat with a person (the client opens it only for people it knows)."""

    def __init__(self, bot_username: str | None) -> None:
        self.bot_username = bot_username or "xomantoan_bot"

    def private_chat_link(self, payload: str) -> str | None:
        return f"https://t.me/{self.bot_username}?start={payload}"

    def person_link(self, platform: str, user_id: str) -> str | None:
        return f"tg://user?id={user_id}" if platform == PLATFORM else None


def tg_id(text_id: str) -> int:
    """A person's or chat's id as Telegram knows it: the core keeps ids as text (issue #13),
    this transport turns Telegram's integers into text as they come in and back only here."""
    return int(text_id)


# Edited messages are not asked for (see to_event: they are not new input).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MENU_SPACING = 0.05  # seconds between two members' command menus published at start-up
T = TypeVar("T")
# Documents up to this size sent in a private chat are fetched before their event is handled.
DOCUMENT_FETCH_LIMIT = 2 * 1024 * 1024
# Back-off between failed getUpdates calls: doubles from the start up to the maximum (seconds).
POLL_BACKOFF_START = 1.0
POLL_BACKOFF_MAX = 60.0


class ReplyNotSent(Exception):
    """Telegram refused a reply on every attempt; ``rest`` is what was not sent."""

    def __init__(self, rest: Outgoing) -> None:
        super().__init__(f"reply to chat {rest.chat_id} not sent")
        self.rest = rest


CONNECTIONS = 256  # requests to the Bot API at the same time (PTB's default)
IDLE_CONNECTIONS = 16  # kept open between requests


class TokenRefusedError(Exception):
    """Telegram refused the bot token (401): the only polling failure that stops the bot."""


# What a refused token raises, as the chat library or this transport reports it.
TOKEN_REFUSED = (InvalidToken, TokenRefusedError)


def build_application(
    token: str, api_root: str, *, read_timeout: float = 20.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    # PTB logs every answer that is not JSON (a proxy's HTML page) with a traceback and the whole
    # body; the call fails with TelegramError and our one line says what happened instead.
    logging.getLogger("telegram.request.BaseRequest").setLevel(logging.CRITICAL)
    # PTB's pool of 256 connections keeps every idle one for 5 s, and httpcore looks at each
    # (a costly check whether the server closed it, and a count of them all for each one) twice
    # per request: after a burst of replies in many chats that cost more than the request.
    # Idle connections beyond IDLE_CONNECTIONS are closed; up to 256 may still be busy at once.
    request = HTTPXRequest(
        connection_pool_size=CONNECTIONS,
        connect_timeout=10,
        read_timeout=read_timeout,
        write_timeout=read_timeout,
        httpx_kwargs={
            "limits": httpx.Limits(
                max_connections=CONNECTIONS, max_keepalive_connections=IDLE_CONNECTIONS
            )
        },
    )
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .updater(None)
        .request(request)
        .build()
    )


def keyboard(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.data)
            for b in row
        ]
        for row in buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


# A step waiting for typed input in a group --------------------------------------------------
# With privacy mode on (the default) a group's ordinary messages never reach the bot, only
# commands, replies to its messages and mentions: the answer must come back as a reply. A
# ForceReply opens the reply for the person (selective: only them, as the sender of the message
# it answers or mentioned in it). It cannot go with an inline keyboard, nor on an edit: then the
# request is a short message of its own after the step's message.
PLACEHOLDER_LIMIT = 64


def force_reply(request: ExpectedReply) -> ForceReply:
    placeholder = " ".join(request.placeholder.split())[:PLACEHOLDER_LIMIT]
    return ForceReply(selective=True, input_field_placeholder=placeholder or None)


def asks_in_place(message: Outgoing) -> bool:
    """Whether the message itself can carry the forced reply: a new text message without
    buttons that answers the person's own message (which makes them its target)."""
    request = message.expects_reply
    return (
        request is not None
        and request.reply_to_message_id is not None
        and not message.buttons
        and message.edit_message_id is None
        and message.attachment is None
    )


def without_mention(text: str, username: str | None) -> str:
    """Text addressed to the bot by a leading mention ("@bot 3"), without the mention."""
    if not username:
        return text
    head = f"@{username}".lower()
    if not text.lower().startswith(head):
        return text
    rest = text[len(head) :]
    if rest[:1].isalnum() or rest[:1] == "_":
        return text  # another name that starts the same
    return rest.lstrip(" ,:\n")


def reply_prompt(request: ExpectedReply) -> str:
    """The request as a message of its own: the person mentioned (the mention makes them the
    forced reply's only target), then what to send."""
    mention = f'<a href="tg://user?id={request.user_id}">{html.escape(request.name)}</a>'
    return f"{mention}: {telegram_html(request.prompt)}"


REPLY_ATTEMPTS = 5
HANDLING = 2  # events handled (in the database) at the same time


def _seconds(wait: Any) -> float:
    return float(wait.total_seconds()) if hasattr(wait, "total_seconds") else float(wait)


def surely_not_done(exc: TelegramError) -> bool:
    """Whether a failed request surely did nothing at Telegram: it answered with an error (a
    429, a 5xx), no connection was made, or the request could not be written whole. No answer
    in time, or a connection that broke after the request was written, may mean Telegram has
    it (a sent message would then arrive twice)."""
    if isinstance(exc, RetryAfter):
        return True
    cause = exc.__cause__
    if cause is None or isinstance(cause, TelegramError):
        return True  # the server answered (with an error status)
    return isinstance(
        cause,
        (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.WriteTimeout,
            httpx.WriteError,
        ),
    )


def failure_kind(exc: TelegramError) -> str:
    """Why a message could not be sent, as one of outbox.FAILURE_KINDS (officers see it in
    their own language in a broadcast's report)."""
    if isinstance(exc, BadRequest):
        text = str(exc).lower()
        if "rights" in text or "administrator" in text or "write_forbidden" in text:
            return "no_rights"
        if "too long" in text:
            return "too_long"
        if "parse" in text or "entit" in text:
            return "format"
        return "refused"
    if isinstance(exc, NetworkError):
        answered = exc.__cause__ is None or isinstance(exc.__cause__, TelegramError)
        return "server" if answered else "network"  # a 5xx, or no connection
    return "other"


async def with_retries(call: Callable[[], Awaitable[T]], *, attempts: int = 5) -> T:
    """Run a Bot API call; wait out 429s and retry network errors with back-off."""
    delay = 1.0
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            if attempt == attempts:
                raise
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")


class TelegramTransport:
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
        self._lanes: dict[int, deque[tuple[int | None, Update]]] = {}
        self._lane_tasks: set[asyncio.Task[None]] = set()
        self._inboxed: set[int] = set()  # update ids kept in the inbox, not handled yet
        # Few events wait for the database at once, so the outbox worker's short transactions
        # never queue behind a crowd of them (sending, the slow part, is outside).
        self._handling = asyncio.Semaphore(HANDLING)
        self.menus_task: asyncio.Task[None] | None = None
        # Outbox messages sent in parts: how many parts went out, while a later part waits for
        # a retry (the worker sends the message again; those parts are not).
        self._parts_sent: dict[int, int] = {}
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

    # Mapping in ---------------------------------------------------------------------------
    def to_event(self, update: Update) -> Event | None:
        event = self._to_event(update)
        if event is None or event.kind == EventKind.CHAT_MIGRATED:
            return event
        if event.chat.id in self.moved:
            # Sent in a group before it became a supergroup, read after: it belongs to the
            # group as it is now (its chat row, menus and conversations moved there).
            event.chat = replace(event.chat, id=self.moved[event.chat.id])
        if event.chat.kind == "group":
            self.groups.add(event.chat.id)
        return event

    async def follow_moves(self) -> None:
        """Read which groups became supergroups (recorded by any part of the bot), when one
        may have moved since the last reading: an event said so, or a send was refused."""
        if self._moves_known:
            return
        self._moves_known = True
        async with self.db.read() as conn:
            self.moved = await chats_repo.moves(conn, PLATFORM)

    def _moved_to(self, old_id: str, new_id: str) -> None:
        """A move this process saw and records (as chats.migrate does in the database)."""
        for earlier, now in list(self.moved.items()):
            if now == old_id:
                self.moved[earlier] = new_id
        self.moved[old_id] = new_id

    def _to_event(self, update: Update) -> Event | None:
        if update.callback_query is not None:
            return self._button_event(update, update.callback_query)
        if update.my_chat_member is not None:
            return self._membership_event(update, update.my_chat_member)
        if update.edited_message is not None:
            # The rule for edits: an edited message is not new input. Taking it as new input
            # answered it twice and could file a step again; applying it to what it first said
            # could change a report or a pledge after it was confirmed. The person sends a new
            # message to change something, as every prompt asks.
            log.debug("ignored an edited message (update %s)", update.update_id)
            return None
        message = update.message
        if message is None or message.chat.type == "channel":
            return None
        return self._message_event(update, message)

    @staticmethod
    def _chat(chat: Any) -> ChatInfo:
        kind = "private" if chat.type == "private" else "group"
        return ChatInfo(str(chat.id), kind, chat.title)

    @staticmethod
    def _person(user: Any) -> Person | None:
        if user is None:
            return None
        return Person(str(user.id), user.first_name or "", user.last_name, user.language_code)

    def _button_event(self, update: Update, query: CallbackQuery) -> Event:
        parsed = parse_callback_data(query.data or "")
        message = query.message
        chat = self._chat(message.chat) if message else ChatInfo(str(query.from_user.id), "private")
        return Event(
            PLATFORM,
            EventKind.BUTTON,
            chat,
            self._person(query.from_user),
            update.update_id,
            menu_id=parsed[0] if parsed else None,
            option_index=parsed[1] if parsed else None,
            callback_id=query.id,
            message_id=message.message_id if message else None,
        )

    def _membership_event(self, update: Update, change: ChatMemberUpdated) -> Event | None:
        new, old = change.new_chat_member.status, change.old_chat_member.status
        present = (
            ChatMemberStatus.MEMBER,
            ChatMemberStatus.ADMINISTRATOR,
            ChatMemberStatus.OWNER,
            ChatMemberStatus.RESTRICTED,
        )
        gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        if new in present and old in gone:
            kind = EventKind.BOT_ADDED
        elif new in gone and old not in gone:
            kind = EventKind.BOT_REMOVED
        else:
            return None
        if kind == EventKind.BOT_ADDED and change.chat.type == "private":
            return None  # a person unblocked the bot: their next message reactivates the chat
        return Event(
            PLATFORM,
            kind,
            self._chat(change.chat),
            self._person(change.from_user),
            update.update_id,
        )

    def _message_event(self, update: Update, message: Message) -> Event:
        chat, user = self._chat(message.chat), self._person(message.from_user)
        base: dict[str, Any] = {
            "platform": PLATFORM,
            "chat": chat,
            "user": user,
            "update_id": update.update_id,
            "message_id": message.message_id,
        }
        if message.migrate_to_chat_id:
            new_id = str(message.migrate_to_chat_id)
            self.groups.add(new_id)
            return Event(kind=EventKind.CHAT_MIGRATED, new_chat_id=new_id, **base)
        if message.migrate_from_chat_id:
            base["chat"] = ChatInfo(str(message.migrate_from_chat_id), "group", message.chat.title)
            self.groups.add(str(message.chat.id))
            return Event(kind=EventKind.CHAT_MIGRATED, new_chat_id=str(message.chat.id), **base)
        if message.new_chat_title:
            return Event(kind=EventKind.TITLE_CHANGED, **base)
        text = message.text or ""
        if text.startswith("/"):
            parsed = parse_command_text(text, self.bot.username if self.bot else None)
            if parsed is not None:
                return Event(
                    kind=EventKind.COMMAND, text=text, command=parsed[0], args=parsed[1], **base
                )
            return Event(kind=EventKind.UNSUPPORTED, **base)  # a command for another bot
        if message.location is not None:
            loc = message.location
            return Event(kind=EventKind.LOCATION, location=(loc.latitude, loc.longitude), **base)
        caption = message.caption or ""
        if not chat.is_private:  # "@bot 3": a mention is how privacy mode lets text through
            username = self.bot.username if self.bot else None
            text, caption = without_mention(text, username), without_mention(caption, username)
        if message.photo:
            return Event(
                kind=EventKind.PHOTO,
                text=caption,
                file_ids=[message.photo[-1].file_id],
                **base,
            )
        if message.voice is not None:
            return Event(kind=EventKind.VOICE, file_ids=[message.voice.file_id], **base)
        if message.text is not None:
            return Event(kind=EventKind.TEXT, text=text, **base)
        if message.document is not None:
            doc = message.document
            return Event(
                kind=EventKind.UNSUPPORTED,
                text=message.caption or "",
                document=Document(doc.file_id, doc.file_name or "", doc.file_size),
                **base,
            )
        return Event(kind=EventKind.UNSUPPORTED, **base)

    async def fetch_document(self, event: Event) -> Event:
        """Fetch a small document sent in a private chat before the event is handled, so no
        download happens while the database is held; larger ones or failures leave no data."""
        doc = event.document
        if doc is None or not event.chat.is_private:
            return event
        if doc.size is None or doc.size > DOCUMENT_FETCH_LIMIT:
            return event
        try:
            file = await with_retries(lambda: self.bot.get_file(doc.file_id), attempts=2)
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("document of update %s could not be fetched: %s", event.update_id, exc)
            return event
        event.document = replace(doc, data=data[: DOCUMENT_FETCH_LIMIT + 1])
        return event

    # Mapping out --------------------------------------------------------------------------
    async def render(self, event: Event, outcome: Outcome, query: CallbackQuery | None) -> None:
        if query is not None:
            # A toast is shown as plain text: no formatting.
            await self._answer(query, plain(outcome.toast) if outcome.toast else None)
        for message in outcome.messages:
            try:
                await self.send_following_migration(message)
            except ReplyNotSent as unsent:
                await self._queue_unsent(event, unsent.rest)
            except Forbidden:
                log.info("chat %s blocked the bot; reply dropped", message.chat_id)
            except TelegramError as exc:
                log.warning("reply to update %s failed: %s", event.update_id, exc)

    async def _queue_unsent(self, event: Event, rest: Outgoing) -> None:
        """A reply that Telegram refused on every attempt goes to the outbox, first in line:
        the worker sends it when the chat may get messages again (a restart keeps it)."""
        buttons = [[b.__dict__ for b in row] for row in rest.buttons]
        async with self.db.unit() as conn:
            await outbox.enqueue(
                conn,
                PLATFORM,
                rest.chat_id,
                rest.text,
                buttons,
                self.dispatcher.clock(),
                priority=outbox.PRIORITY_URGENT,
            )
        self.dispatcher.outbox_signal.set()
        log.warning(
            "reply to update %s refused on every attempt; handed to the outbox", event.update_id
        )

    async def send_following_migration(self, message: Outgoing) -> None:
        """Send a reply to where its chat is now: a group that became a supergroup is followed,
        whether the move is known already or Telegram reports it on this reply (then recorded
        like the move announcement would, and the reply sent again to the new id)."""
        if message.chat_id in self.groups:
            async with self.db.read() as conn:
                current = await chats_repo.current_id(conn, PLATFORM, message.chat_id)
            if current != message.chat_id:
                message = replace(message, chat_id=current)
        try:
            await self.send(message)
        except ChatMigrated as exc:
            new_id = str(exc.new_chat_id)
            log.info("group %s became supergroup %s; reply follows it", message.chat_id, new_id)
            async with self.db.unit() as conn:
                await chats_repo.migrate(
                    conn, PLATFORM, message.chat_id, new_id, self.dispatcher.clock()
                )
            self._moved_to(message.chat_id, new_id)
            self.groups.add(new_id)
            # A message of the old group cannot be edited in the new one: send it anew.
            await self.send(replace(message, chat_id=new_id, edit_message_id=None))

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await with_retries(lambda: query.answer(text=text, show_alert=bool(text)), attempts=2)
        except TelegramError as exc:  # an old query cannot be answered any more; harmless
            log.debug("answering callback failed: %s", exc)

    async def send(self, message: Outgoing) -> None:
        request = message.expects_reply
        if request is not None and not asks_in_place(message):
            await self.send(replace(message, expects_reply=None))
            await self._paced(
                message.chat_id,
                lambda: self.bot.send_message(
                    tg_id(message.chat_id),
                    reply_prompt(request),
                    parse_mode=ParseMode.HTML,
                    reply_markup=force_reply(request),
                ),
            )
            return
        markup: InlineKeyboardMarkup | ForceReply | None = keyboard(message.buttons)
        answers: ReplyParameters | None = None
        if request is not None and request.reply_to_message_id is not None:  # asks in place
            markup = force_reply(request)
            answers = ReplyParameters(request.reply_to_message_id, allow_sending_without_reply=True)
        chat_id = message.chat_id
        if message.edit_message_id is not None and message.attachment is None:
            # A text too long for one message: its first part replaces the message, the rest
            # follows as new messages (the options go with the last).
            first, *rest = split_text(message.text)
            try:
                await self._paced(
                    chat_id,
                    lambda: self.bot.edit_message_text(
                        telegram_html(first),
                        chat_id=tg_id(message.chat_id),
                        message_id=message.edit_message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=None if rest else markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    resend_if_unsure=True,  # an edit done twice shows the same text
                )
                edited = True
            except BadRequest as exc:
                # Too old or not editable: send it as a new message instead.
                edited = "not modified" in str(exc).lower()
            except (RetryAfter, NetworkError) as exc:
                # Refused on every attempt: the outbox sends it later, as a new message.
                raise ReplyNotSent(replace(message, edit_message_id=None)) from exc
            if edited:
                if rest:
                    await self.send(replace(message, text="\n".join(rest), edit_message_id=None))
                return
        if message.attachment is not None:
            attachment = message.attachment
            try:
                data = await attachment.content()
            except Exception:  # a chart or file that cannot be made must not stop the bot
                log.exception("could not make %s; not sent", attachment.filename)
                return
            if attachment.kind == "photo":
                await self._paced(
                    chat_id,
                    lambda: self.bot.send_photo(
                        tg_id(message.chat_id),
                        data,
                        caption=fit_caption(message.text),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    ),
                )
            else:
                await self._paced(
                    chat_id,
                    lambda: self.bot.send_document(
                        tg_id(message.chat_id),
                        data,
                        filename=attachment.filename,
                        caption=fit_caption(message.text),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    ),
                )
            return
        parts = split_text(message.text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                await self._paced(
                    chat_id,
                    lambda part=part, last=last: self.bot.send_message(  # type: ignore[misc]
                        tg_id(message.chat_id),
                        telegram_html(part),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                        reply_parameters=answers if last else None,
                    ),
                )
            except (RetryAfter, NetworkError) as exc:
                if isinstance(exc, BadRequest):
                    raise
                # Every attempt was refused (flood limits, server errors): what is left of
                # the reply goes to the durable outbox instead of being lost.
                raise ReplyNotSent(replace(message, text="\n".join(parts[index:]))) from exc

    async def _paced(
        self,
        chat_id: str,
        call: Callable[[], Awaitable[T]],
        *,
        resend_if_unsure: bool = False,
    ) -> T | None:
        """One request of a reply, in the chat's turn of the shared budget. A 429 is waited
        out (the chat is held for the outbox too), an error that proves nothing was done is
        retried with back-off, and a request that may have been done (no answer in time) is
        not made again: it returns None, logged, unless ``resend_if_unsure``."""
        delay = 1.0
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            if self.pacer is not None:
                await self.pacer.turn(chat_id, reply=True)
            sent, hold = False, 0.0
            try:
                result = await call()
                sent = True
                return result
            except RetryAfter as exc:
                hold = max(_seconds(exc.retry_after), 0.1)
                if attempt == REPLY_ATTEMPTS:
                    raise
                if self.pacer is None:
                    await asyncio.sleep(hold)
            except NetworkError as exc:  # TimedOut and BadRequest are NetworkErrors too
                if isinstance(exc, BadRequest):
                    raise
                if not resend_if_unsure and not surely_not_done(exc):
                    sent = True  # it may have reached the chat: it counts, and is not resent
                    log.warning("a reply to chat got no answer (%s); %s", exc, UNCONFIRMED)
                    return None
                if attempt == REPLY_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            finally:
                if self.pacer is not None:
                    self.pacer.done(chat_id, sent=sent, hold=hold)
        raise AssertionError("unreachable")

    # Outbox sender ------------------------------------------------------------------------
    async def deliver(self, item: OutboxMessage) -> SendResult:
        """One attempt, no waiting here: the outbox worker paces, retries and honours 429s.
        Edits a message in place when the outbox row says so; sends a photo with a caption.
        A long text goes in parts; when a part is refused in a way the worker retries (a 429,
        an error that proves nothing was sent), the retry starts at that part."""
        result = await self._deliver(item)
        if result.kind not in ("retry_after", "error"):
            self._parts_sent.pop(item.id, None)
        return result

    async def _deliver(self, item: OutboxMessage) -> SendResult:
        buttons = [[Button(**b) for b in row] for row in item.buttons]
        markup = keyboard(buttons)
        sent_id: int | None = None
        try:
            if item.edit_message_id is not None:
                try:
                    await self.bot.edit_message_text(
                        telegram_html(item.text),
                        chat_id=tg_id(item.chat_id),
                        message_id=item.edit_message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                except BadRequest as exc:
                    if "not modified" not in str(exc).lower():
                        raise
                sent_id = item.edit_message_id
            elif item.photo:
                photo = await self.bot.send_photo(
                    tg_id(item.chat_id),
                    item.photo,
                    caption=fit_caption(item.text),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                sent_id = photo.message_id
            else:
                parts = split_text(item.text)
                for index, part in enumerate(parts):
                    if index < self._parts_sent.get(item.id, 0):
                        continue  # sent by an earlier attempt
                    last = index == len(parts) - 1
                    try:
                        sent = await self.bot.send_message(
                            tg_id(item.chat_id),
                            telegram_html(part),
                            parse_mode=ParseMode.HTML,
                            reply_markup=markup if last else None,
                            link_preview_options=LinkPreviewOptions(is_disabled=True),
                        )
                    except (TimedOut, NetworkError) as exc:
                        if last or isinstance(exc, BadRequest) or surely_not_done(exc):
                            raise
                        # This part may have arrived: it is not sent again, the rest follow.
                        log.warning(
                            "outbox: part %d of message %d got no answer; %s",
                            index + 1,
                            item.id,
                            UNCONFIRMED,
                        )
                    if not last:
                        self._parts_sent[item.id] = index + 1
                        continue
                    sent_id = sent.message_id
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            return SendResult("retry_after", retry_after=seconds)
        except ChatMigrated as exc:
            self._moved_to(item.chat_id, str(exc.new_chat_id))  # the worker records it
            return SendResult("migrated", new_chat_id=str(exc.new_chat_id))
        except Forbidden as exc:
            return SendResult("blocked", reason=str(exc)[:200])
        except BadRequest as exc:
            text = str(exc).lower()
            if "chat not found" in text or "user not found" in text:
                return SendResult("blocked", reason=str(exc)[:200])
            return SendResult("failed", reason=str(exc)[:200], failure=failure_kind(exc))
        except (TimedOut, NetworkError) as exc:
            if not surely_not_done(exc):  # Telegram may have it: never sent again
                return SendResult("unconfirmed", reason=f"{UNCONFIRMED} ({exc})"[:200])
            return SendResult("error", reason=f"network: {exc}"[:200], failure=failure_kind(exc))
        except TelegramError as exc:
            return SendResult("error", reason=str(exc)[:200])
        return SendResult.sent(sent_id)

    # Command menus ------------------------------------------------------------------------
    async def publish_commands(self) -> None:
        """Localized menus per scope: residents in private chats, everyone in groups (a few
        calls, before polling starts); then, in the background and spread out, the full list
        for each leader, officer and admin in their own private chat (one call each: 300
        leaders in a row would hold the start for many seconds)."""
        for language in LANGUAGES:
            t = Translator(language)
            code = None if language == "vi" else language
            private = self._menu(t, {Role.RESIDENT}, private=True)
            groups = self._menu(t, EVERYONE, private=False)
            await with_retries(
                lambda p=private, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    p, scope=BotCommandScopeAllPrivateChats(), language_code=c
                )
            )
            await with_retries(
                lambda g=groups, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    g, scope=BotCommandScopeAllGroupChats(), language_code=c
                )
            )
            await with_retries(
                lambda p=private, c=code: self.bot.set_my_commands(  # type: ignore[misc]
                    p, scope=BotCommandScopeDefault(), language_code=c
                )
            )
        async with self.db.read() as conn:
            elevated = await roles_repo.elevated_on(conn, PLATFORM)
        self.menus_task = asyncio.create_task(
            self._publish_member_menus(elevated), name="command-menus"
        )

    async def _publish_member_menus(self, elevated: list[roles_repo.Elevated]) -> None:
        for index, member in enumerate(elevated):
            if index:
                await asyncio.sleep(MENU_SPACING)
            try:
                held = {Role(r) for r in member.roles}
                await self.publish_member_commands(member.user_id, member.language, held)
            except Exception:  # a menu that cannot be set must not stop the others
                log.warning("could not set a member's command menu", exc_info=True)

    async def close(self) -> None:
        """Stop the background work of this transport (menus still being published)."""
        if self.menus_task is not None:
            self.menus_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.menus_task

    async def publish_member_commands(
        self, user_id: str, language: str | None, held: set[Role]
    ) -> None:
        t = Translator(language or "vi")
        roles = {Role.RESIDENT, *held}
        if Role.ADMIN in held:
            roles |= set(OFFICERS)
        if roles & set(OFFICERS):
            roles |= set(LEADERS)
        try:
            await with_retries(
                lambda: self.bot.set_my_commands(
                    self._menu(t, roles, private=True), scope=BotCommandScopeChat(tg_id(user_id))
                )
            )
        except (Forbidden, BadRequest) as exc:
            log.info("could not set the command menu for a member: %s", exc)

    def _menu(self, t: Translator, roles: Any, *, private: bool) -> list[BotCommand]:
        commands = self.registry.for_menu(roles, private=private)
        # Vietnamese menus show the Vietnamese aliases people type; English menus the names.
        return [
            BotCommand(c.alias if t.language == "vi" else c.name, t._(c.description)[:256])
            for c in commands
        ]

    # Polling ------------------------------------------------------------------------------
    async def poll(self, wait_seconds: int, stop: asyncio.Event) -> None:
        """Fetch updates until ``stop`` is set. Whatever the network answers (an HTML page from
        a proxy, cut-off JSON, an answer without ``result``, 403, 5xx, a timeout) is logged in
        one line and retried with back-off; only a token Telegram refuses (401) stops the bot,
        as :class:`TokenRefusedError`."""
        async with self.db.read() as conn:
            stored = await kv.get(conn, "telegram.offset")
        offset = int(stored) if stored else 0
        delay = keep_delay = POLL_BACKOFF_START
        while not stop.is_set():
            problem: str | None = None
            wait: float | None = None
            raw: Any = None
            try:
                raw = await self.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": wait_seconds,
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                    read_timeout=wait_seconds + 10,
                )
            except RetryAfter as exc:
                retry = exc.retry_after
                wait = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
                problem = "Telegram asked to slow down"
            except Conflict:
                problem = "another copy of this bot is polling with the same token"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every other answer is retried
                if _token_refused(exc):
                    raise TokenRefusedError(str(exc)) from None
                problem = _describe_poll_failure(exc)
            if problem is None and not isinstance(raw, list):
                problem = f"getUpdates answered {type(raw).__name__} instead of a list"
            if problem is not None:
                pause = wait if wait is not None else delay
                log.warning("polling failed (%s); retrying in %.0fs", problem, pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                if wait is None:
                    delay = min(delay * 2, POLL_BACKOFF_MAX)
                continue
            delay = POLL_BACKOFF_START
            if raw:
                await self.follow_moves()
            confirmed = offset
            accepted: list[tuple[int | None, Update, Any]] = []
            for item in raw:
                update_id = item.get("update_id") if isinstance(item, dict) else None
                if isinstance(update_id, int):
                    offset = max(offset, update_id + 1)
                try:
                    update = Update.de_json(item, self.bot)
                except Exception:
                    log.warning(
                        "skipped update %s that could not be read", update_id, exc_info=True
                    )
                    continue
                accepted.append((update_id, update, item))
            if raw:
                try:
                    await self._accept(accepted, offset)
                except Exception:
                    # Nothing of the batch was kept (its transaction rolled back) and Telegram
                    # keeps it until a getUpdates with a later offset: fetch it again.
                    offset = confirmed
                    log.exception(
                        "could not keep fetched updates; fetching them again in %.0fs", keep_delay
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), keep_delay)
                    keep_delay = min(keep_delay * 2, POLL_BACKOFF_MAX)
                else:
                    keep_delay = POLL_BACKOFF_START

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
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append((update_id, update))
            return
        self._lanes[key] = deque([(update_id, update)])
        task = asyncio.create_task(self._run_lane(key), name=f"chat-{key}")
        self._lane_tasks.add(task)
        task.add_done_callback(self._lane_tasks.discard)

    async def _run_lane(self, key: int) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                update_id, update = lane[0]
                try:
                    await self.app.process_update(update)
                except Exception:
                    log.exception("update %s could not be processed", update_id)
                finally:
                    lane.popleft()
                try:  # one no handler took, or one that failed, is not kept either
                    await self._handled(update_id)
                except Exception:
                    log.exception("could not take update %s out of the inbox", update_id)
        finally:
            if self._lanes.get(key) is lane:
                del self._lanes[key]

    async def stop_lanes(self, grace: float = 5.0) -> None:
        """At a stop: let the lanes finish for up to ``grace`` seconds, then cancel them (the
        replies they had not sent are then lost)."""
        tasks = list(self._lane_tasks)
        if tasks:
            with contextlib.suppress(BaseException):
                await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


async def initialize(app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event) -> bool:
    """Start the library (it asks ``getMe``), retrying every failed answer with back-off as
    polling does; a refused token raises :class:`TokenRefusedError`. False when stopped first."""
    delay = POLL_BACKOFF_START
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every other answer is retried
            if _token_refused(exc):
                raise TokenRefusedError(str(exc)) from None
            log.warning(
                "connecting to Telegram failed (%s); retrying in %.0fs",
                _describe_poll_failure(exc),
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, POLL_BACKOFF_MAX)
    return False


def _token_refused(exc: BaseException) -> bool:
    """Telegram answered 401 Unauthorized. PTB reports it as InvalidToken, wrapped in
    EndPointNotFound once the bot is initialised, and uses the same classes for a 404."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, InvalidToken) and "unauthorized" in str(seen).lower():
            return True
        seen = seen.__cause__
    return False


def _describe_poll_failure(exc: Exception) -> str:
    """One short line for a failed getUpdates (never the URL, which holds the token)."""
    if isinstance(exc, KeyError):
        return "the answer had no 'result'"
    if isinstance(exc, Forbidden):
        return f"access refused (403): {exc}"[:200]
    if isinstance(exc, TelegramError) and "Invalid server response" in str(exc):
        return "the answer was not JSON (a proxy or captive portal?)"
    return f"{type(exc).__name__}: {exc}"[:200]
