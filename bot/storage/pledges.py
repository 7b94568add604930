"""Pledge campaigns, the catalog of pledge items, households' pledges and individual pledges.

Signed pledges are never deleted: a withdrawal sets ``withdrawn_at``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage.timefmt import from_db, to_db


# Campaigns --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Campaign:
    id: int
    title: str
    starts_on: date
    ends_on: date


def _campaign(row: aiosqlite.Row) -> Campaign:
    return Campaign(
        row["id"],
        row["title"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
    )


async def campaigns(conn: aiosqlite.Connection) -> list[Campaign]:
    async with conn.execute("SELECT * FROM pledge_campaigns ORDER BY starts_on, id") as cur:
        return [_campaign(r) for r in await cur.fetchall()]


async def campaign(conn: aiosqlite.Connection, campaign_id: int) -> Campaign | None:
    async with conn.execute("SELECT * FROM pledge_campaigns WHERE id = ?", (campaign_id,)) as cur:
        row = await cur.fetchone()
    return _campaign(row) if row else None


async def add_campaign(
    conn: aiosqlite.Connection,
    title: str,
    starts_on: date,
    ends_on: date,
    created_by: int | None,
    now: datetime,
) -> Campaign:
    cur = await conn.execute(
        "INSERT INTO pledge_campaigns (title, starts_on, ends_on, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (title, starts_on.isoformat(), ends_on.isoformat(), created_by, to_db(now)),
    )
    assert cur.lastrowid is not None
    return Campaign(cur.lastrowid, title, starts_on, ends_on)


# Items ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    id: int
    audience: str
    position: int
    text_vi: str
    text_en: str
    builtin: bool
    retired: bool

    def text(self, language: str) -> str:
        """The wording in the reader's language (English falls back to Vietnamese)."""
        return self.text_en if language == "en" and self.text_en else self.text_vi


def _item(row: aiosqlite.Row) -> Item:
    return Item(
        row["id"],
        row["audience"],
        row["position"],
        row["text_vi"],
        row["text_en"],
        bool(row["builtin"]),
        row["retired_at"] is not None,
    )


async def items(
    conn: aiosqlite.Connection, audience: str, *, include_retired: bool = False
) -> list[Item]:
    sql = "SELECT * FROM pledge_items WHERE audience = ?"
    if not include_retired:
        sql += " AND retired_at IS NULL"
    async with conn.execute(sql + " ORDER BY position, id", (audience,)) as cur:
        return [_item(r) for r in await cur.fetchall()]


async def items_by_id(conn: aiosqlite.Connection, item_ids: list[int]) -> list[Item]:
    """The items with these ids, in the order given (ids no longer stored are left out)."""
    if not item_ids:
        return []
    marks = ",".join("?" for _ in item_ids)
    async with conn.execute(f"SELECT * FROM pledge_items WHERE id IN ({marks})", item_ids) as cur:
        found = {row["id"]: _item(row) for row in await cur.fetchall()}
    return [found[i] for i in item_ids if i in found]


async def item(conn: aiosqlite.Connection, item_id: int) -> Item | None:
    async with conn.execute("SELECT * FROM pledge_items WHERE id = ?", (item_id,)) as cur:
        row = await cur.fetchone()
    return _item(row) if row else None


async def add_item(
    conn: aiosqlite.Connection, audience: str, text_vi: str, text_en: str, now: datetime
) -> int:
    async with conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM pledge_items WHERE audience = ?", (audience,)
    ) as cur:
        row = await cur.fetchone()
    position = int(row[0]) if row else 1
    cur = await conn.execute(
        "INSERT INTO pledge_items (audience, position, text_vi, text_en, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (audience, position, text_vi, text_en, to_db(now), to_db(now)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def reword_item(
    conn: aiosqlite.Connection, item_id: int, text_vi: str, text_en: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE pledge_items SET text_vi = ?, text_en = ?, updated_at = ? WHERE id = ?",
        (text_vi, text_en, to_db(now), item_id),
    )


async def set_item_retired(
    conn: aiosqlite.Connection, item_id: int, retired: bool, now: datetime
) -> None:
    await conn.execute(
        "UPDATE pledge_items SET retired_at = ?, updated_at = ? WHERE id = ?",
        (to_db(now) if retired else None, to_db(now), item_id),
    )


# Pledges ----------------------------------------------------------------------------------
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


def _pledge(row: aiosqlite.Row) -> Pledge:
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
    conn: aiosqlite.Connection, campaign_id: int, household_id: int
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
    conn: aiosqlite.Connection, campaign_id: int, area_id: int | None, key: str
) -> Pledge | None:
    async with conn.execute(
        "SELECT * FROM pledges WHERE campaign_id = ? AND COALESCE(area_id, 0) = ?"
        " AND household_key = ? AND withdrawn_at IS NULL",
        (campaign_id, area_id or 0, key),
    ) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def standing_for_member(
    conn: aiosqlite.Connection, campaign_id: int, member_id: int
) -> Pledge | None:
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


async def get(conn: aiosqlite.Connection, pledge_id: int) -> Pledge | None:
    async with conn.execute("SELECT * FROM pledges WHERE id = ?", (pledge_id,)) as cur:
        row = await cur.fetchone()
    return _pledge(row) if row else None


async def count_in_campaign_area(
    conn: aiosqlite.Connection, campaign_id: int, area_id: int | None
) -> int:
    """Every pledge ever made in this campaign and area, withdrawn ones included (references)."""
    async with conn.execute(
        "SELECT COUNT(*) FROM pledges WHERE campaign_id = ? AND area_id IS ?",  # uses the index
        (campaign_id, area_id),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def sign(
    conn: aiosqlite.Connection,
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
    cur = await conn.execute(
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
    assert cur.lastrowid is not None
    pledge_id = cur.lastrowid
    await conn.executemany(
        "INSERT INTO pledge_lines (pledge_id, item_id, position, text, left_out)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (pledge_id, item_id, line.position, line.text, int(line.left_out))
            for line, item_id in zip(lines, item_ids, strict=True)
        ],
    )
    return pledge_id


async def lines(conn: aiosqlite.Connection, pledge_id: int) -> list[Line]:
    async with conn.execute(
        "SELECT position, text, left_out FROM pledge_lines WHERE pledge_id = ? ORDER BY position",
        (pledge_id,),
    ) as cur:
        return [Line(r[0], r[1], bool(r[2])) for r in await cur.fetchall()]


async def withdraw(
    conn: aiosqlite.Connection, pledge_id: int, member_id: int | None, now: datetime
) -> bool:
    cur = await conn.execute(
        "UPDATE pledges SET withdrawn_at = ?, withdrawn_by = ?"
        " WHERE id = ? AND withdrawn_at IS NULL",
        (to_db(now), member_id, pledge_id),
    )
    return cur.rowcount > 0


async def link_household_member(
    conn: aiosqlite.Connection, pledge_id: int, member_id: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO pledge_household_members (pledge_id, member_id, linked_at)"
        " VALUES (?, ?, ?)",
        (pledge_id, member_id, to_db(now)),
    )


async def in_campaign(
    conn: aiosqlite.Connection,
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


async def signed_count(conn: aiosqlite.Connection, campaign_id: int, area_id: int) -> int:
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


async def covered_members(conn: aiosqlite.Connection, campaign_id: int) -> set[int]:
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


async def of_member(conn: aiosqlite.Connection, member_id: int) -> list[Pledge]:
    """Every pledge this member signed or is linked to, newest first (for /mydata)."""
    async with conn.execute(
        "SELECT * FROM pledges WHERE member_id = ?"
        " OR id IN (SELECT pledge_id FROM pledge_household_members WHERE member_id = ?)"
        " ORDER BY signed_at DESC",
        (member_id, member_id),
    ) as cur:
        return [_pledge(r) for r in await cur.fetchall()]


async def unlink_member(conn: aiosqlite.Connection, member_id: int) -> None:
    await conn.execute("UPDATE pledges SET member_id = NULL WHERE member_id = ?", (member_id,))
    await conn.execute(
        "UPDATE pledges SET withdrawn_by = NULL WHERE withdrawn_by = ?", (member_id,)
    )
    await conn.execute("DELETE FROM pledge_household_members WHERE member_id = ?", (member_id,))
    await conn.execute(
        "UPDATE pledge_campaigns SET created_by = NULL WHERE created_by = ?", (member_id,)
    )


async def anonymise_member(conn: aiosqlite.Connection, member_id: int) -> list[Pledge]:
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


# Public boards: the messages a board was posted as, so they can be edited later -------------
@dataclass(frozen=True)
class Board:
    id: int
    campaign_id: int
    area_id: int
    platform: str
    chat_id: str
    language: str
    outbox_ids: list[int]


async def add_board(
    conn: aiosqlite.Connection,
    *,
    campaign_id: int,
    area_id: int,
    platform: str,
    chat_id: str,
    language: str,
    outbox_ids: list[int],
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO pledge_boards (campaign_id, area_id, platform, chat_id, language,"
        " outbox_ids, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (campaign_id, area_id, platform, chat_id, language, json.dumps(outbox_ids), to_db(now)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def boards(conn: aiosqlite.Connection, campaign_id: int, area_id: int) -> list[Board]:
    async with conn.execute(
        "SELECT * FROM pledge_boards WHERE campaign_id = ? AND area_id = ? ORDER BY id",
        (campaign_id, area_id),
    ) as cur:
        rows = await cur.fetchall()
    return [
        Board(
            r["id"],
            r["campaign_id"],
            r["area_id"],
            r["platform"],
            r["chat_id"],
            r["language"],
            [int(i) for i in json.loads(r["outbox_ids"])],
        )
        for r in rows
    ]


async def set_board_messages(
    conn: aiosqlite.Connection, board_id: int, outbox_ids: list[int]
) -> None:
    await conn.execute(
        "UPDATE pledge_boards SET outbox_ids = ? WHERE id = ?", (json.dumps(outbox_ids), board_id)
    )


# Individual pledges -----------------------------------------------------------------------
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


def _individual(row: aiosqlite.Row) -> IndividualPledge:
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
    conn: aiosqlite.Connection,
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
    cur = await conn.execute(
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
    assert cur.lastrowid is not None
    return cur.lastrowid


async def individuals(
    conn: aiosqlite.Connection,
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


async def individuals_of_member(
    conn: aiosqlite.Connection, member_id: int
) -> list[IndividualPledge]:
    async with conn.execute(
        "SELECT * FROM individual_pledges WHERE member_id = ? ORDER BY taken_on DESC, id DESC",
        (member_id,),
    ) as cur:
        return [_individual(r) for r in await cur.fetchall()]


async def unlink_member_individuals(conn: aiosqlite.Connection, member_id: int) -> None:
    await conn.execute(
        "UPDATE individual_pledges SET member_id = NULL WHERE member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE individual_pledges SET recorded_by = NULL WHERE recorded_by = ?", (member_id,)
    )
