"""Replies during a broadcast: residents use the bot while a broadcast goes out, against a fake
Bot API server that enforces Telegram's limits (429 with ``retry_after`` when one is crossed).

The real bot (``run_telegram``) runs in this process; the broadcast is written to the outbox
(a message to each of ``--chats`` private chats, ``--per-resident`` to each resident among
them), and residents send /help at ``--rate`` updates a second (scaled with the limits)
meanwhile. Prints the broadcast's time against its floor (broadcast messages and replies over
the overall limit), the 429 answers (and how many hit replies), and how long residents waited
for their answers.

    .venv/bin/python -m bench.replies               # limits scaled 10x (a few seconds)
    .venv/bin/python -m bench.replies --scale 1     # Telegram's real limits (about a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.app import run_telegram
from bot.config import load_settings
from bot.storage import outbox
from bot.storage.db import Database
from bot.transports.pacing import Limits
from tests.e2e.harness import TOKEN, ChatUser
from tests.fakebotapi import FakeBotAPI, RateLimits

TEXT = "Thông báo: phòng cháy chữa cháy mùa khô"


async def run(args: argparse.Namespace) -> None:
    api = FakeBotAPI(TOKEN)
    await api.start()
    limits = Limits().scaled(args.scale)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        settings = load_settings(
            telegram_token=TOKEN,
            telegram_api_url=api.url,
            database=database,
            poll_timeout_seconds=1,
        )
        stop = asyncio.Event()
        bot = asyncio.create_task(run_telegram(settings, stop=stop, limits=limits))
        await api.wait_for(lambda c: c.method == "setMyCommands")
        await api.wait_idle(quiet=0.3)
        api.limits = RateLimits(scale=args.scale)
        residents = [ChatUser(api, 10_000 + n, f"Dân {n}") for n in range(args.residents)]
        chats = [r.id for r in residents] + [20_000 + n for n in range(args.chats - len(residents))]
        db = await Database.open(database)
        async with db.unit() as conn:
            now = datetime.now(UTC)
            for round_ in range(args.per_resident):
                for chat in chats if round_ == 0 else chats[: len(residents)]:
                    await outbox.enqueue(conn, "telegram", str(chat), TEXT, [], now, priority=-1)
        expected = len(chats) + (args.per_resident - 1) * len(residents)
        await db.close()
        first = await api.wait_for(lambda c: c.text == TEXT, timeout=30)
        started = first.at
        pushed: list[tuple[int, float]] = []
        rate = args.rate * args.scale
        interval = 1.0 / rate
        sender = 0
        while sum(1 for c in api.calls if c.text == TEXT and c.status == 200) < expected:
            person = residents[sender % len(residents)]
            pushed.append((person.id, time.monotonic()))
            await person.send_only("/help")
            sender += 1
            await asyncio.sleep(interval)
        total = time.monotonic() - started
        await api.wait_idle(quiet=0.5, timeout=120)
        waits = []
        for chat, at in pushed:
            answer = next(
                (
                    c
                    for c in api.calls
                    if c.chat_id == chat and c.at >= at and c.text != TEXT and c.status == 200
                ),
                None,
            )
            if answer is not None:
                waits.append(answer.at - at)
        replies_429 = sum(1 for c in api.calls if c.status == 429 and c.text != TEXT)
        stop.set()
        await asyncio.wait_for(bot, 30)
    await api.stop()
    floor = (expected + len(waits)) / limits.per_second
    print(f"Replies during a broadcast (limits scaled x{args.scale:g})")
    print(
        f"  broadcast:           {expected:,} messages to {len(chats):,} chats "
        f"({args.per_resident} to each of {args.residents} residents)"
    )
    print(f"  residents' updates:  {len(pushed)} at {rate:g} a second")
    print(f"  broadcast time:      {total:.2f} s (floor {floor:.2f} s, ratio {total / floor:.2f})")
    print(f"  429 answers:         {api.too_many} ({replies_429} on replies)")
    print(f"  replies answered:    {len(waits)} of {len(pushed)}")
    if waits:
        waits.sort()
        p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
        print(
            f"  reply wait:          median {statistics.median(waits) * 1000:.0f} ms, "
            f"95th percentile {p95 * 1000:.0f} ms, longest {waits[-1] * 1000:.0f} ms"
        )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=10.0, help="multiply Telegram's limits")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--residents", type=int, default=50, help="recipients who write")
    parser.add_argument("--per-resident", type=int, default=3, help="messages to each")
    parser.add_argument(
        "--rate", type=float, default=5.0, help="their updates a second (times --scale)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(run(parse()))
