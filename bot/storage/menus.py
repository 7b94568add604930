"""Menus behind buttons. A button carries only ``<menu id>:<index>`` (Telegram allows 64 bytes);
the action each option stands for is kept here."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Menu:
    id: str
    platform: str
    chat_id: int
    user_id: int | None
    actions: list[str]
    token: str | None
    expires_at: datetime


async def create(
    conn: aiosqlite.Connection,
    platform: str,
    chat_id: int,
    user_id: int | None,
    actions: list[str],
    token: str | None,
    now: datetime,
    expires_at: datetime,
) -> str:
    menu_id = secrets.token_urlsafe(6)
    await conn.execute(
        "INSERT INTO menus (id, platform, chat_id, user_id, options, token, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            menu_id,
            platform,
            chat_id,
            user_id,
            json.dumps(actions),
            token,
            to_db(now),
            to_db(expires_at),
        ),
    )
    return menu_id


async def get(conn: aiosqlite.Connection, menu_id: str) -> Menu | None:
    rows = await conn.execute_fetchall("SELECT * FROM menus WHERE id = ?", (menu_id,))
    if not rows:
        return None
    row = next(iter(rows))
    return Menu(
        row["id"],
        row["platform"],
        row["chat_id"],
        row["user_id"],
        json.loads(row["options"]),
        row["token"],
        from_db(row["expires_at"]),
    )


async def close_user(conn: aiosqlite.Connection, platform: str, user_id: int) -> None:
    await conn.execute("DELETE FROM menus WHERE platform = ? AND user_id = ?", (platform, user_id))


async def purge_expired(conn: aiosqlite.Connection, now: datetime) -> int:
    cur = await conn.execute("DELETE FROM menus WHERE expires_at <= ?", (to_db(now),))
    return cur.rowcount
