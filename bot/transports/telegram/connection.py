"""The Bot API client: the chat library's application and its HTTP pool."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

CONNECTIONS = 256  # requests to the Bot API at the same time (PTB's default)
IDLE_CONNECTIONS = 16  # kept open between requests


def build_application(
    token: str, api_root: str, *, read_timeout: float = 20.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    # PTB logs every answer that is not JSON (a proxy's HTML page) with a traceback and the whole
    # body; the call fails with TelegramError and our one line says what happened instead.
    logging.getLogger("telegram.request.BaseRequest").setLevel(logging.CRITICAL)
    # PTB's pool of 256 connections keeps every idle one for 5 s, and httpcore looks at each
    # (a costly check whether the server closed it, and a count of them all for each one) twice
    # per request: after a burst of replies in many chats that cost more than the request.
    # Idle connections beyond IDLE_CONNECTIONS are closed; up to 256 may still be busy at once.
    request = HTTPXRequest(
        connection_pool_size=CONNECTIONS,
        connect_timeout=10,
        read_timeout=read_timeout,
        write_timeout=read_timeout,
        httpx_kwargs={
            "limits": httpx.Limits(
                max_connections=CONNECTIONS, max_keepalive_connections=IDLE_CONNECTIONS
            )
        },
    )
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .updater(None)
        .request(request)
        .build()
    )
