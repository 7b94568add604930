"""The figures on the command line: the JSON that `xomantoan stats --json` prints and the files
that `export` and `summary` write, for a known year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.stats.figures import Figures, json_schema
from bot.storage.db import Database
from tests.stats_seed import seed_year


@pytest.fixture
async def seeded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "commune.sqlite3"
    db = await Database.open(path)
    await seed_year(db)
    await db.close()
    monkeypatch.setenv("XOMANTOAN_DATABASE", str(path))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_stats_json_for_an_area_and_two_dates(
    seeded_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await _in_thread(
        capsys, "stats", "--json", "--area", "dong", "--from", "1/1/2026", "--to", "2026-12-31"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == set(json_schema()["properties"])  # type: ignore[arg-type]
    figures = Figures.model_validate(data)
    assert figures.scope.kind == "area"
    assert figures.scope.area is not None and figures.scope.area.code == "DONG"
    assert (figures.pledges.signed, figures.pledges.percent) == (120, 100.0)
    assert (figures.patrols.patrols, figures.patrols.participations) == (24, 120)
    assert figures.reports.by_category["theft"] == 3


async def test_stats_refuses_bad_input_with_one_line(
    seeded_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, message in (
        (("stats", "--json", "--area", "NOPE"), "no area with code NOPE"),
        (("stats", "--json", "--from", "2026-02-30", "--to", "2026-03-01"), "not a date"),
        (("stats", "--json", "--from", "1/3/2026", "--to", "1/1/2026"), "before"),
        (("stats", "--json", "--from", "1/3/2026"), "both --from and --to"),
    ):
        code, out, err = await _in_thread(capsys, *argv)
        assert code == 2
        assert out == ""
        assert message in err
        assert "Traceback" not in err


async def _in_thread(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main() runs its own event loop, so it runs in a worker thread here."""
    import asyncio

    return await asyncio.to_thread(_run, capsys, *argv)
