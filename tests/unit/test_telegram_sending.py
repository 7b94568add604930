"""Which failed Bot API requests surely did nothing (and may be sent again), and why a message
could not be sent as officers are told."""

from __future__ import annotations

import aiohttp
import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.transports.telegram.retries import failure_kind, surely_not_done


def _caused(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


def test_an_answer_from_the_server_means_nothing_was_done() -> None:
    assert surely_not_done(RetryAfter(5))
    assert surely_not_done(NetworkError("Bad Gateway"))  # a 502 with a body
    assert surely_not_done(_caused(NetworkError("Internal Server Error"), BadRequest("json")))


def test_no_connection_means_nothing_was_done() -> None:
    assert surely_not_done(_caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("x")))
    assert surely_not_done(_caused(TimedOut(), httpx.ConnectTimeout("x")))
    assert surely_not_done(_caused(TimedOut("Pool timeout"), httpx.PoolTimeout("x")))
    # A request not written whole cannot have been done.
    assert surely_not_done(_caused(TimedOut(), httpx.WriteTimeout("x")))
    # The bot's own client (bot/transports/telegram/http.py): no free connection in time.
    assert surely_not_done(_caused(TimedOut(), aiohttp.ConnectionTimeoutError("x")))


def test_no_answer_may_mean_telegram_has_it() -> None:
    assert not surely_not_done(_caused(TimedOut(), httpx.ReadTimeout("x")))
    assert not surely_not_done(
        _caused(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("x"))
    )
    assert not surely_not_done(_caused(NetworkError("Unknown error"), RuntimeError("x")))
    assert not surely_not_done(_caused(TimedOut(), aiohttp.SocketTimeoutError("x")))
    assert not surely_not_done(
        _caused(NetworkError("aiohttp.ServerDisconnectedError"), aiohttp.ServerDisconnectedError())
    )


def test_why_a_message_failed_in_kinds_officers_are_told() -> None:
    refusals = {
        "Bad Request: not enough rights to send text messages to the chat": "no_rights",
        "Bad Request: have no rights to send a message": "no_rights",
        "Bad Request: message is too long": "too_long",
        "Bad Request: can't parse entities: unsupported start tag": "format",
        "Bad Request: message text is empty": "refused",
    }
    for text, kind in refusals.items():
        assert failure_kind(BadRequest(text)) == kind
    assert failure_kind(NetworkError("Bad Gateway")) == "server"  # a 5xx
    assert failure_kind(_caused(NetworkError("Internal Server Error"), BadRequest("x"))) == "server"
    assert failure_kind(_caused(TimedOut(), httpx.ConnectTimeout("x"))) == "network"
    assert failure_kind(_caused(NetworkError("x"), httpx.ConnectError("x"))) == "network"
