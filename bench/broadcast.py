"""Broadcast benchmark: messages to many chats (private and groups) through the real bot
(outbox worker + Telegram transport) against a fake Bot API server that enforces Telegram's
limits, answering 429 with ``retry_after`` when one is crossed, while residents keep using the
bot (each sends /help, waits for the answer, waits a second, again).

Prints the total time, the theoretical minimum for those limits, their ratio, the 429 answers
received, messages lost and duplicated, the answer time (p50/p99) of the people using the bot
meanwhile and the bot's peak memory; then runs again with the bot killed with SIGKILL in the
middle and restarted, and prints lost and duplicated again.

    .venv/bin/python -m bench.broadcast                  # Telegram's real limits (~2.5 minutes)
    .venv/bin/python -m bench.broadcast --scale 10       # limits x10: measures the CPU, not pacing
    .venv/bin/python -m bench.broadcast --memory         # 100,000 chats: peak memory of the bot

Messages go out through the real fan-out (``bot.features.broadcasts.service``): each broadcast
goes to every linked group and every subscribed resident. The bot runs in a child process so that it
can really be killed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.context import CoreConfig
from bot.features.broadcasts import service
from bot.features.broadcasts.rules import QuietHours
from bot.storage import areas
from bot.storage import broadcasts as repo
from bot.storage.db import Database
from bot.storage.timefmt import to_db
from bot.transports.pacing import Limits
from tests.e2e.harness import TOKEN, ChatUser
from tests.fakebotapi import FakeBotAPI, RateLimits

MARK = re.compile(r"bench #(\d+)")


class CountingAPI(FakeBotAPI):
    """The fake server, remembering which calls it refused."""

    def _failure_for(self, method: str, params: dict[str, Any]) -> Any:
        refused = super()._failure_for(method, params)
        if refused is not None:
            params["_refused"] = True
        return refused

    def accepted(self) -> list[tuple[float, int, int]]:
        """(time, chat, broadcast number) of every message the server accepted."""
        found = []
        for call in list(self.calls):
            if call.method != "sendMessage" or call.params.get("_refused"):
                continue
            match = MARK.search(call.text)
            if match and call.chat_id is not None:
                found.append((call.at, call.chat_id, int(match.group(1))))
        return found


async def seed(path: Path, chats_total: int, groups: int, broadcasts: int) -> set[tuple[int, int]]:
    """Areas, groups and subscribed residents, and ``broadcasts`` runs fanned out into the
    outbox. Returns the expected (chat, broadcast) pairs."""
    now = datetime.now(UTC)
    config = CoreConfig()
    db = await Database.open(path)
    expected: set[tuple[int, int]] = set()
    async with db.unit() as conn:
        await service.save_quiet_hours(conn, QuietHours(enabled=False))
        area = await areas.add(conn, "BENCH", "Thôn Bench", 5000, now)
    await db.close()
    # The people and chats in bulk (the same rows the repositories write, 100,000 in seconds).
    stamp, people = to_db(now), chats_total - groups
    raw = sqlite3.connect(path)
    raw.executemany(
        "INSERT INTO chats (platform, chat_id, kind, title, area_id, created_at, updated_at)"
        " VALUES ('telegram', ?, 'group', ?, ?, ?, ?)",
        [(-(10**12) - n, f"G{n}", area.id, stamp, stamp) for n in range(groups)],
    )
    raw.executemany(
        "INSERT INTO members (id, platform, user_id, display_name, language, area_id,"
        " consent_at, consent_version, created_at, updated_at)"
        " VALUES (?, 'telegram', ?, ?, 'vi', ?, ?, 1, ?, ?)",
        ((n + 1, 10**6 + n, f"Người {n}", area.id, stamp, stamp, stamp) for n in range(people)),
    )
    raw.executemany(
        "INSERT INTO chats (platform, chat_id, kind, created_at, updated_at)"
        " VALUES ('telegram', ?, 'private', ?, ?)",
        ((10**6 + n, stamp, stamp) for n in range(people)),
    )
    raw.executemany(
        "INSERT INTO broadcast_subscriptions (member_id, topic, created_at) VALUES (?, 'fire', ?)",
        ((n + 1, stamp) for n in range(people)),
    )
    raw.commit()
    raw.close()
    db = await Database.open(path)
    async with db.read() as conn, conn.execute("SELECT chat_id FROM chats") as cur:
        all_chats = [int(r[0]) for r in await cur.fetchall()]  # as Telegram names them
    for number in range(1, broadcasts + 1):
        async with db.unit() as conn:
            own = await repo.add_message(conn, "fire", f"bench #{number}", None, None, now)
            run_id = await service.start_run(
                conn,
                config,
                topic="fire",
                message_ref=f"own:{own}",
                target="commune",
                area_ids=[],
                urgent=False,
                now=now,
            )
        await service.fan_out(db, config, run_id, now)
        expected |= {(chat, number) for chat in all_chats}
    await db.close()
    return expected


def theoretical_minimum(expected: set[tuple[int, int]], limits: Limits) -> float:
    """The shortest possible time from the first to the last message under the limits."""
    per_chat = Counter(chat for chat, _ in expected)
    bound = (len(expected) - 1) / limits.per_second
    for chat, count in per_chat.items():
        spacing = (count - 1) * limits.private_interval
        if chat < 0:
            windows = math.ceil(count / limits.group_burst) - 1
            spacing = max(spacing, windows * limits.group_window)
        bound = max(bound, spacing)
    return bound


def start_child(db_path: str | Path, url: str, scale: float) -> subprocess.Popen[bytes]:
    """The bot in its own process on the database ``db_path`` (a SQLite file or a
    postgresql:// URL)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bench.broadcast", "--child", str(db_path), url, str(scale)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def child(db_path: str, url: str, scale: float) -> None:
    from bot.app import run_telegram
    from bot.config import load_settings

    settings = load_settings(
        telegram_token=TOKEN,
        telegram_api_url=url,
        database=db_path,
        poll_timeout_seconds=1,
        log_level="WARNING",
    )
    await run_telegram(settings, limits=Limits().scaled(scale))


async def wait_for(
    api: CountingAPI, expected: set[tuple[int, int]], *, at_least: int, limit: float
) -> None:
    deadline, last_count, last_change = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        got = {(chat, n) for _, chat, n in api.accepted()}
        if len(got & expected) >= at_least:
            return
        count = len(api.calls)
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > 30:
            return  # nothing is moving any more
        await asyncio.sleep(0.05)


def losses(api: CountingAPI, expected: set[tuple[int, int]]) -> tuple[int, int]:
    seen = Counter((chat, n) for _, chat, n in api.accepted())
    lost = len(expected - set(seen))
    duplicated = sum(c - 1 for c in seen.values() if c > 1)
    return lost, duplicated


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def people_using_the_bot(api: CountingAPI, count: int, stop: asyncio.Event) -> list[float]:
    """Residents who each send /help, wait for the answer, wait a second, and again, until
    ``stop``; returns how long each answer took (seconds)."""
    took: list[float] = []

    async def person(n: int) -> None:
        user = ChatUser(api, 5_000_000 + n, f"Dân {n}")
        while not stop.is_set():
            started = time.monotonic()
            try:
                await user.send("/help")
                took.append(time.monotonic() - started)
            except AssertionError:  # no answer within 10 s
                took.append(10.0)
            await asyncio.sleep(1.0)

    await asyncio.gather(*(person(n) for n in range(count)))
    return took


async def one_run(args: argparse.Namespace, *, kill: bool) -> None:
    api = CountingAPI(TOKEN)
    api.limits = RateLimits(scale=args.scale)
    url = await api.start()
    stop_people = asyncio.Event()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        expected = await seed(db_path, args.chats, args.groups, args.broadcasts)
        limits = Limits().scaled(args.scale)
        process = start_child(db_path, url, args.scale)
        people = asyncio.create_task(people_using_the_bot(api, args.people, stop_people))
        try:
            if kill:
                await wait_for(api, expected, at_least=len(expected) // 2, limit=600)
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed_at = len({(c, n) for _, c, n in api.accepted()})
                process = start_child(db_path, url, args.scale)
            if args.seconds:
                await asyncio.sleep(args.seconds)
            else:
                await wait_for(api, expected, at_least=len(expected), limit=1200)
            await asyncio.sleep(0.5)
        finally:
            peak = peak_rss_mb(process.pid)
            stop_people.set()
            answers = sorted(await people)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        await api.stop()
    lost, duplicated = losses(api, expected)
    if kill:
        print(f"  killed with SIGKILL after {killed_at} messages, then restarted")
        print(f"  messages lost:       {lost}")
        print(f"  messages duplicated: {duplicated}")
        return
    print(f"  peak memory (RSS):   {peak:.0f} MB")
    if answers:
        p50, p99 = (
            answers[len(answers) // 2],
            answers[min(len(answers) - 1, len(answers) * 99 // 100)],
        )
        print(
            f"  {args.people} people using the bot meanwhile: {len(answers)} answers, "
            f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        )
    times = sorted(at for at, _, _ in api.accepted())
    total = times[-1] - times[0] if times else float("nan")
    if args.seconds:
        print(f"  messages sent in {args.seconds:g} s: {len(times):,} of {len(expected):,}")
        print(f"  429 answers:         {api.too_many}")
        return
    minimum = theoretical_minimum(expected, limits)
    print(
        f"  messages:            {len(expected):,} to {args.chats:,} chats ({args.groups:,} groups)"
    )
    print(
        f"  limits (x{args.scale:g}):        {limits.per_second:g}/s overall, "
        f"1 per {limits.private_interval:g}s per chat, {limits.group_burst} per "
        f"{limits.group_window:g}s per group"
    )
    print(f"  total time:          {total:.2f} s")
    print(f"  theoretical minimum: {minimum:.2f} s")
    print(f"  ratio:               {total / minimum:.3f}")
    print(f"  429 answers:         {api.too_many}")
    print(f"  messages lost:       {lost}")
    print(f"  messages duplicated: {duplicated}")


async def main(args: argparse.Namespace) -> None:
    print(f"Broadcast benchmark (limits scaled x{args.scale:g})")
    print("Run 1: uninterrupted")
    await one_run(args, kill=False)
    if not args.no_kill:
        print("Run 2: bot killed in the middle and restarted")
        await one_run(args, kill=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply Telegram's limits")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=200, help="how many of the chats are groups")
    parser.add_argument("--broadcasts", type=int, default=2, help="messages per chat")
    parser.add_argument("--people", type=int, default=10, help="residents using the bot meanwhile")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long")
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL run")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="one broadcast to 100,000 chats for 60 s: the bot's peak memory",
    )
    args = parser.parse_args(argv)
    if args.memory:
        args.chats, args.groups, args.broadcasts, args.seconds = 100_000, 400, 1, 60.0
        args.no_kill = True
    return args


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        os.environ.pop("XOMANTOAN_TELEGRAM_TOKEN", None)
        asyncio.run(child(sys.argv[2], sys.argv[3], float(sys.argv[4])))
    else:
        asyncio.run(main(parse(sys.argv[1:])))
