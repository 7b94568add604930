"""Pledge campaigns: the yearly periods (local days, both ends included) in which people sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Campaign:
    id: int
    title: str
    starts_on: date
    ends_on: date


def _campaign(row: Row) -> Campaign:
    return Campaign(
        row["id"],
        row["title"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
    )


async def campaigns(conn: Connection) -> list[Campaign]:
    async with conn.execute("SELECT * FROM pledge_campaigns ORDER BY starts_on, id") as cur:
        return [_campaign(r) for r in await cur.fetchall()]


async def campaign(conn: Connection, campaign_id: int) -> Campaign | None:
    async with conn.execute("SELECT * FROM pledge_campaigns WHERE id = ?", (campaign_id,)) as cur:
        row = await cur.fetchone()
    return _campaign(row) if row else None


async def add_campaign(
    conn: Connection,
    title: str,
    starts_on: date,
    ends_on: date,
    created_by: int | None,
    now: datetime,
) -> Campaign:
    new_id = await insert(
        conn,
        "INSERT INTO pledge_campaigns (title, starts_on, ends_on, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (title, starts_on.isoformat(), ends_on.isoformat(), created_by, to_db(now)),
    )
    return Campaign(new_id, title, starts_on, ends_on)
