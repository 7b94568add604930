"""Chats the bot is in: private chats and groups, their area link and whether they still work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.db import Connection, Row
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Chat:
    id: int
    platform: str
    chat_id: str
    kind: str
    title: str | None
    area_id: int | None
    language: str | None
    active: bool


def _chat(row: Row) -> Chat:
    return Chat(
        row["id"],
        row["platform"],
        row["chat_id"],
        row["kind"],
        row["title"],
        row["area_id"],
        row["language"],
        bool(row["active"]),
    )


async def find(conn: Connection, platform: str, chat_id: str) -> Chat | None:
    rows = await conn.execute_fetchall(  # one round trip to the database thread
        "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (platform, chat_id)
    )
    return _chat(next(iter(rows))) if rows else None


# How old the "last seen" time of a chat may get before an update writes it again: most
# updates then read the chat without writing it.
SEEN_PRECISION = timedelta(hours=1)


async def upsert(
    conn: Connection,
    platform: str,
    chat_id: str,
    kind: str,
    title: str | None,
    now: datetime,
    *,
    reactivate: bool = False,
) -> Chat:
    """The chat, created when new; its title, "last seen" time (to within
    ``SEEN_PRECISION``) and, with ``reactivate``, its active flag brought up to date."""
    rows = await conn.execute_fetchall(
        "SELECT *, updated_at >= ? AS fresh FROM chats WHERE platform = ? AND chat_id = ?",
        (to_db(now - SEEN_PRECISION), platform, chat_id),
    )
    if rows:
        row = next(iter(rows))
        known = _chat(row)
        unchanged = title is None or title == known.title
        if row["fresh"] and unchanged and (known.active or not reactivate):
            return known
    await conn.execute(
        "INSERT INTO chats (platform, chat_id, kind, title, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (platform, chat_id) DO UPDATE SET"
        "   title = COALESCE(excluded.title, chats.title), updated_at = excluded.updated_at,"
        "   active = CASE WHEN ? THEN 1 ELSE chats.active END",
        (platform, chat_id, kind, title, to_db(now), to_db(now), reactivate),
    )
    chat = await find(conn, platform, chat_id)
    assert chat is not None
    return chat


async def set_active(
    conn: Connection, platform: str, chat_id: str, active: bool, now: datetime
) -> None:
    await conn.execute(
        "UPDATE chats SET active = ?, updated_at = ? WHERE platform = ? AND chat_id = ?",
        (int(active), to_db(now), platform, chat_id),
    )


async def set_title(
    conn: Connection, platform: str, chat_id: str, title: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE chats SET title = ?, updated_at = ? WHERE platform = ? AND chat_id = ?",
        (title, to_db(now), platform, chat_id),
    )


async def link_area(conn: Connection, chat_row_id: int, area_id: int | None) -> None:
    await conn.execute("UPDATE chats SET area_id = ? WHERE id = ?", (area_id, chat_row_id))


async def migrate(
    conn: Connection, platform: str, old_chat_id: str, new_chat_id: str, now: datetime
) -> bool:
    """Follow a group that became a supergroup: every stored reference moves to the new id.

    Idempotent: Telegram announces the move twice (in the old and in the new chat).
    """
    if await find(conn, platform, new_chat_id) is not None:
        old = await find(conn, platform, old_chat_id)
        if old is not None:  # both exist: keep the new row, carry the area link over
            await conn.execute(
                "UPDATE chats SET area_id = COALESCE(area_id, ?), kind = 'group', active = 1"
                " WHERE platform = ? AND chat_id = ?",
                (old.area_id, platform, new_chat_id),
            )
            await conn.execute("DELETE FROM chats WHERE id = ?", (old.id,))
        moved = False
    else:
        cur = await conn.execute(
            "UPDATE chats SET chat_id = ?, active = 1, updated_at = ?"
            " WHERE platform = ? AND chat_id = ?",
            (new_chat_id, to_db(now), platform, old_chat_id),
        )
        moved = cur.rowcount > 0
    for table in ("outbox", "menus", "conversations"):
        await conn.execute(
            f"UPDATE {table} SET chat_id = ? WHERE platform = ? AND chat_id = ?",
            (new_chat_id, platform, old_chat_id),
        )
    # Remember the move, so replies and messages still addressed to the old id follow it
    # (an earlier move to the old id now leads straight to the new one).
    await conn.execute(
        "INSERT INTO chat_migrations (platform, old_chat_id, new_chat_id, migrated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (platform, old_chat_id) DO UPDATE SET"
        " new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at",
        (platform, old_chat_id, new_chat_id, to_db(now)),
    )
    await conn.execute(
        "UPDATE chat_migrations SET new_chat_id = ? WHERE platform = ? AND new_chat_id = ?",
        (new_chat_id, platform, old_chat_id),
    )
    return moved


async def moves(conn: Connection, platform: str) -> dict[str, str]:
    """Every group that became a supergroup: old id -> the id it has now."""
    async with conn.execute(
        "SELECT old_chat_id, new_chat_id FROM chat_migrations WHERE platform = ?", (platform,)
    ) as cur:
        return {str(r[0]): str(r[1]) for r in await cur.fetchall()}


async def current_id(conn: Connection, platform: str, chat_id: str) -> str:
    """The id a chat has now: the new id of a group that became a supergroup, else itself."""
    async with conn.execute(
        "SELECT new_chat_id FROM chat_migrations WHERE platform = ? AND old_chat_id = ?",
        (platform, chat_id),
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else chat_id


async def group_ids(conn: Connection, platform: str, chat_ids: set[str]) -> set[str]:
    """Which of these chats are groups (by their kind)."""
    if not chat_ids:
        return set()
    marks = ",".join("?" for _ in chat_ids)
    async with conn.execute(
        f"SELECT chat_id FROM chats WHERE platform = ? AND kind = 'group' AND chat_id IN ({marks})",
        (platform, *sorted(chat_ids)),
    ) as cur:
        return {str(r[0]) for r in await cur.fetchall()}


async def groups(conn: Connection, *, area_id: int | None = None) -> list[Chat]:
    sql = "SELECT * FROM chats WHERE kind = 'group' AND active = 1"
    params: tuple[object, ...] = ()
    if area_id is not None:
        sql += " AND area_id = ?"
        params = (area_id,)
    async with conn.execute(sql + " ORDER BY id", params) as cur:
        return [_chat(r) for r in await cur.fetchall()]
