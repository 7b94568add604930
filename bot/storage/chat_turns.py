"""A chat's turn for outbox messages, shared by every process on the database.

Telegram lets a chat get about one message a second, and a group 20 a minute, whichever process
sends them. Before an outbox message goes out, its process takes the chat's turn in the same
transaction that marks the message 'sending' (:func:`take`): the chat must have no request in
flight from any process, its interval since the last answer must have passed and, for a group,
fewer than ``group_burst`` messages in the last ``group_window`` seconds. When the answer comes,
:func:`release` records when the chat may get the next one. Times are the database's clock
(bot.storage.processes.db_time). A process that dies holding a turn has it freed by a survivor
(bot.storage.processes.take_back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.db import Connection
from bot.storage.processes import db_time

BUSY_RETRY = 0.05  # seconds: a chat another process is taking right now is asked again


@dataclass(frozen=True)
class TurnRules:
    interval: float  # seconds after an answer before the chat's next message
    group_burst: int = 20
    group_window: float = 60.0  # at most group_burst messages to a group in this many seconds


@dataclass(frozen=True)
class Answer:
    """What became of a request to a chat (one per chat released)."""

    chat_id: str
    sent: bool  # it may have reached the chat (counts for the chat's limits)
    group: bool = False
    hold: float = 0.0  # seconds the platform asked this chat to wait (a 429)


def for_update(conn: Connection) -> str:
    """Row locks taken by a claim, other processes' claims passing over them (PostgreSQL;
    SQLite has one writer at a time and no row locks)."""
    return " FOR UPDATE SKIP LOCKED" if conn.dialect.name == "postgresql" else ""


async def take(
    conn: Connection,
    platform: str,
    chat_ids: list[str],
    process_id: str,
    groups: set[str],
    rules: TurnRules,
) -> dict[str, float]:
    """Take the turn of each chat that may get a message now; returns, for each chat that
    may not, the seconds to wait before asking again (chats taken are not in it)."""
    wanted = sorted(set(chat_ids))  # always in one order: two claims never wait on each other
    if not wanted:
        return {}
    now = await db_time(conn)
    await conn.executemany(
        "INSERT INTO chat_turns (platform, chat_id) VALUES (?, ?)"
        " ON CONFLICT (platform, chat_id) DO NOTHING",
        [(platform, chat_id) for chat_id in wanted],
    )
    marks = ",".join("?" for _ in wanted)
    rows = await conn.execute_fetchall(
        f"SELECT chat_id, ready_at, held_by, sends FROM chat_turns WHERE platform = ?"
        f" AND chat_id IN ({marks})" + for_update(conn),
        [platform, *wanted],
    )
    waits = dict.fromkeys(wanted, BUSY_RETRY)  # locked by another process's claim
    taken: list[str] = []
    for chat_id, ready_at, held_by, sends in rows:
        ready = float(ready_at)
        if chat_id in groups:
            recent = [t for t in json.loads(sends) if now - t < rules.group_window]
            if len(recent) >= rules.group_burst:
                ready = max(ready, recent[-rules.group_burst] + rules.group_window)
        if held_by is not None:  # a request to it in flight (this process's or another's)
            waits[chat_id] = max(BUSY_RETRY, ready - now)
        elif ready > now:
            waits[chat_id] = ready - now
        else:
            del waits[chat_id]
            taken.append(chat_id)
    if taken:
        await conn.executemany(
            "UPDATE chat_turns SET held_by = ? WHERE platform = ? AND chat_id = ?",
            [(process_id, platform, chat_id) for chat_id in taken],
        )
    return waits


async def release(
    conn: Connection, platform: str, answers: list[Answer], process_id: str, rules: TurnRules
) -> None:
    """Record the answers to this process's requests: each chat's turn is free again, after
    its interval (or the wait the platform asked for)."""
    if not answers:
        return
    by_chat = {a.chat_id: a for a in answers}
    wanted = sorted(by_chat)
    now = await db_time(conn)
    marks = ",".join("?" for _ in wanted)
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    rows = await conn.execute_fetchall(
        f"SELECT chat_id, ready_at, sends FROM chat_turns WHERE platform = ?"
        f" AND chat_id IN ({marks}) AND held_by = ? ORDER BY chat_id" + lock,
        [platform, *wanted, process_id],
    )
    changes = []
    for chat_id, ready_at, sends in rows:
        answer = by_chat[chat_id]
        ready = max(float(ready_at), now + answer.hold)
        recent = [t for t in json.loads(sends) if now - t < rules.group_window]
        if answer.sent:
            ready = max(ready, now + rules.interval)
            if answer.group:
                recent.append(now)
                recent = recent[-rules.group_burst :]
        changes.append((ready, json.dumps(recent), platform, chat_id))
    await conn.executemany(
        "UPDATE chat_turns SET held_by = NULL, ready_at = ?, sends = ?"
        " WHERE platform = ? AND chat_id = ?",
        changes,
    )


async def purge(conn: Connection, before_seconds: float) -> int:
    """Forget the turns of chats idle for ``before_seconds`` (housekeeping)."""
    cur = await conn.execute(
        "DELETE FROM chat_turns WHERE held_by IS NULL AND ready_at < ?",
        (await db_time(conn) - before_seconds,),
    )
    return cur.rowcount
