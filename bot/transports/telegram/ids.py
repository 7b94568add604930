"""The platform's name, and ids as Telegram knows them."""

from __future__ import annotations

from bot.transports.platforms import TELEGRAM

PLATFORM = TELEGRAM


def tg_id(text_id: str) -> int:
    """A person's or chat's id as Telegram knows it: the core keeps ids as text (issue #13),
    this transport turns Telegram's integers into text as they come in and back only here."""
    return int(text_id)
