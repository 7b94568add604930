"""Files behind download links (see 0021_downloads.sql): made once, taken once, purged when
expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Download:
    id: str
    platform: str
    person_id: str
    filename: str
    expires_at: datetime
    used_at: datetime | None


async def create(
    conn: Connection,
    download_id: str,
    platform: str,
    person_id: str,
    filename: str,
    content: bytes,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO downloads (id, platform, person_id, filename, content, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (download_id, platform, person_id, filename, content, to_db(now), to_db(expires_at)),
    )


async def get(conn: Connection, download_id: str) -> Download | None:
    async with conn.execute(
        "SELECT id, platform, person_id, filename, expires_at, used_at FROM downloads WHERE id = ?",
        (download_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return Download(
        row[0], row[1], row[2], row[3], from_db(row[4]), from_db(row[5]) if row[5] else None
    )


async def take(conn: Connection, download_id: str, now: datetime) -> tuple[str, bytes] | None:
    """The file's name and content, once: None when it is unknown, used or expired."""
    async with conn.execute(
        "UPDATE downloads SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?"
        " RETURNING filename, content",
        (to_db(now), download_id, to_db(now)),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    await conn.execute("UPDATE downloads SET content = ? WHERE id = ?", (b"", download_id))
    return str(row[0]), bytes(row[1])


async def peek(conn: Connection, download_id: str, now: datetime) -> tuple[str, bytes] | None:
    """The file's name and content while it has not expired, without using it up (a photo
    the chat platform fetches to show it); None when it is unknown or expired."""
    async with conn.execute(
        "SELECT filename, content FROM downloads WHERE id = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (download_id, to_db(now)),
    ) as cur:
        row = await cur.fetchone()
    return (str(row[0]), bytes(row[1])) if row is not None else None


async def purge(conn: Connection, now: datetime) -> int:
    """Delete expired links (used ones are kept until then, to say "already used")."""
    cur = await conn.execute("DELETE FROM downloads WHERE expires_at <= ?", (to_db(now),))
    return cur.rowcount
