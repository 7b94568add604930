"""A report's thread between its handlers and its reporter, and how an anonymous reporter is
reached (see 0024_report_threads.sql).

The contact of an anonymous reporter is only a sealed address (``bot.core.sealing``): this
module stores and wipes it, it never opens it. Functions take an open connection and never
commit (the caller's unit of work does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection
from bot.storage.timefmt import from_db, to_db

REPORTER, HANDLER = "reporter", "handler"


@dataclass(frozen=True)
class Contact:
    """How an anonymous reporter is reached: a platform and a sealed chat address."""

    report_id: int
    platform: str
    sealed: str
    language: str | None


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    report_id: int
    at: datetime
    author: str  # REPORTER or HANDLER
    author_member_id: int | None  # a handler's; never the reporter's
    text: str
    media: list[dict[str, str]]


# Contacts -------------------------------------------------------------------------------------
async def keep_contact(
    conn: Connection, report_id: int, platform: str, sealed: str, language: str | None
) -> None:
    await conn.execute(
        "INSERT INTO report_contacts (report_id, platform, sealed, language) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (report_id) DO UPDATE SET platform = excluded.platform,"
        " sealed = excluded.sealed, language = excluded.language",
        (report_id, platform, sealed, language),
    )


async def contact(conn: Connection, report_id: int) -> Contact | None:
    async with conn.execute(
        "SELECT * FROM report_contacts WHERE report_id = ?", (report_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return Contact(row["report_id"], row["platform"], row["sealed"], row["language"])


async def contacts_on(conn: Connection, platform: str) -> list[Contact]:
    """Every contact kept on a platform (to find one's own by opening each seal)."""
    async with conn.execute(
        "SELECT * FROM report_contacts WHERE platform = ? ORDER BY report_id", (platform,)
    ) as cur:
        rows = await cur.fetchall()
    return [Contact(r["report_id"], r["platform"], r["sealed"], r["language"]) for r in rows]


async def all_contacts(conn: Connection) -> list[Contact]:
    async with conn.execute("SELECT * FROM report_contacts ORDER BY report_id") as cur:
        rows = await cur.fetchall()
    return [Contact(r["report_id"], r["platform"], r["sealed"], r["language"]) for r in rows]


async def wipe_contact(conn: Connection, report_id: int) -> None:
    await conn.execute("DELETE FROM report_contacts WHERE report_id = ?", (report_id,))


async def wipe_ended_contacts(
    conn: Connection, ended_before: datetime, closed: frozenset[str]
) -> int:
    """Forget how to reach the reporters of reports closed (``closed``: those statuses) and
    unchanged since before ``ended_before``: their reopening window has passed. A report
    merged into another keeps its reporter's contact as long as the original does."""
    marks = ",".join("?" for _ in closed)
    cur = await conn.execute(
        "DELETE FROM report_contacts WHERE report_id IN (SELECT r.id FROM reports r"
        " LEFT JOIN reports o ON o.id = r.duplicate_of"
        f" WHERE r.status IN ({marks}) AND r.updated_at < ?"
        f" AND (o.id IS NULL OR (o.status IN ({marks}) AND o.updated_at < ?)))",
        [*sorted(closed), to_db(ended_before), *sorted(closed), to_db(ended_before)],
    )
    return cur.rowcount


# Messages -------------------------------------------------------------------------------------
async def add_message(
    conn: Connection,
    report_id: int,
    now: datetime,
    author: str,
    author_member_id: int | None,
    text: str,
    media: list[dict[str, str]],
) -> int:
    if author == REPORTER and author_member_id is not None:
        raise ValueError("a reporter's message never names its author")
    new_id = await insert(
        conn,
        "INSERT INTO report_messages (report_id, at, author, author_member_id, text, media)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (report_id, to_db(now), author, author_member_id, text, json.dumps(media)),
    )
    await conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (to_db(now), report_id))
    return new_id


async def messages(conn: Connection, report_id: int) -> list[ThreadMessage]:
    async with conn.execute(
        "SELECT * FROM report_messages WHERE report_id = ? ORDER BY id", (report_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [
        ThreadMessage(
            r["id"],
            r["report_id"],
            from_db(r["at"]),
            r["author"],
            r["author_member_id"],
            r["text"],
            json.loads(r["media"]),
        )
        for r in rows
    ]


async def forget_member(conn: Connection, member_id: int) -> None:
    """A handler who leaves: their messages stay, without their name."""
    await conn.execute(
        "UPDATE report_messages SET author_member_id = NULL WHERE author_member_id = ?",
        (member_id,),
    )


# Rows addressed to a sealed chat (outbox messages and their menus) ----------------------------
# Each table's integer key: the outbox's id (SQLite's rowid), the menus' rowid (SQLite's own, a
# column of its own in PostgreSQL's schema).
_SEALED_TABLES = {"outbox": "id", "menus": "rowid"}


async def sealed_rows(conn: Connection, platform: str) -> list[tuple[str, int, str]]:
    """(table, key, sealed chat) of every outbox message and menu sent to a sealed chat on
    ``platform``, to find one person's by opening each seal."""
    found: list[tuple[str, int, str]] = []
    for table, key in _SEALED_TABLES.items():
        async with conn.execute(
            f"SELECT {key}, chat_id FROM {table} WHERE platform = ? AND chat_id LIKE '~s1.%'",
            (platform,),
        ) as cur:
            found += [(table, int(r[0]), str(r[1])) for r in await cur.fetchall()]
    return found


async def delete_sealed_row(conn: Connection, table: str, key: int) -> None:
    if table not in _SEALED_TABLES:
        raise ValueError(f"no sealed rows in {table}")
    await conn.execute(f"DELETE FROM {table} WHERE {_SEALED_TABLES[table]} = ?", (key,))
