"""Province benchmark: the figures and the XLSX export of a province-year on SQLite.

Builds once, under ``bench/out/`` (kept between runs; rebuilt when its recipe changes), a
province's year: 1,700 areas (17 per commune in 100 communes) rated over five years, 450,000
pledges, 150,000 reports, 150,000 patrols and 250,000 observations (1 million rows), 5,000
mediation cases, 100,000 residents (each with a private chat, subscribed to fire warnings) and
1,700 groups, and 1,000 broadcasts reaching 10,000 chats each (10 million outbox rows). The
load (:func:`load`, :class:`Size` for a smaller province) is the same SQL on both engines:
bench/engines.py builds it on SQLite and PostgreSQL side by side. Then measures, each against a
baseline measured in the same run (other work may share the machine):

- ``stats --json`` for the whole province and for one area (the figures and their JSON, in
  process: the command's start-up is printed apart) against plain ``COUNT(*)`` queries over the
  same tables and days (the least a count can cost);
- ``export --xlsx`` of the year, as the command runs (its own process): wall time and peak RSS,
  against a process that writes as many plain cells with openpyxl's streaming writer.

    .venv/bin/python -m bench.province [--runs 5] [--rebuild] [--no-export]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.figures.figures import as_json, collect
from bot.shared.periods import Period
from bot.storage.db import Connection, Database
from bot.storage.pg_database import PostgresDatabase
from bot.storage.timefmt import to_db

OUT = Path(__file__).parent / "out"
DATABASE = OUT / "province.sqlite3"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)
COMMUNES, AREAS_PER_COMMUNE = 100, 17
AREAS = COMMUNES * AREAS_PER_COMMUNE
PLEDGES, REPORTS, PATROLS, OBSERVATIONS, MEDIATION = 450_000, 150_000, 150_000, 250_000, 5_000
MEMBERS, RUNS, PER_RUN = 100_000, 1_000, 10_000
# Bumped when the data built changes, so an old copy in bench/out/ is rebuilt.
RECIPE = "province-4"  # 4: built by bench/province.py's load (both engines)

CATEGORIES = (
    "theft",
    "gambling",
    "drugs",
    "disorder",
    "fire",
    "fraud",
    "dispute",
    "traffic",
    "littering",
    "suspicious",
    "other",
)
STATUSES = ("new", "acknowledged", "in_progress", "resolved", "not_ours", "duplicate", "reopened")
KINDS = (
    "late_business",
    "encroachment",
    "littering",
    "noise",
    "unlocked",
    "suspicious",
    "fire_hazard",
    "traffic",
    "other",
)
TOPICS = ("fire", "fraud", "drowning", "traffic", "drugs", "fireworks", "burglary")


@dataclass(frozen=True)
class Size:
    """How much a province-year holds; ``scaled(1)`` is the full province."""

    communes: int
    pledges: int
    reports: int
    patrols: int
    observations: int
    mediation: int
    members: int
    runs: int
    per_run: int

    @property
    def areas(self) -> int:
        return self.communes * AREAS_PER_COMMUNE

    @classmethod
    def scaled(cls, scale: float) -> Size:
        def part(n: int) -> int:
            return max(1, round(n * scale))

        communes = part(COMMUNES)
        areas = communes * AREAS_PER_COMMUNE
        return cls(
            communes,
            part(PLEDGES),
            part(REPORTS),
            part(PATROLS),
            part(OBSERVATIONS),
            part(MEDIATION),
            max(areas, part(MEMBERS)),
            part(RUNS),
            max(areas + 10, part(PER_RUN)),
        )

    def describe(self) -> str:
        return (
            f"{self.communes:,} communes, {self.areas:,} areas, {self.pledges:,} pledges,"
            f" {self.reports:,} reports, {self.patrols:,} patrols, {self.observations:,}"
            f" observations, {self.mediation:,} mediation cases, {self.members:,} residents,"
            f" {self.runs:,} broadcasts with {self.runs * self.per_run:,} outbox rows"
        )


FULL = Size.scaled(1.0)


# The SQL below is written once for both engines (no printf, strftime or generate_series):
# integers from a recursive series, text by concatenation, booleans as CASE ... 1 ELSE 0.
def _pick(values: tuple[str, ...], var: str) -> str:
    """SQL choosing one of ``values`` from the integer expression ``var``."""
    cases = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({var}) % {len(values)} {cases} END"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _pad2(var: str) -> str:
    """The integer ``var`` (0-99) as two digits."""
    return f"substr(CAST(100 + ({var}) AS TEXT), 2)"


def _calendar_day(day: str) -> str:
    """The ISO date of day ``day`` counted from 2025-12-31 (0) to 2026-12-31 (365)."""
    lengths = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    first, whens = 1, []
    for month, length in enumerate(lengths, 1):
        in_month = _pad2(f"({day}) - {first - 1}")
        whens.append(f"WHEN ({day}) < {first + length} THEN '2026-{month:02d}-' || {in_month}")
        first += length
    return f"CASE WHEN ({day}) = 0 THEN '2025-12-31' {' '.join(whens)} END"


# A moment of the local year 2026 (UTC text, as the bot stores it) from an integer expression:
# seconds after 2025-12-31T17:00:00Z (local midnight of the new year).
def _moment(var: str) -> str:
    u = f"(({var}) % 31536000 + 61200)"  # seconds after 2025-12-31T00:00:00Z
    clock = (
        f"{_pad2(f'{u} % 86400 / 3600')} || ':' || {_pad2(f'{u} % 3600 / 60')} || ':'"
        f" || {_pad2(f'{u} % 60')}"
    )
    return f"({_calendar_day(f'{u} / 86400')} || 'T' || {clock} || '+00:00')"


def _hash(var: str) -> str:
    return f"((({var}) * 2654435761) % 4294967296)"


def _series(n: int) -> str:
    return f"WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n})"


BIG_TABLES = ("outbox", "pledges", "reports", "patrols", "patrol_observations", "members", "chats")


async def _secondary_indexes(conn: Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of ``tables`` that are not a key of a table."""
    marks = ",".join("?" for _ in tables)
    if conn.dialect.name == "postgresql":
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            f" AND tablename IN ({marks})"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    else:
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})"
        )
    return [(str(r[0]), str(r[1])) for r in await conn.execute_fetchall(sql, tables)]


async def load(conn: Connection, size: Size) -> None:
    """The province-year in bulk, in one unit of work: INSERT ... SELECT over recursive
    series, with the big tables' indexes dropped during the load and made again after (one
    sorted pass each). The same statements on both engines."""
    now = to_db(NOW)
    areas = size.areas
    indexes = await _secondary_indexes(conn, BIG_TABLES)
    for name, _ in indexes:
        await conn.execute(f"DROP INDEX {name}")
    await conn.execute(
        f"{_series(size.communes)} INSERT INTO communes (id, code, name, created_at)"
        " SELECT x, 'X' || CAST(1000 + x AS TEXT), 'Xã ' || CAST(x AS TEXT), ? FROM s",
        (now,),
    )
    await conn.execute(
        f"{_series(areas)} INSERT INTO areas (id, code, name, households, commune_id,"
        " created_at) SELECT x, 'A' || CAST(10000 + x AS TEXT), 'Thôn ' || CAST(x AS TEXT),"
        f" 250 + {_hash('x')} % 150, 1 + (x - 1) / {AREAS_PER_COMMUNE}, ? FROM s",
        (now,),
    )
    await conn.execute(
        "INSERT INTO pledge_campaigns (id, title, starts_on, ends_on, created_at)"
        " VALUES (1, 'Cam kết 2026', '2026-01-01', '2026-12-31', ?)",
        (now,),
    )
    await conn.execute(
        f"{_series(size.pledges)} INSERT INTO pledges (campaign_id, area_id, audience,"
        " head_name, address, household_key, public, reference, signed_at, withdrawn_at)"
        f" SELECT 1, 1 + x % {areas},"
        " CASE WHEN x % 50 = 0 THEN 'business' ELSE 'household' END,"
        " 'Hộ ' || CAST(x AS TEXT), 'Số ' || CAST(x AS TEXT) || ', xóm ' || CAST(x % 9 AS TEXT),"
        " 'k' || CAST(x AS TEXT), x % 2, 'CK26-' || CAST(x AS TEXT),"
        f" {_moment(_hash('x') + ' % 7776000')},"
        f" CASE WHEN x % 97 = 0 THEN {_moment('7776000 + ' + _hash('x') + ' % 7776000')} END"
        " FROM s"
    )
    await conn.execute(
        f"{_series(size.reports)} INSERT INTO reports (code, category, area_id, description,"
        " happening_now, anonymous, target, status, created_at, updated_at)"
        f" SELECT 'R' || CAST(10000000 + x AS TEXT), {_pick(CATEGORIES, _hash('x'))},"
        f" 1 + {_hash('x + 1')} % {areas}, 'Có người lạ vào xóm', {_flag('x % 7 = 0')},"
        f" {_flag('x % 3 = 0')}, 'officers', {_pick(STATUSES, _hash('x + 2'))},"
        f" {_moment(_hash('x + 3'))}, ? FROM s",
        (now,),
    )
    await conn.execute(
        f"{_series(size.mediation)} INSERT INTO mediation_cases (area_id, parties, outcome,"
        f' created_at, closed_at) SELECT 1 + {_hash("x")} % {areas}, \'["A", "B"]\','
        " CASE x % 4 WHEN 0 THEN NULL WHEN 1 THEN 'success' WHEN 2 THEN 'failed'"
        f" ELSE 'transferred' END, {_moment(_hash('x + 5'))}, NULL FROM s"
    )
    await conn.execute(
        f"{_series(size.patrols)} INSERT INTO patrols (area_id, status, source, started_at,"
        " ended_at, headcount, created_at, updated_at)"
        f" SELECT 1 + {_hash('x + 7')} % {areas}, 'closed', 'backfill',"
        f" {_moment(_hash('x + 8'))}, NULL, 2 + x % 6, ?, ? FROM s",
        (now, now),
    )
    await conn.execute(
        f"{_series(size.observations)} INSERT INTO patrol_observations (patrol_id, kind,"
        f" count, reminded, created_at) SELECT 1 + {_hash('x + 11')} % {size.patrols},"
        f" {_pick(KINDS, _hash('x + 12'))}, 1 + x % 3, {_flag('x % 4 <> 0')}, ? FROM s",
        (now,),
    )
    # The rating of the five years up to 2026: about three areas in four rated safe a year.
    await conn.execute(
        "WITH RECURSIVE y(n) AS (SELECT 2022 UNION ALL SELECT n + 1 FROM y WHERE n < 2026)"
        " INSERT INTO rating_years (year, opened_at) SELECT n, ? FROM y",
        (now,),
    )
    await conn.execute(
        f"{_series(areas * 5)} INSERT INTO area_ratings (year, area_id, result, created_at,"
        f" updated_at) SELECT 2022 + (x - 1) / {areas}, 1 + (x - 1) % {areas},"
        f" {_flag(_hash('x') + ' % 4 <> 0')}, ?, ? FROM s",
        (now, now),
    )
    # Residents (each with a private chat, subscribed to the fire warnings) and a group per area.
    await conn.execute(
        f"{_series(size.members)} INSERT INTO members (platform, user_id, display_name,"
        " language, area_id, consent_at, consent_version, created_at, updated_at)"
        " SELECT 'telegram', CAST(1000000 + x AS TEXT), 'Người ' || CAST(x AS TEXT), 'vi',"
        f" 1 + x % {areas}, ?, 1, ?, ? FROM s",
        (now, now, now),
    )
    await conn.execute(
        f"{_series(size.members)} INSERT INTO chats (platform, chat_id, kind, created_at,"
        " updated_at) SELECT 'telegram', CAST(1000000 + x AS TEXT), 'private', ?, ? FROM s",
        (now, now),
    )
    await conn.execute(
        "INSERT INTO broadcast_subscriptions (member_id, topic, created_at)"
        " SELECT id, 'fire', ? FROM members",
        (now,),
    )
    await conn.execute(
        f"{_series(areas)} INSERT INTO chats (platform, chat_id, kind, title, area_id,"
        " created_at, updated_at) SELECT 'telegram', CAST(-100000 - x AS TEXT), 'group',"
        " 'Nhóm thôn ' || CAST(x AS TEXT), x, ?, ? FROM s",
        (now, now),
    )
    runs, per_run = size.runs, size.per_run
    await conn.execute(
        f"{_series(runs)} INSERT INTO broadcast_runs (id, due_at, started_at, status, topic,"
        " message_ref, target, recipients, finished_at)"
        f" SELECT x, {_moment('x * 31536')}, {_moment('x * 31536')}, 'done',"
        f" {_pick(TOPICS, 'x')}, 'lib:fire', 'commune', {per_run},"
        f" {_moment('x * 31536 + 3600')} FROM s"
    )
    # Each run: every group, then residents in turn (a different slice each run).
    residents = per_run - areas
    run_of = f"(1 + (x - 1) / {per_run})"
    await conn.execute(
        f"{_series(runs * per_run)} INSERT INTO outbox (platform, chat_id, text, batch_id,"
        " status, attempts, created_at, not_before, sent_at)"
        " SELECT 'telegram', CAST("
        f"CASE WHEN (x - 1) % {per_run} < {areas} THEN -100001 - (x - 1) % {per_run}"
        f" ELSE 1000001 + ((x - 1) / {per_run} * {residents} + (x - 1) % {per_run} - {areas})"
        f" % {size.members} END AS TEXT),"
        f" 'Phòng cháy chữa cháy', {run_of},"
        " CASE WHEN x % 50 = 0 THEN 'failed' WHEN x % 101 = 0 THEN 'skipped' ELSE 'sent' END,"
        f" 1, {_moment(run_of + ' * 31536')}, {_moment(run_of + ' * 31536')},"
        f" {_moment(run_of + ' * 31536 + 60')} FROM s"
    )
    for _, sql in indexes:
        await conn.execute(sql)
    await identities_after_load(conn, ("communes", "areas", "pledge_campaigns", "broadcast_runs"))


async def identities_after_load(conn: Connection, tables: tuple[str, ...]) -> None:
    """After rows written with their ids: PostgreSQL's identities go on after the largest
    (SQLite's rowids always do)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )


async def build(setting: str | Path, size: Size) -> None:
    """The province-year in the (new, migrated) database ``setting``, either engine; then what
    the bot does as each broadcast finishes. SQLite gets no ANALYZE (a deployment's database
    has no statistics); PostgreSQL is analysed, as its autovacuum does after a load."""
    db = await Database.open(setting)
    sqlite = not isinstance(db, PostgresDatabase)
    try:
        if sqlite:  # a file being made: no journal, no syncs, a big cache during the load
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -400000"):
                await db.conn.execute(f"PRAGMA {pragma}")
        async with db.unit() as conn:
            await load(conn, size)
        if sqlite:
            await db.conn.execute("PRAGMA journal_mode = WAL")
    finally:
        await db.close()
    await _finish_broadcasts(setting)
    if str(setting).startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(str(setting), autocommit=True) as raw:
            raw.execute("ANALYZE")


def _recipe(path: Path) -> str | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT recipe FROM bench_recipe").fetchone()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


async def _finish_broadcasts(setting: str | Path) -> None:
    """What the bot does as each broadcast finishes: keep its delivery counts (per area, per
    commune, in total). The bulk load wrote finished runs without it."""
    from bot.storage.deliveries import keep_delivery_counts

    db = await Database.open(setting)
    async with (
        db.read() as conn,
        conn.execute(
            "SELECT id FROM broadcast_runs WHERE status = 'done' AND counts_kept = 0 ORDER BY id"
        ) as cur,
    ):
        runs = [int(r[0]) for r in await cur.fetchall()]
    for first in range(0, len(runs), 50):
        async with db.unit() as conn:
            await keep_delivery_counts(conn, runs[first : first + 50])
    await db.close()


def _no_statistics(path: Path) -> None:
    """Drop ANALYZE's statistics (a deployment's database has none; older bench builds ran
    it), so the query plans are those the bot gets."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
    conn.commit()
    conn.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def prepared(rebuild: bool) -> Path:
    """The bench database, built if missing, stale or asked for; brought to the current schema
    (new migrations run on it as on a deployment's database)."""
    OUT.mkdir(parents=True, exist_ok=True)
    if _recipe(DATABASE) == RECIPE and not rebuild:
        db = await Database.open(DATABASE)  # migrated
        await db.close()
        _no_statistics(DATABASE)
        await _finish_broadcasts(DATABASE)
        return DATABASE
    _remove(DATABASE)
    began = time.perf_counter()
    print(f"building {DATABASE} ...", flush=True)
    await build(DATABASE, FULL)
    conn = sqlite3.connect(DATABASE)
    conn.execute("CREATE TABLE IF NOT EXISTS bench_recipe (recipe TEXT NOT NULL)")
    conn.execute("INSERT INTO bench_recipe VALUES (?)", (RECIPE,))
    conn.commit()
    conn.close()
    size = DATABASE.stat().st_size / 1e6
    print(f"built in {time.perf_counter() - began:,.0f} s, {size:,.0f} MB", flush=True)
    return DATABASE


async def timed(work: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of the process (the database thread
    included: steadier when other work shares the machine) of ``work`` over ``runs`` runs,
    after one to warm the caches."""
    await work()
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        await work()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(times), statistics.median(cpu)


def _peak_rss(pid: int) -> float:
    """VmHWM of a running process (MB): the peak of its own memory since its exec. (The
    rusage of a child also counts the parent's pages it was forked with.)"""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measured_process(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, read every 20 ms while it runs) of a command run in its
    own process."""
    began = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_rss(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {process.returncode}")
    return seconds, peak


PLAIN_CELLS = """
import sys
from openpyxl import Workbook
rows, path = int(sys.argv[1]), sys.argv[2]
book = Workbook(write_only=True)
sheet = book.create_sheet()
for i in range(rows):
    sheet.append([i, "A0001", "Thôn 1", "2026-01-01", "x", "y", "z", 1, 2, 3, "k"])
book.save(path)
"""


async def main(runs: int, rebuild: bool, export: bool) -> None:
    path = await prepared(rebuild)
    db = await Database.open(path)
    begin, end = YEAR.utc_bounds(TZ)
    bounds = (to_db(begin), to_db(end))
    lines: list[str] = []
    async with db.read() as conn:
        async with conn.execute("SELECT id, commune_id FROM areas WHERE code = 'A10850'") as cur:
            row = await cur.fetchone()
        assert row is not None
        area_id, commune_id = int(row[0]), row[1]
        async with conn.execute(
            "SELECT id FROM areas WHERE commune_id IS ? ORDER BY id", (commune_id,)
        ) as cur:
            commune_areas = [int(r[0]) for r in await cur.fetchall()]

        def figures_work(scope: int | None, commune: int | None) -> Callable[[], Awaitable[None]]:
            async def work() -> None:
                as_json(await collect(conn, scope, YEAR, TZ, NOW, commune_id=commune))

            return work

        def counts_work(scope: list[int] | None) -> Callable[[], Awaitable[None]]:
            marks = ",".join(str(a) for a in scope or [])
            where = "" if scope is None else f" AND area_id IN ({marks})"
            queries = [
                f"SELECT COUNT(*) FROM reports WHERE created_at >= ? AND created_at < ?{where}",
                f"SELECT COUNT(*) FROM patrols WHERE started_at >= ? AND started_at < ?{where}",
                "SELECT COUNT(*) FROM mediation_cases WHERE created_at >= ? AND created_at < ?"
                + where,
                "SELECT COUNT(*) FROM broadcast_runs WHERE started_at >= ? AND started_at < ?",
            ]

            async def work() -> None:
                for sql in queries:
                    async with conn.execute(sql, bounds) as cur:
                        await cur.fetchone()
                async with conn.execute(
                    "SELECT COUNT(*) FROM pledges WHERE campaign_id = 1" + where
                ) as cur:
                    await cur.fetchone()

            return work

        cases: list[tuple[str, int | None, int | None, list[int] | None, float | None]] = [
            ("`stats --json`, whole province, one year", None, None, None, 1.0),
            ("`stats --json`, one area, one year", area_id, None, [area_id], 0.1),
        ]
        if commune_id is not None:
            name = f"`stats --json`, one commune ({len(commune_areas)} areas), one year"
            cases.append((name, None, int(commune_id), commune_areas, None))
        for name, scope, commune, where, goal in cases:
            seconds, cpu = await timed(figures_work(scope, commune), runs)
            base, base_cpu = await timed(counts_work(where), runs)
            verdict = (
                ""
                if goal is None
                else f" (goal < {goal * 1000:,.0f} ms: {'met' if seconds < goal else 'NOT met'})"
            )
            lines.append(
                f"| {name} | {seconds * 1000:,.0f} ms, CPU {cpu * 1000:,.0f} ms{verdict}"
                f" | COUNT(*) queries: {base * 1000:,.1f} ms, CPU {base_cpu * 1000:,.1f} ms"
                f" | {seconds / base:,.1f}x |"
            )
        async with conn.execute(
            "SELECT (SELECT COUNT(*) FROM pledges) + (SELECT COUNT(*) FROM reports)"
            " + (SELECT COUNT(*) FROM mediation_cases) + (SELECT COUNT(*) FROM patrols)"
            " + (SELECT COUNT(*) FROM patrol_observations) + (SELECT COUNT(*) FROM broadcast_runs)"
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        total_rows = int(row[0])
    await db.close()

    startup, _ = measured_process([sys.executable, "-m", "bot", "--help"])
    lines.append(f"| start-up of the command (`xomantoan --help`) | {startup * 1000:,.0f} ms | | |")
    if export:
        target = OUT / "province.xlsx"
        seconds, rss = measured_process(
            [
                sys.executable,
                "-m",
                "bot",
                "export",
                "--database",
                str(path),
                "--from",
                YEAR.start.isoformat(),
                "--to",
                YEAR.end.isoformat(),
                "--xlsx",
                str(target),
            ]
        )
        size = target.stat().st_size / 1e6
        plain = OUT / "plain.xlsx"
        base_seconds, base_rss = measured_process(
            [sys.executable, "-c", PLAIN_CELLS, str(total_rows), str(plain)]
        )
        verdict = "met" if rss < 200 else "NOT met"
        lines.append(
            f"| `export --xlsx`, whole province, one year ({total_rows:,} rows, {size:,.0f} MB)"
            f" | {seconds:,.1f} s, peak RSS {rss:,.0f} MB (goal < 200 MB: {verdict})"
            f" | openpyxl streaming {total_rows:,} plain rows: {base_seconds:,.1f} s,"
            f" {base_rss:,.0f} MB | {seconds / base_seconds:,.1f}x |"
        )
    size = path.stat().st_size / 1e6
    print(
        f"A province-year ({path.name}, {size:,.0f} MB): {AREAS:,} areas, {PLEDGES:,} pledges,"
        f" {REPORTS:,} reports, {PATROLS:,} patrols, {OBSERVATIONS:,} observations,"
        f" {MEDIATION:,} mediation cases, {RUNS:,} broadcasts with {RUNS * PER_RUN:,} outbox rows;"
        f" median of {runs}."
    )
    print("| work | time | baseline, same run | vs baseline |")
    print("|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--no-export", action="store_true", help="skip the XLSX export")
    options = parser.parse_args()
    asyncio.run(main(options.runs, options.rebuild, not options.no_export))
