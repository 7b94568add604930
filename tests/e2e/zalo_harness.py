"""Drive the real bot on Zalo over HTTP, against the fake Zalo Bot API (tests/fakezaloapi.py),
alone or next to Telegram (tests/fakebotapi.py) in the same process and database."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path
from typing import Any

from bot.app import run_bot
from bot.config import load_settings
from bot.transports.pacing import Limits
from tests.e2e.harness import TOKEN
from tests.fakebotapi import FakeBotAPI
from tests.fakezaloapi import FakeZaloAPI

ZALO_TOKEN = "1459232241454765289:TESTzaloKEYabcdefghijklmnop"
WEBHOOK_SECRET = "webhook-secret-for-tests"
PUBLIC_URL = "https://bot.example.vn"
FAST = Limits(per_second=1000, private_interval=0.001, group_interval=0.001)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningZaloBot:
    """The real bot (``run_bot``) with a Zalo token (and a Telegram one when ``telegram`` is
    given), polling or with a webhook, its HTTP server on a free local port."""

    def __init__(
        self,
        zalo: FakeZaloAPI,
        database: Path,
        *,
        telegram: FakeBotAPI | None = None,
        webhook: bool = False,
        clock: Any = None,
        admins: str = "",
        read_timeout: float | None = None,
        public_url: str | None = PUBLIC_URL,
        telegram_webhook: bool = False,
    ) -> None:
        self.zalo = zalo
        self.telegram = telegram
        self.database = database
        self.webhook = webhook
        self.clock = clock
        self.admins = admins
        self.read_timeout = read_timeout
        self.public_url = public_url  # None: no public address (no links, no photos on Zalo)
        self.telegram_webhook = telegram_webhook  # Telegram by webhook too, on the same server
        self.port = free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self.task: asyncio.Task[None] | None = None
        self.stop_event = asyncio.Event()

    def local(self, public_url: str) -> str:
        """A link the bot gave out, as this machine reaches its HTTP server."""
        return self.http + public_url.removeprefix(PUBLIC_URL)

    async def start(self) -> None:
        values: dict[str, Any] = {
            "zalo_token": ZALO_TOKEN,
            "zalo_api_url": self.zalo.url,
            "database": self.database,
            "poll_timeout_seconds": 1,
            "http_port": self.port,
            "public_url": self.public_url,
            "admins": self.admins,
        }
        if self.webhook:
            values["zalo_webhook_url"] = f"{PUBLIC_URL}/zalo/webhook"
            values["zalo_webhook_secret"] = WEBHOOK_SECRET
        if self.telegram is not None:
            values["telegram_token"] = TOKEN
            values["telegram_api_url"] = self.telegram.url
            if self.telegram_webhook:
                values["telegram_webhook_url"] = f"{PUBLIC_URL}/telegram/updates"
                self.telegram.webhook_targets = [self.http]
        settings = load_settings(**values)
        self.stop_event = asyncio.Event()
        kwargs: dict[str, Any] = {"stop": self.stop_event, "limits": FAST, "zalo_limits": FAST}
        if self.clock is not None:
            kwargs["clock"] = self.clock
        if self.read_timeout is not None:
            kwargs["read_timeout"] = self.read_timeout
        before, polls = len(self.zalo.calls), self.zalo.polls
        self.task = asyncio.create_task(run_bot(settings, **kwargs))
        if self.webhook:
            await self.zalo.wait_for(lambda c: c.method == "setWebhook", after=before)
        else:
            for _ in range(500):
                if self.zalo.polls > polls or self.task.done():
                    break
                await asyncio.sleep(0.01)
        if self.task.done():
            self.task.result()  # raise what stopped it
        if self.telegram is not None:
            await self.telegram.wait_for(lambda c: c.method == "setMyCommands")

    async def stop(self) -> None:
        if self.task is None:
            return
        self.stop_event.set()
        await asyncio.wait_for(self.task, 15)
        self.task = None

    async def kill(self) -> None:
        """Stop abruptly, as a crash would."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
