"""Menus behind buttons. A button carries only ``<menu id>:<index>`` (Telegram allows 64 bytes);
the action each option stands for is kept here."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Menu:
    id: str
    platform: str
    chat_id: str
    user_id: str | None
    actions: list[str]
    token: str | None
    expires_at: datetime
    step_token: str | None = None  # the conversation step it was shown in (bound or not)


async def create(
    conn: Connection,
    platform: str,
    chat_id: str,
    user_id: str | None,
    actions: list[str],
    token: str | None,
    now: datetime,
    expires_at: datetime,
    *,
    step_token: str | None = None,
    shown: tuple[str, list[list[dict[str, str]]]] | None = None,
) -> str:
    """A menu; ``shown`` keeps the message it was shown under (text, and each option's label
    with its action or link), so the step can be shown again."""
    menu_id = secrets.token_urlsafe(6)
    await conn.execute(
        "INSERT INTO menus (id, platform, chat_id, user_id, options, token, created_at,"
        " expires_at, step_token, shown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            menu_id,
            platform,
            chat_id,
            user_id,
            json.dumps(actions),
            token,
            to_db(now),
            to_db(expires_at),
            step_token,
            json.dumps({"text": shown[0], "rows": shown[1]}, ensure_ascii=False) if shown else None,
        ),
    )
    return menu_id


async def drop_for_flow(
    conn: Connection, platform: str, chat_id: str, user_id: str, prefix: str
) -> int:
    """Delete this person's menus in this chat that have a button of a flow (an action starting
    with ``prefix``, e.g. ``"rep:"``), so a finished flow leaves no trace of who went through it.
    Returns how many were deleted."""
    async with conn.execute(
        "SELECT id, options FROM menus WHERE platform = ? AND chat_id = ? AND user_id = ?",
        (platform, chat_id, user_id),
    ) as cur:
        rows = await cur.fetchall()
    ids = [(row[0],) for row in rows if any(str(a).startswith(prefix) for a in json.loads(row[1]))]
    await conn.executemany("DELETE FROM menus WHERE id = ?", ids)
    return len(ids)


async def get(conn: Connection, menu_id: str) -> Menu | None:
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
        row["step_token"],
    )


async def shown_for_step(
    conn: Connection,
    platform: str,
    chat_id: str,
    user_id: str,
    step_token: str,
    now: datetime,
) -> tuple[str, list[list[dict[str, str]]]] | None:
    """The latest message with options shown to this person in this step, if still usable."""
    async with conn.execute(
        "SELECT shown FROM menus WHERE platform = ? AND chat_id = ? AND user_id = ?"
        " AND step_token = ? AND shown IS NOT NULL AND expires_at > ?"
        " ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (platform, chat_id, user_id, step_token, to_db(now)),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    shown = json.loads(row[0])
    return str(shown["text"]), list(shown["rows"])


async def shown_text(conn: Connection, menu_id: str) -> str | None:
    """The text of the message a menu was shown under (None when not kept)."""
    rows = await conn.execute_fetchall("SELECT shown FROM menus WHERE id = ?", (menu_id,))
    for row in rows:
        if row[0]:
            return str(json.loads(row[0])["text"])
    return None
