"""Reading updates: our own getUpdates loop with back-off, and start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.storage import kv
from bot.storage.connection import log_failure
from bot.transports.telegram.events import UpdateEvents
from bot.transports.telegram.webhook import WebhookReceiving

log = logging.getLogger(__name__)
# We call getUpdates through do_api_request on purpose (see the docstring of .transport).
warnings.filterwarnings("ignore", message=".*Bot.getUpdates.*", category=PTBUserWarning)
# Edited messages are not asked for (see to_event: they are not new input).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# Back-off between failed getUpdates calls: doubles from the start up to the maximum (seconds).
POLL_BACKOFF_START = 1.0
POLL_BACKOFF_MAX = 60.0


class TokenRefusedError(Exception):
    """Telegram refused the bot token (401): the only polling failure that stops the bot."""


# What a refused token raises, as the chat library or this transport reports it.
TOKEN_REFUSED = (InvalidToken, TokenRefusedError)


class Polling(WebhookReceiving, UpdateEvents):
    # Polling ------------------------------------------------------------------------------
    async def poll(self, wait_seconds: int, stop: asyncio.Event) -> None:
        """Fetch updates until ``stop`` is set. Whatever the network answers (an HTML page from
        a proxy, cut-off JSON, an answer without ``result``, 403, 5xx, a timeout) is logged in
        one line and retried with back-off; only a token Telegram refuses (401) stops the bot,
        as :class:`TokenRefusedError`."""
        async with self.db.read() as conn:
            stored = await kv.get(conn, "telegram.offset")
        offset = int(stored) if stored else 0
        delay = keep_delay = POLL_BACKOFF_START
        while not stop.is_set():
            problem: str | None = None
            wait: float | None = None
            raw: Any = None
            try:
                raw = await self.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": wait_seconds,
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                    read_timeout=wait_seconds + 10,
                )
            except RetryAfter as exc:
                retry = exc.retry_after
                wait = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
                problem = "Telegram asked to slow down"
            except Conflict as exc:
                problem = "another copy of this bot is polling with the same token"
                if "webhook" in str(exc).lower():  # getUpdates is refused while one is set
                    problem = "a webhook was set; deleting it to poll"
                    wait = 0.0
                    with contextlib.suppress(Exception):
                        await self.delete_webhook()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every other answer is retried
                if _token_refused(exc):
                    raise TokenRefusedError(str(exc)) from None
                problem = _describe_poll_failure(exc)
            if problem is None and not isinstance(raw, list):
                problem = f"getUpdates answered {type(raw).__name__} instead of a list"
            if problem is not None:
                pause = wait if wait is not None else delay
                log.warning("polling failed (%s); retrying in %.0fs", problem, pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                if wait is None:
                    delay = min(delay * 2, POLL_BACKOFF_MAX)
                continue
            delay = POLL_BACKOFF_START
            if raw:
                try:
                    await self.follow_moves()
                except Exception:  # the database away a moment: the moves are read next time
                    log.warning("could not read the groups' moves; reading them later")
            confirmed = offset
            accepted: list[tuple[int | None, Update, Any]] = []
            for item in raw:
                update_id = item.get("update_id") if isinstance(item, dict) else None
                if isinstance(update_id, int):
                    offset = max(offset, update_id + 1)
                try:
                    update = Update.de_json(item, self.bot)
                except Exception:
                    log.warning(
                        "skipped update %s that could not be read", update_id, exc_info=True
                    )
                    continue
                accepted.append((update_id, update, item))
            if raw:
                try:
                    await self._accept(accepted, offset)
                except Exception:
                    # Nothing of the batch was kept (its transaction rolled back) and Telegram
                    # keeps it until a getUpdates with a later offset: fetch it again.
                    offset = confirmed
                    log_failure(
                        log,
                        "could not keep fetched updates; fetching them again in %.0fs",
                        keep_delay,
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), keep_delay)
                    keep_delay = min(keep_delay * 2, POLL_BACKOFF_MAX)
                else:
                    keep_delay = POLL_BACKOFF_START


async def initialize(app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event) -> bool:
    """Start the library (it asks ``getMe``), retrying every failed answer with back-off as
    polling does; a refused token raises :class:`TokenRefusedError`. False when stopped first."""
    delay = POLL_BACKOFF_START
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every other answer is retried
            if _token_refused(exc):
                raise TokenRefusedError(str(exc)) from None
            log.warning(
                "connecting to Telegram failed (%s); retrying in %.0fs",
                _describe_poll_failure(exc),
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, POLL_BACKOFF_MAX)
    return False


def _token_refused(exc: BaseException) -> bool:
    """Telegram answered 401 Unauthorized. PTB reports it as InvalidToken, wrapped in
    EndPointNotFound once the bot is initialised, and uses the same classes for a 404."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, InvalidToken) and "unauthorized" in str(seen).lower():
            return True
        seen = seen.__cause__
    return False


def _describe_poll_failure(exc: Exception) -> str:
    """One short line for a failed getUpdates (never the URL, which holds the token)."""
    if isinstance(exc, KeyError):
        return "the answer had no 'result'"
    if isinstance(exc, Forbidden):
        return f"access refused (403): {exc}"[:200]
    if isinstance(exc, TelegramError) and "Invalid server response" in str(exc):
        return "the answer was not JSON (a proxy or captive portal?)"
    return f"{type(exc).__name__}: {exc}"[:200]
