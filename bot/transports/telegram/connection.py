"""The Bot API client: the chat library's application and its HTTP pool."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.transports.telegram.http import AiohttpRequest

CONNECTIONS = 256  # requests to the Bot API at the same time (PTB's default)


def build_application(
    token: str, api_root: str, *, read_timeout: float = 20.0
) -> Application[Any, Any, Any, Any, Any, Any]:
    # PTB logs every answer that is not JSON (a proxy's HTML page) with a traceback and the whole
    # body; the call fails with TelegramError and our one line says what happened instead.
    logging.getLogger("telegram.request.BaseRequest").setLevel(logging.CRITICAL)

    def client(connections: int) -> AiohttpRequest:
        return AiohttpRequest(
            connections=connections,
            connect_timeout=10,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
        )

    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .updater(None)
        .request(client(CONNECTIONS))
        .get_updates_request(client(1))  # one long poll at a time
        .build()
    )
