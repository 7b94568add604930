"""Statements on people's updates that read a table growing with the commune, found on the
slowest updates of bench.updates with 100,000 members (issue #12, p99): each now finds its
rows through an index (their plans, read with EXPLAIN QUERY PLAN, never walk the table)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from bot.storage import areas as areas_repo
from bot.storage import audit, chats, menus, outbox, personal, roles
from bot.storage import members as members_repo
from bot.storage.db import Connection, Database

pytestmark = pytest.mark.sqlite_only(reason="reads SQLite's query plans and statement trace")

NOW = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


@asynccontextmanager
async def plans(conn: Connection) -> AsyncIterator[list[str]]:
    """The plan steps of every statement run meanwhile that read every row of a table, or
    every row of one platform (an index searched by the platform alone)."""
    statements: list[str] = []
    await conn.set_trace_callback(statements.append)
    found: list[str] = []
    try:
        yield found
    finally:
        await conn.set_trace_callback(None)
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "DELETE", "UPDATE")):
            continue
        async with conn.execute("EXPLAIN QUERY PLAN " + sql) as cur:
            for row in await cur.fetchall():
                detail = str(row[3])
                table = detail.split()[1] if len(detail.split()) > 1 else ""
                whole = detail.startswith("SCAN") and table in ("chats", "members", "audit_log")
                whole = whole or (detail.startswith("SCAN") and table == "menus")
                if whole or detail.endswith("(platform=?)"):
                    found.append(f"{detail}  <-  {' '.join(sql.split())}")


async def seed(conn: Connection) -> tuple[int, int, members_repo.Member]:
    """Two areas with a group each, private chats of residents, a leader."""
    dong = await areas_repo.add(conn, "DONG", "Thôn Đông", 100, NOW)
    tay = await areas_repo.add(conn, "TAY", "Thôn Tây", 100, NOW)
    for n in range(30):
        await chats.upsert(conn, "telegram", str(500 + n), "private", None, NOW)
    for area, chat_id in ((dong.id, "-100"), (tay.id, "-200")):
        group = await chats.upsert(conn, "telegram", chat_id, "group", "Nhóm", NOW)
        await chats.link_area(conn, group.id, area)
    leader = await members_repo.ensure(conn, "telegram", "500", NOW)
    await roles.grant(conn, leader.id, "leader", dong.id, None, NOW)
    return dong.id, tay.id, leader


async def test_an_areas_groups_are_found_without_reading_every_chat(db: Database) -> None:
    async with db.unit() as conn:
        dong, tay, _ = await seed(conn)
        async with plans(conn) as found:
            in_dong = await chats.groups(conn, area_id=dong)
            in_tay = await chats.groups(conn, area_id=tay)
            every = await chats.groups(conn)
        assert found == []
    assert [g.chat_id for g in in_dong] == ["-100"]
    assert [g.chat_id for g in in_tay] == ["-200"]
    assert [g.chat_id for g in every] == ["-100", "-200"]


async def test_mydata_counts_a_persons_menus_and_log_through_indexes(db: Database) -> None:
    async with db.unit() as conn:
        _, _, leader = await seed(conn)
        await menus.create(conn, "telegram", "500", "500", ["a"], None, NOW, NOW)
        await menus.create(conn, "telegram", "-100", "500", ["b"], None, NOW, NOW)
        await menus.create(conn, "telegram", "500", None, ["c"], None, NOW, NOW)  # in their chat
        await menus.create(conn, "telegram", "-100", "501", ["d"], None, NOW, NOW)  # another's
        await audit.record(conn, NOW, leader.id, "x.done", "report", 1)
        await audit.record(conn, NOW, None, "member.changed", "member", leader.id)
        await audit.record(conn, NOW, None, "member.changed", "member", leader.id + 1)
        async with plans(conn) as found:
            footprint = await personal.footprint(conn, "telegram", "500", leader.id)
        assert found == []
        assert footprint.conversations == 3
        assert footprint.audit == 2
        await personal.erase_chat_traces(conn, "telegram", "500")
        async with conn.execute("SELECT options FROM menus") as cur:
            assert [r[0] for r in await cur.fetchall()] == ['["d"]']


async def test_the_private_menus_at_start_up_read_the_roles_not_every_member(
    db: Database,
) -> None:
    async with db.unit() as conn:
        await seed(conn)
        for n in range(20):
            await members_repo.ensure(conn, "telegram", str(900 + n), NOW)
        async with plans(conn) as found:
            elevated = await roles.elevated_on(conn, "telegram")
        assert found == []
    assert [(e.user_id, e.roles) for e in elevated] == [("500", frozenset({"leader"}))]


async def test_a_blocked_chats_messages_are_skipped_by_chat_not_by_reading_the_queue(
    db: Database,
) -> None:
    """During a broadcast to 100,000 people, skipping the pending messages of one chat that
    blocked the bot read every pending message of the platform (49 ms each time)."""
    async with db.unit() as conn:
        for n in range(5):
            await outbox.enqueue(conn, "telegram", str(700 + n), "tin", [], NOW)
        statements: list[str] = []
        await conn.set_trace_callback(statements.append)
        await outbox.skip_chat(conn, "telegram", "702", "blocked")
        await conn.set_trace_callback(None)
        (update,) = [s for s in statements if s.startswith("UPDATE outbox")]
        async with conn.execute("EXPLAIN QUERY PLAN " + update) as cur:
            steps = [str(r[3]) for r in await cur.fetchall()]
        assert any("chat_id=?" in step for step in steps), steps
        async with conn.execute("SELECT chat_id FROM outbox WHERE status = 'skipped'") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["702"]
