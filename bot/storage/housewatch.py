"""House watch (trông nhà): houses whose residents are away, on the patrol's checklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class HouseWatch:
    id: int
    member_id: int
    area_id: int
    address: str
    away_from: date
    back_on: date
    status: str
    created_at: datetime


def _watch(row: Row) -> HouseWatch:
    return HouseWatch(
        row["id"],
        row["member_id"],
        row["area_id"],
        row["address"],
        date.fromisoformat(row["away_from"]),
        date.fromisoformat(row["back_on"]),
        row["status"],
        from_db(row["created_at"]),
    )


async def add(
    conn: Connection,
    member_id: int,
    area_id: int,
    address: str,
    away_from: date,
    back_on: date,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO house_watch (member_id, area_id, address, away_from, back_on, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (member_id, area_id, address, away_from.isoformat(), back_on.isoformat(), to_db(now)),
    )
    return new_id


async def get(conn: Connection, watch_id: int) -> HouseWatch | None:
    async with conn.execute("SELECT * FROM house_watch WHERE id = ?", (watch_id,)) as cur:
        row = await cur.fetchone()
    return _watch(row) if row else None


async def cancel(conn: Connection, watch_id: int, member_id: int) -> bool:
    cur = await conn.execute(
        "UPDATE house_watch SET status = 'cancelled' WHERE id = ? AND member_id = ?"
        " AND status = 'active'",
        (watch_id, member_id),
    )
    return cur.rowcount > 0


async def of_member(conn: Connection, member_id: int, today: date) -> list[HouseWatch]:
    """A resident's registrations that are not over yet (active, return date not passed)."""
    async with conn.execute(
        "SELECT * FROM house_watch WHERE member_id = ? AND status = 'active' AND back_on >= ?"
        " ORDER BY away_from, id",
        (member_id, today.isoformat()),
    ) as cur:
        return [_watch(r) for r in await cur.fetchall()]


async def all_of_member(conn: Connection, member_id: int) -> list[HouseWatch]:
    async with conn.execute(
        "SELECT * FROM house_watch WHERE member_id = ? ORDER BY away_from, id", (member_id,)
    ) as cur:
        return [_watch(r) for r in await cur.fetchall()]


async def checklist(conn: Connection, area_id: int, today: date) -> list[HouseWatch]:
    """Houses of the area whose residents are away today."""
    async with conn.execute(
        "SELECT * FROM house_watch WHERE area_id = ? AND status = 'active'"
        " AND away_from <= ? AND back_on >= ? ORDER BY address, id",
        (area_id, today.isoformat(), today.isoformat()),
    ) as cur:
        return [_watch(r) for r in await cur.fetchall()]


async def delete_member(conn: Connection, member_id: int) -> None:
    await conn.execute("DELETE FROM house_watch WHERE member_id = ?", (member_id,))
