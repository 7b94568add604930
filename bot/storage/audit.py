"""Append-only audit log: who did what, when. Details never hold names or free text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_member_id: int | None
    action: str
    subject_type: str | None
    subject_id: int | None
    details: dict[str, Any]


async def record(
    conn: Connection,
    now: datetime,
    actor_member_id: int | None,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    **details: Any,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor_member_id, action, subject_type, subject_id, details)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            to_db(now),
            actor_member_id,
            action,
            subject_type,
            subject_id,
            json.dumps(details, ensure_ascii=False, sort_keys=True),
        ),
    )


async def entries(
    conn: Connection, *, action_prefix: str = "", limit: int = 1000
) -> list[AuditEntry]:
    async with conn.execute(
        "SELECT * FROM audit_log WHERE action LIKE ? ORDER BY id LIMIT ?",
        (action_prefix + "%", limit),
    ) as cur:
        rows = await cur.fetchall()
    return [
        AuditEntry(
            from_db(r["at"]),
            r["actor_member_id"],
            r["action"],
            r["subject_type"],
            r["subject_id"],
            json.loads(r["details"]),
        )
        for r in rows
    ]


async def forget_member(conn: Connection, member_id: int) -> None:
    """Keep the trail of what happened, but drop every link to a person who was forgotten."""
    await conn.execute(
        "UPDATE audit_log SET actor_member_id = NULL WHERE actor_member_id = ?", (member_id,)
    )
    await conn.execute(
        "UPDATE audit_log SET subject_id = NULL WHERE subject_type = 'member' AND subject_id = ?",
        (member_id,),
    )
