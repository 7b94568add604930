"""SQLite against PostgreSQL, side by side in one run, on the province-year of bench/province.py.

Starts a throwaway PostgreSQL cluster (tests/postgresql.py's, removed at the end), builds the
same province-year in a new SQLite file and in a new PostgreSQL database (bench/province.py's
load, the same statements on both), then measures on each engine:

- the figures: the ``/thongke`` summary text, ``stats --json`` and the XLSX export (written as
  the chat gets it, through a connection of its own), for the whole province and for one
  commune: min and median over ``--passes`` passes, after one to warm the caches;
- a broadcast's fan-out to the whole province (every group and every subscribed resident):
  the time to queue it in the outbox (``service.fan_out``), then the real bot in its own process
  (outbox worker and Telegram transport) sending it to a fake Bot API that enforces Telegram's
  limits scaled by ``--limits`` (answering 429 past them) for up to ``--send-seconds``, with
  a few residents using the bot meanwhile (bench/broadcast.py's);
- updates: bench/updates.py's driver (the real bot, its poll loop, sender and timers, people
  registering, signing and viewing pledges, reporting, patrolling, asking for help) on a commune
  of ``--members`` members seeded the same way in each engine: updates per second over the
  passes (min and median), then p50/p99 handling latency at a steady 100 updates a second.

The SQLite column is the baseline of the PostgreSQL one (same machine, same run). The machine's
load (1-minute average) is printed before and after: other work may share it.

    .venv/bin/python -m bench.engines [--scale 0.1] [--passes 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import platform
import shutil
import signal
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import broadcast as broadcast_bench
from bench import updates as updates_bench
from bench.province import NOW, TZ, YEAR, Size, build
from tests.postgresql import Cluster

ENGINES = ("SQLite", "PostgreSQL")
QUICK_MIX = {"register": 2, "sign": 2, "view": 2, "report": 2, "patrol": 2, "misc": 2}
Table = dict[str, dict[str, str]]  # row -> engine -> cell


def machine() -> str:
    cpus = os.cpu_count() or 0
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {cpus} CPUs ({model or 'unknown'})"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min: {five:.1f})"


def spread(times: list[float], unit: str = "ms") -> str:
    """min / median of a list of seconds."""
    factor = 1000 if unit == "ms" else 1
    low, mid = min(times) * factor, statistics.median(times) * factor
    return f"{low:,.0f} / {mid:,.0f} {unit}" if unit == "ms" else f"{low:,.1f} / {mid:,.1f} s"


async def passes(work: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    """Wall seconds of ``work`` over ``count`` passes, after one to warm the caches."""
    await work()
    times = []
    for _ in range(count):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    return times


async def figures(setting: str, count: int, engine: str, table: Table) -> None:
    """The /thongke text, stats --json and the XLSX, for the province and for one commune."""
    from bot.features.figures.documents import workbook_file
    from bot.features.figures.figures import as_json, collect
    from bot.features.figures.texts import figures_text
    from bot.i18n import Translator
    from bot.storage.db import Database

    t = Translator("vi")
    db = await Database.open(setting)
    try:
        async with db.read() as conn:
            rows = await conn.execute_fetchall("SELECT id FROM communes ORDER BY id")
            communes = [int(r[0]) for r in rows]
        middle = communes[len(communes) // 2]
        for scope, commune in (("province", None), (f"one commune (id {middle})", middle)):

            async def text(commune: int | None = commune) -> None:
                async with db.read() as conn:
                    found = await collect(conn, None, YEAR, TZ, NOW, commune_id=commune)
                figures_text(t, found, "Tỉnh")

            async def json(commune: int | None = commune) -> None:
                async with db.read() as conn:
                    as_json(await collect(conn, None, YEAR, TZ, NOW, commune_id=commune))

            async def xlsx(commune: int | None = commune) -> None:
                async with db.read() as conn:
                    file = await workbook_file(conn, None, YEAR, TZ, t, NOW, commune_id=commune)
                await asyncio.to_thread(file.render)

            for name, work, unit in (
                ("/thongke summary", text, "ms"),
                ("stats --json", json, "ms"),
                ("XLSX export", xlsx, "s"),
            ):
                times = await passes(work, count)
                table.setdefault(f"{name}, {scope}", {})[engine] = spread(times, unit)
    finally:
        await db.close()


async def fan_out(setting: str, args: argparse.Namespace, engine: str, table: Table) -> None:
    """A broadcast to the whole province: queued, then sent by the bot in its own process."""
    from bot.core.context import CoreConfig
    from bot.features.broadcasts import service
    from bot.features.broadcasts.rules import QuietHours
    from bot.storage import broadcasts as repo
    from bot.storage.db import Database
    from bot.transports.pacing import Limits
    from tests.fakebotapi import RateLimits

    config, now = CoreConfig(), datetime.now(UTC)
    db = await Database.open(setting)
    try:
        async with db.unit() as conn:
            await service.save_quiet_hours(conn, QuietHours(enabled=False))
            own = await repo.add_message(conn, "fire", "bench #1", None, None, now)
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
        began = time.perf_counter()
        queued = await service.fan_out(db, config, run_id, now)
        queueing = time.perf_counter() - began
        async with db.read() as conn:
            rows = await conn.execute_fetchall("SELECT chat_id FROM chats")
            expected = {(int(r[0]), 1) for r in rows}
    finally:
        await db.close()
    table.setdefault("broadcast: queued to the whole province", {})[engine] = (
        f"{queued:,} messages in {queueing:,.1f} s ({queued / queueing:,.0f}/s)"
    )

    api = broadcast_bench.CountingAPI(broadcast_bench.TOKEN)
    api.limits = RateLimits(scale=args.limits)
    url = await api.start()
    process = broadcast_bench.start_child(setting, url, args.limits)
    stop = asyncio.Event()
    people = asyncio.create_task(broadcast_bench.people_using_the_bot(api, args.people, stop))
    try:
        await broadcast_bench.wait_for(
            api, expected, at_least=len(expected), limit=args.send_seconds
        )
    finally:
        stop.set()
        answers = sorted(await people)
        process.terminate()
        try:
            process.wait(15)
        except Exception:
            process.kill()
        await api.stop()
    times = sorted(at for at, _, _ in api.accepted())
    lost, duplicated = broadcast_bench.losses(api, expected)
    sent = len(expected) - lost
    took = times[-1] - times[0] if len(times) > 1 else float("nan")
    limits = Limits().scaled(args.limits)
    table.setdefault(f"broadcast: sent at limits x{args.limits:g}", {})[engine] = (
        f"{sent:,} of {len(expected):,} in {took:,.1f} s ({sent / took:,.0f}/s of"
        f" {limits.per_second:g}/s), 429s {api.too_many}, duplicated {duplicated}"
    )
    if answers:
        p50 = answers[len(answers) // 2]
        p99 = answers[min(len(answers) - 1, len(answers) * 99 // 100)]
        table.setdefault("broadcast: residents' answers meanwhile p50 / p99", {})[engine] = (
            f"{p50 * 1000:,.0f} / {p99 * 1000:,.0f} ms ({len(answers)} answers)"
        )


async def updates(setting: str, args: argparse.Namespace, engine: str, table: Table) -> None:
    await updates_bench.seed(setting, args.members)
    mix = QUICK_MIX if args.quick else updates_bench.MIX
    result = await updates_bench.measure(
        "bot", args.members, args.passes, args.seconds, database=setting, mix=mix
    )
    rates = result.rates
    table.setdefault("updates/s (min / median of passes)", {})[engine] = (
        f"{min(rates):,.0f} / {statistics.median(rates):,.0f}"
    )
    table.setdefault("updates: CPU of the bot per update", {})[engine] = f"{result.cpu_ms:.2f} ms"
    table.setdefault("updates at 100/s: p50 / p99", {})[engine] = (
        f"{result.p50:,.1f} / {result.p99:,.1f} ms"
    )
    table.setdefault("updates: unanswered / buttons not found", {})[engine] = (
        f"{result.timeouts} / {result.misses}"
    )


def show(table: Table) -> None:
    width = max(len(row) for row in table)
    print(f"| {'':<{width}} | " + " | ".join(ENGINES) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("---" for _ in ENGINES) + "|")
    for row, cells in table.items():
        print(f"| {row:<{width}} | " + " | ".join(cells.get(e, "-") for e in ENGINES) + " |")


async def main(args: argparse.Namespace) -> None:
    # Stopped by a signal (even one ignored in a background job), the run still removes its
    # cluster and folder: the signal cancels the run, and the finally below does the rest.
    task = asyncio.current_task()
    assert task is not None
    for number in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(number, task.cancel)
    # The fake Bot API's server logs each long poll that a stopped bot left open: not news here.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    size = Size.scaled(args.scale)
    os.environ.setdefault(  # the bot on PostgreSQL needs its seal key set
        "XOMANTOAN_SEAL_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    os.environ.pop("XOMANTOAN_TELEGRAM_TOKEN", None)
    print(f"SQLite against PostgreSQL on {machine()}; load before: {load_average()}")
    print(f"A province-year at scale {args.scale:g}: {size.describe()}.")
    folder = Path(tempfile.mkdtemp(prefix="xomantoan-engines-"))
    cluster = Cluster()
    table: Table = {}
    try:
        cluster.start()
        cluster.admin("CREATE DATABASE province")
        cluster.admin("CREATE DATABASE commune")
        province = {"SQLite": str(folder / "province.sqlite3")}
        province["PostgreSQL"] = cluster.url("province")
        commune = {"SQLite": str(folder / "commune.sqlite3"), "PostgreSQL": cluster.url("commune")}
        for engine in ENGINES:
            began = time.perf_counter()
            await build(province[engine], size)
            table.setdefault("build of the province-year", {})[engine] = (
                f"{time.perf_counter() - began:,.1f} s"
            )
            print(f"  {engine}: built; figures ...", flush=True)
            await figures(province[engine], args.passes, engine, table)
            print(f"  {engine}: broadcast ...", flush=True)
            await fan_out(province[engine], args, engine, table)
            print(f"  {engine}: updates ...", flush=True)
            await updates(commune[engine], args, engine, table)
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"min / median of {args.passes} passes; updates on a commune of {args.members:,} members"
        f" ({args.passes} passes, then {args.seconds:g} s at 100 updates/s); load after:"
        f" {load_average()}"
    )
    show(table)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=0.1, help="of the province-year (1: full)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--members", type=int, default=10_000, help="of the updates' commune")
    parser.add_argument("--seconds", type=float, default=10.0, help="the updates' paced run")
    parser.add_argument("--limits", type=float, default=10.0, help="Telegram's limits times")
    parser.add_argument("--send-seconds", type=float, default=60.0, help="the broadcast's")
    parser.add_argument("--people", type=int, default=5, help="using the bot meanwhile")
    parser.add_argument(
        "--quick", action="store_true", help="the smallest size, for a smoke run (seconds)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.passes, args.members, args.seconds = 0.002, 1, 1_200, 1.0
        args.limits, args.send_seconds, args.people = 100.0, 60.0, 1
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
