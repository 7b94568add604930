"""Starting and stopping Telegram inside the bot process (see bot/app.py): the library and its
check of the token, the command menus, the polling loop and the chats' lanes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from bot.config import ENV_PREFIX, Settings, SettingsError
from bot.core.dispatcher import Dispatcher
from bot.core.registry import Registry
from bot.storage.db import Database
from bot.transports.pacing import Limits, Pacer
from bot.transports.telegram.connection import build_application
from bot.transports.telegram.links import TelegramLinks
from bot.transports.telegram.polling import TOKEN_REFUSED, initialize
from bot.transports.telegram.retries import with_retries
from bot.transports.telegram.transport import TelegramTransport

log = logging.getLogger(__name__)

REFUSED = (
    f"Setting {ENV_PREFIX}TELEGRAM_TOKEN: Telegram refused this token (401 Unauthorized);"
    " copy it again from @BotFather"
)


class RunningTelegram:
    def __init__(self, app: Any, db: Database, settings: Settings) -> None:
        self.app = app
        self.db = db
        self.settings = settings
        self.pacer: Pacer | None = None
        self.transport: TelegramTransport | None = None
        self.poll: asyncio.Task[None] | None = None

    @property
    def links(self) -> TelegramLinks:
        return TelegramLinks(self.app.bot.username)

    async def fetch_file(self, file_id: str) -> bytes:
        """A file sent on Telegram (a photo of a broadcast), for another platform to show."""
        file = await with_retries(lambda: self.app.bot.get_file(file_id), attempts=2)
        return bytes(await file.download_as_bytearray())

    async def start(
        self, dispatcher: Dispatcher, registry: Registry, limits: Limits
    ) -> TelegramTransport:
        # One sending budget for the replies and the outbox (replies first).
        self.pacer = Pacer(limits)
        self.transport = TelegramTransport(
            self.app, dispatcher, registry, self.db, pacer=self.pacer
        )
        try:
            await self.transport.publish_commands()
        except Exception:
            log.warning("could not publish the command menus; commands still work", exc_info=True)
        return self.transport

    async def receive(self, stop: asyncio.Event) -> asyncio.Task[None]:
        assert self.transport is not None
        await self.transport.resume()  # updates fetched before the last stop, not yet handled
        self.poll = asyncio.create_task(self._poll(stop), name="poll")
        log.info("bot @%s is running (long polling)", self.app.bot.username)
        return self.poll

    async def _poll(self, stop: asyncio.Event) -> None:
        assert self.transport is not None
        try:
            await self.transport.poll(self.settings.poll_timeout_seconds, stop)
        except TOKEN_REFUSED:
            raise SettingsError(REFUSED) from None

    async def stop_receiving(self) -> None:
        if self.poll is not None:
            self.poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.poll
        if self.transport is not None:
            await self.transport.stop_lanes()
            await self.transport.close()


@contextlib.asynccontextmanager
async def running_telegram(
    settings: Settings, db: Database, stop: asyncio.Event, *, read_timeout: float = 20.0
) -> AsyncIterator[RunningTelegram | None]:
    """The library, started (None when stopped before Telegram answered)."""
    token = settings.token
    assert token is not None
    app = build_application(token, settings.telegram_api_url, read_timeout=read_timeout)
    try:
        try:
            started = await initialize(app, stop)
        except TOKEN_REFUSED:
            raise SettingsError(REFUSED) from None
        yield RunningTelegram(app, db, settings) if started else None
    finally:
        with contextlib.suppress(Exception):
            await app.shutdown()
