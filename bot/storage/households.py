"""The household register of each area: number, head of household, address, note.

A household's identity in its area is its folded head's name and place (``match_key``); its
number, when it has one, is unique in the area too. Removing a household that has pledges only
takes it off the register (``removed_at``): its signed pledges stay on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.folding import fold, match_key, search_key
from bot.storage.timefmt import to_db


# Natural order: numbered households by their number (2 before 10), then the others by name.
def _order(conn: Connection) -> str:
    """Households by their number as a number (12 after 9), then as text, then by name."""
    number = conn.dialect.leading_integer("number_key")
    return f" ORDER BY number_key = '', {number}, number_key, search_key, id"


@dataclass(frozen=True)
class Household:
    id: int
    area_id: int
    number: str
    head_name: str
    address: str
    note: str
    number_key: str
    match_key: str
    removed: bool = False


def _household(row: Row) -> Household:
    return Household(
        row["id"],
        row["area_id"],
        row["number"],
        row["head_name"],
        row["address"],
        row["note"],
        row["number_key"],
        row["match_key"],
        row["removed_at"] is not None,
    )


async def get(conn: Connection, household_id: int) -> Household | None:
    async with conn.execute("SELECT * FROM households WHERE id = ?", (household_id,)) as cur:
        row = await cur.fetchone()
    return _household(row) if row else None


async def in_area(conn: Connection, area_id: int) -> list[Household]:
    """Every household on the area's register, in natural order."""
    async with conn.execute(
        "SELECT * FROM households WHERE area_id = ? AND removed_at IS NULL" + _order(conn),
        (area_id,),
    ) as cur:
        return [_household(r) for r in await cur.fetchall()]


async def count(conn: Connection, area_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM households WHERE area_id = ? AND removed_at IS NULL", (area_id,)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def page(conn: Connection, area_id: int, *, offset: int, limit: int) -> list[Household]:
    async with conn.execute(
        "SELECT * FROM households WHERE area_id = ? AND removed_at IS NULL"
        + _order(conn)
        + " LIMIT ? OFFSET ?",
        (area_id, limit, offset),
    ) as cur:
        return [_household(r) for r in await cur.fetchall()]


async def search(conn: Connection, area_id: int, query: str, *, limit: int = 20) -> list[Household]:
    """Households whose number, head, address or note contain every folded word of ``query``
    (without diacritics: "tran van" finds "Trần Văn")."""
    words = fold(query).split()
    if not words:
        return []
    sql = "SELECT * FROM households WHERE area_id = ? AND removed_at IS NULL"
    params: list[object] = [area_id]
    for word in words:
        sql += " AND " + conn.dialect.instr("' ' || search_key", "' ' || ?") + " > 0"
        params.append(word)
    async with conn.execute(sql + _order(conn) + " LIMIT ?", [*params, limit]) as cur:
        return [_household(r) for r in await cur.fetchall()]


async def by_key(conn: Connection, area_id: int, key: str) -> Household | None:
    async with conn.execute(
        "SELECT * FROM households WHERE area_id = ? AND match_key = ? AND removed_at IS NULL",
        (area_id, key),
    ) as cur:
        row = await cur.fetchone()
    return _household(row) if row else None


async def by_number(conn: Connection, area_id: int, number: str) -> Household | None:
    key = fold(number)
    if not key:
        return None
    async with conn.execute(
        "SELECT * FROM households WHERE area_id = ? AND number_key = ? AND number_key <> ''"
        " AND removed_at IS NULL",
        (area_id, key),
    ) as cur:
        row = await cur.fetchone()
    return _household(row) if row else None


async def add(
    conn: Connection,
    area_id: int,
    *,
    number: str,
    head_name: str,
    address: str,
    note: str = "",
    source: str = "register",
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO households (area_id, number, head_name, address, note, number_key,"
        " match_key, search_key, source, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            area_id,
            number,
            head_name,
            address,
            note,
            fold(number),
            match_key(number, head_name, address),
            search_key(number, head_name, address, note),
            source,
            to_db(now),
            to_db(now),
        ),
    )
    return new_id


async def update(
    conn: Connection,
    household_id: int,
    *,
    number: str,
    head_name: str,
    address: str,
    note: str,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE households SET number = ?, head_name = ?, address = ?, note = ?,"
        " number_key = ?, match_key = ?, search_key = ?, updated_at = ? WHERE id = ?",
        (
            number,
            head_name,
            address,
            note,
            fold(number),
            match_key(number, head_name, address),
            search_key(number, head_name, address, note),
            to_db(now),
            household_id,
        ),
    )


async def pledge_count(conn: Connection, household_id: int) -> int:
    """Pledges (standing or withdrawn, any campaign) that point to this household."""
    async with conn.execute(
        "SELECT COUNT(*) FROM pledges WHERE household_id = ?", (household_id,)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def remove(conn: Connection, household_id: int, now: datetime) -> bool:
    """Take the household off the register. Without pledges it is deleted; with pledges it is
    marked removed and its pledges stay on record. Returns True when it was deleted."""
    if await pledge_count(conn, household_id):
        await conn.execute(
            "UPDATE households SET removed_at = ?, updated_at = ? WHERE id = ?",
            (to_db(now), to_db(now), household_id),
        )
        return False
    await conn.execute("DELETE FROM households WHERE id = ?", (household_id,))
    return True


async def forget(conn: Connection, household_ids: set[int], now: datetime) -> None:
    """A person asked to be forgotten: the households of the pledges they signed lose the head's
    name, number, address and note, and leave the register; their pledges stay counted."""
    for household_id in sorted(household_ids):
        await conn.execute(
            "UPDATE households SET head_name = '', address = '', note = '', number = '',"
            " number_key = '', match_key = 'forgotten:' || id, search_key = '',"
            " removed_at = COALESCE(removed_at, ?), updated_at = ? WHERE id = ?",
            (to_db(now), to_db(now), household_id),
        )


async def unsigned(conn: Connection, area_id: int, campaign_id: int) -> list[Household]:
    """Households on the area's register without a standing pledge in the campaign."""
    async with conn.execute(
        "SELECT * FROM households h WHERE h.area_id = ? AND h.removed_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM pledges p WHERE p.household_id = h.id"
        " AND p.campaign_id = ? AND p.withdrawn_at IS NULL)" + _order(conn),
        (area_id, campaign_id),
    ) as cur:
        return [_household(r) for r in await cur.fetchall()]


@dataclass(frozen=True)
class Entry:
    """A household as an import writes it (the checked row of a register file)."""

    number: str
    head_name: str
    address: str
    note: str


async def apply_import(
    conn: Connection,
    area_id: int,
    add_entries: list[Entry],
    updates: list[tuple[int, Entry]],
    now: datetime,
) -> None:
    """Write a checked import inside the caller's transaction (all of it or, on an error,
    nothing: the caller's unit of work rolls back)."""
    for household_id, entry in updates:
        await update(
            conn,
            household_id,
            number=entry.number,
            head_name=entry.head_name,
            address=entry.address,
            note=entry.note,
            now=now,
        )
    for entry in add_entries:
        await add(
            conn,
            area_id,
            number=entry.number,
            head_name=entry.head_name,
            address=entry.address,
            note=entry.note,
            source="import",
            now=now,
        )
