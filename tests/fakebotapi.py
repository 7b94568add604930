"""A fake Telegram Bot API server on loopback, for end-to-end tests and benchmarks.

It speaks the Bot API over HTTP as the real one does (``/bot<token>/<method>``), queues updates
for ``getUpdates`` (long polling) or, once the bot called ``setWebhook``, posts them to the
webhook as Telegram does (through ``webhook_targets``: the reverse proxy in front of the bot
processes, taken in turn; a call not answered 2xx is made again), records every call the bot
makes, and can be told to answer
a call with an error (429 flood limit, 403 blocked, 400 migrated group, 5xx), to hold a call
without answering after doing it (a hung request the server nonetheless recorded), or to
enforce Telegram's rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "Xóm An Toàn",
    "username": "xomantoan_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TEXT_KEYS = {
    "text",
    "caption",
    "callback_query_id",
    "language_code",
    "parse_mode",
    "url",
    "filename",
    "description",
    "short_description",
    "name",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # the HTTP status the server answered with (200 until told otherwise)
    error: str | None = None  # the description of the error answered, if any

    @property
    def rendered(self) -> str:
        """The text as the person sees it (Telegram HTML parsed)."""
        if self.params.get("parse_mode") != "HTML":
            return self.text
        return parse_html(self.text)[0]

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def labels(self) -> list[str]:
        return [b["text"] for b in self.buttons]


# Telegram's HTML parse mode, as its parser (tdlib's parse_html) reads it ---------------------
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, str | None]:
    """(the rendered text, None), or ("", the reason Telegram gives for refusing it): a "<" that
    starts no supported tag, an end tag that closes nothing or the wrong tag, a tag left open.
    An "&" that starts no entity is taken as text, as Telegram does."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)

    def offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    while i < n:
        ch = text[i]
        if ch == "&":
            match = _ENTITY.match(text, i)
            out.append(html.unescape(match.group(0)) if match else "&")
            i = match.end() if match else i + 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        begin, i = i, i + 1
        closing = i < n and text[i] == "/"
        i += int(closing)
        j = i
        while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "-"):
            j += 1
        name = text[i:j].lower()
        if not closing:
            end = text.find(">", j)
            if name not in HTML_TAGS:
                return "", f'Unsupported start tag "{name}" at byte offset {offset(begin)}'
            if end < 0 or "<" in text[j:end]:
                return "", f"Unclosed start tag at byte offset {offset(begin)}"
            stack.append(name)
            i = end + 1
            continue
        if j >= n or text[j] != ">":
            return "", f"Unclosed end tag at byte offset {offset(begin)}"
        if not stack:
            return "", f"Unexpected end tag at byte offset {offset(begin)}"
        if stack[-1] != name:
            return "", (
                f'Unmatched end tag at byte offset {offset(begin)}, expected "</{stack[-1]}>",'
                f' found "</{name}>"'
            )
        stack.pop()
        i = j + 1
    if stack:
        return "", f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return "".join(out), None


def refusal(method: str, params: dict[str, Any]) -> str | None:
    """Why Telegram would refuse this message's text or caption (parse, length), else None."""
    if method in ("sendMessage", "editMessageText"):
        key, limit, too_long = "text", TEXT_LIMIT, "message is too long"
    elif method in ("sendPhoto", "sendDocument", "sendVoice"):
        key, limit, too_long = "caption", CAPTION_LIMIT, "message caption is too long"
    else:
        return None
    text = str(params.get(key) or "")
    rendered = text
    if params.get("parse_mode") == "HTML":
        rendered, problem = parse_html(text)
        if problem is not None:
            return f"Bad Request: can't parse entities: {problem}"
    if key == "text" and not rendered.strip():
        return "Bad Request: message text is empty"
    if utf16_length(rendered) > limit:
        return f"Bad Request: {too_long}"
    return None


@dataclass
class Failure:
    method: str
    chat_id: int | None
    code: int
    description: str
    parameters: dict[str, Any] | None
    times: int
    # A raw answer instead of a Bot API error: what a proxy, a captive portal or a cut-off
    # connection gives (an HTML page, truncated JSON, JSON without "result").
    body: str | None = None
    content_type: str = "application/json"
    after: int = 0  # let this many matching calls through first


@dataclass
class Hang:
    """Do the call (the server has it), then answer only when released."""

    method: str
    chat_id: int | None
    times: int


@dataclass
class RateLimits:
    """Telegram's limits, to be enforced with 429 answers (scaled for quick benchmarks)."""

    per_second: float = 30.0
    private_interval: float = 1.0
    group_per_minute: float = 20.0
    scale: float = 1.0


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.confirmed = 0  # the highest getUpdates offset the bot asked for
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self.failures: list[Failure] = []
        self.hangs: list[Hang] = []
        self.released = asyncio.Event()
        self.blocked_chats: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.limits: RateLimits | None = None
        self.too_many = 0
        self._sent_times: deque[float] = deque()
        self._chat_times: dict[int, deque[float]] = defaultdict(deque)
        self.runner: web.AppRunner | None = None
        self.url = ""
        # Files people "send" (a document's file_id -> its bytes), served by getFile.
        self.files: dict[str, bytes] = {}
        # Privacy mode (BotFather's /setprivacy, on by default): in groups only commands,
        # replies to the bot's messages, mentions of it and service messages reach the bot;
        # every other group message is kept in ``dropped`` instead of being delivered.
        self.privacy_mode = False
        self.dropped: list[dict[str, Any]] = []
        # A ForceReply a person's client has open, by (chat, user): their next message in that
        # chat is sent as a reply to it (see ChatUser.answer), which closes it.
        self.forced: dict[tuple[int, int], Call] = {}
        self._senders: dict[tuple[int, int], int] = {}  # (chat, message id) -> the sender
        # Webhook mode: what setWebhook was given (None while polling), the bot processes'
        # own addresses the reverse proxy forwards Telegram's calls to (in turn), and each
        # call made to them: (update id, target, HTTP status or 0 when it could not connect).
        self.webhook: dict[str, Any] | None = None
        self.webhook_targets: list[str] = []
        self.posted: list[tuple[int, str, int]] = []
        self._delivering: asyncio.Task[None] | None = None

    # Server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._file)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        port = sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self.released.set()
        if self._delivering is not None:
            self._delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivering
        if self.runner is not None:
            await self.runner.cleanup()

    # Webhook --------------------------------------------------------------------------
    async def post_update(
        self, target: str, update: dict[str, Any] | str | bytes, *, secret: str | None = None
    ) -> tuple[int, str]:
        """POST ``update`` (an update, or a raw body) to a bot process as Telegram does, with
        ``secret`` in its header (None: the one given to setWebhook; "": no header)."""
        import aiohttp

        if secret is None:
            secret = str((self.webhook or {}).get("secret_token") or "")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, str | bytes) else json.dumps(update)
        path = urlsplit(str((self.webhook or {}).get("url") or "/")).path or "/"
        async with (
            aiohttp.ClientSession() as session,
            session.post(target + path, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def _deliver(self) -> None:
        """Telegram's side of a webhook: the oldest update not delivered yet is posted (to the
        targets in turn) until a process answers 2xx; one at a time, in order."""
        turn = 0
        while True:
            async with self._changed:
                while not (self.webhook and self.webhook_targets and self.updates):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.5)
            update = self.updates[0]
            target = self.webhook_targets[turn % len(self.webhook_targets)]
            turn += 1
            try:
                status, _ = await self.post_update(target, update)
            except Exception:  # the process is down: the proxy answers 502; tried again
                status = 0
            self.posted.append((int(update["update_id"]), target, status))
            if 200 <= status < 300:
                if self.updates and self.updates[0] is update:
                    self.updates.pop(0)
                async with self._changed:
                    self._changed.notify_all()
            else:
                await asyncio.sleep(0.2)

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        if self._delivering is None:  # posting starts with the first webhook
            self._delivering = asyncio.create_task(self._deliver())
        # Pending updates are kept (drop_pending_updates is not asked for) and now posted.
        self.updates = [u for u in self.updates if u["update_id"] >= self.confirmed]
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        return {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
            "allowed_updates": hook.get("allowed_updates", []),
        }

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):  # a file
                params[key] = {"filename": value.filename, "data": value.file.read()}
                continue
            if key in TEXT_KEYS:
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates" and self.webhook is not None:
            return self._error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use"
                " deleteWebhook to delete the webhook first",
            )
        error = self._failure_for(method, params)
        refused = refusal(method, params) if error is None else None
        if refused is not None:
            error = self._error(400, refused)
        if method != "getUpdates":
            call = Call(method, params)
            if error is not None:
                call.error = refused or f"{error.status}: {error.text}"
                call.status = error.status
            self.calls.append(call)
        if error is not None:
            async with self._changed:
                self._changed.notify_all()
            return error
        handler = getattr(self, f"_m_{method}", None)
        result = True if handler is None else await handler(params)
        if method != "getUpdates":
            # Waiters see the call once its effects are in place (a ForceReply opened): taking
            # the lock may let them run, so nothing is announced before it is done.
            async with self._changed:
                self._changed.notify_all()
        if self._hang_for(method, params):
            await self.released.wait()
        return self._ok(result)

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def _hang_for(self, method: str, params: dict[str, Any]) -> bool:
        chat_id = params.get("chat_id")
        chat = int(chat_id) if chat_id is not None else None
        for hang in self.hangs:
            if hang.times > 0 and hang.method == method and hang.chat_id in (None, chat):
                hang.times -= 1
                return True
        return False

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(
        code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _failure_for(self, method: str, params: dict[str, Any]) -> web.Response | None:
        chat_id = params.get("chat_id")
        chat = int(chat_id) if chat_id is not None else None
        if method.startswith("send") and chat is not None:
            if chat in self.blocked_chats:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if chat in self.migrated:
                return self._error(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self.migrated[chat]},
                )
            limited = self._rate_limited(chat)
            if limited is not None:
                return limited
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.chat_id in (None, chat):
                if failure.after > 0:
                    failure.after -= 1
                    continue
                failure.times -= 1
                if failure.body is not None:
                    return web.Response(
                        status=failure.code, text=failure.body, content_type=failure.content_type
                    )
                return self._error(failure.code, failure.description, failure.parameters)
        return None

    def _rate_limited(self, chat: int) -> web.Response | None:
        if self.limits is None:
            return None
        limits, now = self.limits, time.monotonic()
        scale = limits.scale
        window = self._sent_times
        while window and now - window[0] > 1.0:
            window.popleft()
        per_chat = self._chat_times[chat]
        horizon = 60.0 / scale if chat < 0 else limits.private_interval / scale
        while per_chat and now - per_chat[0] > horizon:
            per_chat.popleft()
        # A little tolerance for timer jitter, as Telegram allows short bursts.
        over_global = len(window) >= limits.per_second * scale * 1.05 + 1
        over_chat = (
            len(per_chat) >= limits.group_per_minute
            if chat < 0
            else len(per_chat) >= 1 and now - per_chat[-1] < horizon * 0.9
        )
        if over_global or over_chat:
            self.too_many += 1
            return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        window.append(now)
        per_chat.append(now)
        return None

    # Methods --------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        if offset > self.confirmed:  # the bot has handled every update below ``offset``
            self.confirmed = offset
            async with self._changed:
                self._changed.notify_all()
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        async with self._changed:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready[:100]
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    pass

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "supergroup",
                "title": None if chat_id > 0 else "Group",
            },
            "from": BOT_USER,
            **extra,
        }

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        message = self._message(params, text=params.get("text", ""))
        params["message_id"] = message["message_id"]
        if (params.get("reply_markup") or {}).get("inline_keyboard"):  # the only kind shown
            message["reply_markup"] = params["reply_markup"]
        self._open_forced_reply(next(c for c in reversed(self.calls) if c.params is params))
        return message

    def _open_forced_reply(self, call: Call) -> None:
        """A ForceReply opens the reply for its targets, as Telegram clients do: with
        ``selective``, the users mentioned (a ``tg://user?id=`` link) and the sender of the
        message it answers; without it, nobody in particular is tracked here."""
        markup = call.params.get("reply_markup") or {}
        chat = call.chat_id
        if not markup.get("force_reply") or not markup.get("selective") or chat is None:
            return
        targets = {int(u) for u in re.findall(r'href="tg://user\?id=(\d+)"', call.text)}
        answered = (call.params.get("reply_parameters") or {}).get("message_id")
        if answered is not None and (chat, int(answered)) in self._senders:
            targets.add(self._senders[(chat, int(answered))])
        for user in targets:
            self.forced[(chat, user)] = call

    def forced_reply(self, chat_id: int, user_id: int) -> Call | None:
        """The bot's message whose ForceReply this person's client has open in this chat."""
        return self.forced.get((chat_id, user_id))

    @staticmethod
    def as_message(call: Call) -> dict[str, Any]:
        """A message the bot sent, as Telegram shows it inside a reply (reply_to_message)."""
        chat_id = call.chat_id or 0
        return {
            "message_id": call.params.get("message_id", 1),
            "date": int(call.at),
            "chat": {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "supergroup",
                "title": None if chat_id > 0 else "Group",
            },
            "from": BOT_USER,
            "text": call.rendered,
        }

    def reaches_bot(self, update: dict[str, Any]) -> bool:
        """Whether Telegram delivers this update to the bot (see ``privacy_mode``)."""
        message = update.get("message")
        if not self.privacy_mode or message is None:
            return True
        if message.get("chat", {}).get("type") == "private":
            return True
        text = str(message.get("text") or message.get("caption") or "")
        replied = message.get("reply_to_message") or {}
        content = ("text", "caption", "photo", "location", "voice", "document", "sticker")
        return (
            text.startswith("/")
            or (replied.get("from") or {}).get("id") == BOT_USER["id"]
            or f"@{BOT_USER['username']}".lower() in text.lower()
            or not any(key in message for key in content)  # a service message
        )

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        message = self._message(
            params, photo=[{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
        )
        params["message_id"] = message["message_id"]
        return message

    async def _m_sendVoice(self, params: dict[str, Any]) -> Any:
        message = self._message(params, voice={"file_id": "v1", "file_unique_id": "u3"})
        params["message_id"] = message["message_id"]
        return message

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        message = self._message(params, document={"file_id": "d1", "file_unique_id": "u2"})
        params["message_id"] = message["message_id"]
        return message

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            return None
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._message(params, text=params.get("text", ""))
        message["message_id"] = int(params["message_id"])
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    # Driving the bot ------------------------------------------------------------------
    def continue_updates_from(self, update_id: int) -> None:
        """Number the next updates from ``update_id`` on, as Telegram does for a bot that
        already confirmed updates up to there (a database from an earlier run)."""
        self._update_ids = itertools.count(update_id)

    async def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        message = update.get("message")
        if message is not None and "from" in message:
            chat, sender = int(message["chat"]["id"]), int(message["from"]["id"])
            self._senders[(chat, int(message["message_id"]))] = sender
            self.forced.pop((chat, sender), None)  # whatever they sent closed the reply
        if not self.reaches_bot(update):
            self.dropped.append({"update_id": update_id, **update})
            return update_id
        self.updates.append({"update_id": update_id, **update})
        async with self._changed:
            self._changed.notify_all()
        return update_id

    def fail(
        self,
        method: str,
        code: int,
        description: str,
        *,
        chat_id: int | None = None,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with this error,
        once ``after`` such calls have gone through."""
        self.failures.append(
            Failure(method, chat_id, code, description, parameters, times, after=after)
        )

    def fail_raw(
        self,
        method: str,
        status: int,
        body: str,
        *,
        content_type: str = "text/html",
        times: int = 1,
    ) -> None:
        """Answer ``method`` with this exact body and HTTP status (not a Bot API error)."""
        self.failures.append(Failure(method, None, status, "", None, times, body, content_type))

    def hang(self, method: str, *, chat_id: int | None = None, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``) are done and recorded, but
        answered only after :meth:`release`: the client sees a request that hangs."""
        self.hangs.append(Hang(method, chat_id, times))

    def release(self) -> None:
        """Answer every hung request (and any later one told to hang)."""
        self.released.set()

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        methods = (
            {method}
            if method
            else {"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "sendVoice"}
        )
        return [
            c
            for c in self.calls
            if c.method in methods and (chat_id is None or c.chat_id == chat_id)
        ]

    async def wait_for(self, predicate: Any, *, after: int = 0, timeout: float = 10.0) -> Call:
        """The first call (from index ``after``) that ``predicate`` accepts."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                for call in self.calls[after:]:
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.chat_id, c.text[:80]) for c in self.calls[after:]]
                    raise AssertionError(f"no matching call within {timeout}s; saw {seen}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def wait_until(self, condition: Any, *, timeout: float = 10.0) -> None:
        """Wait until ``condition()`` holds (checked after each request the bot makes)."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"condition not met within {timeout}s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until the bot has fetched every update and made no call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == count:
                return
        raise AssertionError("the bot did not settle")
