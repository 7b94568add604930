"""The bot's own small HTTP server (aiohttp): the Zalo webhook, a health check, download links.

It listens on ``XOMANTOAN_HTTP_HOST:XOMANTOAN_HTTP_PORT`` behind the HTTPS reverse proxy that
Zalo and people's phones reach (Zalo sends webhooks only to https:// addresses).

- ``POST <webhook path>``: an update from Zalo, or from Telegram in webhook mode (each at the
  path of its webhook address). The platform's secret header (Zalo's
  ``X-Bot-Api-Secret-Token``, Telegram's ``X-Telegram-Bot-Api-Secret-Token``) must be the
  secret given to its ``setWebhook``; otherwise 403 and nothing is read or stored. A body that
  is no update gets 400; 200 means the update is kept (in the inbox).
- ``GET /health``: 200 and ``{"status": "ok"}`` while the database answers, else 503.
- ``GET /files/<link>``: a small page naming the file with a download button; ``POST`` on the
  same address gives the file, once. Link previews and scanners only GET a link, so they do
  not use up a person's single download.
- ``GET /media/<link>``: a photo sent to a Zalo chat (a chart, a broadcast's photo), which
  Zalo fetches to show it: the image, as often as asked, until the link expires.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
from functools import partial
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import N_, Translator
from bot.storage import downloads
from bot.storage.connection import log_failure
from bot.storage.db import Database
from bot.transports.webhooks import MalformedUpdate, UpdateHandler, Webhook
from bot.transports.zalo.links import Links, Refusal

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few hundred bytes

PAGE_TITLE = N_("Download from Xóm An Toàn")
PAGE_FILE = N_("File: {filename}")
PAGE_ONCE = N_("This link works once, until {time}. Press the button to download the file.")
PAGE_BUTTON = N_("Download")
PAGE_USED = N_("This link has already been used. Ask the bot again for a new link.")
PAGE_EXPIRED = N_("This link has expired. Ask the bot again for a new link.")
PAGE_INVALID = N_("This link is not valid.")


class HttpServer:
    def __init__(
        self,
        db: Database,
        *,
        host: str,
        port: int,
        language: str,
        tz: ZoneInfo,
        webhook_path: str | None = None,
        webhook_secret: str | None = None,
        on_update: UpdateHandler | None = None,
        links: Links | None = None,
    ) -> None:
        self.db = db
        self.host, self.port = host, port
        self.translator = Translator(language, tz)
        self.webhooks: dict[str, Webhook] = {}
        self.runner: web.AppRunner | None = None
        if webhook_path and on_update is not None:
            self.add_webhook(
                Webhook("Zalo", webhook_path, SECRET_HEADER, webhook_secret or "", on_update)
            )
        self.links = links
        self.url = ""

    def add_webhook(self, webhook: Webhook) -> None:
        """Receive a platform's updates at ``webhook.path`` (before :meth:`start`)."""
        if self.runner is not None:
            raise RuntimeError("the HTTP server is running: add webhooks before starting it")
        if webhook.path in self.webhooks:
            raise ValueError(f"two webhooks at the same path {webhook.path}")
        self.webhooks[webhook.path] = webhook

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get("/health", self._health)
        for path, hook in self.webhooks.items():
            app.router.add_post(path, partial(self._webhook, hook))
        if self.links is not None:
            app.router.add_get("/files/{token}", self._file_page)
            app.router.add_post("/files/{token}", self._file)
            app.router.add_get("/media/{token}", self._media)
        return app

    async def start(self) -> str:
        """Listen (once: a server started already is left as it is); return its address."""
        if self.runner is not None:
            return self.url
        self.runner = web.AppRunner(self.app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server is not None else []  # type: ignore[attr-defined]
        port = sockets[0].getsockname()[1] if sockets else self.port
        self.url = f"http://{self.host}:{port}"
        log.info("HTTP server listening on %s:%s", self.host, port)
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    # Routes -------------------------------------------------------------------------------
    async def _health(self, _: web.Request) -> web.Response:
        try:
            async with self.db.read() as conn:
                await conn.execute("SELECT 1")
        except Exception:
            log.exception("health check: the database did not answer")
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    async def _webhook(self, hook: Webhook, request: web.Request) -> web.Response:
        given = request.headers.get(hook.header, "")
        if not hook.secret or not hmac.compare_digest(given.encode(), hook.secret.encode()):
            log.warning(
                "%s webhook call refused: wrong or missing secret (from %s)",
                hook.name,
                request.remote,
            )
            return web.json_response({"ok": False, "description": "Forbidden"}, status=403)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("%s webhook call refused: the body is not JSON", hook.name)
            return web.json_response({"ok": False, "description": "Bad Request"}, status=400)
        assert hook.receive is not None
        try:
            await hook.receive(body)
        except MalformedUpdate as exc:
            log.warning("%s webhook call refused: %s", hook.name, exc)
            return web.json_response({"ok": False, "description": "Bad Request"}, status=400)
        except Exception:
            # Not kept: the platform sends it again (it repeats a call not answered 2xx).
            log_failure(log, "%s webhook: could not keep the update", hook.name)
            return web.json_response({"ok": False, "description": "Try again"}, status=500)
        return web.json_response({"ok": True})

    def _page(self, status: int, *lines: str, button: bool = False) -> web.Response:
        """An HTML page of plain ``lines`` (escaped here, for HTML: a file's name is text)."""
        t = self.translator
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        if button:
            label = html.escape(t.plain(PAGE_BUTTON))
            body += f'<form method="post"><button type="submit">{label}</button></form>'
        title = html.escape(t.plain(PAGE_TITLE))
        text = (
            f'<!doctype html><html lang="{html.escape(t.language)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex">'
            f"<title>{title}</title></head><body><h1>{title}</h1>"
            f"{body}</body></html>"
        )
        return web.Response(
            status=status,
            text=text,
            content_type="text/html",
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    def _refused(self, refusal: Refusal) -> web.Response:
        message = {
            Refusal.USED: PAGE_USED,
            Refusal.EXPIRED: PAGE_EXPIRED,
            Refusal.INVALID: PAGE_INVALID,
        }[refusal]
        return self._page(
            404 if refusal == Refusal.INVALID else 410, self.translator.plain(message)
        )

    async def _file_page(self, request: web.Request) -> web.Response:
        assert self.links is not None
        token = request.match_info["token"]
        checked = await self.links.check(token)
        if isinstance(checked, Refusal):
            return self._refused(checked)
        async with self.db.read() as conn:
            row = await downloads.get(conn, checked)
        if row is None:
            return self._refused(Refusal.EXPIRED)
        if row.used_at is not None:
            return self._refused(Refusal.USED)
        t = self.translator
        return self._page(
            200,
            t.plain(PAGE_FILE, filename=row.filename),
            t.plain(PAGE_ONCE, time=t.when(row.expires_at)),
            button=True,
        )

    async def _media(self, request: web.Request) -> web.Response:
        """A photo for Zalo to fetch (sendPhoto takes its URL): the image itself, no page."""
        assert self.links is not None
        found = await self.links.media(request.match_info["token"])
        if isinstance(found, Refusal):
            return await _no_page(found)
        return web.Response(
            body=found.content,
            content_type=_content_type(found.filename),
            headers={"Cache-Control": "private, max-age=3600"},
        )

    async def _file(self, request: web.Request) -> web.Response:
        assert self.links is not None
        found = await self.links.take(request.match_info["token"])
        if isinstance(found, Refusal):
            return self._refused(found)
        ascii_name = "".join(
            ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in found.filename
        )
        return web.Response(
            body=found.content,
            content_type=_content_type(found.filename),
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{ascii_name}";'
                    f" filename*=UTF-8''{quote(found.filename)}"
                ),
                "Cache-Control": "no-store",
            },
        )


async def _no_page(refusal: Refusal) -> web.Response:
    return web.Response(status=404 if refusal == Refusal.INVALID else 410)


def _content_type(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(suffix, "application/octet-stream")
