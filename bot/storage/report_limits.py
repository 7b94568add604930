"""Limits on reporting: members blocked from reporting, and the counter of recent reports
(anonymous ones by a key, named ones from the reports table).

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.db import Connection
from bot.storage.timefmt import to_db

RATE_WINDOW = timedelta(hours=1)


# Blocks -----------------------------------------------------------------------------------
async def is_blocked(conn: Connection, member_id: int) -> bool:
    async with conn.execute("SELECT 1 FROM report_blocks WHERE member_id = ?", (member_id,)) as cur:
        return await cur.fetchone() is not None


async def block(conn: Connection, member_id: int, by: int | None, now: datetime) -> bool:
    cur = await conn.execute(
        "INSERT INTO report_blocks (member_id, blocked_by, blocked_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (member_id, by, to_db(now)),
    )
    return cur.rowcount > 0


async def unblock(conn: Connection, member_id: int) -> bool:
    cur = await conn.execute("DELETE FROM report_blocks WHERE member_id = ?", (member_id,))
    return cur.rowcount > 0


# Rate counter -----------------------------------------------------------------------------
async def recent_count(conn: Connection, key: str, member_id: int | None, now: datetime) -> int:
    """Reports in the last window: anonymous ones through the keyed counter, named ones from
    the reports table."""
    since = to_db(now - RATE_WINDOW)
    async with conn.execute(
        "SELECT COUNT(*) FROM report_rate WHERE key = ? AND at > ?", (key, since)
    ) as cur:
        row = await cur.fetchone()
    count = int(row[0]) if row else 0
    if member_id is not None:
        async with conn.execute(
            "SELECT COUNT(*) FROM reports WHERE reporter_member_id = ? AND created_at > ?",
            (member_id, since),
        ) as cur:
            row = await cur.fetchone()
        count += int(row[0]) if row else 0
    return count


async def count_anonymous(conn: Connection, key: str, now: datetime) -> None:
    await conn.execute("INSERT INTO report_rate (key, at) VALUES (?, ?)", (key, to_db(now)))


async def purge_rate(conn: Connection, now: datetime) -> int:
    cur = await conn.execute("DELETE FROM report_rate WHERE at <= ?", (to_db(now - RATE_WINDOW),))
    return cur.rowcount
