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


@dataclass(frozen=True)
class Elevated:
    """A member with roles above resident, as their private command menu needs them."""

    user_id: str
    language: str | None
    roles: frozenset[str]


async def elevated_on(conn: aiosqlite.Connection, platform: str) -> list[Elevated]:
    """Every member of ``platform`` with a role above resident, with their roles, in one
    query (for the per-chat command menus published at start-up)."""
    found: dict[int, tuple[str, str | None, set[str]]] = {}
    for member_id, user_id, language, role in await conn.execute_fetchall(
        "SELECT m.id, m.user_id, m.language, r.role FROM roles r"
        " JOIN members m ON m.id = r.member_id WHERE m.platform = ? ORDER BY m.id",
        (platform,),
    ):
        found.setdefault(member_id, (user_id, language, set()))[2].add(role)
    return [Elevated(u, lang, frozenset(held)) for u, lang, held in found.values()]
