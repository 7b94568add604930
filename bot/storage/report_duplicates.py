"""Reports that may be about the same matter: open, same area and category, made close in time.
(Whether they are near each other on the map is the feature's rule, on what this returns.)

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Connection
from bot.storage.reports import OPEN_STATUSES, Report, _report
from bot.storage.timefmt import to_db


async def open_alike(
    conn: Connection, report: Report, since: datetime, until: datetime, limit: int = 20
) -> list[Report]:
    """Open reports other than ``report`` of its area and category made in [since, until],
    the earliest first (the original of a repeated report is the one made first)."""
    if report.area_id is None:
        return []
    marks = ",".join("?" for _ in OPEN_STATUSES)
    async with conn.execute(
        f"SELECT * FROM reports WHERE area_id = ? AND category = ? AND id != ?"
        f" AND status IN ({marks}) AND created_at >= ? AND created_at <= ?"
        " ORDER BY created_at, id LIMIT ?",
        [
            report.area_id,
            report.category,
            report.id,
            *sorted(OPEN_STATUSES),
            to_db(since),
            to_db(until),
            limit,
        ],
    ) as cur:
        return [_report(r) for r in await cur.fetchall()]


async def repoint_followers(
    conn: Connection, merged_id: int, original_id: int, now: datetime
) -> list[int]:
    """The reports merged into ``merged_id`` now follow ``original_id`` (into which
    ``merged_id`` itself was merged), so a chain of merges never leaves a reporter following
    a report that is itself a duplicate. Returns their ids."""
    async with conn.execute(
        "SELECT id FROM reports WHERE duplicate_of = ? AND status = 'duplicate' ORDER BY id",
        (merged_id,),
    ) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    await conn.execute(
        "UPDATE reports SET duplicate_of = ?, updated_at = ?"
        " WHERE duplicate_of = ? AND status = 'duplicate'",
        (original_id, to_db(now), merged_id),
    )
    return ids
