"""Where each person is in a multi-step conversation, per chat; survives restarts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


@dataclass
class Conversation:
    flow: str
    step: str
    token: str
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


async def load(
    conn: Connection, platform: str, chat_id: str, user_id: str, now: datetime
) -> Conversation | None:
    rows = await conn.execute_fetchall(  # one round trip: this runs on every update
        "SELECT flow, step, token, data, expires_at FROM conversations"
        " WHERE platform = ? AND chat_id = ? AND user_id = ?",
        (platform, chat_id, user_id),
    )
    if not rows:
        return None
    row = next(iter(rows))
    expires = from_db(row["expires_at"])
    if expires <= now:
        return None
    return Conversation(row["flow"], row["step"], row["token"], json.loads(row["data"]), expires)


async def save(
    conn: Connection,
    platform: str,
    chat_id: str,
    user_id: str,
    conversation: Conversation,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO conversations"
        " (platform, chat_id, user_id, flow, step, data, token, updated_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET flow = excluded.flow,"
        " step = excluded.step, data = excluded.data, token = excluded.token,"
        " updated_at = excluded.updated_at, expires_at = excluded.expires_at",
        (
            platform,
            chat_id,
            user_id,
            conversation.flow,
            conversation.step,
            json.dumps(conversation.data, ensure_ascii=False),
            conversation.token,
            to_db(now),
            to_db(expires_at),
        ),
    )


async def clear(conn: Connection, platform: str, chat_id: str, user_id: str) -> None:
    await conn.execute(
        "DELETE FROM conversations WHERE platform = ? AND chat_id = ? AND user_id = ?",
        (platform, chat_id, user_id),
    )
