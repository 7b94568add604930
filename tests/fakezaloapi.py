"""A fake Zalo Bot API server on loopback, for end-to-end tests.

It speaks the Zalo Bot API as documented (Zalo Bot Platform, ``/bot<token>/<method>``, POST
with a JSON body, answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}``): ``getUpdates`` holds the request up to its ``timeout`` and gives ONE
update (no update id, no offset) or error 408 when none came; ids are strings, ``date`` is in
milliseconds, ``sendMessage`` takes 1 to 2,000 characters. It records every call the bot
makes, refuses a wrong token (401), and can be told to answer calls with 429 (with or without
a retry time), 5xx or a body that is not JSON, or to do a call and then hold it unanswered.
It can also play Zalo calling the bot's webhook (``post_webhook``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

BOT = {
    "id": "1459232241454765289",
    "account_name": "bot.XomAnToan",
    "account_type": "BASIC",
    "can_join_groups": True,
}
TEXT_LIMIT = 2000


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    error: str | None = None

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return str(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Failure:
    method: str
    chat_id: str | None
    code: int
    description: str
    retry_after: float | None
    times: int
    raw: str | None = None  # an answer that is not the Bot API's JSON (a proxy's HTML page)


def _ms() -> int:
    return int(time.time() * 1000)


def _hex_id() -> str:
    return secrets.token_hex(10)


class FakeZaloAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.failures: list[Failure] = []
        self.hangs: dict[str, int] = {}
        self.released = asyncio.Event()
        self.webhook: dict[str, Any] | None = None  # {"url", "secret_token", "updated_at"}
        self.polls = 0
        self._changed = asyncio.Condition()
        self.runner: web.AppRunner | None = None
        self.url = ""

    # Server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self.released.set()
        if self.runner is not None:
            await self.runner.cleanup()

    @staticmethod
    def _error(code: int, description: str, retry_after: float | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=code if code >= 400 else 200)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        try:
            params = dict(await request.json()) if await request.read() else {}
        except ValueError:
            return self._error(400, "Bad Request: body is not JSON")
        if method == "getUpdates":
            return await self._get_updates(request, params)
        call = Call(method, params)
        failure = self._failure_for(method, params)
        problem = None if failure is not None else self._refusal(method, params)
        if failure is not None:
            call.status, call.error = failure.code, failure.description or "raw"
        elif problem is not None:
            call.status, call.error = 400, problem
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()
        if failure is not None:
            if failure.raw is not None:
                return web.Response(status=failure.code, text=failure.raw, content_type="text/html")
            return self._error(failure.code, failure.description, failure.retry_after)
        if problem is not None:
            return self._error(400, problem)
        result = self._result(method, params)
        if self.hangs.get(method, 0) > 0:
            self.hangs[method] -= 1
            await self.released.wait()
        return web.json_response({"ok": True, "result": result})

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat = str(params["chat_id"]) if "chat_id" in params else None
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.chat_id in (None, chat):
                failure.times -= 1
                return failure
        return None

    @staticmethod
    def _refusal(method: str, params: dict[str, Any]) -> str | None:
        sends = ("sendMessage", "sendPhoto", "sendSticker", "sendChatAction")
        chat_id = params.get("chat_id")
        if method in sends and (not isinstance(chat_id, str) or not chat_id):
            return "Bad Request: chat_id must be a string"
        if method == "sendMessage":
            text = params.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
                return "Bad Request: text must be 1 to 2000 characters"
        if method == "sendPhoto" and not str(params.get("photo", "")).startswith("http"):
            return "Bad Request: photo must be an URL"
        if method == "setWebhook":
            url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
            if not url.startswith("https://"):
                return "Bad Request: url must be HTTPS"
            if not 8 <= len(secret) <= 256:
                return "Bad Request: secret_token must be 8 to 256 characters"
        return None

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "sendPhoto", "sendSticker"):
            return {"message_id": _hex_id(), "date": _ms()}
        if method == "setWebhook":
            self.webhook = {
                "url": params["url"],
                "secret_token": params["secret_token"],
                "updated_at": _ms(),
            }
            return {"url": params["url"], "updated_at": self.webhook["updated_at"]}
        if method == "deleteWebhook":
            self.webhook = None
            return {"url": "", "updated_at": _ms()}
        if method == "getWebhookInfo":
            if self.webhook is None:
                return {"url": "", "updated_at": _ms()}
            return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}
        return True

    async def _get_updates(
        self, request: web.Request, params: dict[str, Any]
    ) -> web.StreamResponse:
        self.polls += 1
        failure = self._failure_for("getUpdates", params)
        if failure is not None:
            if failure.raw is not None:
                return web.Response(status=failure.code, text=failure.raw, content_type="text/html")
            return self._error(failure.code, failure.description, failure.retry_after)
        if self.webhook is not None:
            return self._error(400, "Bad Request: webhook is set; delete it to use getUpdates")
        try:
            wait = float(params.get("timeout", 30))
        except (TypeError, ValueError):
            wait = 30.0
        deadline = time.monotonic() + min(wait, 30.0)
        while True:
            # A request its client gave up (a bot that stopped) takes no update.
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)
            if not self.updates.empty():
                return web.json_response({"ok": True, "result": self.updates.get_nowait()})
            if time.monotonic() >= deadline:
                return self._error(408, "Request timeout")
            await asyncio.sleep(0.01)

    # Driving ----------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        code: int,
        *,
        times: int = 1,
        chat_id: str | None = None,
        retry_after: float | None = None,
        description: str = "",
        raw: str | None = None,
    ) -> None:
        text = description or {429: "Too Many Requests", 500: "Internal Server Error"}.get(
            code, "Error"
        )
        self.failures.append(Failure(method, chat_id, code, text, retry_after, times, raw))

    def hang(self, method: str, times: int = 1) -> None:
        """Do the next ``times`` calls of ``method``, then hold their answers until released."""
        self.released.clear()
        self.hangs[method] = self.hangs.get(method, 0) + times

    def release(self) -> None:
        self.released.set()

    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the bot's next getUpdates."""
        await self.updates.put(update)

    async def post_webhook(
        self, target: str, update: dict[str, Any], secret: str | None = None
    ) -> httpx.Response:
        """Play Zalo calling the bot's webhook at ``target`` (its local address), with the
        secret given to setWebhook unless ``secret`` is given."""
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else (self.webhook or {}).get("secret_token")
        if token is not None:
            headers["X-Bot-Api-Secret-Token"] = token
        async with httpx.AsyncClient() as client:
            return await client.post(target, json=update, headers=headers)

    def sent(self, chat_id: str | None = None, method: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok
            and c.method in ("sendMessage", "sendPhoto", "sendSticker")
            and (chat_id is None or c.chat_id == chat_id)
            and (method is None or c.method == method)
        ]

    async def wait_for(self, predicate: Any, *, after: int = 0, timeout: float = 10.0) -> Call:
        async def found() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[after:]:
                        if predicate(call):
                            return call
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(found(), timeout)
        except TimeoutError:
            seen = [(c.method, c.chat_id, c.text[:60]) for c in self.calls[after:]]
            raise AssertionError(f"no matching call; calls since: {seen}") from None

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call came for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            if len(self.calls) == count and self.updates.empty():
                return
            count = len(self.calls)
            with contextlib.suppress(TimeoutError):
                await asyncio.sleep(quiet)
        raise AssertionError("the bot kept calling the API")


_message_ids = itertools.count(1)


class ZaloUser:
    """A person on Zalo: types text (or sends a sticker, a photo) to the bot."""

    def __init__(self, api: FakeZaloAPI, user_id: str, name: str) -> None:
        self.api = api
        self.id = user_id
        self.name = name

    def message(self, chat: dict[str, Any] | None = None, **content: Any) -> dict[str, Any]:
        return {
            "message_id": f"{next(_message_ids):020x}",
            "chat": chat or {"id": self.id, "chat_type": "PRIVATE"},
            "from": {"id": self.id, "display_name": self.name, "is_bot": False},
            "date": _ms(),
            **content,
        }

    def update(
        self, text: str, chat: dict[str, Any] | None = None, event: str = "message.text.received"
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text} if text else {}
        return {"event_name": event, "message": self.message(chat, **content)}

    async def send_only(self, text: str, chat: dict[str, Any] | None = None) -> None:
        await self.api.push(self.update(text, chat))

    async def send(self, text: str, chat: dict[str, Any] | None = None) -> Call:
        """Type ``text``; the bot's first message in that chat after it."""
        before = len(self.api.calls)
        await self.send_only(text, chat)
        chat_id = (chat or {"id": self.id})["id"]
        return await self.api.wait_for(
            lambda c: c.ok and c.method in ("sendMessage", "sendPhoto") and c.chat_id == chat_id,
            after=before,
        )

    async def say(self, text: str, chat: dict[str, Any] | None = None) -> str:
        """Type ``text``; everything the bot answered in that chat, once it is quiet."""
        before = len(self.api.calls)
        await self.send(text, chat)
        await self.api.wait_idle(quiet=0.25)
        chat_id = (chat or {"id": self.id})["id"]
        return "\n".join(c.text for c in self.api.calls[before:] if c.ok and c.chat_id == chat_id)

    async def press(self, label: str, chat: dict[str, Any] | None = None) -> Call:
        """Type the number of the option whose label holds ``label``, on the latest message
        of the chat that lists it."""
        chat_id = (chat or {"id": self.id})["id"]
        for call in reversed(self.api.sent(chat_id)):
            for number, shown in options(call.text):
                if label in shown:
                    return await self.send(str(number), chat)
        raise AssertionError(f"no message in chat {chat_id} lists an option with {label!r}")


OPTION = re.compile(r"^\s*\[(\d+)\] (.*)$")


def options(text: str) -> list[tuple[int, str]]:
    """The numbered options listed in a message: (number, label)."""
    return [(int(m.group(1)), m.group(2)) for m in map(OPTION.match, text.split("\n")) if m]


def group(chat_id: str) -> dict[str, Any]:
    return {"id": chat_id, "chat_type": "GROUP"}
