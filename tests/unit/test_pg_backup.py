"""``xomantoan backup`` on PostgreSQL: a pg_dump archive that pg_restore brings back into a
fresh database, the password kept off the command line."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.storage import areas, members
from bot.storage.db import Database
from bot.storage.pg_backup import program
from tests.postgresql import Cluster

pytestmark = pytest.mark.postgresql_only(reason="pg_dump and pg_restore of a PostgreSQL database")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PASSWORD = "s3cret-Word"


async def fill(url: str) -> None:
    db = await Database.open(url)
    async with db.unit() as conn:
        await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
        await members.ensure(conn, "telegram", "5001", NOW)
    await db.close()


async def read_back(url: str) -> tuple[list[str], int]:
    db = await Database.open(url)
    async with db.unit() as conn:
        names = [a.name for a in await areas.list_areas(conn)]
        # The identities go on after the restored rows: a new row does not collide.
        await areas.add(conn, "TAY", "Thôn Tây", 95, NOW)
        person = await members.ensure(conn, "telegram", "5002", NOW)
    await db.close()
    return names, person.id


def test_a_backup_restores_into_a_fresh_database(
    pg_database: Callable[[], str],
    pg_cluster: Cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = pg_database()
    asyncio.run(fill(url))
    started: list[tuple[tuple[Any, ...], dict[str, str]]] = []
    real = asyncio.create_subprocess_exec

    async def spy(*args: Any, **kwargs: Any) -> Any:
        started.append((args, kwargs.get("env") or {}))
        return await real(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spy)
    dump = tmp_path / "province.dump"
    code = main(["backup", str(dump), "--database", f"{url}&password={PASSWORD}"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"written to {dump}" in out.out
    assert PASSWORD not in out.out + out.err
    # pg_dump got the password in its environment, never on its command line.
    ((args, env),) = started
    assert "pg_dump" in str(args[0]) and "--format=custom" in args
    assert not any(PASSWORD in str(a) for a in args)
    assert env["PGPASSWORD"] == PASSWORD

    pg_cluster.admin("CREATE DATABASE restored")
    try:
        restored = pg_cluster.url("restored")
        subprocess.run(
            [program("pg_restore"), "--no-owner", f"--dbname={restored}", str(dump)],
            check=True,
            capture_output=True,
        )
        names, new_person = asyncio.run(read_back(restored))
        assert names == ["Thôn Đông"]
        assert new_person == 2
    finally:
        pg_cluster.drop("restored")


def test_a_backup_that_cannot_be_made_says_why(
    pg_database: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_database()
    code = main(["backup", str(tmp_path / "no" / "such" / "folder" / "x.dump"), "--database", url])
    err = capsys.readouterr().err
    assert code == 2
    assert "pg_dump failed" in err and "Traceback" not in err
