"""Public pledge boards: the messages a board was posted as, so they can be edited later."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Board:
    id: int
    campaign_id: int
    area_id: int
    platform: str
    chat_id: str
    language: str
    outbox_ids: list[int]


async def add_board(
    conn: Connection,
    *,
    campaign_id: int,
    area_id: int,
    platform: str,
    chat_id: str,
    language: str,
    outbox_ids: list[int],
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO pledge_boards (campaign_id, area_id, platform, chat_id, language,"
        " outbox_ids, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (campaign_id, area_id, platform, chat_id, language, json.dumps(outbox_ids), to_db(now)),
    )
    return new_id


async def boards(conn: Connection, campaign_id: int, area_id: int) -> list[Board]:
    async with conn.execute(
        "SELECT * FROM pledge_boards WHERE campaign_id = ? AND area_id = ? ORDER BY id",
        (campaign_id, area_id),
    ) as cur:
        rows = await cur.fetchall()
    return [
        Board(
            r["id"],
            r["campaign_id"],
            r["area_id"],
            r["platform"],
            r["chat_id"],
            r["language"],
            [int(i) for i in json.loads(r["outbox_ids"])],
        )
        for r in rows
    ]


async def set_board_messages(conn: Connection, board_id: int, outbox_ids: list[int]) -> None:
    await conn.execute(
        "UPDATE pledge_boards SET outbox_ids = ? WHERE id = ?", (json.dumps(outbox_ids), board_id)
    )
