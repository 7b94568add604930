"""Rows written with their own ids (a tool loading data, a hand-made restore) do not move
PostgreSQL's identities; the next open of the database moves them past those rows, so that
the bot's next row never collides with one of them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import areas, members
from bot.storage.db import Database

pytestmark = pytest.mark.postgresql_only(reason="PostgreSQL's identity columns")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def test_rows_with_their_own_ids_leave_room_for_the_next_ones(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "province.sqlite3")
    async with db.unit() as conn:
        await conn.execute(
            "INSERT INTO areas (id, code, name, households, created_at)"
            " VALUES (40, 'DONG', 'Thôn Đông', 10, '2026-01-01T00:00:00+00:00')"
        )
        await conn.execute(
            "INSERT INTO members (id, platform, user_id, created_at, updated_at)"
            " VALUES (7, 'telegram', '5001', '2026-01-01T00:00:00+00:00',"
            " '2026-01-01T00:00:00+00:00')"
        )
    await db.close()

    db = await Database.open(tmp_path / "province.sqlite3")
    async with db.unit() as conn:
        area = await areas.add(conn, "TAY", "Thôn Tây", 95, NOW)
        person = await members.ensure(conn, "telegram", "5002", NOW)
        found = [a.code for a in await areas.list_areas(conn)]
    await db.close()
    assert person.id == 8 and found == ["DONG", "TAY"]
    assert area.id == 41
