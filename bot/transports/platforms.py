"""What the rest of the bot may know of the platforms without loading a chat library: their
names, and how a platform's own ids become the ids the core keeps (text)."""

from __future__ import annotations

from collections.abc import Iterable

TELEGRAM = "telegram"
ZALO = "zalo"
# Loggers of the chat libraries, kept quiet below warnings (see bot/logging_setup.py).
LIBRARY_LOGGERS = ("telegram",)


def telegram_person(user_id: int) -> tuple[str, str]:
    """A Telegram user id (as the settings and the CLI take it) as the core names a person."""
    return TELEGRAM, str(user_id)


def telegram_admins(user_ids: Iterable[int]) -> frozenset[tuple[str, str]]:
    """The deployment's admins (XOMANTOAN_ADMINS: Telegram user ids) as (platform, id)."""
    return frozenset(telegram_person(u) for u in user_ids)


def zalo_person(user_id: str) -> tuple[str, str]:
    """A Zalo user id (text, as the CLI takes it) as the core names a person."""
    return ZALO, user_id
