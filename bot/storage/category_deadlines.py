"""The deadlines a commune's officers give one report category (migration 0028), overriding
the commune's general ones: acknowledge within N minutes, resolve within N days. A value kept
as None follows the commune's general deadline; a category with no row has the built-in
default, if any (bot.features.reports.handling.BUILT_IN_DEADLINES).

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class CategoryDeadline:
    """A category's own deadlines; None: the commune's general one."""

    ack_minutes: int | None = None
    resolve_days: int | None = None


async def of_commune(conn: Connection, commune_id: int | None) -> dict[str, CategoryDeadline]:
    """What the commune's officers set, by category (a category they never set is absent)."""
    if commune_id is None:
        return {}
    async with conn.execute(
        "SELECT category, ack_minutes, resolve_days FROM report_category_deadlines"
        " WHERE commune_id = ?",
        (commune_id,),
    ) as cur:
        rows = await cur.fetchall()
    return {
        str(r[0]): CategoryDeadline(
            int(r[1]) if r[1] is not None else None, int(r[2]) if r[2] is not None else None
        )
        for r in rows
    }


async def save(
    conn: Connection,
    commune_id: int,
    category: str,
    value: CategoryDeadline,
    by: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO report_category_deadlines (commune_id, category, ack_minutes, resolve_days,"
        " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (commune_id, category)"
        " DO UPDATE SET ack_minutes = excluded.ack_minutes,"
        " resolve_days = excluded.resolve_days, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (commune_id, category, value.ack_minutes, value.resolve_days, by, to_db(now)),
    )
