"""Throughput of the full bot (handlers + SQLite) against a bare python-telegram-bot echo bot.

Both run the same realistic stream of updates (residents registering with buttons and a typed
name, asking /help and /mydata, group commands) through ``Application.process_update``, with
an offline request object in place of the network, so the figures measure the bot itself.

Run: ``make bench`` or ``.venv/bin/python -m bench.updates [--users N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as ptb_filters
from telegram.request import BaseRequest, RequestData

from bot.app import core_config
from bot.config import load_settings
from bot.core.dispatcher import Dispatcher
from bot.features import build_registry
from bot.storage import areas
from bot.storage.db import Database
from bot.transports.telegram import TelegramTransport

TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstuvwxyz"
BOT = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


class OfflineRequest(BaseRequest):
    """Answers every Bot API call locally and remembers the last keyboard per chat."""

    def __init__(self) -> None:
        self.keyboards: dict[int, list[str]] = {}
        self.message_id = 0
        self.calls = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        self.calls += 1
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = BOT
        elif endpoint in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            markup = params.get("reply_markup")
            if markup:
                markup = json.loads(markup) if isinstance(markup, str) else markup
                self.keyboards[chat_id] = [
                    b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row
                ]
            self.message_id += 1
            result = {
                "message_id": self.message_id,
                "date": 0,
                "text": params.get("text", ""),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def build(request: OfflineRequest) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )


def message(update_id: int, chat_id: int, user_id: int, text: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": update_id,
        "date": 0,
        "text": text,
        "chat": {
            "id": chat_id,
            "type": "private" if chat_id > 0 else "group",
            "title": None if chat_id > 0 else "Nhóm",
        },
        "from": {"id": user_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"},
    }
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": body}


def button(update_id: int, user_id: int, data: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "chat_instance": "c",
            "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"},
            "message": {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}},
        },
    }


Step = Callable[[int, int, OfflineRequest], dict[str, Any]]


def script() -> list[Step]:
    """What one resident does: register with buttons and a typed name, then use the bot."""

    def press(index: int) -> Step:
        return lambda uid, user, req: button(
            uid,
            user,
            (req.keyboards.get(user) or ["x:0"])[
                min(index, len(req.keyboards.get(user) or ["x:0"]) - 1)
            ],
        )

    def say(text: str) -> Step:
        return lambda uid, user, req: message(uid, user, user, text)

    def in_group(text: str) -> Step:
        return lambda uid, user, req: message(uid, -100777, user, text)

    return [
        say("/start"),
        press(0),
        say("Nguyễn Văn Dân"),
        press(0),
        say("/help"),
        say("/mydata"),
        say("xin chào"),
        in_group("/help"),
        say("/language"),
        press(0),
    ]


async def feed(
    app: Application[Any, Any, Any, Any, Any, Any], request: OfflineRequest, users: int
) -> tuple[int, float]:
    steps, count = script(), 0
    start = time.perf_counter()
    for step in steps:
        for user in range(users):
            count += 1
            data = step(count, 10_000 + user, request)
            await app.process_update(Update.de_json(data, app.bot))
    return count, time.perf_counter() - start


async def measure(
    name: str, setup: Callable[[OfflineRequest], Awaitable[Any]], users: int
) -> tuple[float, float]:
    """Speed in one pass; peak memory (tracemalloc slows Python down) in a second one."""
    request = OfflineRequest()
    app, cleanup = await setup(request)
    count, seconds = await feed(app, request, users)
    await cleanup()
    request = OfflineRequest()
    tracemalloc.start()
    app, cleanup = await setup(request)
    await feed(app, request, max(1, users // 5))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await cleanup()
    rate = count / seconds
    print(
        f"{name:<34} {count:>7} updates  {seconds:7.2f} s  {rate:9.0f} updates/s  "
        f"peak {peak / 1e3:8.0f} kB"
    )
    return rate, peak


async def echo_setup(request: OfflineRequest) -> tuple[Any, Callable[[], Awaitable[None]]]:
    app = build(request)

    async def echo(update: Update, _: Any) -> None:
        if update.effective_message and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    async def answer(update: Update, _: Any) -> None:
        if update.callback_query:
            await update.callback_query.answer()

    app.add_handler(MessageHandler(ptb_filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(answer))
    await app.initialize()
    return app, app.shutdown


async def bot_setup(request: OfflineRequest) -> tuple[Any, Callable[[], Awaitable[None]]]:
    folder = Path(tempfile.mkdtemp(prefix="xomantoan-bench-"))
    db = await Database.open(folder / "bench.sqlite3")
    from datetime import UTC, datetime

    async with db.unit() as conn:
        await areas.add(conn, "DONG", "Thôn Đông", 500, datetime.now(UTC))
        await areas.add(conn, "TAY", "Thôn Tây", 400, datetime.now(UTC))
    app = build(request)
    await app.initialize()
    registry = build_registry()
    settings = load_settings(telegram_token=TOKEN)
    dispatcher = Dispatcher(db, registry, core_config(settings, "bench_bot"))
    TelegramTransport(app, dispatcher, registry, db)

    async def cleanup() -> None:
        async with db.read() as conn:
            cur = await conn.execute("SELECT COUNT(*) FROM members WHERE consent_at IS NOT NULL")
            row = await cur.fetchone()
        print(f"  (check: {row[0] if row else 0} residents registered through the buttons)")
        await app.shutdown()
        await db.close()

    return app, cleanup


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    print(
        f"Feeding {len(script())} updates for each of {args.users} residents "
        "(onboarding with buttons, /help, /mydata, text, a group command, /language)."
    )
    base_rate, base_peak = await measure("bare PTB echo bot (baseline)", echo_setup, args.users)
    rate, peak = await measure("Xóm An Toàn (handlers + SQLite)", bot_setup, args.users)
    print(
        f"ratio: the full bot handles {rate / base_rate:.2f}x the baseline's updates per "
        f"second, with {peak / max(base_peak, 1):.1f}x its peak traced memory"
    )


if __name__ == "__main__":
    asyncio.run(main())
