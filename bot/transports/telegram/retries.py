"""What a failed Bot API request means, and a call retried with back-off."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.transports.telegram.http import NOT_SENT

T = TypeVar("T")


def surely_not_done(exc: TelegramError) -> bool:
    """Whether a failed request surely did nothing at Telegram: it answered with an error (a
    429, a 5xx), no connection was made, or the request could not be written whole. No answer
    in time, or a connection that broke after the request was written, may mean Telegram has
    it (a sent message would then arrive twice)."""
    if isinstance(exc, RetryAfter):
        return True
    cause = exc.__cause__
    if cause is None or isinstance(cause, TelegramError):
        return True  # the server answered (with an error status)
    return isinstance(
        cause,
        (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.WriteTimeout,
            httpx.WriteError,
            *NOT_SENT,
        ),
    )


def failure_kind(exc: TelegramError) -> str:
    """Why a message could not be sent, as one of outbox.FAILURE_KINDS (officers see it in
    their own language in a broadcast's report)."""
    if isinstance(exc, BadRequest):
        text = str(exc).lower()
        if "rights" in text or "administrator" in text or "write_forbidden" in text:
            return "no_rights"
        if "too long" in text:
            return "too_long"
        if "parse" in text or "entit" in text:
            return "format"
        return "refused"
    if isinstance(exc, NetworkError):
        answered = exc.__cause__ is None or isinstance(exc.__cause__, TelegramError)
        return "server" if answered else "network"  # a 5xx, or no connection
    return "other"


async def with_retries(call: Callable[[], Awaitable[T]], *, attempts: int = 5) -> T:
    """Run a Bot API call; wait out 429s and retry network errors with back-off."""
    delay = 1.0
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            if attempt == attempts:
                raise
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")
