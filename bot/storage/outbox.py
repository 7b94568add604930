"""The durable outbox: every message to a chat other than the one being answered is written here
first, in the same transaction as the change that caused it, then delivered by a worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    platform: str
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]]
    batch_id: int | None
    attempts: int
    not_before: datetime


def _message(row: aiosqlite.Row) -> OutboxMessage:
    return OutboxMessage(
        row["id"],
        row["platform"],
        row["chat_id"],
        row["text"],
        json.loads(row["buttons"]),
        row["batch_id"],
        row["attempts"],
        from_db(row["not_before"]),
    )


async def enqueue(
    conn: aiosqlite.Connection,
    platform: str,
    chat_id: int,
    text: str,
    buttons: list[list[dict[str, Any]]],
    now: datetime,
    *,
    not_before: datetime | None = None,
    batch_id: int | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO outbox (platform, chat_id, text, buttons, batch_id, created_at, not_before)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            platform,
            chat_id,
            text,
            json.dumps(buttons, ensure_ascii=False),
            batch_id,
            to_db(now),
            to_db(not_before or now),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def claim_due(
    conn: aiosqlite.Connection, platform: str, now: datetime, limit: int
) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as being sent and return them, oldest first."""
    async with conn.execute(
        "SELECT * FROM outbox WHERE platform = ? AND status = 'pending' AND not_before <= ?"
        " ORDER BY not_before, id LIMIT ?",
        (platform, to_db(now), limit),
    ) as cur:
        rows = [_message(r) for r in await cur.fetchall()]
    if rows:
        marks = ",".join("?" for _ in rows)
        await conn.execute(
            f"UPDATE outbox SET status = 'sending' WHERE id IN ({marks})",
            [m.id for m in rows],
        )
    return rows


async def next_due_at(conn: aiosqlite.Connection, platform: str) -> datetime | None:
    async with conn.execute(
        "SELECT MIN(not_before) FROM outbox WHERE platform = ? AND status = 'pending'",
        (platform,),
    ) as cur:
        row = await cur.fetchone()
    return from_db(row[0]) if row and row[0] else None


async def mark_sent(conn: aiosqlite.Connection, message_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
        (to_db(now), message_id),
    )


async def mark_final(conn: aiosqlite.Connection, message_id: int, status: str, reason: str) -> None:
    """Give up on a message: ``failed`` (after retries) or ``skipped`` (chat unreachable)."""
    await conn.execute(
        "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (status, reason[:500], message_id),
    )


async def retry_later(
    conn: aiosqlite.Connection, message_id: int, when: datetime, reason: str, *, count: bool = True
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ?,"
        " attempts = attempts + ? WHERE id = ?",
        (to_db(when), reason[:500], int(count), message_id),
    )


async def recover_in_flight(conn: aiosqlite.Connection) -> int:
    """After a crash, messages marked as being sent are sent again (at most these duplicate)."""
    cur = await conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cur.rowcount


async def skip_chat(conn: aiosqlite.Connection, platform: str, chat_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'skipped', last_error = ?"
        " WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')",
        (reason, platform, chat_id),
    )


async def counts(conn: aiosqlite.Connection, batch_id: int | None = None) -> dict[str, int]:
    sql, params = "SELECT status, COUNT(*) FROM outbox", ()
    if batch_id is not None:
        sql, params = sql + " WHERE batch_id = ?", (batch_id,)  # type: ignore[assignment]
    async with conn.execute(sql + " GROUP BY status", params) as cur:
        return {r[0]: r[1] for r in await cur.fetchall()}


async def forget_chat(conn: aiosqlite.Connection, platform: str, chat_id: int) -> None:
    await conn.execute(
        "DELETE FROM outbox WHERE platform = ? AND chat_id = ? AND status <> 'sent'",
        (platform, chat_id),
    )
    await conn.execute(
        "UPDATE outbox SET text = '', buttons = '[]' WHERE platform = ? AND chat_id = ?",
        (platform, chat_id),
    )
