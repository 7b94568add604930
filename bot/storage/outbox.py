"""The durable outbox: every message to a chat other than the one being answered is written here
first, in the same transaction as the change that caused it, then delivered by a worker."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage import chat_turns
from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    platform: str
    chat_id: str
    text: str
    buttons: list[list[dict[str, Any]]]
    batch_id: int | None
    attempts: int
    not_before: datetime
    priority: int = 0
    photo: str | None = None  # a platform file id: sent as a photo with the text as caption
    edit_of: int | None = None  # outbox id of an earlier message to edit in place
    edit_message_id: int | None = None  # the platform's id of that message, once known
    voice: str | None = None  # a platform file id: sent as a voice message, the text as caption
    # True only on the copy the delivery worker hands a sender after opening a sealed chat
    # (an anonymous reporter's): the sender must keep nothing under that chat. Never stored.
    opened: bool = False


def _message(row: Row) -> OutboxMessage:
    keys = row.keys()
    return OutboxMessage(
        row["id"],
        row["platform"],
        row["chat_id"],
        row["text"],
        json.loads(row["buttons"]),
        row["batch_id"],
        row["attempts"],
        from_db(row["not_before"]),
        row["priority"] if "priority" in keys else 0,
        row["photo"] if "photo" in keys else None,
        row["edit_of"] if "edit_of" in keys else None,
        row["edit_message_id"] if "edit_message_id" in keys else None,
        row["voice"] if "voice" in keys else None,
    )


# Priorities: replies to one person go before a broadcast; urgent alerts before both.
PRIORITY_BULK = -1
PRIORITY_NORMAL = 0
PRIORITY_URGENT = 1
_SELECT = (
    "SELECT o.*, t.sent_message_id AS edit_message_id FROM outbox o"
    " LEFT JOIN outbox t ON t.id = o.edit_of"
)


async def enqueue(
    conn: Connection,
    platform: str,
    chat_id: str,
    text: str,
    buttons: list[list[dict[str, Any]]],
    now: datetime,
    *,
    not_before: datetime | None = None,
    batch_id: int | None = None,
    priority: int = PRIORITY_NORMAL,
    photo: str | None = None,
    edit_of: int | None = None,
    voice: str | None = None,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO outbox (platform, chat_id, text, buttons, batch_id, created_at, not_before,"
        " priority, photo, edit_of, voice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            platform,
            chat_id,
            text,
            json.dumps(buttons, ensure_ascii=False),
            batch_id,
            to_db(now),
            to_db(not_before or now),
            priority,
            photo,
            edit_of,
            voice,
        ),
    )
    return new_id


@dataclass(frozen=True)
class NewMessage:
    """One message of a batch queued with :func:`enqueue_many`."""

    platform: str
    chat_id: str
    text: str
    photo: str | None = None


async def enqueue_many(
    conn: Connection,
    messages: list[NewMessage],
    now: datetime,
    *,
    not_before: datetime | None = None,
    batch_id: int | None = None,
    priority: int = PRIORITY_NORMAL,
) -> None:
    """Queue many messages without buttons in one statement (a broadcast's fan-out)."""
    created, due = to_db(now), to_db(not_before or now)
    await conn.executemany(
        "INSERT INTO outbox (platform, chat_id, text, buttons, batch_id, created_at, not_before,"
        " priority, photo) VALUES (?, ?, ?, '[]', ?, ?, ?, ?, ?)",
        [
            (m.platform, m.chat_id, m.text, batch_id, created, due, priority, m.photo)
            for m in messages
        ],
    )


async def claim_due(
    conn: Connection, platform: str, now: datetime, limit: int
) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as being sent and return them, oldest first."""
    async with conn.execute(
        _SELECT + " WHERE o.platform = ? AND o.status = 'pending' AND o.not_before <= ?"
        " ORDER BY o.priority DESC, o.not_before, o.id LIMIT ?",
        (platform, to_db(now), limit),
    ) as cur:
        rows = [_message(r) for r in await cur.fetchall()]
    if rows:
        marks = ",".join("?" for _ in rows)
        await conn.execute(
            f"UPDATE outbox SET status = 'sending' WHERE id IN ({marks})",
            [m.id for m in rows],
        )
    return rows


async def next_due_at(conn: Connection, platform: str) -> datetime | None:
    async with conn.execute(
        "SELECT MIN(not_before) FROM outbox WHERE platform = ? AND status = 'pending'",
        (platform,),
    ) as cur:
        row = await cur.fetchone()
    return from_db(row[0]) if row and row[0] else None


async def mark_sent(conn: Connection, message_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
        (to_db(now), message_id),
    )


async def mark_final(conn: Connection, message_id: int, status: str, reason: str) -> None:
    """Give up on a message: ``failed`` (after retries) or ``skipped`` (chat unreachable)."""
    await conn.execute(
        "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (status, reason[:500], message_id),
    )


async def retry_later(
    conn: Connection, message_id: int, when: datetime, reason: str, *, count: bool = True
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ?,"
        " attempts = attempts + ? WHERE id = ?",
        (to_db(when), reason[:500], int(count), message_id),
    )


async def skip_chat(conn: Connection, platform: str, chat_id: str, reason: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'skipped', last_error = ?"
        " WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')",
        (reason, platform, chat_id),
    )


async def counts(conn: Connection, batch_id: int | None = None) -> dict[str, int]:
    sql, params = "SELECT status, COUNT(*) FROM outbox", ()
    if batch_id is not None:
        sql, params = sql + " WHERE batch_id = ?", (batch_id,)  # type: ignore[assignment]
    async with conn.execute(sql + " GROUP BY status", params) as cur:
        return {r[0]: r[1] for r in await cur.fetchall()}


# The delivery worker's side -----------------------------------------------------------------
async def pending_after(
    conn: Connection, platform: str, after_id: int, limit: int
) -> list[OutboxMessage]:
    """Pending messages with an id above ``after_id`` (due or not), oldest first: the worker
    keeps them in memory and paces them itself."""
    async with conn.execute(
        _SELECT + " WHERE o.platform = ? AND o.status = 'pending' AND o.id > ?"
        " ORDER BY o.id LIMIT ?",
        (platform, after_id, limit),
    ) as cur:
        return [_message(r) for r in await cur.fetchall()]


async def pending_window(
    conn: Connection,
    platform: str,
    known: set[int],
    size: int,
    new_at_most: int | None = None,
) -> list[OutboxMessage]:
    """The pending messages among the first ``size`` in sending order (priority, then due
    time, then id) that are not in ``known`` (those the worker holds already), oldest first.

    The worker holds at most about ``size`` messages whatever the queue's length: a broadcast
    to 100,000 chats is read a window at a time, and a message that must go before it (a reply,
    an alert) is still read at once, since it sorts ahead of the window. ``new_at_most``: read
    only the first that many of those not known (in sending order)."""
    ids = [
        int(r[0])
        for r in await conn.execute_fetchall(
            "SELECT id FROM outbox WHERE platform = ? AND status = 'pending'"
            " ORDER BY priority DESC, not_before, id LIMIT ?",
            (platform, max(size, len(known))),
        )
    ]
    wanted = [i for i in ids if i not in known][:new_at_most]
    if not wanted:
        return []
    marks = ",".join("?" for _ in wanted)
    rows = await conn.execute_fetchall(_SELECT + f" WHERE o.id IN ({marks}) ORDER BY o.id", wanted)
    return [_message(r) for r in rows]


@dataclass
class Claimed:
    """What :func:`start_sending` claimed for this process, and what it left."""

    sending: set[int] = field(default_factory=set)  # marked 'sending', held by this process
    skipped: set[int] = field(default_factory=set)  # their chat is inactive: never sent
    edits: dict[int, int] = field(default_factory=dict)  # the platform message id to edit
    # Messages whose chat may not get one yet (a request to it in flight from any process, its
    # interval or a group's minute not over): the seconds to wait before asking again.
    waits: dict[int, float] = field(default_factory=dict)


async def start_sending(
    conn: Connection,
    platform: str,
    ids: list[int],
    process_id: str,
    groups: set[str],
    rules: chat_turns.TurnRules,
) -> Claimed:
    """Claim messages for this process just before their requests go out: each row is locked
    (on PostgreSQL ``FOR UPDATE SKIP LOCKED``: a row another process is claiming right now is
    passed over), its chat's turn taken (bot.storage.chat_turns), and it is marked 'sending'
    with ``held_by`` naming this process. Ids in none of the result's sets were claimed by
    another process, or changed (deleted, skipped), and must not be sent."""
    claimed = Claimed()
    if not ids:
        return claimed
    marks = ",".join("?" for _ in ids)
    rows = await conn.execute_fetchall(
        f"SELECT id, chat_id FROM outbox WHERE id IN ({marks}) AND status = 'pending'"
        f" ORDER BY id" + chat_turns.for_update(conn),
        ids,
    )
    locked = {int(r[0]): str(r[1]) for r in rows}
    if not locked:
        return claimed
    marks = ",".join("?" for _ in locked)
    cur = await conn.execute(
        f"UPDATE outbox SET status = 'skipped', last_error = 'chat inactive'"
        f" WHERE id IN ({marks}) AND EXISTS (SELECT 1 FROM chats c"
        f" WHERE c.platform = outbox.platform AND c.chat_id = outbox.chat_id AND c.active = 0)"
        f" RETURNING id",
        list(locked),
    )
    claimed.skipped = {int(r[0]) for r in await cur.fetchall()}
    heads: dict[str, int] = {}  # one message per chat at a time
    for message_id, chat_id in locked.items():
        if message_id not in claimed.skipped:
            heads.setdefault(chat_id, message_id)
    waits = await chat_turns.take(conn, platform, list(heads), process_id, groups, rules)
    for message_id, chat_id in locked.items():
        if message_id in claimed.skipped:
            continue
        if heads[chat_id] != message_id:
            claimed.waits[message_id] = chat_turns.BUSY_RETRY
        elif chat_id in waits:
            claimed.waits[message_id] = waits[chat_id]
    go = [i for i in locked if i not in claimed.skipped and i not in claimed.waits]
    if not go:
        return claimed
    marks = ",".join("?" for _ in go)
    cur = await conn.execute(
        f"UPDATE outbox SET status = 'sending', held_by = ? WHERE id IN ({marks})"
        f" RETURNING id, edit_of",
        [process_id, *go],
    )
    rows = list(await cur.fetchall())
    claimed.sending = {int(r[0]) for r in rows}
    targets = {int(r[0]): int(r[1]) for r in rows if r[1] is not None}
    if targets:
        tmarks = ",".join("?" for _ in targets)
        async with conn.execute(
            f"SELECT id, sent_message_id FROM outbox WHERE id IN ({tmarks})",
            list(targets.values()),
        ) as c:
            sent_ids = {int(r[0]): r[1] for r in await c.fetchall()}
        for message_id, target in targets.items():
            if sent_ids.get(target) is not None:
                claimed.edits[message_id] = int(sent_ids[target])
    return claimed


async def mark_sent_many(
    conn: Connection, sent: list[tuple[int, int | None]], now: datetime
) -> None:
    """Record delivered messages: (outbox id, the platform's message id or None)."""
    await conn.executemany(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        " sent_message_id = ? WHERE id = ?",
        [(to_db(now), platform_id, message_id) for message_id, platform_id in sent],
    )


async def mark_unconfirmed(conn: Connection, message_id: int, now: datetime, reason: str) -> None:
    """A request that got no answer may have arrived: it counts as sent and is never sent
    again; ``last_error`` says it was not confirmed."""
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        " last_error = ? WHERE id = ?",
        (to_db(now), reason[:500], message_id),
    )


async def supersede_edits(conn: Connection, edit_of: int) -> None:
    """A newer progress edit replaces any older one not sent yet."""
    await conn.execute(
        "UPDATE outbox SET status = 'skipped', last_error = 'superseded'"
        " WHERE edit_of = ? AND status = 'pending'",
        (edit_of,),
    )


async def get(conn: Connection, message_id: int) -> OutboxMessage | None:
    async with conn.execute(_SELECT + " WHERE o.id = ?", (message_id,)) as cur:
        row = await cur.fetchone()
    return _message(row) if row else None


async def status_of(conn: Connection, message_id: int) -> str | None:
    async with conn.execute("SELECT status FROM outbox WHERE id = ?", (message_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


# Why a message was given up: the first word of ``last_error`` of a failed row (the sender
# classifies the platform's answer; the rest of ``last_error`` is the platform's own wording,
# kept for whoever reads the database). Officers see these kinds in their own language.
FAILURE_KINDS = ("no_rights", "too_long", "format", "refused", "server", "network", "other")


def failure_reason(kind: str, detail: str) -> str:
    """What ``last_error`` holds for a message given up for ``kind`` (``detail``: the
    platform's wording)."""
    return f"{kind if kind in FAILURE_KINDS else 'other'}: {detail}"


async def failure_reasons(conn: Connection, batch_id: int) -> dict[str, int]:
    """Why messages of a batch failed (one of :data:`FAILURE_KINDS`), with how many each,
    the most frequent first."""
    counts: dict[str, int] = {}
    async with conn.execute(
        "SELECT COALESCE(last_error, ''), COUNT(*) FROM outbox WHERE batch_id = ?"
        " AND status = 'failed' GROUP BY 1",
        (batch_id,),
    ) as cur:
        for raw, count in await cur.fetchall():
            kind = str(raw).split(":", 1)[0]
            kind = kind if kind in FAILURE_KINDS else "other"
            counts[kind] = counts.get(kind, 0) + int(count)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], FAILURE_KINDS.index(item[0]))))
