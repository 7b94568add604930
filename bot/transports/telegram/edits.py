"""Edits Telegram refuses, and what the person sees then.

- "message is not modified": the message already shows this; nothing is sent.
- Any other refusal (too old, deleted, not editable): the content is sent once as a new
  message, only when it differs from what the message shows; later edits of the old message go
  to the new one (:class:`Resent`, kept by this process), so the chat never fills with copies.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from telegram.error import BadRequest

from bot.core import richtext
from bot.core.events import Button

RESENT_KEPT = 10_000  # replaced messages remembered (oldest forgotten first)


def unchanged(exc: BadRequest) -> bool:
    """Telegram refused the edit because the message already shows exactly this."""
    return "not modified" in str(exc).lower()


class MessageMap:
    """A bounded map of this process: (chat, message id) -> another message id of that chat
    (the oldest forgotten first)."""

    def __init__(self, kept: int = RESENT_KEPT) -> None:
        self._new: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._kept = kept

    def get(self, chat_id: str, message_id: int) -> int | None:
        return self._new.get((chat_id, message_id))

    def put(self, chat_id: str, message_id: int, other_id: int) -> None:
        self._new[(chat_id, message_id)] = other_id
        while len(self._new) > self._kept:
            self._new.popitem(last=False)


class Resent(MessageMap):
    """Messages that could no longer be edited and were sent anew: chat and old id -> new id."""

    def target(self, chat_id: str, message_id: int) -> int:
        """The message an edit of ``message_id`` goes to: its replacement, if it has one."""
        return self._new.get((chat_id, message_id), message_id)

    def record(self, chat_id: str, old_id: int, new_id: int) -> None:
        for key, value in list(self._new.items()):  # an edit of the first goes to the newest
            if key[0] == chat_id and value == old_id:
                self._new[key] = new_id
        self.put(chat_id, old_id, new_id)


def _words(text: str) -> str:
    return " ".join(text.split())


def shows(shown: Any, text: str, buttons: list[list[Button]]) -> bool:
    """Whether ``shown`` (the Telegram message a button was pressed on) already shows the
    markup ``text`` with these options' labels, as the person reads them."""
    if shown is None:
        return False
    on_screen = shown.text if shown.text is not None else (shown.caption or "")
    wanted = "".join(span.text for span in richtext.parse(text))
    if _words(on_screen) != _words(wanted):
        return False
    markup = shown.reply_markup
    labels = [b.text for row in markup.inline_keyboard for b in row] if markup else []
    return labels == [b.label for row in buttons for b in row]
