"""Which failed Bot API requests surely did nothing (and may be sent again)."""

from __future__ import annotations

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.transports.telegram import surely_not_done


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


def test_no_answer_may_mean_telegram_has_it() -> None:
    assert not surely_not_done(_caused(TimedOut(), httpx.ReadTimeout("x")))
    assert not surely_not_done(
        _caused(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("x"))
    )
    assert not surely_not_done(_caused(NetworkError("Unknown error"), RuntimeError("x")))
