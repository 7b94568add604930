"""Purging what is no longer needed, keeping what the figures need.

Outbox rows are the delivery log: once a message is delivered, failed or skipped and older than
the retention, its row goes. A broadcast run's rows are what the awareness figures count, so a
finished run's rows go together, after their counts are kept (``deliveries.keep_delivery_counts``):
the figures read the same before and after. A stranger (someone who wrote to the bot but never
registered and holds no role) leaves a ``chats`` row; it goes once idle for the retention.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage import deliveries as deliveries_repo
from bot.storage.timefmt import to_db

FINAL = "('sent', 'failed', 'skipped')"


async def purge_outbox(conn: aiosqlite.Connection, cutoff: datetime) -> tuple[int, int]:
    """Drop final outbox rows older than ``cutoff``; return (rows dropped, broadcast runs whose
    rows were dropped after keeping their counts)."""
    async with conn.execute(
        "SELECT r.id FROM broadcast_runs r WHERE r.status = 'done' AND r.started_at < ?"
        " AND EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = r.id)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = r.id"
        "   AND (o.status NOT IN " + FINAL + " OR COALESCE(o.sent_at, o.created_at) >= ?))",
        (to_db(cutoff), to_db(cutoff)),
    ) as cur:
        runs = [int(r[0]) for r in await cur.fetchall()]
    dropped = 0
    if runs:
        await deliveries_repo.keep_delivery_counts(conn, runs)
        marks = ",".join("?" for _ in runs)
        cur = await conn.execute(f"DELETE FROM outbox WHERE batch_id IN ({marks})", runs)
        dropped += cur.rowcount
    cur = await conn.execute(
        "DELETE FROM outbox WHERE batch_id IS NULL AND status IN "
        + FINAL
        + " AND COALESCE(sent_at, created_at) < ?"
        # a message still to be edited in place needs the one it edits
        " AND id NOT IN (SELECT edit_of FROM outbox WHERE edit_of IS NOT NULL"
        "   AND status IN ('pending', 'sending'))"
        " AND id NOT IN (SELECT progress_outbox FROM broadcast_runs"
        "   WHERE progress_outbox IS NOT NULL AND status <> 'done')",
        (to_db(cutoff),),
    )
    dropped += cur.rowcount
    return dropped, len(runs)


async def purge_strangers(conn: aiosqlite.Connection, cutoff: datetime) -> int:
    """Drop the private chats of people who never registered and hold no role, idle since
    before ``cutoff``."""
    cur = await conn.execute(
        "DELETE FROM chats WHERE kind = 'private' AND updated_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM members m WHERE m.platform = chats.platform"
        "   AND m.user_id = chats.chat_id AND (m.consent_at IS NOT NULL"
        "   OR EXISTS (SELECT 1 FROM roles r WHERE r.member_id = m.id)))",
        (to_db(cutoff),),
    )
    return cur.rowcount
