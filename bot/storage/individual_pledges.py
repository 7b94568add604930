"""Individual pledges (cam kết cá biệt) that officers take from specific people (never public)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class IndividualPledge:
    id: int
    person_name: str
    member_id: int | None
    area_id: int | None
    content: str
    taken_on: date
    taken_by: str
    recorded_at: datetime


def _individual(row: Row) -> IndividualPledge:
    return IndividualPledge(
        row["id"],
        row["person_name"],
        row["member_id"],
        row["area_id"],
        row["content"],
        date.fromisoformat(row["taken_on"]),
        row["taken_by"],
        from_db(row["recorded_at"]),
    )


async def add_individual(
    conn: Connection,
    *,
    person_name: str,
    member_id: int | None,
    area_id: int | None,
    content: str,
    taken_on: date,
    taken_by: str,
    recorded_by: int | None,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO individual_pledges (person_name, member_id, area_id, content, taken_on,"
        " taken_by, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person_name,
            member_id,
            area_id,
            content,
            taken_on.isoformat(),
            taken_by,
            recorded_by,
            to_db(now),
        ),
    )
    return new_id


async def individuals(
    conn: Connection,
    *,
    limit: int = 20,
    within: Collection[int] | None = None,
    recorded_by: int | None = None,
) -> list[IndividualPledge]:
    """The latest individual pledges; with ``within`` (a commune officer's areas) only those of
    people of these areas and those ``recorded_by`` the officer."""
    where, params = "", []
    if within is not None:
        marks = ",".join("?" * len(within)) or "NULL"
        where = f" WHERE area_id IN ({marks}) OR recorded_by = ?"
        params = [*sorted(within), recorded_by]
    async with conn.execute(
        f"SELECT * FROM individual_pledges{where} ORDER BY taken_on DESC, id DESC LIMIT ?",
        [*params, limit],
    ) as cur:
        return [_individual(r) for r in await cur.fetchall()]


async def individuals_of_member(conn: Connection, member_id: int) -> list[IndividualPledge]:
    async with conn.execute(
        "SELECT * FROM individual_pledges WHERE member_id = ? ORDER BY taken_on DESC, id DESC",
        (member_id,),
    ) as cur:
        return [_individual(r) for r in await cur.fetchall()]


async def unlink_member_individuals(conn: Connection, member_id: int) -> None:
    await conn.execute(
        "UPDATE individual_pledges SET member_id = NULL WHERE member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE individual_pledges SET recorded_by = NULL WHERE recorded_by = ?", (member_id,)
    )
