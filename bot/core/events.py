"""The small chat-neutral model every transport maps to and from.

A person or chat is named by platform plus id, the id as text: each transport turns its
platform's ids (Telegram's are 64-bit integers) into text at its edge and back only there.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class EventKind(StrEnum):
    COMMAND = "command"
    TEXT = "text"
    BUTTON = "button"
    LOCATION = "location"
    PHOTO = "photo"
    VOICE = "voice"
    UNSUPPORTED = "unsupported"  # stickers, documents, videos... where nothing asks for them
    BOT_ADDED = "bot_added"
    BOT_REMOVED = "bot_removed"
    CHAT_MIGRATED = "chat_migrated"
    TITLE_CHANGED = "title_changed"


class Links(Protocol):
    """Links into the platform that a transport may be able to make (a capability it may lack:
    then None, and the feature shows what works without it)."""

    def private_chat_link(self, payload: str) -> str | None:
        """A link that opens the private chat with the bot and starts it with ``payload``."""
        ...

    def person_link(self, platform: str, user_id: str) -> str | None:
        """A link that opens a chat with this person."""
        ...


class NoLinks:
    """A platform without such links."""

    def private_chat_link(self, payload: str) -> str | None:
        return None

    def person_link(self, platform: str, user_id: str) -> str | None:
        return None


@dataclass(frozen=True)
class Person:
    id: str
    first_name: str = ""
    last_name: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()


@dataclass(frozen=True)
class ChatInfo:
    id: str
    kind: str  # "private" or "group" (Telegram supergroups are groups too)
    title: str | None = None

    @property
    def is_private(self) -> bool:
        return self.kind == "private"


def nfc(text: str) -> str:
    """Vietnamese keyboards (Telex/VNI) may send decomposed text: compose it once, at the edge."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Document:
    """A file sent as a document. The event stays UNSUPPORTED (flows that do not ask for a file
    answer as before); a flow that asks for one reads ``Event.document``. ``data`` holds the
    content when the transport could fetch it before the event (small files in private chats),
    else None."""

    file_id: str
    file_name: str
    size: int | None = None
    data: bytes | None = None


@dataclass
class Event:
    platform: str
    kind: EventKind
    chat: ChatInfo
    user: Person | None = None
    update_id: int | None = None
    text: str = ""
    command: str | None = None
    args: str = ""
    menu_id: str | None = None
    option_index: int | None = None
    callback_id: str | None = None
    message_id: int | None = None
    location: tuple[float, float] | None = None
    file_ids: list[str] = field(default_factory=list)
    new_chat_id: str | None = None
    document: Document | None = None
    # False where the platform lost the options shown earlier (a console started again): typed
    # text into a conversation then shows the current step again.
    options_on_screen: bool = True
    # Typed input that answers the bot's request to reply (a group on Telegram): the message
    # with the step's options the request was made for, which an answer may edit in place.
    answers_message_id: int | None = None

    def __post_init__(self) -> None:
        self.text = nfc(self.text)
        self.args = nfc(self.args)


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """``/name@bot args`` → (name, args); None when it is not a command or is for another bot."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text.partition(" ")
    name, _, target = head[1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    if not name:
        return None
    return name.lower(), args.strip()


@dataclass(frozen=True)
class Option:
    """A choice under a message: an action inside the bot, or a link (e.g. a deep link)."""

    label: str
    action: str | None = None
    url: str | None = None
    # Pressing it draws the same message again with other buttons (a picker's pages): its menu
    # keeps the message's text, in a conversation step or not.
    redraws: bool = False


@dataclass
class Attachment:
    kind: str  # "photo" or "document"
    filename: str
    data: bytes = b""
    # Made when the transport sends it, after the event's transaction has ended, in a worker
    # thread: drawing a chart then holds neither the database nor the event loop.
    render: Callable[[], bytes] | None = None

    async def content(self) -> bytes:
        if self.render is not None and not self.data:
            self.data = await asyncio.to_thread(self.render)
            self.render = None
        return self.data


@dataclass(frozen=True)
class InputRequest:
    """What a step waiting for typed input asks for, in a few words, for platforms that must
    ask for the answer as a reply (see :class:`ExpectedReply`): ``prompt`` is one short
    sentence, ``placeholder`` a hint for the empty input field (at most 64 characters)."""

    prompt: str
    placeholder: str


@dataclass
class Reply:
    text: str
    options: list[list[Option]] = field(default_factory=list)
    edit: bool = False
    attachment: Attachment | None = None
    bind_to_conversation: bool | None = None
    # What the step asks for, when the core finds it waits for typed input in a group.
    ask: InputRequest | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ExpectedReply:
    """After this message a conversation in a group waits for one person's typed input (text,
    a photo, a location). Where a group's ordinary messages do not reach the bot (Telegram's
    privacy mode) the transport makes that person's answer come back as a reply to the bot;
    elsewhere (the console) nothing needs doing. The person's answer is routed into their own
    conversation, so others answering cannot change it."""

    user_id: str
    name: str  # as the platform shows the person, to address them
    prompt: str
    placeholder: str
    # The person's own message this answers (None after a button press).
    reply_to_message_id: int | None = None


@dataclass
class Outgoing:
    """A reply resolved for a transport: buttons carry only a short key into SQLite."""

    chat_id: str
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    edit_message_id: int | None = None
    attachment: Attachment | None = None
    expects_reply: ExpectedReply | None = None


@dataclass
class Outcome:
    messages: list[Outgoing] = field(default_factory=list)
    toast: str | None = None
    outbox_written: bool = False
    checkpoint_after: bool = False
    committed: bool = False  # the event's transaction committed (set by the dispatcher)
