"""Weekly patrol rosters: the shifts, their members and the reminders sent.

Repository functions never commit: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class ShiftRow:
    id: int
    area_id: int
    weekday: int
    start_time: str
    remind_minutes: int
    created_by: int | None
    members: tuple[int, ...]


async def add_shift(
    conn: Connection,
    area_id: int,
    weekday: int,
    start_time: str,
    remind_minutes: int,
    member_ids: list[int],
    created_by: int | None,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO patrol_shifts (area_id, weekday, start_time, remind_minutes, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (area_id, weekday, start_time, remind_minutes, created_by, to_db(now)),
    )
    await conn.executemany(
        "INSERT INTO patrol_shift_members (shift_id, member_id) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING",
        [(new_id, m) for m in member_ids],
    )
    return new_id


async def delete_shift(conn: Connection, shift_id: int) -> None:
    await conn.execute("DELETE FROM patrol_shifts WHERE id = ?", (shift_id,))


async def shifts(conn: Connection, area_id: int | None = None) -> list[ShiftRow]:
    sql = (
        f"SELECT s.*, (SELECT {conn.dialect.group_concat('member_id')} FROM patrol_shift_members m"
        " WHERE m.shift_id = s.id) AS member_ids FROM patrol_shifts s"
    )
    params: tuple[object, ...] = ()
    if area_id is not None:
        sql += " WHERE s.area_id = ?"
        params = (area_id,)
    async with conn.execute(sql + " ORDER BY s.area_id, s.weekday, s.start_time", params) as cur:
        rows = await cur.fetchall()
    return [
        ShiftRow(
            r["id"],
            r["area_id"],
            r["weekday"],
            r["start_time"],
            r["remind_minutes"],
            r["created_by"],
            tuple(sorted(int(m) for m in (r["member_ids"] or "").split(",") if m)),
        )
        for r in rows
    ]


async def get_shift(conn: Connection, shift_id: int) -> ShiftRow | None:
    return next((s for s in await shifts(conn) if s.id == shift_id), None)


async def mark_reminded(
    conn: Connection, shift_id: int, member_id: int, shift_at: datetime, now: datetime
) -> bool:
    """Record a reminder; False when it had already been sent (nothing to do)."""
    cur = await conn.execute(
        "INSERT INTO patrol_shift_reminders (shift_id, member_id, shift_at, sent_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (shift_id, member_id, to_db(shift_at), to_db(now)),
    )
    return cur.rowcount > 0


async def decline_shift(
    conn: Connection, shift_id: int, member_id: int, shift_at: datetime, now: datetime
) -> bool:
    """Record "I can't make it"; False when already recorded or never reminded."""
    cur = await conn.execute(
        "UPDATE patrol_shift_reminders SET declined_at = ? WHERE shift_id = ? AND member_id = ?"
        " AND shift_at = ? AND declined_at IS NULL",
        (to_db(now), shift_id, member_id, to_db(shift_at)),
    )
    return cur.rowcount > 0
