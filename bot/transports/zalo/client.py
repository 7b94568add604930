"""A small async client of the Zalo Bot API (Zalo Bot Platform), over httpx.

Every method is ``POST <root>/bot<token>/<method>`` with a JSON body, answered with
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": "..."}``.
Ids are strings, ``date`` is in milliseconds, a text is 1 to 2,000 characters.

One call is one attempt: the poller, the replies and the outbox worker decide what to retry.
Failures are sorted by what they prove about a request that sends something:

- :class:`TokenRefused` (401): the token is wrong; the bot stops with one line.
- :class:`Flood` (429, with or without a retry time): nothing was done; wait and retry.
- :class:`NotDone`: the server answered with an error (5xx, an answer that is not the Bot
  API's JSON) or no connection was made: surely not done, retried with back-off.
- :class:`Unanswered`: the request was written and no answer came in time (or the connection
  broke): Zalo may have done it, so a message is never sent again (no duplicates).
- :class:`Refused`: any other error answer (400, 403, 404...): done retrying.

Nothing here ever puts the token in an exception's text (the URL holds it).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000  # characters of one sendMessage text (and of a photo's caption)
NO_UPDATE = 408  # getUpdates: nothing arrived within the timeout


class ZaloError(Exception):
    """A call failed. ``code`` is the Bot API's ``error_code`` or the HTTP status (0: none)."""

    def __init__(self, method: str, code: int, description: str) -> None:
        self.method = method
        self.code = code
        self.description = description
        super().__init__(f"{method}: {code} {description}".strip())


class TokenRefused(ZaloError):
    pass


class Flood(ZaloError):
    def __init__(self, method: str, description: str, retry_after: float | None) -> None:
        super().__init__(method, 429, description)
        self.retry_after = retry_after


class NotDone(ZaloError):
    pass


class Unanswered(ZaloError):
    pass


class Refused(ZaloError):
    pass


def _retry_after(body: dict[str, Any]) -> float | None:
    parameters = body.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _message_id(result: Any) -> str | None:
    if isinstance(result, dict) and result.get("message_id") is not None:
        return str(result["message_id"])
    return None


class ZaloClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 15.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._token = token
        self._root = api_url.rstrip("/")
        self.timeout = timeout
        self._http = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=10.0),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    async def close(self) -> None:
        await self._http.aclose()

    def _clean(self, text: str) -> str:
        return text.replace(self._token, "<token>")[:200] if self._token else text[:200]

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, wait: float | None = None
    ) -> Any:
        """One request; the ``result`` of a good answer, else one of this module's errors."""
        url = f"{self._root}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=params or {}, timeout=wait if wait is not None else self.timeout
            )
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.WriteTimeout,
            httpx.WriteError,
        ) as exc:
            raise NotDone(method, 0, self._clean(f"no connection ({type(exc).__name__})")) from None
        except httpx.TransportError as exc:  # read timeout, connection cut after the request
            raise Unanswered(method, 0, self._clean(f"no answer ({type(exc).__name__})")) from None
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            kind = response.headers.get("content-type", "?").split(";")[0]
            if status == 401:
                raise TokenRefused(method, 401, "Unauthorized")
            raise NotDone(method, status, f"the answer was not the Bot API's JSON ({kind})")
        if body["ok"]:
            return body.get("result")
        code = body.get("error_code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else status
        description = self._clean(str(body.get("description") or ""))
        if code == 401 or status == 401:
            raise TokenRefused(method, 401, description or "Unauthorized")
        if code == 429 or status == 429:
            raise Flood(method, description, _retry_after(body))
        if code >= 500 or status >= 500:
            raise NotDone(method, code, description)
        raise Refused(method, code, description)

    # Methods ------------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        if not isinstance(result, dict):
            raise NotDone("getMe", 200, "the answer had no bot")
        return result

    async def get_update(self, wait_seconds: int) -> dict[str, Any] | None:
        """Long polling: one update, or None when none came within ``wait_seconds``."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(wait_seconds)}, wait=wait_seconds + 10.0
            )
        except Refused as exc:
            if exc.code == NO_UPDATE:
                return None
            raise
        if result is None or result == {} or result == []:
            return None
        if not isinstance(result, dict):
            raise NotDone("getUpdates", 200, f"the result was {type(result).__name__}")
        return result

    async def send_message(self, chat_id: str, text: str) -> str | None:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return (
            str(result["message_id"])
            if isinstance(result, dict) and "message_id" in result
            else None
        )

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None) -> str | None:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption[:TEXT_LIMIT]
        result = await self.call("sendPhoto", params)
        return (
            str(result["message_id"])
            if isinstance(result, dict) and "message_id" in result
            else None
        )

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any] | None:
        try:
            result = await self.call("getWebhookInfo")
        except Refused as exc:
            if exc.code == 404:
                return None
            raise
        return result if isinstance(result, dict) else None
