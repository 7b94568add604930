"""What officers set for reports in the bot: who handles each category (routing), and the
hourly limit and acknowledgement deadlines.

Functions take an open connection and never commit (the caller's unit of work does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.storage import kv
from bot.storage.db import Connection
from bot.storage.reports import Target
from bot.storage.timefmt import to_db

DEFAULT_ACK_HOURS = 8.0
DEFAULT_ACK_HOURS_NOW = 1.0
DEFAULT_MAX_PER_HOUR = 3


@dataclass(frozen=True)
class ReportSettings:
    max_per_hour: int = DEFAULT_MAX_PER_HOUR
    ack_hours: float = DEFAULT_ACK_HOURS
    ack_hours_now: float = DEFAULT_ACK_HOURS_NOW


# Routing ----------------------------------------------------------------------------------
async def routes(conn: Connection, defaults: Mapping[str, Target]) -> dict[str, Target]:
    """Who handles each category: ``defaults`` (the feature's), changed by what officers set."""
    table = dict(defaults)
    async with conn.execute("SELECT category, target FROM report_routes") as cur:
        for row in await cur.fetchall():
            if row[0] in table:
                table[row[0]] = Target(row[1])
    return table


async def set_route(
    conn: Connection, category: str, target: Target, by: int | None, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO report_routes (category, target, updated_by, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (category) DO UPDATE SET target = excluded.target,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (category, target.value, by, to_db(now)),
    )


# Settings (kept in kv so officers can change them in the bot) ---------------------------------
SETTINGS_KEY = "reports.settings"


async def settings(conn: Connection) -> ReportSettings:
    return from_kept(await kv.get(conn, SETTINGS_KEY))


def from_kept(raw: str | None) -> ReportSettings:
    """The settings as kept in kv (the defaults where none were saved)."""
    if not raw:
        return ReportSettings()
    data = json.loads(raw)
    base = ReportSettings()
    return ReportSettings(
        max_per_hour=int(data.get("max_per_hour", base.max_per_hour)),
        ack_hours=float(data.get("ack_hours", base.ack_hours)),
        ack_hours_now=float(data.get("ack_hours_now", base.ack_hours_now)),
    )


async def save_settings(conn: Connection, value: ReportSettings) -> None:
    await kv.put(
        conn,
        SETTINGS_KEY,
        json.dumps(
            {
                "max_per_hour": value.max_per_hour,
                "ack_hours": value.ack_hours,
                "ack_hours_now": value.ack_hours_now,
            }
        ),
    )
