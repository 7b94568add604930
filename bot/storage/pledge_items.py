"""The catalog of pledge items: the lines each audience signs, in Vietnamese and English.

Items are retired, never deleted (a signed pledge keeps its own copy of each line's words).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Item:
    id: int
    audience: str
    position: int
    text_vi: str
    text_en: str
    builtin: bool
    retired: bool

    def text(self, language: str) -> str:
        """The wording in the reader's language (English falls back to Vietnamese)."""
        return self.text_en if language == "en" and self.text_en else self.text_vi


def _item(row: Row) -> Item:
    return Item(
        row["id"],
        row["audience"],
        row["position"],
        row["text_vi"],
        row["text_en"],
        bool(row["builtin"]),
        row["retired_at"] is not None,
    )


async def items(conn: Connection, audience: str, *, include_retired: bool = False) -> list[Item]:
    sql = "SELECT * FROM pledge_items WHERE audience = ?"
    if not include_retired:
        sql += " AND retired_at IS NULL"
    async with conn.execute(sql + " ORDER BY position, id", (audience,)) as cur:
        return [_item(r) for r in await cur.fetchall()]


async def items_by_id(conn: Connection, item_ids: list[int]) -> list[Item]:
    """The items with these ids, in the order given (ids no longer stored are left out)."""
    if not item_ids:
        return []
    marks = ",".join("?" for _ in item_ids)
    async with conn.execute(f"SELECT * FROM pledge_items WHERE id IN ({marks})", item_ids) as cur:
        found = {row["id"]: _item(row) for row in await cur.fetchall()}
    return [found[i] for i in item_ids if i in found]


async def item(conn: Connection, item_id: int) -> Item | None:
    async with conn.execute("SELECT * FROM pledge_items WHERE id = ?", (item_id,)) as cur:
        row = await cur.fetchone()
    return _item(row) if row else None


async def add_item(
    conn: Connection, audience: str, text_vi: str, text_en: str, now: datetime
) -> int:
    async with conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM pledge_items WHERE audience = ?", (audience,)
    ) as cur:
        row = await cur.fetchone()
    position = int(row[0]) if row else 1
    new_id = await insert(
        conn,
        "INSERT INTO pledge_items (audience, position, text_vi, text_en, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (audience, position, text_vi, text_en, to_db(now), to_db(now)),
    )
    return new_id


async def reword_item(
    conn: Connection, item_id: int, text_vi: str, text_en: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE pledge_items SET text_vi = ?, text_en = ?, updated_at = ? WHERE id = ?",
        (text_vi, text_en, to_db(now), item_id),
    )


async def set_item_retired(conn: Connection, item_id: int, retired: bool, now: datetime) -> None:
    await conn.execute(
        "UPDATE pledge_items SET retired_at = ?, updated_at = ? WHERE id = ?",
        (to_db(now) if retired else None, to_db(now), item_id),
    )
