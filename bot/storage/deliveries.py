"""Awareness deliveries for the figures and the downloads: each broadcast run with its message
counts (never a chat id or a text), and the counts kept when a run finishes.

A finished run's outbox rows no longer change, so their counts are kept then, per recipient
area, per commune and in total on the run (:func:`keep_delivery_counts`): the figures read a few
rows per broadcast instead of counting ten million outbox rows, and housekeeping may purge the
rows without changing them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.exports import Scope, when
from bot.storage.timefmt import from_db, to_db


# Awareness deliveries ---------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryRow:
    """One broadcast run with its message counts (no chat ids, no texts)."""

    run_id: int
    started_at: datetime
    topic: str
    target: str
    area_ids: list[int]
    urgent: bool
    status: str  # fanout, sending, done
    sent: int
    failed: int
    skipped: int
    pending: int
    finished_at: datetime | None


_RECIPIENT_AREA = (
    " LEFT JOIN chats c ON c.platform = o.platform AND c.chat_id = o.chat_id AND c.kind = 'group'"
    " LEFT JOIN members m ON m.platform = o.platform AND m.user_id = o.chat_id"
)
# A run's messages sent, failed, skipped and still to go (counted the same on both engines: a
# comparison is a number on SQLite, a boolean on PostgreSQL).
_COUNTS = (
    " SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.status = 'failed' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.status = 'skipped' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN o.status IN ('pending', 'sending') THEN 1 ELSE 0 END)"
)


async def deliveries(
    conn: Connection, area_ids: Scope, begin: datetime, end: datetime
) -> list[DeliveryRow]:
    """Broadcast runs started in [begin, end) (skipped runs left out), as
    ``bot.storage.stats.deliveries`` counts them: for some areas, only the messages to
    their groups and residents, and only the runs that reached them.

    A finished run's counts were kept when it finished (:func:`keep_delivery_counts`); only
    the runs still sending are counted from their outbox rows."""
    bounds = [to_db(begin), to_db(end)]
    async with conn.execute(
        "SELECT id, started_at, topic, target, area_ids, urgent, status, finished_at"
        " FROM broadcast_runs WHERE started_at >= ? AND started_at < ? AND status <> 'skipped'"
        " ORDER BY started_at, id",
        bounds,
    ) as cur:
        runs = list(await cur.fetchall())
    live = (
        "SELECT o.batch_id,"
        + _COUNTS
        + " FROM outbox o"
        + (_RECIPIENT_AREA if area_ids is not None else "")
        + " WHERE o.batch_id IN (SELECT id FROM broadcast_runs WHERE started_at >= ?"
        " AND started_at < ? AND status <> 'skipped' AND counts_kept = 0)"
    )
    if area_ids is None:  # the totals kept on the runs
        kept = (
            "SELECT id, kept_sent, kept_failed, kept_skipped, kept_pending FROM broadcast_runs"
            " WHERE started_at >= ? AND started_at < ? AND status <> 'skipped'"
            " AND counts_kept = 1"
        )
    else:  # the counts kept per area (COALESCE: the key's index)
        kept = (
            "SELECT k.run_id, SUM(k.sent), SUM(k.failed), SUM(k.skipped), SUM(k.pending)"
            " FROM broadcast_runs r JOIN broadcast_delivery_counts k ON k.run_id = r.id"
            " WHERE r.started_at >= ? AND r.started_at < ? AND r.status <> 'skipped'"
        )
    params: list[object] = list(bounds)
    if area_ids is not None:
        marks = ",".join("?" for _ in area_ids) or "NULL"
        live += f" AND COALESCE(c.area_id, m.area_id) IN ({marks})"
        kept += f" AND COALESCE(k.area_id, 0) IN ({marks}) GROUP BY k.run_id"
        params.extend(area_ids)
    counts: dict[int, list[int]] = {}
    for sql in (live + " GROUP BY o.batch_id", kept):
        async with conn.execute(sql, params) as cur:
            for row in await cur.fetchall():
                was = counts.setdefault(int(row[0]), [0, 0, 0, 0])
                for i in range(4):
                    was[i] += int(row[i + 1] or 0)
    found = []
    for r in runs:
        if area_ids is not None and int(r[0]) not in counts:
            continue
        sent, failed, skipped, pending = counts.get(int(r[0]), [0, 0, 0, 0])
        found.append(
            DeliveryRow(
                r[0],
                from_db(r[1]),
                r[2],
                r[3],
                [int(a) for a in json.loads(r[4] or "[]")],
                bool(r[5]),
                r[6],
                sent,
                failed,
                skipped,
                pending,
                when(r[7]),
            )
        )
    return found


# Counts kept when a run finishes ------------------------------------------------------------
async def keep_delivery_counts(conn: Connection, run_ids: list[int]) -> None:
    """When runs are done (their outbox rows no longer change): keep their counts per
    recipient area (the area they count for in :func:`deliveries`), added to any kept before
    (rows purged before this version), and mark the runs, so that their rows are never
    counted again, nor kept twice when housekeeping purges them."""
    if not run_ids:
        return
    marks = ",".join("?" for _ in run_ids)
    await conn.execute(
        "INSERT INTO broadcast_delivery_counts (run_id, area_id, sent, failed, skipped, pending)"
        " SELECT o.batch_id, COALESCE(c.area_id, m.area_id),"
        + _COUNTS
        + " FROM outbox o"
        + _RECIPIENT_AREA
        + f" WHERE o.batch_id IN ({marks})"
        " AND o.batch_id IN (SELECT id FROM broadcast_runs WHERE counts_kept = 0)"
        " GROUP BY o.batch_id, COALESCE(c.area_id, m.area_id)"
        " ON CONFLICT (run_id, COALESCE(area_id, 0)) DO UPDATE SET"
        " sent = broadcast_delivery_counts.sent + excluded.sent,"
        " failed = broadcast_delivery_counts.failed + excluded.failed,"
        " skipped = broadcast_delivery_counts.skipped + excluded.skipped,"
        " pending = broadcast_delivery_counts.pending + excluded.pending",
        run_ids,
    )
    await conn.execute(
        "UPDATE broadcast_runs SET counts_kept = 1,"
        " kept_sent = (SELECT COALESCE(SUM(sent), 0) FROM broadcast_delivery_counts"
        "   WHERE run_id = id),"
        " kept_failed = (SELECT COALESCE(SUM(failed), 0) FROM broadcast_delivery_counts"
        "   WHERE run_id = id),"
        " kept_skipped = (SELECT COALESCE(SUM(skipped), 0) FROM broadcast_delivery_counts"
        "   WHERE run_id = id),"
        " kept_pending = (SELECT COALESCE(SUM(pending), 0) FROM broadcast_delivery_counts"
        "   WHERE run_id = id)"
        f" WHERE id IN ({marks}) AND counts_kept = 0",
        run_ids,
    )
    await conn.execute(
        "INSERT INTO broadcast_commune_counts"
        " (commune_id, started_at, run_id, sent, failed)"
        " SELECT a.commune_id, r.started_at, r.id, SUM(k.sent), SUM(k.failed)"
        " FROM broadcast_runs r JOIN broadcast_delivery_counts k ON k.run_id = r.id"
        " JOIN areas a ON a.id = k.area_id"
        f" WHERE r.id IN ({marks}) AND a.commune_id IS NOT NULL GROUP BY r.id, a.commune_id"
        " ON CONFLICT (commune_id, started_at, run_id)"
        " DO UPDATE SET sent = excluded.sent, failed = excluded.failed",
        run_ids,
    )
