"""Role grants: leader of an area, officer of one commune or of the whole deployment (the
province, or the one commune), deployment admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Grant:
    member_id: int
    role: str
    area_id: int | None
    commune_id: int | None = None  # an officer of that commune; None: of the whole deployment


async def of_member(conn: Connection, member_id: int) -> list[Grant]:
    """The member's grants; a commune officer's carry their commune's area ids in
    :attr:`Scoped.area_ids` (see :func:`of_member_scoped`)."""
    return (await of_member_scoped(conn, member_id)).grants


@dataclass(frozen=True)
class Scoped:
    grants: list[Grant]
    area_ids: frozenset[int]  # the areas of the communes the member is an officer of


async def of_member_scoped(conn: Connection, member_id: int) -> Scoped:
    """The member's grants and the areas of their officer communes, in one round trip (this
    runs on every update)."""
    rows = await conn.execute_fetchall(
        "SELECT r.member_id, r.role, r.area_id, r.commune_id, a.id FROM roles r"
        " LEFT JOIN areas a ON a.commune_id = r.commune_id"
        " WHERE r.member_id = ? ORDER BY r.role, r.area_id NULLS FIRST, r.commune_id NULLS FIRST",
        (member_id,),
    )
    grants: dict[tuple[str, int | None, int | None], Grant] = {}
    area_ids: set[int] = set()
    for r in rows:
        grants.setdefault((r[1], r[2], r[3]), Grant(r[0], r[1], r[2], r[3]))
        if r[4] is not None:
            area_ids.add(r[4])
    return Scoped(list(grants.values()), frozenset(area_ids))


async def grant(
    conn: Connection,
    member_id: int,
    role: str,
    area_id: int | None,
    granted_by: int | None,
    now: datetime,
    commune_id: int | None = None,
) -> bool:
    """Add a grant (an officer's of ``commune_id``, or deployment-wide without one); False when
    the person already had it."""
    cur = await conn.execute(
        "INSERT INTO roles (member_id, role, area_id, granted_by, granted_at,"
        " commune_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (member_id, role, area_id, granted_by, to_db(now), commune_id),
    )
    return cur.rowcount > 0


async def revoke(
    conn: Connection,
    member_id: int,
    role: str,
    area_id: int | None,
    commune_id: int | None = None,
) -> bool:
    cur = await conn.execute(
        "DELETE FROM roles WHERE member_id = ? AND role = ? AND COALESCE(area_id, 0) = ?"
        " AND COALESCE(commune_id, 0) = ?",
        (member_id, role, area_id or 0, commune_id or 0),
    )
    return cur.rowcount > 0


async def holders(conn: Connection, role: str, area_id: int | None = None) -> list[int]:
    """Member ids holding ``role`` (for leaders, of ``area_id`` when given; for officers, with
    ``area_id`` given, those who act for it: deployment-wide officers and those of its commune)."""
    sql, params = "SELECT DISTINCT member_id FROM roles WHERE role = ?", [role]
    if area_id is not None and role == "officer":
        sql += (
            " AND (commune_id IS NULL OR commune_id = (SELECT commune_id FROM areas WHERE id = ?))"
        )
        params.append(area_id)  # type: ignore[arg-type]
    elif area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)  # type: ignore[arg-type]
    async with conn.execute(sql + " ORDER BY member_id", params) as cur:
        return [r[0] for r in await cur.fetchall()]


async def officers_for(conn: Connection, area_id: int | None) -> list[int]:
    """Member ids of the officers who act for ``area_id``: those of the whole deployment and
    those of its commune (only the former for no area)."""
    async with conn.execute(
        "SELECT DISTINCT member_id FROM roles WHERE role = 'officer' AND (commune_id IS NULL"
        " OR commune_id = (SELECT commune_id FROM areas WHERE id = ?)) ORDER BY member_id",
        (area_id,),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


@dataclass(frozen=True)
class Elevated:
    """A member with roles above resident, as their private command menu needs them."""

    user_id: str
    language: str | None
    roles: frozenset[str]


async def elevated_on(conn: Connection, platform: str) -> list[Elevated]:
    """Every member of ``platform`` with a role above resident, with their roles, in one
    query (for the per-chat command menus published at start-up)."""
    found: dict[int, tuple[str, str | None, set[str]]] = {}
    for member_id, user_id, language, role in await conn.execute_fetchall(
        # From the few roles to their members (CROSS JOIN keeps that order: otherwise
        # SQLite may walk every member of the platform to look for roles, 10 ms at 100,000).
        "SELECT m.id, m.user_id, m.language, r.role FROM roles r"
        f" {conn.dialect.join_in_order()} members m ON m.id = r.member_id WHERE m.platform = ?"
        " ORDER BY r.member_id",
        (platform,),
    ):
        found.setdefault(member_id, (user_id, language, set()))[2].add(role)
    return [Elevated(u, lang, frozenset(held)) for u, lang, held in found.values()]
