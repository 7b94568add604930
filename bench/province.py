"""Province benchmark: the figures and the XLSX export of a province-year on SQLite.

Builds once, under ``bench/out/`` (kept between runs; rebuilt when its recipe changes), a
province's year: 1,700 areas (17 per commune in 100 communes once communes exist) rated over
five years, 450,000 pledges, 150,000 reports, 150,000 patrols and 250,000 observations
(1 million rows), 5,000 mediation cases, 100,000 residents and 1,700 groups, and 1,000
broadcasts reaching 10,000 chats each (10 million outbox rows). Then measures, each against a
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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.figures.figures import as_json, collect
from bot.shared.periods import Period
from bot.storage.db import Database
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
RECIPE = "province-3"

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


def _pick(values: tuple[str, ...], var: str) -> str:
    """SQL choosing one of ``values`` from the integer expression ``var``."""
    cases = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({var}) % {len(values)} {cases} END"


# A moment in 2026 (UTC text, as the bot stores it) from an integer expression.
def _moment(var: str) -> str:
    seconds = f"1767225600 + ({var}) % 31536000 - 25200"
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {seconds}, 'unixepoch')"


def _hash(var: str) -> str:
    return f"((({var}) * 2654435761) % 4294967296)"


def _series(n: int) -> str:
    return f"WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n})"


def _has_communes(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'communes'"
    ).fetchone()
    return found is not None


def build(path: Path) -> None:
    """The province-year database, in bulk: INSERT ... SELECT over recursive series, with the
    big tables' indexes dropped during the load and made again after (one sorted pass each)."""
    now = to_db(NOW)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    tables = ("outbox", "pledges", "reports", "patrols", "patrol_observations", "members")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({','.join('?' for _ in tables)})",
        tables,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    communes = _has_communes(conn)
    if communes:
        conn.execute(
            f"{_series(COMMUNES)} INSERT INTO communes (id, code, name, created_at)"
            " SELECT x, printf('X%03d', x), printf('Xã %d', x), ? FROM s",
            (now,),
        )
        conn.execute(
            f"{_series(AREAS)} INSERT INTO areas (id, code, name, households, commune_id,"
            " created_at) SELECT x, printf('A%04d', x), printf('Thôn %d', x),"
            f" 250 + {_hash('x')} % 150, 1 + (x - 1) / {AREAS_PER_COMMUNE}, ? FROM s",
            (now,),
        )
    else:
        conn.execute(
            f"{_series(AREAS)} INSERT INTO areas (id, code, name, households, created_at)"
            f" SELECT x, printf('A%04d', x), printf('Thôn %d', x), 250 + {_hash('x')} % 150, ?"
            " FROM s",
            (now,),
        )
    conn.execute(
        "INSERT INTO pledge_campaigns (id, title, starts_on, ends_on, created_at)"
        " VALUES (1, 'Cam kết 2026', '2026-01-01', '2026-12-31', ?)",
        (now,),
    )
    conn.execute(
        f"{_series(PLEDGES)} INSERT INTO pledges (campaign_id, area_id, audience, head_name,"
        " address, household_key, public, reference, signed_at, withdrawn_at)"
        f" SELECT 1, 1 + x % {AREAS},"
        " CASE WHEN x % 50 = 0 THEN 'business' ELSE 'household' END,"
        " printf('Hộ %d', x), printf('Số %d, xóm %d', x, x % 9), printf('k%d', x), x % 2,"
        f" printf('CK26-%d', x), {_moment(_hash('x') + ' % 7776000')},"
        f" CASE WHEN x % 97 = 0 THEN {_moment('7776000 + ' + _hash('x') + ' % 7776000')} END"
        " FROM s"
    )
    conn.execute(
        f"{_series(REPORTS)} INSERT INTO reports (code, category, area_id, description,"
        " happening_now, anonymous, target, status, created_at, updated_at)"
        f" SELECT printf('R%07d', x), {_pick(CATEGORIES, _hash('x'))},"
        f" 1 + {_hash('x + 1')} % {AREAS},"
        " 'Có người lạ vào xóm', x % 7 = 0, x % 3 = 0, 'officers',"
        f" {_pick(STATUSES, _hash('x + 2'))}, {_moment(_hash('x + 3'))}, ? FROM s",
        (now,),
    )
    conn.execute(
        f"{_series(MEDIATION)} INSERT INTO mediation_cases (area_id, parties, outcome,"
        f' created_at, closed_at) SELECT 1 + {_hash("x")} % {AREAS}, \'["A", "B"]\','
        " CASE x % 4 WHEN 0 THEN NULL WHEN 1 THEN 'success' WHEN 2 THEN 'failed'"
        f" ELSE 'transferred' END, {_moment(_hash('x + 5'))}, NULL FROM s"
    )
    conn.execute(
        f"{_series(PATROLS)} INSERT INTO patrols (area_id, status, source, started_at,"
        " ended_at, headcount, created_at, updated_at)"
        f" SELECT 1 + {_hash('x + 7')} % {AREAS}, 'closed', 'backfill', {_moment(_hash('x + 8'))},"
        f" NULL, 2 + x % 6, ?, ? FROM s",
        (now, now),
    )
    conn.execute(
        f"{_series(OBSERVATIONS)} INSERT INTO patrol_observations (patrol_id, kind, count,"
        f" reminded, created_at) SELECT 1 + {_hash('x + 11')} % {PATROLS},"
        f" {_pick(KINDS, _hash('x + 12'))}, 1 + x % 3, x % 4 <> 0, ? FROM s",
        (now,),
    )
    # The rating of the five years up to 2026: about three areas in four rated safe a year.
    conn.execute(
        "WITH RECURSIVE y(n) AS (SELECT 2022 UNION ALL SELECT n + 1 FROM y WHERE n < 2026)"
        " INSERT INTO rating_years (year, opened_at) SELECT n, ? FROM y",
        (now,),
    )
    conn.execute(
        f"{_series(AREAS * 5)} INSERT INTO area_ratings (year, area_id, result, created_at,"
        f" updated_at) SELECT 2022 + (x - 1) / {AREAS}, 1 + (x - 1) % {AREAS},"
        f" {_hash('x')} % 4 <> 0, ?, ? FROM s",
        (now, now),
    )
    conn.execute(
        f"{_series(MEMBERS)} INSERT INTO members (platform, user_id, display_name, language,"
        f" area_id, consent_at, consent_version, created_at, updated_at)"
        f" SELECT 'telegram', 1000000 + x, printf('Người %d', x), 'vi', 1 + x % {AREAS}, ?, 1,"
        " ?, ? FROM s",
        (now, now, now),
    )
    conn.execute(
        f"{_series(AREAS)} INSERT INTO chats (platform, chat_id, kind, title, area_id,"
        " created_at, updated_at) SELECT 'telegram', -100000 - x, 'group',"
        " printf('Nhóm thôn %d', x), x, ?, ? FROM s",
        (now, now),
    )
    conn.execute(
        f"{_series(RUNS)} INSERT INTO broadcast_runs (id, due_at, started_at, status, topic,"
        " message_ref, target, recipients, finished_at)"
        f" SELECT x, {_moment('x * 31536')}, {_moment('x * 31536')}, 'done',"
        f" {_pick(TOPICS, 'x')}, 'lib:fire', 'commune', {PER_RUN}, {_moment('x * 31536 + 3600')}"
        " FROM s"
    )
    # Each run: every group, then residents in turn (a different slice each run).
    residents = PER_RUN - AREAS
    conn.execute(
        f"{_series(RUNS * PER_RUN)} INSERT INTO outbox (platform, chat_id, text, batch_id,"
        " status, attempts, created_at, not_before, sent_at)"
        " SELECT 'telegram',"
        f" CASE WHEN (x - 1) % {PER_RUN} < {AREAS} THEN -100001 - (x - 1) % {PER_RUN}"
        f" ELSE 1000001 + ((x - 1) / {PER_RUN} * {residents} + (x - 1) % {PER_RUN} - {AREAS})"
        f" % {MEMBERS} END,"
        " 'Phòng cháy chữa cháy', 1 + (x - 1) / " + str(PER_RUN) + ","
        " CASE WHEN x % 50 = 0 THEN 'failed' WHEN x % 101 = 0 THEN 'skipped' ELSE 'sent' END,"
        f" 1, {_moment('(1 + (x - 1) / ' + str(PER_RUN) + ') * 31536')},"
        f" {_moment('(1 + (x - 1) / ' + str(PER_RUN) + ') * 31536')},"
        f" {_moment('(1 + (x - 1) / ' + str(PER_RUN) + ') * 31536 + 60')} FROM s"
    )
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")  # no ANALYZE: a deployment's database has no statistics either
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_recipe (recipe TEXT NOT NULL, communes INTEGER NOT NULL)"
    )
    conn.execute("INSERT INTO bench_recipe VALUES (?, ?)", (RECIPE, int(communes)))
    conn.close()


def _recipe(path: Path) -> tuple[str, bool] | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT recipe, communes FROM bench_recipe").fetchone()
        return (row[0], bool(row[1])) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


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
    found = _recipe(DATABASE)
    db = await Database.open(DATABASE) if found and not rebuild else None
    if db is not None:
        async with (
            db.read() as conn,
            conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'communes'"
            ) as cur,
        ):
            communes_now = await cur.fetchone() is not None
        await db.close()
        assert found is not None
        if found == (RECIPE, communes_now):
            _no_statistics(DATABASE)
            return DATABASE
    _remove(DATABASE)
    began = time.perf_counter()
    print(f"building {DATABASE} ...", flush=True)
    db = await Database.open(DATABASE)
    await db.close()
    build(DATABASE)
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
        async with conn.execute("SELECT id, commune_id FROM areas WHERE code = 'A0850'") as cur:
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
