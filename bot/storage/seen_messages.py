"""Message ids a platform may deliver twice, taken once (see 0025_seen_messages.sql)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import to_db


async def first_time(conn: Connection, platform: str, message_id: str, now: datetime) -> bool:
    """Record ``message_id`` as seen: True the first time, False when it was seen before.
    Recorded in the caller's transaction: rolled back with it, the message is new again."""
    cur = await conn.execute(
        "INSERT INTO seen_messages (platform, message_id, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (platform, message_id, to_db(now)),
    )
    return cur.rowcount == 1
