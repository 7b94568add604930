"""Figures benchmark: a big commune's year (20 areas, 3,000 households' pledges, 5,000 reports,
3,000 patrols with 6,000 observations, 60 broadcasts reaching 120,000 messages), then the time
and memory of what an officer asks for, each against a baseline measured in the same run:

- the figures (``collect``) for the whole commune against plain ``COUNT(*)`` queries over the
  same tables and dates (the least any count can cost);
- the chart against an empty matplotlib figure of the same size saved as PNG;
- the XLSX workbook against openpyxl writing the same number of plain cells;
- the DOCX summary report against an empty python-docx document.

    .venv/bin/python -m bench.figures [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.figures.chart import chart_png
from bot.features.figures.figures import collect
from bot.features.figures.summary import summary_docx
from bot.features.figures.xlsx import workbook_bytes
from bot.features.patrols.kinds import KINDS
from bot.features.reports.model import CATEGORIES
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage.db import Database
from bot.storage.timefmt import to_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)
AREAS, REPORTS, PATROLS, RUNS, PER_RUN = 20, 5_000, 3_000, 60, 2_000


def moment(rng: random.Random) -> str:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return to_db(start + timedelta(seconds=rng.randrange(365 * 24 * 3600)))


async def build(db: Database) -> None:
    rng = random.Random(7)
    now = to_db(NOW)
    async with db.unit() as conn:
        await conn.executemany(
            "INSERT INTO areas (code, name, households, created_at) VALUES (?, ?, ?, ?)",
            [(f"A{i:02d}", f"Thôn {i}", 150, now) for i in range(AREAS)],
        )
        await conn.execute(
            "INSERT INTO pledge_campaigns (title, starts_on, ends_on, created_at)"
            " VALUES ('Cam kết 2026', '2026-01-01', '2026-03-31', ?)",
            (now,),
        )
        await conn.executemany(
            "INSERT INTO pledges (campaign_id, area_id, audience, head_name, address,"
            " household_key, reference, signed_at) VALUES (1, ?, 'household', ?, ?, ?, ?, ?)",
            [
                (1 + i % AREAS, f"Hộ {i}", f"Số {i}", f"k{i}", f"R{i}", "2026-01-10T00:00:00Z")
                for i in range(3_000)
            ],
        )
        categories = [c.key for c in CATEGORIES]
        await conn.executemany(
            "INSERT INTO reports (code, category, area_id, anonymous, target, status,"
            " created_at, updated_at) VALUES (?, ?, ?, 0, 'officers', 'new', ?, ?)",
            [
                (f"C{i}", rng.choice(categories), 1 + rng.randrange(AREAS), moment(rng), now)
                for i in range(REPORTS)
            ],
        )
        patrols = [
            (1 + rng.randrange(AREAS), moment(rng), rng.randrange(2, 8)) for _ in range(PATROLS)
        ]
        await conn.executemany(
            "INSERT INTO patrols (area_id, status, source, started_at, headcount, created_at,"
            " updated_at) VALUES (?, 'closed', 'backfill', ?, ?, ?, ?)",
            [(a, s, h, now, now) for a, s, h in patrols],
        )
        kinds = [k.code for k in KINDS]
        await conn.executemany(
            "INSERT INTO patrol_observations (patrol_id, kind, count, reminded, created_at)"
            " VALUES (?, ?, ?, 1, ?)",
            [
                (1 + rng.randrange(PATROLS), rng.choice(kinds), rng.randrange(1, 4), now)
                for _ in range(2 * PATROLS)
            ],
        )
        for run in range(1, RUNS + 1):
            started = moment(rng)
            await conn.execute(
                "INSERT INTO broadcast_runs (due_at, started_at, status, topic, message_ref,"
                " target) VALUES (?, ?, 'done', 'fire', 'lib:fire', 'commune')",
                (started, started),
            )
            await conn.executemany(
                "INSERT INTO outbox (platform, chat_id, text, batch_id, status, created_at,"
                " not_before) VALUES ('telegram', ?, '…', ?, 'sent', ?, ?)",
                [(10_000 + i, run, started, started) for i in range(PER_RUN)],
            )


async def timed(work: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    """Median seconds of ``work`` over ``runs`` runs, then the peak traced memory (MB) of one
    more run (tracing slows Python down, so it is kept out of the timings)."""
    await work()  # warm up: imports, caches, SQLite pages
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    await work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times), peak


async def main(runs: int) -> None:
    t = Translator("vi")
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        await build(db)
        begin, end = YEAR.utc_bounds(TZ)
        async with db.read() as conn:
            figures = await collect(conn, None, YEAR, TZ, NOW)

            async def figures_work() -> None:
                await collect(conn, None, YEAR, TZ, NOW)

            async def counts_work() -> None:
                for sql in (
                    "SELECT COUNT(*) FROM reports WHERE created_at >= ? AND created_at < ?",
                    "SELECT COUNT(*) FROM patrols WHERE started_at >= ? AND started_at < ?",
                    "SELECT COUNT(*) FROM broadcast_runs WHERE started_at >= ? AND started_at < ?",
                    "SELECT COUNT(*) FROM mediation_cases WHERE created_at >= ? AND created_at < ?",
                ):
                    async with conn.execute(sql, (to_db(begin), to_db(end))) as cur:
                        await cur.fetchone()
                async with conn.execute("SELECT COUNT(*) FROM pledges") as cur:
                    await cur.fetchone()

            async def workbook_work() -> None:
                await workbook_bytes(conn, None, YEAR, TZ, t, now=NOW)

            rows = REPORTS + PATROLS + 2 * PATROLS + 3_000 + RUNS

            async def plain_cells_work() -> None:
                from openpyxl import Workbook

                book = Workbook()
                sheet = book.active
                assert sheet is not None
                for i in range(rows):
                    sheet.append([i, "Thôn", "2026-01-01", "x", "y", 1, 2, 3])
                book.save(io.BytesIO())

            async def chart_work() -> None:
                chart_png(t, figures)

            async def empty_chart_work() -> None:
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                from matplotlib.figure import Figure

                figure = Figure(figsize=(7.2, 9), dpi=150)
                FigureCanvasAgg(figure).print_png(io.BytesIO())  # type: ignore[no-untyped-call]

            async def docx_work() -> None:
                summary_docx(t, figures, commune_name="Xã An Bình", ratings=None, today=NOW.date())

            async def empty_docx_work() -> None:
                import docx

                docx.Document().save(io.BytesIO())

            lines = []
            for name, work, baseline_name, baseline in (
                ("figures, whole commune, one year", figures_work, "COUNT(*) queries", counts_work),
                (
                    "XLSX workbook, all rows",
                    workbook_work,
                    "openpyxl plain cells",
                    plain_cells_work,
                ),
                ("chart PNG", chart_work, "empty figure PNG", empty_chart_work),
                ("DOCX summary report", docx_work, "empty DOCX", empty_docx_work),
            ):
                seconds, peak = await timed(work, runs)
                base_seconds, base_peak = await timed(baseline, runs)
                lines.append(
                    f"| {name} | {seconds * 1000:,.0f} ms | {peak:,.1f} MB "
                    f"| {baseline_name}: {base_seconds * 1000:,.0f} ms, {base_peak:,.1f} MB "
                    f"| {seconds / base_seconds:,.1f}x |"
                )
        await db.close()
    print(
        f"A commune of {AREAS} areas, one year: {REPORTS:,} reports, {PATROLS:,} patrols, "
        f"{2 * PATROLS:,} observations, {RUNS * PER_RUN:,} broadcast messages; median of {runs}."
    )
    print("| work | time | peak traced memory | baseline | time vs baseline |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
