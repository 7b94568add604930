"""What the database keeps about one person outside the features' own records, for /mydata, and
erasing it for /forgetme: the private chat, unfinished conversations and menus, the messages in
the outbox to the person (and their name in messages to others), the activity log, and the
records they made or are linked to that stay for the commune without them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.storage import kv
from bot.storage.db import Connection

# Columns that point to a member and stay (set to NULL) when the member is deleted: the record
# is the commune's, the link is the person's. Listed so /mydata can count them.
_RECORDS = (
    ("pledge_campaigns", "created_by"),
    ("individual_pledges", "recorded_by"),
    ("report_events", "actor_member_id"),
    ("report_routes", "updated_by"),
    ("report_blocks", "blocked_by"),
    ("mediation_cases", "mediator_member_id"),
    ("mediation_cases", "created_by"),
    ("patrol_observations", "created_by"),
    ("patrol_shifts", "created_by"),
    ("broadcast_messages", "created_by"),
    ("broadcast_schedules", "created_by"),
    ("broadcast_runs", "requested_by"),
    ("roles", "granted_by"),
    ("report_events", "assignee_member_id"),
    ("report_deadlines", "updated_by"),
    ("report_category_deadlines", "updated_by"),
    ("report_assign_rules", "updated_by"),
)
REPLACEMENT = "…"


@dataclass(frozen=True)
class Footprint:
    private_chat: bool
    conversations: int  # unfinished conversations and the menus under messages
    outbox: int  # messages to the person kept in the outbox (sent or waiting)
    audit: int  # activity log entries by or about the person
    led_patrols: int
    shifts: int  # patrol roster shifts the person is on
    assigned_reports: int
    records: int  # records made for the commune that keep a link to the person


async def _count(conn: Connection, sql: str, params: tuple[object, ...]) -> int:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def footprint(conn: Connection, platform: str, user_id: str, member_id: int) -> Footprint:
    records = 0
    for table, column in _RECORDS:
        records += await _count(
            conn, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (member_id,)
        )
    return Footprint(
        private_chat=bool(
            await _count(
                conn,
                "SELECT COUNT(*) FROM chats"
                " WHERE platform = ? AND chat_id = ? AND kind = 'private'",
                (platform, user_id),
            )
        ),
        # The person's, then others' in the person's chat: each by its index ("user_id = ?
        # OR chat_id = ?" read every menu and conversation of the platform).
        conversations=sum(
            [
                await _count(
                    conn,
                    f"SELECT (SELECT COUNT(*) FROM {table} WHERE platform = ? AND user_id = ?)"
                    f" + (SELECT COUNT(*) FROM {table} WHERE platform = ? AND chat_id = ?"
                    "    AND (user_id IS NULL OR user_id <> ?))",
                    (platform, user_id, platform, user_id, user_id),
                )
                for table in ("conversations", "menus")
            ]
        ),
        outbox=await _count(
            conn,
            "SELECT COUNT(*) FROM outbox WHERE platform = ? AND chat_id = ?",
            (platform, user_id),
        ),
        audit=await _count(
            conn,
            "SELECT COUNT(*) FROM audit_log WHERE actor_member_id = ?"
            " OR (subject_type = 'member' AND subject_id = ?)",
            (member_id, member_id),
        ),
        led_patrols=await _count(
            conn, "SELECT COUNT(*) FROM patrols WHERE leader_member_id = ?", (member_id,)
        ),
        shifts=await _count(
            conn, "SELECT COUNT(*) FROM patrol_shift_members WHERE member_id = ?", (member_id,)
        ),
        assigned_reports=await _count(
            conn, "SELECT COUNT(*) FROM reports WHERE assignee_member_id = ?", (member_id,)
        ),
        records=records,
    )


async def erase_chat_traces(
    conn: Connection, platform: str, user_id: str, person_link: str | None = None
) -> None:
    """Delete the private chat, conversations, menus and messages to the person, and the
    buttons that link to the person (``person_link``, as the transport makes it).

    A delivered message that belongs to a broadcast stays counted in the broadcast's figures,
    but without its recipient or text."""
    for table in ("conversations", "menus"):
        for column in ("user_id", "chat_id"):  # each by its index (see footprint)
            await conn.execute(
                f"DELETE FROM {table} WHERE platform = ? AND {column} = ?", (platform, user_id)
            )
    await conn.execute(
        "DELETE FROM outbox WHERE platform = ? AND chat_id = ?"
        " AND (batch_id IS NULL OR status IN ('pending', 'sending'))",
        (platform, user_id),
    )
    await conn.execute(
        "UPDATE outbox SET chat_id = '', text = '', buttons = '[]', photo = NULL,"
        " last_error = NULL, sent_message_id = NULL WHERE platform = ? AND chat_id = ?",
        (platform, user_id),
    )
    if person_link is not None:
        await conn.execute(
            "UPDATE outbox SET buttons = '[]' WHERE platform = ?"
            f" AND {conn.dialect.instr('buttons', '?')} > 0",
            (platform, json.dumps(person_link)),
        )
    await conn.execute(
        "DELETE FROM chats WHERE platform = ? AND chat_id = ? AND kind = 'private'",
        (platform, user_id),
    )
    # The chat's turn for outbox messages (bot.storage.chat_turns) names the chat too.
    await conn.execute(
        "DELETE FROM chat_turns WHERE platform = ? AND chat_id = ?", (platform, user_id)
    )
    await kv.delete(conn, kv.chat_options_key(platform, user_id))


# Text columns where a name typed or shown earlier can remain: messages in the outbox, the
# messages kept with menus (to show a step again) and conversations' data (JSON text).
_TEXTS = (("outbox", "id", "text"), ("menus", "id", "shown"), ("conversations", "rowid", "data"))


async def scrub_words(
    conn: Connection, texts: Iterable[str], *, escape: Callable[[str], str]
) -> int:
    """Replace ``texts`` (names, addresses) where they stand as whole words in messages to
    others (delivered or waiting), in menus' messages and in open conversations, as typed or
    as ``escape`` writes them inside a message; returns how many rows changed."""
    changed = 0
    for text in {t.strip() for t in texts if t and t.strip()}:
        forms = {text, escape(text)}
        pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(form)}(?!\w)" for form in sorted(forms, key=len)[::-1])
        )
        for table, key, column in _TEXTS:
            for form in forms:
                async with conn.execute(
                    f"SELECT {key}, {column} FROM {table}"
                    f" WHERE {conn.dialect.instr(column, '?')} > 0",
                    (form,),
                ) as cur:
                    rows = list(await cur.fetchall())
                for row in rows:
                    new = pattern.sub(REPLACEMENT, row[1])
                    if new != row[1]:
                        await conn.execute(
                            f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (new, row[0])
                        )
                        changed += 1
    return changed
