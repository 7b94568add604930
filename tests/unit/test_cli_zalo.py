"""The command line names people on Zalo too: the first officer of a Zalo-only deployment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import members, roles
from bot.storage.db import Database


def test_grant_and_revoke_a_zalo_officer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(tmp_path / "bot.sqlite3")
    zalo_id = "e4ea2cd5189df1c3a88c"
    assert main(["grant", "--zalo-id", zalo_id, "--role", "officer", "--database", database]) == 0
    assert f"Zalo user {zalo_id} is now officer" in capsys.readouterr().out

    async def held() -> list[str]:
        db = await Database.open(Path(database))
        async with db.read() as conn:
            member = await members.find(conn, "zalo", zalo_id)
            assert member is not None
            found = [r.role for r in await roles.of_member(conn, member.id)]
        await db.close()
        return found

    assert asyncio.run(held()) == ["officer"]
    assert main(["revoke", "--zalo-id", zalo_id, "--role", "officer", "--database", database]) == 0
    assert asyncio.run(held()) == []
    assert (
        main(["grant", "--zalo-id", "not an id", "--role", "officer", "--database", database]) == 2
    )
