"""Signed pledges (households, businesses, religious establishments, institutions), their
lines, and the members linked to a household's pledge.

Signed pledges are never deleted: a withdrawal sets ``withdrawn_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Pledge:
    id: int
    campaign_id: int
    area_id: int | None
    audience: str
    head_name: str
    address: str
    household_key: str
    member_id: int | None
    public: bool
    reference: str
    signed_at: datetime
    withdrawn_at: datetime | None
    household_id: int | None = None  # the household on the area's register (households only)

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class Line:
    position: int
    text: str
    left_out: bool


def _pledge(row: Row) -> Pledge:
    return Pledge(
        row["id"],
        row["campaign_id"],
        row["area_id"],
        row["audience"],
        row["head_name"],
        row["address"],
        row["household_key"],
        row["member_id"],
        bool(row["public"]),
        row["reference"],
        from_db(row["signed_at"]),
        from_db(row["withdrawn_at"]) if row["withdrawn_at"] else None,
        row["household_id"],
    )


async def standing_for_household_id(
    conn: Connection, campaign_id: int, household_id: int
) -> Pledge | None:
    """The household's standing pledge in the campaign (a household is counted once)."""
    async with conn.execute(
        "SELECT * FROM pledges WHERE household_id = ? AND campaign_id = ?"
        " AND withdrawn_at IS NULL ORDER BY signed_at LIMIT 1",
        (household_id, campaign_id),
    ) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def standing_for_household(
    conn: Connection, campaign_id: int, area_id: int | None, key: str
) -> Pledge | None:
    async with conn.execute(
        "SELECT * FROM pledges WHERE campaign_id = ? AND COALESCE(area_id, 0) = ?"
        " AND household_key = ? AND withdrawn_at IS NULL",
        (campaign_id, area_id or 0, key),
    ) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def standing_for_member(conn: Connection, campaign_id: int, member_id: int) -> Pledge | None:
    """The standing pledge this member signed, or of the household they were linked to."""
    # Two lookups by member (an OR across them made SQLite read every pledge of the campaign;
    # the unary + keeps it from picking the campaign's index instead of the member's).
    async with conn.execute(
        "SELECT * FROM pledges WHERE member_id = ? AND +campaign_id = ? AND withdrawn_at IS NULL"
        " UNION ALL"
        " SELECT p.* FROM pledge_household_members h JOIN pledges p ON p.id = h.pledge_id"
        " WHERE h.member_id = ? AND +p.campaign_id = ? AND p.withdrawn_at IS NULL"
        " ORDER BY signed_at DESC LIMIT 1",
        (member_id, campaign_id, member_id, campaign_id),
    ) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def get(conn: Connection, pledge_id: int) -> Pledge | None:
    async with conn.execute("SELECT * FROM pledges WHERE id = ?", (pledge_id,)) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def count_in_campaign_area(conn: Connection, campaign_id: int, area_id: int | None) -> int:
    """Every pledge ever made in this campaign and area, withdrawn ones included (references)."""
    async with conn.execute(
        "SELECT COUNT(*) FROM pledges WHERE campaign_id = ?"
        " AND area_id IS NOT DISTINCT FROM ?",  # uses the index (SQLite: the same as IS)
        (campaign_id, area_id),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def sign(
    conn: Connection,
    *,
    campaign_id: int,
    area_id: int | None,
    audience: str,
    head_name: str,
    address: str,
    household_key: str,
    member_id: int | None,
    public: bool,
    reference: str,
    lines: list[Line],
    item_ids: list[int | None],
    now: datetime,
    household_id: int | None = None,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO pledges (campaign_id, area_id, audience, head_name, address, household_key,"
        " member_id, public, reference, signed_at, household_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            campaign_id,
            area_id,
            audience,
            head_name,
            address,
            household_key,
            member_id,
            int(public),
            reference,
            to_db(now),
            household_id,
        ),
    )
    pledge_id = new_id
    await conn.executemany(
        "INSERT INTO pledge_lines (pledge_id, item_id, position, text, left_out)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (pledge_id, item_id, line.position, line.text, int(line.left_out))
            for line, item_id in zip(lines, item_ids, strict=True)
        ],
    )
    return pledge_id


async def lines(conn: Connection, pledge_id: int) -> list[Line]:
    async with conn.execute(
        "SELECT position, text, left_out FROM pledge_lines WHERE pledge_id = ? ORDER BY position",
        (pledge_id,),
    ) as cur:
        return [Line(r[0], r[1], bool(r[2])) for r in await cur.fetchall()]


async def withdraw(conn: Connection, pledge_id: int, member_id: int | None, now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE pledges SET withdrawn_at = ?, withdrawn_by = ?"
        " WHERE id = ? AND withdrawn_at IS NULL",
        (to_db(now), member_id, pledge_id),
    )
    return cur.rowcount > 0


async def link_household_member(
    conn: Connection, pledge_id: int, member_id: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO pledge_household_members (pledge_id, member_id, linked_at)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (pledge_id, member_id, to_db(now)),
    )


async def in_campaign(
    conn: Connection,
    campaign_id: int,
    *,
    area_id: int | None = None,
    standing_only: bool = True,
    public_only: bool = False,
) -> list[Pledge]:
    sql = "SELECT * FROM pledges WHERE campaign_id = ?"
    params: list[object] = [campaign_id]
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)
    if standing_only:
        sql += " AND withdrawn_at IS NULL"
    if public_only:
        sql += " AND public = 1"
    async with conn.execute(sql + " ORDER BY signed_at, id", params) as cur:
        return [_pledge(r) for r in await cur.fetchall()]


async def signed_count(conn: Connection, campaign_id: int, area_id: int) -> int:
    """Households of the area with a standing pledge in the campaign: distinct households of
    the register, never pledges or spellings (two pledges of one household count once)."""
    async with conn.execute(
        "SELECT COUNT(DISTINCT CASE WHEN household_id IS NOT NULL THEN household_id"
        " ELSE -id END) FROM pledges WHERE campaign_id = ? AND area_id = ?"
        " AND audience = 'household' AND withdrawn_at IS NULL",
        (campaign_id, area_id),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def covered_members(conn: Connection, campaign_id: int) -> set[int]:
    """Members whose household has a standing pledge in the campaign (signer or linked)."""
    async with conn.execute(
        "SELECT member_id FROM pledges WHERE campaign_id = ? AND withdrawn_at IS NULL"
        " AND member_id IS NOT NULL"
        " UNION SELECT h.member_id FROM pledge_household_members h"
        " JOIN pledges p ON p.id = h.pledge_id"
        " WHERE p.campaign_id = ? AND p.withdrawn_at IS NULL",
        (campaign_id, campaign_id),
    ) as cur:
        return {int(r[0]) for r in await cur.fetchall()}


async def of_member(conn: Connection, member_id: int) -> list[Pledge]:
    """Every pledge this member signed or is linked to, newest first (for /mydata)."""
    async with conn.execute(
        "SELECT * FROM pledges WHERE member_id = ?"
        " OR id IN (SELECT pledge_id FROM pledge_household_members WHERE member_id = ?)"
        " ORDER BY signed_at DESC",
        (member_id, member_id),
    ) as cur:
        return [_pledge(r) for r in await cur.fetchall()]


async def unlink_member(conn: Connection, member_id: int) -> None:
    await conn.execute("UPDATE pledges SET member_id = NULL WHERE member_id = ?", (member_id,))
    await conn.execute(
        "UPDATE pledges SET withdrawn_by = NULL WHERE withdrawn_by = ?", (member_id,)
    )
    await conn.execute("DELETE FROM pledge_household_members WHERE member_id = ?", (member_id,))
    await conn.execute(
        "UPDATE pledge_campaigns SET created_by = NULL WHERE created_by = ?", (member_id,)
    )


async def anonymise_member(conn: Connection, member_id: int) -> list[Pledge]:
    """Remove the head's name and address from the pledges this member signed (the household's
    pledge stays counted for its area) and take them off the public board. Returns the pledges
    as they were, so the caller can refresh what was posted and scrub the words elsewhere."""
    async with conn.execute("SELECT * FROM pledges WHERE member_id = ?", (member_id,)) as cur:
        before = [_pledge(r) for r in await cur.fetchall()]
    await conn.execute(
        "UPDATE pledges SET head_name = '', address = '', public = 0,"
        " household_key = 'forgotten:' || id WHERE member_id = ?",
        (member_id,),
    )
    await conn.execute(
        "UPDATE individual_pledges SET person_name = '' WHERE member_id = ?", (member_id,)
    )
    return before
