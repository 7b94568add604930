"""Broadcasts: officers' own messages, schedules, runs (one per sending) and residents' topic
subscriptions. Functions take a connection and never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage import deliveries as deliveries_repo
from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db


def _when(value: str | None) -> datetime | None:
    return from_db(value) if value else None


# Own messages -------------------------------------------------------------------------------
@dataclass(frozen=True)
class OwnMessage:
    id: int
    topic: str
    text: str
    photo: str | None
    created_by: int | None
    created_at: datetime


def _own(row: Row) -> OwnMessage:
    return OwnMessage(
        row["id"],
        row["topic"],
        row["text"],
        row["photo"],
        row["created_by"],
        from_db(row["created_at"]),
    )


async def add_message(
    conn: Connection,
    topic: str,
    text: str,
    photo: str | None,
    created_by: int | None,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO broadcast_messages (topic, text, photo, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (topic, text, photo, created_by, to_db(now)),
    )
    return new_id


async def get_message(conn: Connection, message_id: int) -> OwnMessage | None:
    async with conn.execute(
        "SELECT * FROM broadcast_messages WHERE id = ? AND deleted_at IS NULL", (message_id,)
    ) as cur:
        row = await cur.fetchone()
    return _own(row) if row else None


async def list_messages(conn: Connection, topic: str | None = None) -> list[OwnMessage]:
    sql, params = "SELECT * FROM broadcast_messages WHERE deleted_at IS NULL", []
    if topic is not None:
        sql += " AND topic = ?"
        params.append(topic)
    async with conn.execute(sql + " ORDER BY id DESC", params) as cur:
        return [_own(r) for r in await cur.fetchall()]


# Schedules ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    id: int
    topic: str
    message_ref: str
    target: str
    area_ids: list[int]
    rule: str
    urgent: bool
    paused: bool
    next_run_at: datetime | None
    runs: int
    created_by: int | None


def _schedule(row: Row) -> Schedule:
    return Schedule(
        row["id"],
        row["topic"],
        row["message_ref"],
        row["target"],
        json.loads(row["area_ids"]),
        row["rule"],
        bool(row["urgent"]),
        bool(row["paused"]),
        _when(row["next_run_at"]),
        row["runs"],
        row["created_by"],
    )


async def add_schedule(
    conn: Connection,
    *,
    topic: str,
    message_ref: str,
    target: str,
    area_ids: list[int],
    rule: str,
    urgent: bool,
    next_run_at: datetime | None,
    created_by: int | None,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO broadcast_schedules (topic, message_ref, target, area_ids, rule, urgent,"
        " next_run_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            topic,
            message_ref,
            target,
            json.dumps(sorted(area_ids)),
            rule,
            int(urgent),
            to_db(next_run_at) if next_run_at else None,
            created_by,
            to_db(now),
            to_db(now),
        ),
    )
    return new_id


async def get_schedule(conn: Connection, schedule_id: int) -> Schedule | None:
    async with conn.execute(
        "SELECT * FROM broadcast_schedules WHERE id = ?", (schedule_id,)
    ) as cur:
        row = await cur.fetchone()
    return _schedule(row) if row else None


async def list_schedules(conn: Connection) -> list[Schedule]:
    """Schedules that still have a run ahead (or are paused), soonest first."""
    async with conn.execute(
        "SELECT * FROM broadcast_schedules WHERE next_run_at IS NOT NULL OR paused = 1"
        " ORDER BY paused, next_run_at NULLS LAST, id"  # a paused one with no run ahead last
    ) as cur:
        return [_schedule(r) for r in await cur.fetchall()]


async def due_schedules(conn: Connection, now: datetime) -> list[Schedule]:
    async with conn.execute(
        "SELECT * FROM broadcast_schedules WHERE paused = 0 AND next_run_at IS NOT NULL"
        " AND next_run_at <= ? ORDER BY next_run_at, id",
        (to_db(now),),
    ) as cur:
        return [_schedule(r) for r in await cur.fetchall()]


async def set_next_run(
    conn: Connection,
    schedule_id: int,
    next_run_at: datetime | None,
    now: datetime,
    *,
    ran: bool = False,
) -> None:
    await conn.execute(
        "UPDATE broadcast_schedules SET next_run_at = ?, runs = runs + ?, updated_at = ?"
        " WHERE id = ?",
        (to_db(next_run_at) if next_run_at else None, int(ran), to_db(now), schedule_id),
    )


async def set_rule(
    conn: Connection,
    schedule_id: int,
    rule: str,
    next_run_at: datetime | None,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE broadcast_schedules SET rule = ?, next_run_at = ?, updated_at = ? WHERE id = ?",
        (rule, to_db(next_run_at) if next_run_at else None, to_db(now), schedule_id),
    )


async def set_paused(
    conn: Connection,
    schedule_id: int,
    paused: bool,
    next_run_at: datetime | None,
    now: datetime,
) -> None:
    await conn.execute(
        "UPDATE broadcast_schedules SET paused = ?, next_run_at = ?, updated_at = ? WHERE id = ?",
        (int(paused), to_db(next_run_at) if next_run_at else None, to_db(now), schedule_id),
    )


async def delete_schedule(conn: Connection, schedule_id: int) -> None:
    await conn.execute("DELETE FROM broadcast_schedules WHERE id = ?", (schedule_id,))


# Runs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    id: int
    schedule_id: int | None
    due_at: datetime
    status: str
    reason: str | None
    topic: str
    message_ref: str
    target: str
    area_ids: list[int]
    urgent: bool
    variant: int
    cursor_kind: str
    cursor_id: int
    recipients: int
    not_before: datetime | None
    requested_by: int | None
    report: bool
    progress_outbox: int | None
    progress_text: str | None


def _run(row: Row) -> Run:
    return Run(
        row["id"],
        row["schedule_id"],
        from_db(row["due_at"]),
        row["status"],
        row["reason"],
        row["topic"],
        row["message_ref"],
        row["target"],
        json.loads(row["area_ids"]),
        bool(row["urgent"]),
        row["variant"],
        row["cursor_kind"],
        row["cursor_id"],
        row["recipients"],
        _when(row["not_before"]),
        row["requested_by"],
        bool(row["report"]),
        row["progress_outbox"],
        row["progress_text"],
    )


async def add_run(
    conn: Connection,
    *,
    schedule_id: int | None,
    due_at: datetime,
    now: datetime,
    status: str,
    topic: str,
    message_ref: str,
    target: str,
    area_ids: list[int],
    urgent: bool,
    variant: int,
    not_before: datetime | None,
    requested_by: int | None,
    report: bool,
    reason: str | None = None,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO broadcast_runs (schedule_id, due_at, started_at, status, reason, topic,"
        " message_ref, target, area_ids, urgent, variant, not_before, requested_by, report,"
        " finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            schedule_id,
            to_db(due_at),
            to_db(now),
            status,
            reason,
            topic,
            message_ref,
            target,
            json.dumps(sorted(area_ids)),
            int(urgent),
            variant,
            to_db(not_before) if not_before else None,
            requested_by,
            int(report),
            to_db(now) if status == "skipped" else None,
        ),
    )
    return new_id


async def get_run(conn: Connection, run_id: int) -> Run | None:
    async with conn.execute("SELECT * FROM broadcast_runs WHERE id = ?", (run_id,)) as cur:
        row = await cur.fetchone()
    return _run(row) if row else None


async def runs_with_status(conn: Connection, status: str) -> list[Run]:
    async with conn.execute(
        "SELECT * FROM broadcast_runs WHERE status = ? ORDER BY id", (status,)
    ) as cur:
        return [_run(r) for r in await cur.fetchall()]


async def recent_runs(conn: Connection, limit: int = 10) -> list[Run]:
    async with conn.execute(
        "SELECT * FROM broadcast_runs ORDER BY id DESC LIMIT ?", (limit,)
    ) as cur:
        return [_run(r) for r in await cur.fetchall()]


async def advance_cursor(
    conn: Connection, run_id: int, kind: str, last_id: int, added: int
) -> None:
    await conn.execute(
        "UPDATE broadcast_runs SET cursor_kind = ?, cursor_id = ?, recipients = recipients + ?"
        " WHERE id = ?",
        (kind, last_id, added, run_id),
    )


async def set_run_status(conn: Connection, run_id: int, status: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE broadcast_runs SET status = ?,"
        " finished_at = CASE WHEN ? IN ('done', 'skipped') THEN ? ELSE finished_at END"
        " WHERE id = ?",
        (status, status, to_db(now), run_id),
    )
    if status == "done":  # its outbox rows no longer change: the figures keep their counts
        await deliveries_repo.keep_delivery_counts(conn, [run_id])


async def set_progress(conn: Connection, run_id: int, outbox_id: int | None, text: str) -> None:
    await conn.execute(
        "UPDATE broadcast_runs SET progress_outbox = COALESCE(?, progress_outbox),"
        " progress_text = ? WHERE id = ?",
        (outbox_id, text, run_id),
    )


# Recipients ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    key: int  # the cursor value: chat row id for groups, member id for people
    platform: str
    chat_id: str
    language: str | None


async def group_recipients(
    conn: Connection,
    area_ids: list[int] | None,
    after: int,
    limit: int,
) -> list[Recipient]:
    """Active groups linked to an area (to ``area_ids`` when given), by row id."""
    sql = (
        "SELECT id, platform, chat_id, language FROM chats WHERE kind = 'group'"
        " AND active = 1 AND area_id IS NOT NULL AND id > ?"
    )
    params: list[object] = [after]
    if area_ids is not None:
        sql += f" AND area_id IN ({','.join('?' for _ in area_ids) or 'NULL'})"
        params.extend(area_ids)
    async with conn.execute(sql + " ORDER BY id LIMIT ?", [*params, limit]) as cur:
        return [Recipient(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]


async def subscriber_recipients(
    conn: Connection,
    topic: str,
    area_ids: list[int] | None,
    after: int,
    limit: int,
) -> list[Recipient]:
    """Registered people subscribed to ``topic`` (living in ``area_ids`` when given) whose
    private chat with the bot still works, by member id."""
    sql = (
        "SELECT m.id, m.platform, m.user_id, m.language FROM broadcast_subscriptions s"
        " JOIN members m ON m.id = s.member_id"
        " WHERE s.topic = ? AND m.consent_at IS NOT NULL AND m.id > ?"
        " AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.platform = m.platform"
        "   AND c.chat_id = m.user_id AND c.active = 0)"
    )
    params: list[object] = [topic, after]
    if area_ids is not None:
        sql += f" AND m.area_id IN ({','.join('?' for _ in area_ids) or 'NULL'})"
        params.extend(area_ids)
    async with conn.execute(sql + " ORDER BY m.id LIMIT ?", [*params, limit]) as cur:
        return [Recipient(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]


# Subscriptions ------------------------------------------------------------------------------
async def topics_of(conn: Connection, member_id: int) -> set[str]:
    async with conn.execute(
        "SELECT topic FROM broadcast_subscriptions WHERE member_id = ?", (member_id,)
    ) as cur:
        return {r[0] for r in await cur.fetchall()}


async def subscribe(conn: Connection, member_id: int, topic: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO broadcast_subscriptions (member_id, topic, created_at)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (member_id, topic, to_db(now)),
    )


async def unsubscribe(conn: Connection, member_id: int, topic: str | None = None) -> int:
    """Stop one topic, or all of them (``topic`` None); returns how many were stopped."""
    if topic is None:
        cur = await conn.execute(
            "DELETE FROM broadcast_subscriptions WHERE member_id = ?", (member_id,)
        )
    else:
        cur = await conn.execute(
            "DELETE FROM broadcast_subscriptions WHERE member_id = ? AND topic = ?",
            (member_id, topic),
        )
    return cur.rowcount
