"""The yearly rating of safe residential areas: rating years, each area's five criteria and
result. Rows are updated in place (the audit log keeps the trail), never deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class RatingYear:
    year: int
    opened_by: int | None
    opened_at: datetime
    closed_by: int | None
    closed_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class CriterionRecord:
    criterion: int
    met: bool | None
    note: str | None
    recorded_by: int | None
    recorded_at: datetime
    suggested: bool | None = None  # what the bot's records suggested when it was recorded

    @property
    def against_records(self) -> bool:
        """Recorded as the opposite of what the records suggested (a note says why)."""
        return self.met is not None and self.suggested is not None and self.met != self.suggested


@dataclass(frozen=True)
class AreaRating:
    id: int
    year: int
    area_id: int
    result: bool | None
    decided_by: int | None
    decided_at: datetime | None
    criteria: dict[int, CriterionRecord] = field(default_factory=dict)


def _bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _year(row: Row) -> RatingYear:
    return RatingYear(
        row["year"],
        row["opened_by"],
        from_db(row["opened_at"]),
        row["closed_by"],
        from_db(row["closed_at"]) if row["closed_at"] else None,
    )


# Years ----------------------------------------------------------------------------------
async def get_year(conn: Connection, year: int) -> RatingYear | None:
    async with conn.execute("SELECT * FROM rating_years WHERE year = ?", (year,)) as cur:
        row = await cur.fetchone()
    return _year(row) if row else None


async def years(conn: Connection) -> list[RatingYear]:
    async with conn.execute("SELECT * FROM rating_years ORDER BY year") as cur:
        return [_year(r) for r in await cur.fetchall()]


async def open_year(conn: Connection, year: int, member_id: int | None, now: datetime) -> bool:
    """Open the rating of ``year``; False when it was open already."""
    cur = await conn.execute(
        "INSERT INTO rating_years (year, opened_by, opened_at) VALUES (?, ?, ?)"
        " ON CONFLICT (year) DO NOTHING",
        (year, member_id, to_db(now)),
    )
    return cur.rowcount == 1


async def close_year(conn: Connection, year: int, member_id: int | None, now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE rating_years SET closed_by = ?, closed_at = ? WHERE year = ? AND closed_at IS NULL",
        (member_id, to_db(now), year),
    )
    return cur.rowcount == 1


async def reopen_year(conn: Connection, year: int) -> bool:
    cur = await conn.execute(
        "UPDATE rating_years SET closed_by = NULL, closed_at = NULL"
        " WHERE year = ? AND closed_at IS NOT NULL",
        (year,),
    )
    return cur.rowcount == 1


# Area ratings ---------------------------------------------------------------------------
async def _criteria(
    conn: Connection, rating_ids: list[int]
) -> dict[int, dict[int, CriterionRecord]]:
    found: dict[int, dict[int, CriterionRecord]] = {i: {} for i in rating_ids}
    if not rating_ids:
        return found
    marks = ", ".join("?" for _ in rating_ids)
    async with conn.execute(
        f"SELECT * FROM area_rating_criteria WHERE rating_id IN ({marks})"
        " ORDER BY rating_id, criterion",
        rating_ids,
    ) as cur:
        for r in await cur.fetchall():
            found[r["rating_id"]][r["criterion"]] = CriterionRecord(
                r["criterion"],
                _bool(r["met"]),
                r["note"],
                r["recorded_by"],
                from_db(r["recorded_at"]),
                _bool(r["suggested"]),
            )
    return found


async def _ratings(conn: Connection, where: str, params: list[object]) -> list[AreaRating]:
    async with conn.execute(
        f"SELECT * FROM area_ratings WHERE {where} ORDER BY year, area_id", params
    ) as cur:
        rows = await cur.fetchall()
    criteria = await _criteria(conn, [r["id"] for r in rows])
    return [
        AreaRating(
            r["id"],
            r["year"],
            r["area_id"],
            _bool(r["result"]),
            r["decided_by"],
            from_db(r["decided_at"]) if r["decided_at"] else None,
            criteria[r["id"]],
        )
        for r in rows
    ]


async def area_rating(conn: Connection, year: int, area_id: int) -> AreaRating | None:
    found = await _ratings(conn, "year = ? AND area_id = ?", [year, area_id])
    return found[0] if found else None


async def of_year(conn: Connection, year: int) -> list[AreaRating]:
    return await _ratings(conn, "year = ?", [year])


async def ensure_area_rating(conn: Connection, year: int, area_id: int, now: datetime) -> int:
    """The id of the area's rating for ``year`` (the year must be open), created if absent."""
    await conn.execute(
        "INSERT INTO area_ratings (year, area_id, created_at, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (year, area_id) DO NOTHING",
        (year, area_id, to_db(now), to_db(now)),
    )
    async with conn.execute(
        "SELECT id FROM area_ratings WHERE year = ? AND area_id = ?", (year, area_id)
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def set_criterion(
    conn: Connection,
    rating_id: int,
    criterion: int,
    met: bool | None,
    member_id: int | None,
    now: datetime,
    *,
    suggested: bool | None = None,
    note: str | None = None,
) -> None:
    """Record a criterion with what the records suggested then; ``note`` (when given) is
    saved in the same statement, so a verdict against the records never lands without it."""
    await conn.execute(
        "INSERT INTO area_rating_criteria"
        " (rating_id, criterion, met, note, suggested, recorded_by, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rating_id, criterion) DO UPDATE SET"
        " met = excluded.met, note = COALESCE(excluded.note, area_rating_criteria.note),"
        " suggested = excluded.suggested, recorded_by = excluded.recorded_by,"
        " recorded_at = excluded.recorded_at",
        (rating_id, criterion, _int(met), note, _int(suggested), member_id, to_db(now)),
    )
    await _touch(conn, rating_id, now)


async def set_note(
    conn: Connection,
    rating_id: int,
    criterion: int,
    note: str | None,
    member_id: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO area_rating_criteria (rating_id, criterion, note, recorded_by, recorded_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (rating_id, criterion) DO UPDATE SET"
        " note = excluded.note, recorded_by = excluded.recorded_by,"
        " recorded_at = excluded.recorded_at",
        (rating_id, criterion, note, member_id, to_db(now)),
    )
    await _touch(conn, rating_id, now)


async def set_result(
    conn: Connection,
    rating_id: int,
    result: bool | None,
    member_id: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE area_ratings SET result = ?, decided_by = ?, decided_at = ?, updated_at = ?"
        " WHERE id = ?",
        (
            _int(result),
            member_id if result is not None else None,
            to_db(now) if result is not None else None,
            to_db(now),
            rating_id,
        ),
    )


async def _touch(conn: Connection, rating_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE area_ratings SET updated_at = ? WHERE id = ?", (to_db(now), rating_id)
    )


async def results(conn: Connection) -> dict[tuple[int, int], bool | None]:
    """Every area's result per year as {(area id, year): met, not met, or None (undecided)}."""
    async with conn.execute("SELECT area_id, year, result FROM area_ratings") as cur:
        return {(r[0], r[1]): _bool(r[2]) for r in await cur.fetchall()}


async def results_between(
    conn: Connection, first: int, last: int, area_ids: list[int] | None = None
) -> dict[tuple[int, int], bool | None]:
    """As :func:`results`, for the years ``first`` to ``last`` and some areas (or all)."""
    sql = "SELECT area_id, year, result FROM area_ratings WHERE year BETWEEN ? AND ?"
    params: list[object] = [first, last]
    if area_ids is not None:
        sql += f" AND area_id IN ({','.join('?' for _ in area_ids) or 'NULL'})"
        params.extend(area_ids)
    async with conn.execute(sql, params) as cur:
        return {(r[0], r[1]): _bool(r[2]) for r in await cur.fetchall()}


# Personal data --------------------------------------------------------------------------
async def count_by_member(conn: Connection, member_id: int) -> tuple[int, int]:
    """(results decided, criteria recorded) by this member, for /mydata."""
    async with conn.execute(
        "SELECT (SELECT COUNT(*) FROM area_ratings WHERE decided_by = ?),"
        " (SELECT COUNT(*) FROM area_rating_criteria WHERE recorded_by = ?)",
        (member_id, member_id),
    ) as cur:
        row = await cur.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def forget_member(conn: Connection, member_id: int) -> None:
    """Keep the ratings (they are the commune's record) without the officer's link."""
    await conn.execute("UPDATE rating_years SET opened_by = NULL WHERE opened_by = ?", (member_id,))
    await conn.execute("UPDATE rating_years SET closed_by = NULL WHERE closed_by = ?", (member_id,))
    await conn.execute(
        "UPDATE area_ratings SET decided_by = NULL WHERE decided_by = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE area_rating_criteria SET recorded_by = NULL WHERE recorded_by = ?", (member_id,)
    )
