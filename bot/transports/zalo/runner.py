"""Starting and stopping Zalo inside the bot process: the client, the check of the token,
the HTTP server (webhook, health, download links), and the receiving (webhook or polling)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from bot.config import ENV_PREFIX, Settings, SettingsError
from bot.core.dispatcher import Dispatcher
from bot.core.events import NoLinks
from bot.core.registry import Registry
from bot.i18n import TYPED
from bot.storage.db import Database
from bot.transports.pacing import Limits, Pacer
from bot.transports.webhooks import Webhook
from bot.transports.zalo.client import TokenRefused, ZaloClient, ZaloError
from bot.transports.zalo.links import Links
from bot.transports.zalo.sending import PhotoFetcher
from bot.transports.zalo.server import SECRET_HEADER, HttpServer
from bot.transports.zalo.transport import BACKOFF_MAX, BACKOFF_START, ZaloTransport

log = logging.getLogger(__name__)

REFUSED = (
    f"Setting {ENV_PREFIX}ZALO_TOKEN: Zalo refused this token (401 Unauthorized);"
    " copy it again from Zalo Bot Creator"
)


def zalo_limits(settings: Settings) -> Limits:
    """Zalo's quotas are not published: the settings' pace (safe by default)."""
    return Limits(
        per_second=settings.zalo_messages_per_second,
        private_interval=settings.zalo_chat_interval_seconds,
        group_interval=max(settings.zalo_chat_interval_seconds, 3.0),
    )


def http_server(settings: Settings, db: Database) -> HttpServer:
    """The bot's own HTTP server (health, download links, the platforms' webhooks)."""
    return HttpServer(
        db,
        host=settings.http_host,
        port=settings.http_port,
        language=settings.default_language,
        tz=settings.tz,
    )


@dataclass
class RunningZalo:
    transport: ZaloTransport
    pacer: Pacer
    limits: Limits
    server: HttpServer | None
    receiving: asyncio.Task[None] | None  # the polling loop (None with a webhook)


async def connect(client: ZaloClient, stop: asyncio.Event) -> dict[str, object] | None:
    """getMe until it answers (back-off on every failure but a refused token); None when
    stopped first."""
    delay = BACKOFF_START
    while not stop.is_set():
        try:
            return await client.get_me()
        except TokenRefused:
            raise SettingsError(REFUSED) from None
        except ZaloError as exc:
            log.warning("connecting to Zalo failed (%s); retrying in %.0fs", exc, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, BACKOFF_MAX)
    return None


async def _poll(transport: ZaloTransport, wait_seconds: int, stop: asyncio.Event) -> None:
    try:
        await transport.poll(wait_seconds, stop)
    except TokenRefused:
        raise SettingsError(REFUSED) from None


@contextlib.asynccontextmanager
async def running_zalo(
    settings: Settings,
    db: Database,
    dispatcher: Dispatcher,
    registry: Registry,
    stop: asyncio.Event,
    clock: Callable[[], datetime],
    *,
    limits: Limits | None = None,
    read_timeout: float = 20.0,
    fetch_photo: PhotoFetcher | None = None,
    server: HttpServer | None = None,
) -> AsyncIterator[RunningZalo | None]:
    """Zalo running until the block ends. ``fetch_photo``: how to get a photo sent on the
    other platform of this process (Telegram), to show it on Zalo. ``server``: the bot's HTTP
    server shared with the other platform (started here if it is not yet, stopped by its
    owner); without it, one of Zalo's own."""
    shared = server is not None
    token = settings.zalo
    assert token is not None
    client = ZaloClient(token, settings.zalo_api_url, timeout=read_timeout)
    transport: ZaloTransport | None = None
    receiving: asyncio.Task[None] | None = None
    try:
        me = await connect(client, stop)
        if me is None:
            yield None
            return
        limits = limits or zalo_limits(settings)
        pacer = Pacer(limits)
        root = settings.download_root
        links = Links(db, root, settings.download_link_hours, clock) if root else None
        names = tuple(str(me.get(k) or "") for k in ("display_name", "account_name", "name"))
        transport = ZaloTransport(
            client,
            dispatcher,
            registry,
            db,
            pacer=pacer,
            links=links,
            bot_names=names,
            fetch_photo=fetch_photo,
        )
        # Zalo has no deep links and no links to a person: the core says what to type instead.
        dispatcher.config.platform_links[transport.platform] = NoLinks()
        # No buttons and no shared locations: messages say to type the option's number.
        dispatcher.config.platform_wording[transport.platform] = TYPED
        webhook = settings.zalo_webhook_url
        if server is None:
            server = http_server(settings, db)
        server.links = links
        if webhook:
            server.add_webhook(
                Webhook(
                    "Zalo",
                    urlsplit(webhook).path or "/",
                    SECRET_HEADER,
                    settings.webhook_secret or "",
                    transport.receive,
                )
            )
        await transport.resume()  # updates kept before the last stop go first
        await server.start()
        if webhook:
            await client.set_webhook(webhook, settings.webhook_secret or "")
            log.info("Zalo bot %s is running (webhook %s)", me.get("account_name"), webhook)
        else:
            info = await client.get_webhook_info()
            if info and info.get("url"):
                log.info("Zalo had a webhook set; deleting it to use long polling")
                await client.delete_webhook()
            receiving = asyncio.create_task(
                _poll(transport, settings.poll_timeout_seconds, stop), name="zalo-poll"
            )
            log.info("Zalo bot %s is running (long polling)", me.get("account_name"))
        if links is None:
            log.info(
                "no public address (XOMANTOAN_PUBLIC_URL or a webhook): files are not offered"
                " as download links on Zalo, and photos are not shown there (a line says so)"
            )
        yield RunningZalo(transport, pacer, limits, server, receiving)
    finally:
        if receiving is not None:
            receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiving
        if server is not None and not shared:
            await server.stop()
        if transport is not None:
            await transport.stop_lanes()
        await client.close()
