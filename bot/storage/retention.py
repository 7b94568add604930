"""Purging what is no longer needed, keeping what the figures need.

Outbox rows are the delivery log: once a message is delivered, failed or skipped and older than
the retention, its row goes. A broadcast run's rows are what the awareness figures count, so a
finished run's rows go together, after their counts are kept (``deliveries.keep_delivery_counts``):
the figures read the same before and after. A stranger (someone who wrote to the bot but never
registered and holds no role) leaves a ``chats`` row; it goes once idle for the retention.

Each purge deletes in bounded batches: a batch looks at a window of at most ``SCAN`` rows of the
table, walking it by rowid from ``after``, and deletes at most ``limit`` of them. The caller runs
each batch in its own short transaction and lets the chats' updates in between, so a large purge
never holds the database (nor, since statements run on the event loop's thread, every chat) for
long, even when few rows match (looking for the idle strangers among 100,000 members' chats read
them all in one statement: 15 ms). A batch returns the rows it deleted and the rowid to go on
after, None once the end of the table is reached.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import aiosqlite

from bot.storage import deliveries as deliveries_repo
from bot.storage.timefmt import to_db

FINAL = "('sent', 'failed', 'skipped')"
SEEN_KEPT = timedelta(days=3)  # how long a message id is remembered to drop its repeats
BATCH = 1000  # rows deleted per statement (with secure_delete on, ~4 ms of work; 5,000: 22 ms)
SCAN = 5000  # rows of the table a batch looks at, at most (~1 ms)

Batch = tuple[int, int | None]


async def _delete_batch(
    conn: aiosqlite.Connection,
    table: str,
    where: str,
    params: tuple[object, ...],
    after: int,
    limit: int,
    scan: int | None = SCAN,
) -> Batch:
    """Delete the first ``limit`` rows of ``table`` matching ``where`` among the ``scan`` rows
    past rowid ``after`` (``scan`` None: an index finds the rows of ``where``, the next
    ``limit`` of them past ``after``)."""
    upto: int | None = None
    window = ""
    if scan is not None:
        async with conn.execute(
            f"SELECT MAX(rowid) FROM (SELECT rowid FROM {table} WHERE rowid > ?"
            " ORDER BY rowid LIMIT ?)",
            (after, scan),
        ) as cur:
            row = await cur.fetchone()
        if row is None or row[0] is None:
            return 0, None  # the end of the table
        upto, window = int(row[0]), f" AND rowid <= {int(row[0])}"
    async with conn.execute(
        f"SELECT rowid FROM {table} WHERE ({where}) AND rowid > ?{window} ORDER BY rowid LIMIT ?",
        (*params, after, limit),
    ) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    deleted = 0
    if ids:
        done = await conn.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        deleted = done.rowcount
    return deleted, ids[-1] if len(ids) == limit else upto


async def finish_runs(conn: aiosqlite.Connection, cutoff: datetime) -> list[int]:
    """The finished broadcast runs whose every outbox row is final and older than ``cutoff``,
    their counts kept (``deliveries.keep_delivery_counts``: from then on the figures read the
    counts, never the rows), so their rows may go, in as many batches as it takes."""
    async with conn.execute(
        "SELECT r.id FROM broadcast_runs r WHERE r.status = 'done' AND r.started_at < ?"
        " AND EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = r.id)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = r.id"
        "   AND (o.status NOT IN " + FINAL + " OR COALESCE(o.sent_at, o.created_at) >= ?))",
        (to_db(cutoff), to_db(cutoff)),
    ) as cur:
        runs = [int(r[0]) for r in await cur.fetchall()]
    await deliveries_repo.keep_delivery_counts(conn, runs)
    return runs


async def purge_run_rows(
    conn: aiosqlite.Connection, runs: list[int], after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the outbox rows of ``runs`` (see :func:`finish_runs`)."""
    if not runs:
        return 0, None
    marks = ",".join("?" for _ in runs)
    return await _delete_batch(
        conn, "outbox", f"batch_id IN ({marks})", (*runs,), after, limit, scan=None
    )


async def purge_outbox(
    conn: aiosqlite.Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the final outbox rows older than ``cutoff`` outside broadcast runs."""
    return await _delete_batch(
        conn,
        "outbox",
        "batch_id IS NULL AND status IN " + FINAL + " AND COALESCE(sent_at, created_at) < ?"
        # a message still to be edited in place needs the one it edits
        " AND id NOT IN (SELECT edit_of FROM outbox WHERE edit_of IS NOT NULL"
        "   AND status IN ('pending', 'sending'))"
        " AND id NOT IN (SELECT progress_outbox FROM broadcast_runs"
        "   WHERE progress_outbox IS NOT NULL AND status <> 'done')",
        (to_db(cutoff),),
        after,
        limit,
        scan=None,  # outbox_batch has the final messages outside runs
    )


async def purge_strangers(
    conn: aiosqlite.Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the private chats of people who never registered and hold no role, idle
    since before ``cutoff``."""
    return await _delete_batch(
        conn,
        "chats",
        "kind = 'private' AND updated_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM members m WHERE m.platform = chats.platform"
        "   AND m.user_id = chats.chat_id AND (m.consent_at IS NOT NULL"
        "   OR EXISTS (SELECT 1 FROM roles r WHERE r.member_id = m.id)))",
        (to_db(cutoff),),
        after,
        limit,
    )


async def purge_menus(
    conn: aiosqlite.Connection, now: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the expired menus (their buttons then answer "no longer active")."""
    return await _delete_batch(conn, "menus", "expires_at <= ?", (to_db(now),), after, limit)


async def purge_seen_messages(
    conn: aiosqlite.Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the message ids seen before ``cutoff`` (a platform repeats a message within
    minutes, so a few days is plenty)."""
    return await _delete_batch(conn, "seen_messages", "seen_at < ?", (to_db(cutoff),), after, limit)


async def purge_conversations(
    conn: aiosqlite.Connection, now: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the expired conversations."""
    return await _delete_batch(
        conn, "conversations", "expires_at <= ?", (to_db(now),), after, limit
    )
