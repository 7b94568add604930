"""Role grants: leader of an area, officer of the commune, deployment admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Grant:
    member_id: int
    role: str
    area_id: int | None


async def of_member(conn: aiosqlite.Connection, member_id: int) -> list[Grant]:
    rows = await conn.execute_fetchall(  # one round trip: this runs on every update
        "SELECT member_id, role, area_id FROM roles WHERE member_id = ? ORDER BY role, area_id",
        (member_id,),
    )
    return [Grant(r[0], r[1], r[2]) for r in rows]


async def grant(
    conn: aiosqlite.Connection,
    member_id: int,
    role: str,
    area_id: int | None,
    granted_by: int | None,
    now: datetime,
) -> bool:
    """Add a grant; False when the person already had it."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO roles (member_id, role, area_id, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (member_id, role, area_id, granted_by, to_db(now)),
    )
    return cur.rowcount > 0


async def revoke(
    conn: aiosqlite.Connection, member_id: int, role: str, area_id: int | None
) -> bool:
    cur = await conn.execute(
        "DELETE FROM roles WHERE member_id = ? AND role = ? AND COALESCE(area_id, 0) = ?",
        (member_id, role, area_id or 0),
    )
    return cur.rowcount > 0


async def holders(conn: aiosqlite.Connection, role: str, area_id: int | None = None) -> list[int]:
    """Member ids holding ``role`` (for leaders, of ``area_id`` when given)."""
    sql, params = "SELECT DISTINCT member_id FROM roles WHERE role = ?", [role]
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)  # type: ignore[arg-type]
    async with conn.execute(sql + " ORDER BY member_id", params) as cur:
        return [r[0] for r in await cur.fetchall()]


async def elevated(conn: aiosqlite.Connection) -> list[int]:
    """Members with any role above resident (for per-chat command menus)."""
    async with conn.execute("SELECT DISTINCT member_id FROM roles ORDER BY member_id") as cur:
        return [r[0] for r in await cur.fetchall()]
