"""People who use the bot, keyed by platform and the platform's user id."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Member:
    id: int
    platform: str
    user_id: str
    display_name: str | None
    language: str | None
    area_id: int | None
    consent_at: datetime | None
    created_at: datetime

    @property
    def onboarded(self) -> bool:
        return self.consent_at is not None and bool(self.display_name) and self.area_id is not None


def _member(row: Row) -> Member:
    return Member(
        id=row["id"],
        platform=row["platform"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        language=row["language"],
        area_id=row["area_id"],
        consent_at=from_db(row["consent_at"]) if row["consent_at"] else None,
        created_at=from_db(row["created_at"]),
    )


async def find(conn: Connection, platform: str, user_id: str) -> Member | None:
    rows = await conn.execute_fetchall(  # one round trip: this runs on every update
        "SELECT * FROM members WHERE platform = ? AND user_id = ?", (platform, user_id)
    )
    return _member(next(iter(rows))) if rows else None


async def get(conn: Connection, member_id: int) -> Member | None:
    async with conn.execute("SELECT * FROM members WHERE id = ?", (member_id,)) as cur:
        row = await cur.fetchone()
    return _member(row) if row else None


async def by_ids(conn: Connection, ids: Iterable[int]) -> dict[int, Member]:
    """The members of ``ids`` that exist, by id (one statement)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    async with conn.execute(f"SELECT * FROM members WHERE id IN ({marks})", wanted) as cur:
        rows = await cur.fetchall()
    return {m.id: m for m in map(_member, rows)}


async def ensure(conn: Connection, platform: str, user_id: str, now: datetime) -> Member:
    """The member row for this person, created empty (no consent, no name) if absent."""
    await conn.execute(
        "INSERT INTO members (platform, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (platform, user_id) DO NOTHING",
        (platform, user_id, to_db(now), to_db(now)),
    )
    member = await find(conn, platform, user_id)
    assert member is not None
    return member


async def complete_onboarding(
    conn: Connection,
    member_id: int,
    *,
    display_name: str,
    area_id: int,
    language: str,
    consent_version: int,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE members SET display_name = ?, area_id = ?, language = ?, consent_at = ?,"
        " consent_version = ?, updated_at = ? WHERE id = ?",
        (display_name, area_id, language, to_db(now), consent_version, to_db(now), member_id),
    )


async def set_language(conn: Connection, member_id: int, language: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE members SET language = ?, updated_at = ? WHERE id = ?",
        (language, to_db(now), member_id),
    )


async def search(
    conn: Connection,
    name_part: str,
    *,
    area_id: int | None = None,
    limit: int = 8,
    fold: Callable[[str], str] = str.casefold,
    within: Collection[int] | None = None,
) -> list[Member]:
    """Onboarded members whose name contains ``name_part``, both compared through ``fold``
    (callers pass ``bot.shared.text.search_key`` so that "tran van" finds "Trần Văn Ba");
    only those living in one of the areas ``within`` when given (a commune officer's)."""
    sql = "SELECT * FROM members WHERE consent_at IS NOT NULL AND display_name IS NOT NULL"
    params: list[object] = []
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)
    if within is not None:
        sql += f" AND area_id IN ({','.join('?' * len(within)) or 'NULL'})"
        params.extend(sorted(within))
    async with conn.execute(sql + " ORDER BY display_name", params) as cur:
        rows = await cur.fetchall()
    folded = fold(name_part)
    found = [_member(r) for r in rows if folded and folded in fold(r["display_name"] or "")]
    return found[:limit]


async def in_area(conn: Connection, area_id: int, *, limit: int | None = None) -> list[Member]:
    """Registered members of an area by name; the first ``limit`` of them when given."""
    # Those without a name last, on both engines (SQLite puts NULLs first, PostgreSQL last);
    # the same names in the order they registered.
    sql = (
        "SELECT * FROM members WHERE area_id = ? AND consent_at IS NOT NULL"
        " ORDER BY display_name NULLS LAST, id"
    )
    params: tuple[object, ...] = (area_id,)
    if limit is not None:
        sql, params = sql + " LIMIT ?", (area_id, limit)
    async with conn.execute(sql, params) as cur:
        return [_member(r) for r in await cur.fetchall()]


async def count_in_area(conn: Connection, area_id: int) -> int:
    """How many registered members an area has."""
    async with conn.execute(
        "SELECT COUNT(*) FROM members WHERE area_id = ? AND consent_at IS NOT NULL", (area_id,)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def delete(conn: Connection, member_id: int) -> None:
    await conn.execute("DELETE FROM members WHERE id = ?", (member_id,))
