"""Telegram transport (python-telegram-bot): updates in, replies out, command menus, polling.

Polling is our own loop over ``getUpdates`` instead of PTB's updater: each update is parsed on
its own, so one update the library cannot read is skipped with a log line instead of being
fetched again forever (seen with PTB 22.8 and newer Bot API shapes).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

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
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
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
from telegram.warnings import PTBUserWarning

from bot.core.dispatcher import Dispatcher
from bot.core.events import Button, ChatInfo, Event, EventKind, Outcome, Outgoing, Person
from bot.core.events import parse_command as parse_command_text
from bot.core.menus import parse_callback_data
from bot.core.permissions import EVERYONE, LEADERS, OFFICERS, Role
from bot.core.registry import Registry
from bot.i18n import LANGUAGES, Translator
from bot.storage import kv
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage
from bot.text import TELEGRAM_TEXT_LIMIT, plain_text
from bot.transports.delivery import SendResult

log = logging.getLogger(__name__)
# We call getUpdates through do_api_request on purpose (see the module docstring).
warnings.filterwarnings("ignore", message=".*Bot.getUpdates.*", category=PTBUserWarning)
PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MENU_SPACING = 0.05  # seconds between two members' command menus published at start-up
T = TypeVar("T")


def build_application(token: str, api_root: str) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .updater(None)
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
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


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split long text at line breaks so every part fits in one Telegram message."""
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


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
    ) -> None:
        self.app = app
        self.bot = app.bot
        self.dispatcher = dispatcher
        self.registry = registry
        self.db = db
        self.menus_task: asyncio.Task[None] | None = None
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
        outcome = await self.dispatcher.handle(event)
        await self.render(event, outcome, update.callback_query)

    # Mapping in ---------------------------------------------------------------------------
    def to_event(self, update: Update) -> Event | None:
        if update.callback_query is not None:
            return self._button_event(update, update.callback_query)
        if update.my_chat_member is not None:
            return self._membership_event(update, update.my_chat_member)
        message = update.message or update.edited_message
        if message is None or message.chat.type == "channel":
            return None
        return self._message_event(update, message)

    @staticmethod
    def _chat(chat: Any) -> ChatInfo:
        kind = "private" if chat.type == "private" else "group"
        return ChatInfo(chat.id, kind, chat.title)

    @staticmethod
    def _person(user: Any) -> Person | None:
        if user is None:
            return None
        return Person(user.id, user.first_name or "", user.last_name, user.language_code)

    def _button_event(self, update: Update, query: CallbackQuery) -> Event:
        parsed = parse_callback_data(query.data or "")
        message = query.message
        chat = self._chat(message.chat) if message else ChatInfo(query.from_user.id, "private")
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
            return Event(
                kind=EventKind.CHAT_MIGRATED, new_chat_id=message.migrate_to_chat_id, **base
            )
        if message.migrate_from_chat_id:
            base["chat"] = ChatInfo(message.migrate_from_chat_id, "group", message.chat.title)
            return Event(kind=EventKind.CHAT_MIGRATED, new_chat_id=message.chat.id, **base)
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
        if message.photo:
            return Event(
                kind=EventKind.PHOTO,
                text=message.caption or "",
                file_ids=[message.photo[-1].file_id],
                **base,
            )
        if message.voice is not None:
            return Event(kind=EventKind.VOICE, file_ids=[message.voice.file_id], **base)
        if message.text is not None:
            return Event(kind=EventKind.TEXT, text=text, **base)
        return Event(kind=EventKind.UNSUPPORTED, **base)

    # Mapping out --------------------------------------------------------------------------
    async def render(self, event: Event, outcome: Outcome, query: CallbackQuery | None) -> None:
        if query is not None:
            # A toast is shown as plain text: no tags, no HTML entities.
            await self._answer(query, plain_text(outcome.toast) if outcome.toast else None)
        for message in outcome.messages:
            try:
                await self.send(message)
            except Forbidden:
                log.info("chat %s blocked the bot; reply dropped", message.chat_id)
            except TelegramError as exc:
                log.warning("reply to update %s failed: %s", event.update_id, exc)

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await with_retries(lambda: query.answer(text=text, show_alert=bool(text)), attempts=2)
        except TelegramError as exc:  # an old query cannot be answered any more; harmless
            log.debug("answering callback failed: %s", exc)

    async def send(self, message: Outgoing) -> None:
        markup = keyboard(message.buttons)
        if message.edit_message_id is not None and message.attachment is None:
            try:
                await with_retries(
                    lambda: self.bot.edit_message_text(
                        message.text,
                        chat_id=message.chat_id,
                        message_id=message.edit_message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                )
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                # Too old or not editable: send it as a new message instead.
        if message.attachment is not None:
            attachment = message.attachment
            try:
                data = await attachment.content()
            except Exception:  # a chart or file that cannot be made must not stop the bot
                log.exception("could not make %s; not sent", attachment.filename)
                return
            if attachment.kind == "photo":
                await with_retries(
                    lambda: self.bot.send_photo(
                        message.chat_id,
                        data,
                        caption=message.text[:1024] or None,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                )
            else:
                await with_retries(
                    lambda: self.bot.send_document(
                        message.chat_id,
                        data,
                        filename=attachment.filename,
                        caption=message.text[:1024] or None,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                )
            return
        parts = split_text(message.text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await with_retries(
                lambda part=part, last=last: self.bot.send_message(  # type: ignore[misc]
                    message.chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )

    # Outbox sender ------------------------------------------------------------------------
    async def deliver(self, item: OutboxMessage) -> SendResult:
        """One attempt, no waiting here: the outbox worker paces, retries and honours 429s.
        Edits a message in place when the outbox row says so; sends a photo with a caption."""
        buttons = [[Button(**b) for b in row] for row in item.buttons]
        markup = keyboard(buttons)
        sent_id: int | None = None
        try:
            if item.edit_message_id is not None:
                try:
                    await self.bot.edit_message_text(
                        item.text,
                        chat_id=item.chat_id,
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
                    item.chat_id,
                    item.photo,
                    caption=item.text[:1024] or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                sent_id = photo.message_id
            else:
                parts = split_text(item.text)
                for index, part in enumerate(parts):
                    last = index == len(parts) - 1
                    sent = await self.bot.send_message(
                        item.chat_id,
                        part,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                    sent_id = sent.message_id
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            return SendResult("retry_after", retry_after=seconds)
        except ChatMigrated as exc:
            return SendResult("migrated", new_chat_id=exc.new_chat_id)
        except Forbidden as exc:
            return SendResult("blocked", reason=str(exc)[:200])
        except BadRequest as exc:
            text = str(exc).lower()
            if "chat not found" in text or "user not found" in text:
                return SendResult("blocked", reason=str(exc)[:200])
            return SendResult("failed", reason=str(exc)[:200])
        except (TimedOut, NetworkError) as exc:
            return SendResult("error", reason=f"network: {exc}"[:200])
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
        self, user_id: int, language: str | None, held: set[Role]
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
                    self._menu(t, roles, private=True), scope=BotCommandScopeChat(user_id)
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
        async with self.db.read() as conn:
            stored = await kv.get(conn, "telegram.offset")
        offset = int(stored) if stored else 0
        delay = 1.0
        while not stop.is_set():
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
                delay = 1.0
            except InvalidToken:
                log.error("Telegram refused the token (XOMANTOAN_TELEGRAM_TOKEN); stopping")
                raise
            except RetryAfter as exc:
                wait = exc.retry_after
                await asyncio.sleep(
                    wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                )
                continue
            except Conflict:
                log.warning("another copy of this bot is polling with the same token; waiting")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            except (TimedOut, NetworkError) as exc:
                log.warning("polling failed (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            for item in raw or []:
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
                try:
                    await self.app.process_update(update)
                except Exception:
                    log.exception("update %s could not be processed", update_id)
            if raw:
                # Once per batch, after every update of it was handled: as Telegram itself
                # confirms them with the next getUpdates (one transaction, not one per update).
                async with self.db.unit() as conn:
                    await kv.put(conn, "telegram.offset", str(offset))
