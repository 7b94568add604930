"""What the rest of the bot may know of the platforms without loading a chat library: their
names, and how a platform's own ids become the ids the core keeps (text)."""

from __future__ import annotations

import re
from collections.abc import Iterable

TELEGRAM = "telegram"
ZALO = "zalo"
# Loggers of the chat libraries, kept quiet below warnings (see bot/logging_setup.py).
LIBRARY_LOGGERS = ("telegram",)


def telegram_person(user_id: int) -> tuple[str, str]:
    """A Telegram user id (as the settings and the CLI take it) as the core names a person."""
    return TELEGRAM, str(user_id)


def telegram_admins(user_ids: Iterable[int]) -> frozenset[tuple[str, str]]:
    """Telegram user ids as the core names people (platform, id)."""
    return frozenset(telegram_person(u) for u in user_ids)


ZALO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def admin_person(entry: str) -> tuple[str, str]:
    """One entry of XOMANTOAN_ADMINS as (platform, id): a Telegram user id (a whole number),
    or ``zalo:ID`` (the Zalo id that /dulieucuatoi shows). ValueError when it is neither."""
    entry = entry.strip()
    if re.fullmatch(r"-?\d{1,20}", entry):
        return telegram_person(int(entry))
    platform, _, user_id = entry.partition(":")
    if platform.strip().lower() == ZALO and ZALO_ID.fullmatch(user_id.strip()):
        return zalo_person(user_id.strip())
    raise ValueError(
        f"'{entry}' is not a Telegram user id (a whole number) nor a Zalo id (zalo:ID)"
    )


def zalo_person(user_id: str) -> tuple[str, str]:
    """A Zalo user id (text, as the CLI takes it) as the core names a person."""
    return ZALO, user_id
