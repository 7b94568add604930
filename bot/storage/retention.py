"""Purging what is no longer needed, keeping what the figures need.

Outbox rows are the delivery log: once a message is delivered, failed or skipped and older than
the retention, its row goes. A broadcast run's rows are what the awareness figures count, so a
finished run's rows go together, after their counts are kept (``deliveries.keep_delivery_counts``):
the figures read the same before and after. A stranger (someone who wrote to the bot but never
registered and holds no role) leaves a ``chats`` row; it goes once idle for the retention.

Each purge deletes in bounded batches: a batch looks at a window of at most ``SCAN`` rows of the
table, walking it by its integer key (``_KEYS``: SQLite's rowid) from ``after``, and deletes at
most ``limit`` of them. The caller runs each batch in its own short transaction and lets the
chats' updates in between, so a large purge never holds the database (nor, since statements run
on the event loop's thread, every chat) for long, even when few rows match (looking for the idle
strangers among 100,000 members' chats read them all in one statement: 15 ms). A batch returns
the rows it deleted and the key to go on after, None once the end of the table is reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage import deliveries as deliveries_repo
from bot.storage.db import Connection
from bot.storage.timefmt import to_db

FINAL = "('sent', 'failed', 'skipped')"
SEEN_KEPT = timedelta(days=3)  # how long a message id is remembered to drop its repeats
BATCH = 1000  # rows deleted per statement (with secure_delete on, ~4 ms of work; 5,000: 22 ms)
SCAN = 5000  # rows of the table a batch looks at, at most (~1 ms)

Batch = tuple[int, int | None]
# The integer key a purge walks: the id where the table has one (in SQLite the same as its
# rowid), else ``rowid``: SQLite's own, a column of its own in PostgreSQL's schema.
_KEYS = {
    "outbox": "id",
    "chats": "id",
    "menus": "rowid",
    "conversations": "rowid",
    "seen_messages": "rowid",
}


async def _delete_batch(
    conn: Connection,
    table: str,
    where: str,
    params: tuple[object, ...],
    after: int,
    limit: int,
    scan: int | None = SCAN,
) -> Batch:
    """Delete the first ``limit`` rows of ``table`` matching ``where`` among the ``scan`` rows
    past key ``after`` (``scan`` None: an index finds the rows of ``where``, the next
    ``limit`` of them past ``after``)."""
    key = _KEYS[table]
    upto: int | None = None
    window = ""
    if scan is not None:
        async with conn.execute(
            f"SELECT MAX({key}) FROM (SELECT {key} FROM {table} WHERE {key} > ?"
            f" ORDER BY {key} LIMIT ?) AS w",
            (after, scan),
        ) as cur:
            row = await cur.fetchone()
        if row is None or row[0] is None:
            return 0, None  # the end of the table
        upto, window = int(row[0]), f" AND {key} <= {int(row[0])}"
    async with conn.execute(
        f"SELECT {key} FROM {table} WHERE ({where}) AND {key} > ?{window} ORDER BY {key} LIMIT ?",
        (*params, after, limit),
    ) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    deleted = 0
    if ids:
        marks = ",".join("?" for _ in ids)
        done = await conn.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", ids)
        deleted = done.rowcount
    return deleted, ids[-1] if len(ids) == limit else upto


async def finish_runs(conn: Connection, cutoff: datetime) -> list[int]:
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
    conn: Connection, runs: list[int], after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the outbox rows of ``runs`` (see :func:`finish_runs`)."""
    if not runs:
        return 0, None
    marks = ",".join("?" for _ in runs)
    return await _delete_batch(
        conn, "outbox", f"batch_id IN ({marks})", (*runs,), after, limit, scan=None
    )


async def purge_outbox(
    conn: Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
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
    conn: Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
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


async def purge_menus(conn: Connection, now: datetime, after: int = 0, limit: int = BATCH) -> Batch:
    """A batch of the expired menus (their buttons then answer "no longer active")."""
    return await _delete_batch(conn, "menus", "expires_at <= ?", (to_db(now),), after, limit)


async def purge_seen_messages(
    conn: Connection, cutoff: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the message ids seen before ``cutoff`` (a platform repeats a message within
    minutes, so a few days is plenty)."""
    return await _delete_batch(conn, "seen_messages", "seen_at < ?", (to_db(cutoff),), after, limit)


async def purge_conversations(
    conn: Connection, now: datetime, after: int = 0, limit: int = BATCH
) -> Batch:
    """A batch of the expired conversations."""
    return await _delete_batch(
        conn, "conversations", "expires_at <= ?", (to_db(now),), after, limit
    )
