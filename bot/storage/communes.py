"""Communes (xã, phường) of the deployment: one in the usual case, or every commune of a province.

The first commune is the deployment's own when it names none: code ``XA``, its name empty
(shown as the configured commune name); see migration 0016.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import to_db

DEFAULT_CODE = "XA"


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str


def _commune(row: Row) -> Commune:
    return Commune(row["id"], row["code"], row["name"])


async def list_communes(conn: Connection) -> list[Commune]:
    async with conn.execute("SELECT id, code, name FROM communes ORDER BY code") as cur:
        return [_commune(r) for r in await cur.fetchall()]


async def count(conn: Connection) -> int:
    async with conn.execute("SELECT COUNT(*) FROM communes") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def get(conn: Connection, commune_id: int) -> Commune | None:
    async with conn.execute(
        "SELECT id, code, name FROM communes WHERE id = ?", (commune_id,)
    ) as cur:
        row = await cur.fetchone()
    return _commune(row) if row else None


async def by_code(conn: Connection, code: str) -> Commune | None:
    async with conn.execute(
        "SELECT id, code, name FROM communes WHERE code = ?", (code.strip().upper(),)
    ) as cur:
        row = await cur.fetchone()
    return _commune(row) if row else None


async def add(conn: Connection, code: str, name: str, now: datetime) -> Commune:
    new_id = await insert(
        conn,
        "INSERT INTO communes (code, name, created_at) VALUES (?, ?, ?)",
        (code.strip().upper(), name, to_db(now)),
    )
    return Commune(new_id, code.strip().upper(), name)


async def rename(conn: Connection, commune_id: int, name: str) -> None:
    await conn.execute("UPDATE communes SET name = ? WHERE id = ?", (name, commune_id))


@dataclass(frozen=True)
class CommuneCount:
    commune: Commune
    areas: int
    households: int | None  # the sum of the areas' counts; None when no area has one


async def with_counts(conn: Connection) -> list[CommuneCount]:
    """Every commune with its number of areas and households, in one query."""
    rows = await conn.execute_fetchall(
        "SELECT c.id, c.code, c.name, COUNT(a.id), SUM(a.households) FROM communes c"
        " LEFT JOIN areas a ON a.commune_id = c.id GROUP BY c.id ORDER BY c.code"
    )
    return [CommuneCount(Commune(r[0], r[1], r[2]), r[3], r[4]) for r in rows]
