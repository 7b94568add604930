"""Small named values that must survive a restart (for example the polling offset)."""

from __future__ import annotations

from bot.storage.db import Connection


async def get(conn: Connection, key: str) -> str | None:
    async with conn.execute("SELECT value FROM kv WHERE key = ?", (key,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def put(conn: Connection, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def delete(conn: Connection, key: str) -> None:
    await conn.execute("DELETE FROM kv WHERE key = ?", (key,))


def chat_options_key(platform: str, chat_id: str) -> str:
    """Where a transport without buttons keeps the options a chat was last shown (so typed
    numbers choose among them after a restart); a person's /forgetme deletes it."""
    return f"{platform}.options.{chat_id}"
