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
from bot.storage.report_handling import StoredDeadlines
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


@dataclass(frozen=True)
class DeadlineRules:
    """What decides a new report's deadlines in an area, read at once: the area's commune,
    its general deadlines (None: the defaults), the category's own as its officers set them
    (None: they set none for it), and the deployment's report settings as kept (kv)."""

    commune_id: int | None
    general: StoredDeadlines | None
    category: CategoryDeadline | None
    settings_raw: str | None


async def deadline_rules(
    conn: Connection, area_id: int | None, category: str, settings_key: str
) -> DeadlineRules:
    """One statement for the four reads a new report's deadlines need (the commune of the area,
    its deadlines, the category's, the settings): read afresh every time, so what an officer
    changed is what the next report gets, whichever process changed it."""
    async with conn.execute(
        "SELECT a.commune_id, d.ack_minutes_now, d.ack_minutes, d.resolve_days, c.category,"
        " c.ack_minutes, c.resolve_days, (SELECT value FROM kv WHERE key = ?)"
        " FROM (SELECT 1 AS one) q"
        " LEFT JOIN areas a ON a.id = ?"
        " LEFT JOIN report_deadlines d ON d.commune_id = a.commune_id"
        " LEFT JOIN report_category_deadlines c ON c.commune_id = a.commune_id"
        " AND c.category = ?",
        (settings_key, area_id, category),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None  # the one row of q
    commune = int(row[0]) if row[0] is not None else None
    general = StoredDeadlines(int(row[1]), int(row[2]), int(row[3])) if row[1] is not None else None
    own = (
        CategoryDeadline(
            int(row[5]) if row[5] is not None else None,
            int(row[6]) if row[6] is not None else None,
        )
        if row[4] is not None
        else None
    )
    return DeadlineRules(commune, general, own, str(row[7]) if row[7] is not None else None)
