"""Residential areas (thôn, xóm, tổ dân phố) of the commune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Area:
    id: int
    code: str
    name: str
    households: int | None


def _area(row: aiosqlite.Row) -> Area:
    return Area(row["id"], row["code"], row["name"], row["households"])


async def list_areas(conn: aiosqlite.Connection) -> list[Area]:
    async with conn.execute("SELECT * FROM areas ORDER BY code") as cur:
        return [_area(r) for r in await cur.fetchall()]


async def get(conn: aiosqlite.Connection, area_id: int) -> Area | None:
    async with conn.execute("SELECT * FROM areas WHERE id = ?", (area_id,)) as cur:
        row = await cur.fetchone()
    return _area(row) if row else None


async def by_code(conn: aiosqlite.Connection, code: str) -> Area | None:
    async with conn.execute("SELECT * FROM areas WHERE code = ?", (code.upper(),)) as cur:
        row = await cur.fetchone()
    return _area(row) if row else None


async def add(
    conn: aiosqlite.Connection, code: str, name: str, households: int | None, now: datetime
) -> Area:
    cur = await conn.execute(
        "INSERT INTO areas (code, name, households, created_at) VALUES (?, ?, ?, ?)",
        (code.upper(), name, households, to_db(now)),
    )
    assert cur.lastrowid is not None
    return Area(cur.lastrowid, code.upper(), name, households)


async def set_households(conn: aiosqlite.Connection, area_id: int, households: int) -> None:
    await conn.execute("UPDATE areas SET households = ? WHERE id = ?", (households, area_id))
