"""Residential areas (thôn, xóm, tổ dân phố) of the commune."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Area:
    id: int
    code: str
    name: str
    households: int | None
    commune_id: int | None = None  # never None once stored (migration 0016)


def _area(row: Row) -> Area:
    return Area(row["id"], row["code"], row["name"], row["households"], row["commune_id"])


async def list_areas(conn: Connection, commune_id: int | None = None) -> list[Area]:
    """Every area, or those of one commune."""
    if commune_id is None:
        async with conn.execute("SELECT * FROM areas ORDER BY code") as cur:
            return [_area(r) for r in await cur.fetchall()]
    async with conn.execute(
        "SELECT * FROM areas WHERE commune_id = ? ORDER BY code", (commune_id,)
    ) as cur:
        return [_area(r) for r in await cur.fetchall()]


async def ids_of_communes(conn: Connection, commune_ids: Iterable[int]) -> list[int]:
    """The ids of the areas of these communes."""
    wanted = sorted(set(commune_ids))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = await conn.execute_fetchall(
        f"SELECT id FROM areas WHERE commune_id IN ({marks}) ORDER BY id", wanted
    )
    return [r[0] for r in rows]


async def get(conn: Connection, area_id: int) -> Area | None:
    async with conn.execute("SELECT * FROM areas WHERE id = ?", (area_id,)) as cur:
        row = await cur.fetchone()
    return _area(row) if row else None


async def by_code(conn: Connection, code: str) -> Area | None:
    async with conn.execute("SELECT * FROM areas WHERE code = ?", (code.upper(),)) as cur:
        row = await cur.fetchone()
    return _area(row) if row else None


async def add(
    conn: Connection,
    code: str,
    name: str,
    households: int | None,
    now: datetime,
    commune_id: int | None = None,
) -> Area:
    """Add an area to ``commune_id``, or without one to the deployment's first commune."""
    new_id = await insert(
        conn,
        "INSERT INTO areas (code, name, households, created_at, commune_id) VALUES (?, ?, ?, ?, ?)",
        (code.upper(), name, households, to_db(now), commune_id),
    )
    stored = await get(conn, new_id)  # the trigger of 0016 fills in the first commune
    assert stored is not None
    return stored


async def move(conn: Connection, area_id: int, commune_id: int) -> None:
    await conn.execute("UPDATE areas SET commune_id = ? WHERE id = ?", (commune_id, area_id))


async def set_households(conn: Connection, area_id: int, households: int) -> None:
    await conn.execute("UPDATE areas SET households = ? WHERE id = ?", (households, area_id))


async def rename(conn: Connection, area_id: int, name: str) -> None:
    await conn.execute("UPDATE areas SET name = ? WHERE id = ?", (name, area_id))
