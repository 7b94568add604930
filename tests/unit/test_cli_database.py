"""Which database the command line uses: ``--database`` on every command, before or after its
name; a command that only reads never creates a database, and says which file it looked for and
where the console demo's database is; ``backup`` refuses a missing source."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEMO_DATABASE
from bot.storage.db import Database
from tests.stats_seed import seed_year


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def _in_thread(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main() runs its own event loop, so it runs in a worker thread here."""
    return await asyncio.to_thread(_run, capsys, *argv)


@pytest.fixture
async def demo(tmp_path: Path) -> Path:
    """A database where ``make run`` leaves the demo's, relative to the working folder."""
    path = tmp_path / DEMO_DATABASE
    path.parent.mkdir(parents=True)
    db = await Database.open(path)
    await seed_year(db)
    await db.close()
    return path


async def test_reading_commands_never_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default = tmp_path / "xomantoan.sqlite3"
    for argv in (
        ("stats",),
        ("stats", "--json"),
        ("rating",),
        ("areas",),
        ("areas", "list"),
        ("export", "--csv", str(tmp_path / "out")),
        ("summary", str(tmp_path / "r.docx")),
    ):
        code, out, err = await _in_thread(capsys, *argv)
        assert code == 2, argv
        assert f"no database at {default}" in err, argv
        assert "XOMANTOAN_DATABASE" in err and out == ""
        assert not default.exists(), argv
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.docx").exists()


async def test_without_a_setting_the_demo_database_is_named(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await _in_thread(capsys, "stats")
    assert code == 2
    assert f"the console demo's database is {demo}" in err
    assert "--database .demo/xomantoan-demo.sqlite3" in err
    assert not (tmp_path / "xomantoan.sqlite3").exists()


@pytest.mark.sqlite_only(
    reason="ends with xomantoan backup of a file (PostgreSQL: test_pg_backup.py)"
)
async def test_database_option_before_or_after_the_command(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, before, _ = await _in_thread(capsys, "--database", str(demo), "stats", "--json")
    assert code == 0 and '"pledges"' in before
    code, after, _ = await _in_thread(capsys, "stats", "--json", "--database", str(demo))
    assert code == 0 and after.split("\n", 3)[3] == before.split("\n", 3)[3]
    code, out, _ = await _in_thread(capsys, "areas", "list", "--database", str(demo))
    assert code == 0 and "DONG" in out
    code, out, _ = await _in_thread(capsys, "rating", "--database", str(demo), "--lang", "en")
    assert code == 0 and "Thôn Đông" in out
    copy = tmp_path / "copy.sqlite3"
    code, out, _ = await _in_thread(capsys, "backup", str(copy), "--database", str(demo))
    assert code == 0 and str(demo) in out and copy.stat().st_size > 0
    # A writing command makes a new database where it is told to.
    fresh = tmp_path / "new" / "commune.sqlite3"
    fresh.parent.mkdir()
    code, _, _ = await _in_thread(
        capsys, "areas", "add", "BAC", "Thôn Bắc", "--database", str(fresh)
    )
    assert code == 0 and fresh.exists()


async def test_backup_refuses_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite3"
    code, out, err = await _in_thread(capsys, "backup", str(copy))
    assert code == 2
    assert "backup written" not in out and f"no database at {tmp_path}" in err
    assert not copy.exists() and not (tmp_path / "xomantoan.sqlite3").exists()
    missing = tmp_path / "gone.sqlite3"
    code, _, err = await _in_thread(capsys, "--database", str(missing), "backup", str(copy))
    assert code == 2 and f"no database at {missing}" in err and not missing.exists()
