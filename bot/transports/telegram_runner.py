"""Starting and stopping Telegram inside the bot process (see bot/app.py): the library and its
check of the token, the command menus, the receiving (the polling loop, or the webhook and
the chats' claims) and the chats' lanes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram.error import BadRequest

from bot.config import ENV_PREFIX, Settings, SettingsError
from bot.core.dispatcher import Dispatcher
from bot.core.registry import Registry
from bot.storage.db import Database
from bot.transports.pacing import Limits, Pacer
from bot.transports.telegram.connection import build_application
from bot.transports.telegram.links import TelegramLinks
from bot.transports.telegram.polling import (
    ALLOWED_UPDATES,
    POLL_BACKOFF_MAX,
    POLL_BACKOFF_START,
    TOKEN_REFUSED,
    initialize,
)
from bot.transports.telegram.retries import with_retries
from bot.transports.telegram.transport import TelegramTransport
from bot.transports.telegram.webhook import new_holder
from bot.transports.webhooks import Webhook

log = logging.getLogger(__name__)

REFUSED = (
    f"Setting {ENV_PREFIX}TELEGRAM_TOKEN: Telegram refused this token (401 Unauthorized);"
    " copy it again from @BotFather"
)
# setWebhook answered 400: the address itself is refused, and asking again changes nothing.
WEBHOOK_REFUSED = (
    f"Setting {ENV_PREFIX}TELEGRAM_WEBHOOK_URL: Telegram refused the address {{url}} ({{reason}});"
    " it must be an https:// address that Telegram can reach, on port 443, 80, 88 or 8443"
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
    def by_webhook(self) -> bool:
        return self.settings.telegram_webhook_url is not None

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

    def webhook(self) -> Webhook | None:
        """What the bot's HTTP server serves for Telegram (webhook mode), else None."""
        path, secret = self.settings.telegram_webhook_path, self.settings.telegram_secret
        if self.transport is None or path is None or secret is None:
            return None
        return self.transport.webhook(path, secret)

    async def receive(self, stop: asyncio.Event) -> asyncio.Task[None]:
        assert self.transport is not None
        if self.by_webhook:
            self.transport.holder = new_holder()
            self.poll = asyncio.create_task(self._by_webhook(stop), name="claims")
            log.info(
                "bot @%s is running (webhook; this process is %s)",
                self.app.bot.username,
                self.transport.holder,
            )
            return self.poll
        await self.transport.forget_webhook()  # back from webhook mode: polling again
        await self.transport.resume()  # updates fetched before the last stop, not yet handled
        self.poll = asyncio.create_task(self._poll(stop), name="poll")
        log.info("bot @%s is running (long polling)", self.app.bot.username)
        return self.poll

    async def _by_webhook(self, stop: asyncio.Event) -> None:
        assert self.transport is not None
        claims = asyncio.create_task(
            self.transport.serve_claims(stop, self.settings.process_lease_seconds), name="claim"
        )
        try:
            await self._set_webhook(stop)  # meanwhile, updates kept before are handled
            await claims
        finally:
            claims.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await claims

    async def _set_webhook(self, stop: asyncio.Event) -> None:
        """Tell Telegram the address (retried with back-off while it does not answer; a
        refused token or a refused address stops the bot with one line)."""
        assert self.transport is not None
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_secret
        assert url is not None and secret is not None
        delay = POLL_BACKOFF_START
        while not stop.is_set():
            try:
                changed = await self.transport.set_webhook(url, secret, ALLOWED_UPDATES)
            except asyncio.CancelledError:
                raise
            except BadRequest as exc:
                reason = str(exc).replace("\n", " ")[:200]
                raise SettingsError(WEBHOOK_REFUSED.format(url=url, reason=reason)) from None
            except Exception as exc:
                if isinstance(exc, TOKEN_REFUSED) or "unauthorized" in str(exc).lower():
                    raise SettingsError(REFUSED) from None
                log.warning(
                    "could not set the webhook (%s); retrying in %.0fs",
                    f"{type(exc).__name__}: {exc}"[:200],
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, POLL_BACKOFF_MAX)
                continue
            log.info("webhook %s %s", "set to" if changed else "already at", url)
            return

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
            await self.transport.stop_claims()
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
