"""Patrols and their participants.

Observations made on a patrol are in :mod:`bot.storage.patrol_observations`, weekly rosters in
:mod:`bot.storage.patrol_rosters`. Repository functions never commit: the caller's unit of work
does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Patrol:
    id: int
    area_id: int
    leader_member_id: int | None
    status: str
    source: str
    started_at: datetime
    ended_at: datetime | None
    headcount: int
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Participant:
    id: int
    patrol_id: int
    member_id: int | None
    name: str | None
    confirmed: bool
    declined: bool


def _patrol(row: Row) -> Patrol:
    return Patrol(
        row["id"],
        row["area_id"],
        row["leader_member_id"],
        row["status"],
        row["source"],
        from_db(row["started_at"]),
        from_db(row["ended_at"]) if row["ended_at"] else None,
        row["headcount"],
        from_db(row["created_at"]),
    )


# Patrols ---------------------------------------------------------------------------------
async def create(
    conn: Connection,
    *,
    area_id: int,
    leader_member_id: int | None,
    source: str,
    started_at: datetime,
    ended_at: datetime | None,
    headcount: int,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO patrols (area_id, leader_member_id, status, source, started_at, ended_at,"
        " headcount, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            area_id,
            leader_member_id,
            "open" if ended_at is None else "closed",
            source,
            to_db(started_at),
            to_db(ended_at) if ended_at else None,
            headcount,
            to_db(now),
            to_db(now),
        ),
    )
    return new_id


async def get(conn: Connection, patrol_id: int) -> Patrol | None:
    async with conn.execute("SELECT * FROM patrols WHERE id = ?", (patrol_id,)) as cur:
        row = await cur.fetchone()
    return _patrol(row) if row else None


async def open_in_area(conn: Connection, area_id: int) -> Patrol | None:
    async with conn.execute(
        "SELECT * FROM patrols WHERE area_id = ? AND status = 'open'", (area_id,)
    ) as cur:
        row = await cur.fetchone()
    return _patrol(row) if row else None


async def close(conn: Connection, patrol_id: int, ended_at: datetime) -> Patrol | None:
    """End an open patrol; the patrol as it is now, returned by the write itself (None when
    it was not open)."""
    async with conn.execute(
        "UPDATE patrols SET status = 'closed', ended_at = ?, updated_at = ?"
        " WHERE id = ? AND status = 'open' RETURNING *",
        (to_db(ended_at), to_db(ended_at), patrol_id),
    ) as cur:
        row = await cur.fetchone()
    return _patrol(row) if row else None


async def touch(conn: Connection, patrol_id: int, now: datetime) -> None:
    await conn.execute("UPDATE patrols SET updated_at = ? WHERE id = ?", (to_db(now), patrol_id))


async def delete(conn: Connection, patrol_id: int) -> None:
    await conn.execute("DELETE FROM patrols WHERE id = ?", (patrol_id,))


async def recent(conn: Connection, area_ids: list[int] | None, *, limit: int = 10) -> list[Patrol]:
    """Latest patrols of these areas (all areas when None), newest first."""
    sql, params = "SELECT * FROM patrols", []
    if area_ids is not None:
        if not area_ids:
            return []
        sql += f" WHERE area_id IN ({', '.join('?' * len(area_ids))})"
        params = list(area_ids)
    sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
    async with conn.execute(sql, [*params, limit]) as cur:
        return [_patrol(r) for r in await cur.fetchall()]


async def in_range(
    conn: Connection, area_id: int | None, begin: datetime, end: datetime
) -> list[Patrol]:
    sql = "SELECT * FROM patrols WHERE started_at >= ? AND started_at < ?"
    params: list[object] = [to_db(begin), to_db(end)]
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)
    async with conn.execute(sql + " ORDER BY started_at, id", params) as cur:
        return [_patrol(r) for r in await cur.fetchall()]


# Participants ----------------------------------------------------------------------------
async def add_participant(
    conn: Connection,
    patrol_id: int,
    *,
    member_id: int | None = None,
    name: str | None = None,
    confirmed_at: datetime | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO patrol_participants (patrol_id, member_id, name, confirmed_at)"
        " VALUES (?, ?, ?, ?)",
        (patrol_id, member_id, name, to_db(confirmed_at) if confirmed_at else None),
    )


async def participants(conn: Connection, patrol_id: int) -> list[Participant]:
    async with conn.execute(
        "SELECT * FROM patrol_participants WHERE patrol_id = ? ORDER BY id", (patrol_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [
        Participant(
            r["id"],
            r["patrol_id"],
            r["member_id"],
            r["name"],
            r["confirmed_at"] is not None,
            r["declined_at"] is not None,
        )
        for r in rows
    ]


async def set_participation(
    conn: Connection, patrol_id: int, member_id: int, took_part: bool, now: datetime
) -> bool:
    column, other = "confirmed_at", "declined_at"
    if not took_part:
        column, other = other, column
    cur = await conn.execute(
        f"UPDATE patrol_participants SET {column} = ?, {other} = NULL"
        " WHERE patrol_id = ? AND member_id = ?",
        (to_db(now), patrol_id, member_id),
    )
    return cur.rowcount > 0


async def is_participant(conn: Connection, patrol_id: int, member_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM patrol_participants WHERE patrol_id = ? AND member_id = ?"
        " AND declined_at IS NULL",
        (patrol_id, member_id),
    ) as cur:
        return await cur.fetchone() is not None


async def participations_of(conn: Connection, member_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM patrol_participants WHERE member_id = ? AND declined_at IS NULL",
        (member_id,),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def forget_typed_name(conn: Connection, name: str) -> int:
    """A forgotten person's name typed as a participant (notebook entries): the participation
    stays counted, without the name."""
    cur = await conn.execute(
        "UPDATE patrol_participants SET name = NULL WHERE member_id IS NULL AND name = ?", (name,)
    )
    return cur.rowcount
