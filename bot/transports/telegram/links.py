"""Links Telegram can open."""

from __future__ import annotations

from bot.transports.telegram.ids import PLATFORM


class TelegramLinks:
    """Links Telegram can open: the bot's private chat started with a payload (a deep link),
    and a chat with a person (the client opens it only for people it knows)."""

    def __init__(self, bot_username: str | None) -> None:
        self.bot_username = bot_username or "xomantoan_bot"

    def private_chat_link(self, payload: str) -> str | None:
        return f"https://t.me/{self.bot_username}?start={payload}"

    def person_link(self, platform: str, user_id: str) -> str | None:
        return f"tg://user?id={user_id}" if platform == PLATFORM else None
