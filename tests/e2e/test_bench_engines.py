"""The engines benchmark (bench/engines.py) at its smallest size, so that it cannot rot: it
starts its own PostgreSQL, runs every part on both engines and prints both columns. No
timings are asserted (the machine is shared)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(900)
@pytest.mark.sqlite_only(
    reason="the bench runs both engines itself (its own PostgreSQL cluster): once is enough"
)
async def test_the_engines_bench_completes_on_both_engines() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.engines",
        "--quick",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await process.communicate()
    finally:
        if process.returncode is None:  # stopped by the timeout: SIGTERM removes its cluster
            process.terminate()
            await process.wait()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-3000:]

    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.endswith("| SQLite | PostgreSQL |"))
    rows = {}
    for line in lines[header + 2 :]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 3, line
        rows[cells[0]] = cells[1:]
    for name in (
        "build of the province-year",
        "/thongke summary, province",
        "stats --json, province",
        "XLSX export, province",
        "broadcast: queued to the whole province",
        "updates/s (min / median of passes)",
        "updates at 100/s: p50 / p99",
    ):
        assert name in rows, f"{name} missing:\n{text}"
    assert any(name.startswith("XLSX export, one commune") for name in rows), text
    assert any(name.startswith("broadcast: sent at limits") for name in rows), text
    # Both columns, every row: nothing left out on either engine.
    assert all("-" not in cells for cells in rows.values()), text
    assert "load before:" in text and "load after:" in text
