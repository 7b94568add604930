"""Zalo updates as the Bot API sends them, read into one small shape.

An update (from ``getUpdates``, or the body of a webhook call, where some senders wrap it in
``{"ok": true, "result": ...}``) is ``{"event_name": ..., "message": {...}}``. Event names:
``message.text.received``, ``message.image.received`` (``photo_url``, maybe a ``caption``),
``message.sticker.received``, ``message.unsupported.received`` (Zalo withholds the content,
for example of protected users such as children). The message carries ``message_id``,
``chat`` (``id``, ``chat_type`` PRIVATE or GROUP), ``from`` (``id``, ``display_name``,
``is_bot``) and ``date`` in milliseconds. Ids are strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"


class UnreadableUpdate(ValueError):
    """The update has no message with a chat and a sender: nothing to answer."""


@dataclass(frozen=True)
class ZaloUpdate:
    event_name: str
    message_id: str
    chat_id: str
    is_group: bool
    user_id: str
    user_name: str
    is_bot: bool
    text: str
    photo_url: str | None
    date: datetime | None

    @property
    def kind(self) -> str:
        """text, image, sticker or unsupported (an event name this bot does not know counts
        as unsupported)."""
        return {TEXT: "text", IMAGE: "image", STICKER: "sticker"}.get(
            self.event_name, "unsupported"
        )


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip()


def unwrap(body: Any) -> dict[str, Any]:
    """The update itself, whether or not it comes wrapped in ``{"ok": ..., "result": ...}``."""
    if isinstance(body, dict) and isinstance(body.get("result"), dict) and "message" not in body:
        body = body["result"]
    if not isinstance(body, dict):
        raise UnreadableUpdate(f"an update is an object, not {type(body).__name__}")
    return body


def parse_update(body: Any) -> ZaloUpdate:
    update = unwrap(body)
    message = update.get("message")
    if not isinstance(message, dict):
        raise UnreadableUpdate("the update has no message")
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    chat_id, user_id = _text(chat.get("id")), _text(sender.get("id"))
    if not chat_id or not user_id:
        raise UnreadableUpdate("the message has no chat id or no sender id")
    event_name = _text(update.get("event_name"))
    if not event_name:  # some copies of the documentation leave the name out of text samples
        event_name = TEXT if _text(message.get("text")) else UNSUPPORTED
    date = message.get("date")
    when = None
    if isinstance(date, int | float) and not isinstance(date, bool) and date > 0:
        when = datetime.fromtimestamp(date / 1000, UTC)
    text = _text(message.get("text")) if event_name == TEXT else _text(message.get("caption"))
    photo = _text(message.get("photo_url")) or _text(message.get("photo"))
    return ZaloUpdate(
        event_name=event_name,
        message_id=_text(message.get("message_id")),
        chat_id=chat_id,
        is_group=_is_group(_text(chat.get("chat_type")).upper(), chat_id, user_id),
        user_id=user_id,
        user_name=_text(sender.get("display_name")) or _text(sender.get("first_name")),
        is_bot=sender.get("is_bot") is True,
        text=text,
        photo_url=photo or None if event_name == IMAGE else None,
        date=when,
    )


def _is_group(chat_type: str, chat_id: str, user_id: str) -> bool:
    """A group when Zalo says so; when it says neither (copies of the documentation disagree on
    the field), a chat that is not the sender's own is taken as a group: a private screen (a
    reporter's name, for one) must never answer into a group by mistake."""
    if chat_type in ("GROUP", "PRIVATE"):
        return chat_type == "GROUP"
    return chat_id != user_id
