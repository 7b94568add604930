"""Updates received and not yet handled, so that a crash loses none (see 0014_inbox.sql)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.timefmt import to_db


async def put_many(
    conn: Connection, platform: str, updates: list[tuple[int, Any]], now: datetime
) -> None:
    await conn.executemany(
        "INSERT INTO inbox (platform, update_id, body, received_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [
            (platform, update_id, json.dumps(body, ensure_ascii=False), to_db(now))
            for update_id, body in updates
        ],
    )


async def remove(conn: Connection, platform: str, update_id: int) -> None:
    await conn.execute(
        "DELETE FROM inbox WHERE platform = ? AND update_id = ?", (platform, update_id)
    )


async def waiting(conn: Connection, platform: str) -> list[tuple[int, Any]]:
    """The updates not handled yet, oldest first."""
    async with conn.execute(
        "SELECT update_id, body FROM inbox WHERE platform = ? ORDER BY update_id", (platform,)
    ) as cur:
        return [(int(r[0]), json.loads(r[1])) for r in await cur.fetchall()]
