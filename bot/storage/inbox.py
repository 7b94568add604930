"""Updates received and not yet handled, so that a crash loses none (see 0014_inbox.sql), and
the claims by which one bot process at a time handles a chat's updates (0030_inbox_claims.sql).

With one process (polling) the process hands every waiting update to its chat's lane itself.
With several (Telegram's webhook, any process receiving any update) an update is kept with its
chat's key, and a process handles a chat's updates only while it holds the chat's claim: it
claims chats that have updates waiting and nobody holds (or whose holder's lease has passed),
renews its leases while it works, and lets a chat go when nothing of it waits. An update leaves
the inbox in its own handling transaction, and only while the process still holds its chat:
one taken over after a lease passed is never handled twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.timefmt import to_db


async def put_many(
    conn: Connection,
    platform: str,
    updates: list[tuple[int, Any]],
    now: datetime,
    *,
    keys: Mapping[int, str] | None = None,
) -> None:
    """Keep ``updates`` (update id, body); one kept already is left as it is (a platform
    may deliver an update twice). ``keys``: each update's chat, for the claims."""
    keys = keys or {}
    await conn.executemany(
        "INSERT INTO inbox (platform, update_id, body, received_at, chat_key)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            (
                platform,
                update_id,
                json.dumps(body, ensure_ascii=False),
                to_db(now),
                keys.get(update_id),
            )
            for update_id, body in updates
        ],
    )


async def remove(
    conn: Connection, platform: str, update_id: int, *, holder: str | None = None
) -> bool:
    """Take the update out of the inbox; with ``holder``, only while that process holds the
    update's chat. False when nothing was removed (handled already, or the chat was taken
    over)."""
    if holder is None:
        cur = await conn.execute(
            "DELETE FROM inbox WHERE platform = ? AND update_id = ?", (platform, update_id)
        )
    else:
        cur = await conn.execute(
            "DELETE FROM inbox WHERE platform = ? AND update_id = ? AND EXISTS ("
            " SELECT 1 FROM inbox_claims c WHERE c.platform = inbox.platform"
            " AND c.chat_key = inbox.chat_key AND c.holder = ?)",
            (platform, update_id, holder),
        )
    return cur.rowcount == 1


async def waiting(conn: Connection, platform: str) -> list[tuple[int, Any]]:
    """The updates not handled yet, oldest first."""
    async with conn.execute(
        "SELECT update_id, body FROM inbox WHERE platform = ? ORDER BY update_id", (platform,)
    ) as cur:
        return [(int(r[0]), json.loads(r[1])) for r in await cur.fetchall()]


async def without_key(conn: Connection, platform: str) -> list[tuple[int, Any]]:
    """Updates kept before their chat's key was (by a version without claims)."""
    async with conn.execute(
        "SELECT update_id, body FROM inbox WHERE platform = ? AND chat_key IS NULL"
        " ORDER BY update_id",
        (platform,),
    ) as cur:
        return [(int(r[0]), json.loads(r[1])) for r in await cur.fetchall()]


async def set_keys(conn: Connection, platform: str, keys: Mapping[int, str]) -> None:
    await conn.executemany(
        "UPDATE inbox SET chat_key = ? WHERE platform = ? AND update_id = ? AND chat_key IS NULL",
        [(key, platform, update_id) for update_id, key in keys.items()],
    )


# Claims ---------------------------------------------------------------------------------------
async def claim(
    conn: Connection, platform: str, holder: str, now: datetime, until: datetime, limit: int
) -> list[str]:
    """Claim for ``holder`` until ``until`` up to ``limit`` chats that have updates waiting
    and that nobody holds (or whose lease has passed); return their keys. On PostgreSQL the
    chats other processes are claiming at this moment are skipped, not waited for (only a
    chat's very first claim row, made here, may wait for another's short transaction)."""
    # A claim for each chat with updates waiting that has none yet (inserted in key order:
    # two processes doing this at once never wait for each other in a circle).
    await conn.execute(
        "INSERT INTO inbox_claims (platform, chat_key)"
        " SELECT DISTINCT i.platform, i.chat_key FROM inbox i"
        " WHERE i.platform = ? AND i.chat_key IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM inbox_claims c WHERE c.platform = i.platform"
        "  AND c.chat_key = i.chat_key)"
        " ORDER BY i.chat_key ON CONFLICT DO NOTHING",
        (platform,),
    )
    skip_locked = " FOR UPDATE SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
    async with conn.execute(
        "SELECT c.chat_key FROM inbox_claims c"
        " WHERE c.platform = ? AND (c.holder IS NULL OR c.until <= ?) AND EXISTS ("
        "  SELECT 1 FROM inbox i WHERE i.platform = c.platform AND i.chat_key = c.chat_key)"
        f" ORDER BY c.chat_key LIMIT ?{skip_locked}",
        (platform, to_db(now), limit),
    ) as cur:
        keys = [str(r[0]) for r in await cur.fetchall()]
    if keys:
        await conn.executemany(
            "UPDATE inbox_claims SET holder = ?, until = ? WHERE platform = ? AND chat_key = ?",
            [(holder, to_db(until), platform, key) for key in keys],
        )
    return keys


async def renew(conn: Connection, platform: str, holder: str, until: datetime) -> int:
    """Push the lease of every chat ``holder`` holds to ``until``; how many it holds."""
    cur = await conn.execute(
        "UPDATE inbox_claims SET until = ? WHERE platform = ? AND holder = ?",
        (to_db(until), platform, holder),
    )
    return cur.rowcount


async def waiting_in(
    conn: Connection, platform: str, chat_key: str, holder: str, limit: int
) -> list[tuple[int, Any]]:
    """The chat's oldest waiting updates, while ``holder`` holds it (else none)."""
    async with conn.execute(
        "SELECT i.update_id, i.body FROM inbox i JOIN inbox_claims c"
        " ON c.platform = i.platform AND c.chat_key = i.chat_key"
        " WHERE i.platform = ? AND i.chat_key = ? AND c.holder = ?"
        " ORDER BY i.update_id LIMIT ?",
        (platform, chat_key, holder, limit),
    ) as cur:
        return [(int(r[0]), json.loads(r[1])) for r in await cur.fetchall()]


async def release(conn: Connection, platform: str, chat_key: str, holder: str) -> bool:
    """Let the chat go when nothing of it waits; False when something does (or another
    process holds it now)."""
    cur = await conn.execute(
        "DELETE FROM inbox_claims WHERE platform = ? AND chat_key = ? AND holder = ?"
        " AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.platform = ? AND i.chat_key = ?)",
        (platform, chat_key, holder, platform, chat_key),
    )
    return cur.rowcount == 1


async def holds(conn: Connection, platform: str, chat_key: str, holder: str) -> bool:
    async with conn.execute(
        "SELECT 1 FROM inbox_claims WHERE platform = ? AND chat_key = ? AND holder = ?",
        (platform, chat_key, holder),
    ) as cur:
        return await cur.fetchone() is not None


async def release_all(conn: Connection, platform: str, holder: str) -> None:
    """At a stop: every chat ``holder`` holds is free to be claimed at once."""
    await conn.execute(
        "UPDATE inbox_claims SET holder = NULL, until = NULL WHERE platform = ? AND holder = ?",
        (platform, holder),
    )


async def forget_idle(conn: Connection, platform: str, now: datetime) -> int:
    """Claims nobody holds (or whose lease has passed) of chats with nothing waiting."""
    cur = await conn.execute(
        "DELETE FROM inbox_claims WHERE platform = ? AND (holder IS NULL OR until <= ?)"
        " AND NOT EXISTS (SELECT 1 FROM inbox i"
        "  WHERE i.platform = inbox_claims.platform AND i.chat_key = inbox_claims.chat_key)",
        (platform, to_db(now)),
    )
    return cur.rowcount


async def lock_for(conn: Connection, name: str) -> None:
    """Hold ``name`` until the transaction ends, against other processes doing the same (a
    SQLite write transaction excludes every other writer already)."""
    if conn.dialect.name == "postgresql":
        await conn.execute("SELECT pg_advisory_xact_lock(7830, hashtext(?))", (name,))
