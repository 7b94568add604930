"""Drive the real bot over HTTP as chat users would: type messages, press buttons, read replies."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app import run_telegram
from bot.config import load_settings
from bot.transports.pacing import Limits
from tests.fakebotapi import BOT_USER, Call, FakeBotAPI

TOKEN = "123456789:TEST-token_abcdefghijklmnopqrstuvwxyz"
# Webhook mode: the public address Telegram is given (a reverse proxy forwards its path to
# the bot's own HTTP server on loopback: see FakeBotAPI.webhook_targets).
WEBHOOK_URL = "https://bot.example.vn/telegram/updates"
_message_ids = itertools.count(1)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningBot:
    """The real bot (``run_telegram``) pointed at the fake server, on a given database."""

    def __init__(
        self,
        api: FakeBotAPI,
        database: Path,
        *,
        admins: str = "",
        clock: Any = None,
        limits: Limits | None = None,
        read_timeout: float | None = None,
        webhook: bool = False,
        webhook_secret: str | None = None,
    ) -> None:
        self.api = api
        # Webhook mode: Telegram posts updates to the bot's own HTTP server (this port).
        self.webhook = webhook
        self.webhook_secret = webhook_secret
        self.port = free_port() if webhook else 0
        self.database = database
        self.admins = admins
        self.clock = clock
        # Pacing: by default fast enough that tests never wait on it; Telegram's real limits
        # (maybe scaled) where a test is about pacing.
        self.limits = limits or Limits(
            per_second=1000, private_interval=0.001, group_interval=0.001
        )
        self.read_timeout = read_timeout
        self.task: asyncio.Task[None] | None = None
        self.stop_event = asyncio.Event()

    @property
    def target(self) -> str:
        """Where the reverse proxy forwards Telegram's calls to this bot (webhook mode)."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        webhook: dict[str, Any] = {}
        if self.webhook:
            webhook = {
                "telegram_webhook_url": WEBHOOK_URL,
                "telegram_webhook_secret": self.webhook_secret,
                "http_port": self.port,
            }
            self.api.webhook_targets = [self.target]
        settings = load_settings(
            telegram_token=TOKEN,
            telegram_api_url=self.api.url,
            database=self.database,
            admins=self.admins,
            poll_timeout_seconds=1,
            **webhook,
        )
        self.stop_event = asyncio.Event()
        kwargs: dict[str, Any] = {"stop": self.stop_event, "limits": self.limits}
        if self.clock is not None:
            kwargs["clock"] = self.clock
        if self.read_timeout is not None:
            kwargs["read_timeout"] = self.read_timeout
        before = len(self.api.calls)
        self.task = asyncio.create_task(run_telegram(settings, **kwargs))
        await self.api.wait_for(lambda c: c.method == "setMyCommands", after=before)
        if self.webhook:  # set (or found set by an earlier start)
            await self.api.wait_for(
                lambda c: c.method in ("setWebhook", "getWebhookInfo"), after=before
            )
        await self.api.wait_idle(quiet=0.2)

    async def stop(self) -> None:
        if self.task is None:
            return
        self.stop_event.set()
        await asyncio.wait_for(self.task, 15)
        self.task = None

    async def kill(self) -> None:
        """Stop abruptly, as a crash would: the task is cancelled wherever it is."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


class ChatUser:
    def __init__(
        self,
        api: FakeBotAPI,
        user_id: int,
        first_name: str,
        language_code: str = "vi",
        last_name: str | None = None,
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.last_name = last_name

    @property
    def user(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.last_name:
            data["last_name"] = self.last_name
        return data

    def _chat(self, chat: dict[str, Any] | None) -> dict[str, Any]:
        return chat or {"id": self.id, "type": "private", "first_name": self.first_name}

    async def send(self, text: str, chat: dict[str, Any] | None = None, **extra: Any) -> Call:
        """Type a message (or send a location, a photo... as ``extra``); return the bot's first
        answer in that chat."""
        before = len(self.api.calls)
        await self.send_only(text, chat, **extra)
        chat_id = self._chat(chat)["id"]
        return await self.api.wait_for(
            lambda c: (
                c.chat_id == chat_id
                and c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
            ),
            after=before,
        )

    async def send_only(self, text: str, chat: dict[str, Any] | None = None, **extra: Any) -> int:
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat),
            "from": self.user,
            **extra,
        }
        if text:
            message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self.api.push({"message": message})

    async def answer(
        self, text: str = "", chat: dict[str, Any] | None = None, **extra: Any
    ) -> Call:
        """Type a message (or send a photo, a location: ``extra``) as a Telegram client does:
        as a reply to the bot's message when the bot opened the reply for this person
        (ForceReply); return the bot's first answer. Fails at once when Telegram would not
        deliver it to the bot (the fake's privacy mode)."""
        chat_id = self._chat(chat)["id"]
        opened = self.api.forced_reply(chat_id, self.id)
        if opened is not None:
            extra["reply_to_message"] = self.api.as_message(opened)
        before, dropped = len(self.api.calls), len(self.api.dropped)
        await self.send_only(text, chat, **extra)
        if len(self.api.dropped) > dropped:
            raise AssertionError(f"{text or extra!r} did not reach the bot (privacy mode)")
        return await self.api.wait_for(
            lambda c: (
                c.chat_id == chat_id
                and c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
            ),
            after=before,
        )

    async def press(
        self, label: str, chat: dict[str, Any] | None = None, *, in_call: Call | None = None
    ) -> Call:
        """Press the button whose label contains ``label`` on the latest message that has it."""
        chat_id = self._chat(chat)["id"]
        source = in_call or self.latest_with_button(chat_id, label)
        button = next(b for b in source.buttons if label in b["text"])
        before = len(self.api.calls)
        await self.api.push(
            {
                "callback_query": {
                    "id": str(next(_message_ids)),
                    "from": self.user,
                    "chat_instance": "ci",
                    "data": button["callback_data"],
                    # The message as Telegram gives it: its text as shown, its buttons.
                    "message": {
                        "message_id": source.params.get("message_id", 1),
                        "date": int(time.time()),
                        "chat": self._chat(chat),
                        "from": BOT_USER,
                        "text": source.rendered,
                        "reply_markup": {"inline_keyboard": [source.buttons]},
                    },
                }
            }
        )
        return await self.api.wait_for(
            lambda c: (
                (
                    c.chat_id == chat_id
                    and c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
                )
                or (c.method == "answerCallbackQuery" and bool(c.params.get("text")))
            ),
            after=before,
        )

    def latest_with_button(self, chat_id: int, label: str) -> Call:
        for call in reversed(self.api.sent(chat_id)):
            if any(label in text for text in call.labels):
                return call
        raise AssertionError(f"no message in chat {chat_id} has a button with {label!r}")


def group_chat(chat_id: int, title: str, kind: str = "group") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "title": title}


async def add_bot_to_group(api: FakeBotAPI, by: ChatUser, chat: dict[str, Any]) -> None:
    await api.push(
        {
            "my_chat_member": {
                "chat": chat,
                "from": by.user,
                "date": int(time.time()),
                "old_chat_member": {"status": "left", "user": BOT_USER},
                "new_chat_member": {"status": "member", "user": BOT_USER},
            }
        }
    )


def fixed_clock(start: datetime) -> Any:
    """A clock tests can move: ``clock.now`` is returned; ``clock.advance(seconds)``."""

    class Clock:
        def __init__(self) -> None:
            self.now = start

        def __call__(self) -> datetime:
            return self.now

        def advance(self, **delta: float) -> None:
            from datetime import timedelta

            self.now = self.now + timedelta(**delta)

    return Clock()
