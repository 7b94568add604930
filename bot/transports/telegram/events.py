"""Mapping in: Telegram updates turned into the core's events."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from telegram import CallbackQuery, ChatMemberUpdated, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.core.events import ChatInfo, Document, Event, EventKind, Person
from bot.core.events import parse_command as parse_command_text
from bot.core.menus import parse_callback_data
from bot.storage import chats as chats_repo
from bot.transports.telegram.ids import PLATFORM
from bot.transports.telegram.retries import with_retries
from bot.transports.telegram.state import TransportState

log = logging.getLogger(__name__)

# Documents up to this size sent in a private chat are fetched before their event is handled.
DOCUMENT_FETCH_LIMIT = 2 * 1024 * 1024


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


class UpdateEvents(TransportState):
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
        try:
            async with self.db.read() as conn:
                self.moved = await chats_repo.moves(conn, PLATFORM)
        except BaseException:
            self._moves_known = False  # read again next time
            raise

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
        answered = message.reply_to_message  # an answer to the bot's request to reply
        if answered is not None:
            base["answers_message_id"] = self.prompts.get(chat.id, answered.message_id)
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
