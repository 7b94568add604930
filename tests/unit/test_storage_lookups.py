"""Lookups that run on people's updates find the same rows as before, through an index instead
of a scan of the whole table (issue #12: they grew with the number of members and pledges);
pledge items come back in one query in the stored order; a broadcast's batch is queued in
recipient order; an update in a known chat does not write the chat again; a query and its
rows take one trip to the database thread."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.core.dispatcher import Dispatcher
from bot.core.events import ChatInfo
from bot.storage import areas as areas_repo
from bot.storage import chats, menus, outbox, pledge_campaigns, pledge_items
from bot.storage import members as members_repo
from bot.storage import pledges as repo
from bot.storage.db import Connection, Database
from tests.conftest import Clock
from tests.unit.test_core import command

pytestmark = pytest.mark.sqlite_only(reason="reads SQLite's query plans and statement trace")

NOW = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)
WATCHED = ("pledges", "pledge_household_members", "members", "menus")


@asynccontextmanager
async def scans(conn: Connection) -> AsyncIterator[list[str]]:
    """Plan steps, of every statement run meanwhile, that read a whole table, every pledge of a
    campaign, or sort an area's members before a limit can apply."""
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
                words = detail.split()
                whole_table = words[:1] == ["SCAN"] and words[1] in WATCHED
                whole_campaign = "pledges_area (campaign_id=?)" in detail
                sorted_area = "TEMP B-TREE" in detail and "FROM members" in sql
                if (whole_table and "INDEX" not in detail) or whole_campaign or sorted_area:
                    found.append(f"{detail}  <-  {sql}")


async def seed(conn: Connection) -> tuple[int, list[members_repo.Member]]:
    area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
    people = []
    for n in range(6):
        member = await members_repo.ensure(conn, "telegram", str(100 + n), NOW)
        await members_repo.complete_onboarding(
            conn,
            member.id,
            display_name=f"Người {5 - n}",
            area_id=area.id,
            language="vi",
            consent_version=1,
            now=NOW,
        )
        found = await members_repo.get(conn, member.id)
        assert found is not None
        people.append(found)
    await members_repo.ensure(conn, "telegram", "999", NOW)  # started, never registered
    return area.id, people


async def sign(
    conn: Connection, campaign_id: int, area_id: int | None, member_id: int, n: int
) -> int:
    return await repo.sign(
        conn,
        campaign_id=campaign_id,
        area_id=area_id,
        audience="household",
        head_name=f"Hộ {n}",
        address=f"Số {n}",
        household_key=f"hk{n}",
        member_id=member_id,
        public=True,
        reference=f"R{n}",
        lines=[repo.Line(1, "x", False)],
        item_ids=[None],
        now=NOW + timedelta(minutes=n),
    )


async def test_standing_pledge_found_for_signer_and_linked_member_without_scans(
    db: Database,
) -> None:
    async with db.unit() as conn:
        area_id, people = await seed(conn)
        signer, linked, other, alone = people[:4]
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2027", date(2027, 1, 1), date(2027, 3, 31), None, NOW
        )
        earlier = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2026", date(2026, 1, 1), date(2026, 3, 31), None, NOW
        )
        pledge = await sign(conn, campaign.id, area_id, signer.id, 1)
        await repo.link_household_member(conn, pledge, linked.id, NOW)
        withdrawn = await sign(conn, campaign.id, area_id, other.id, 2)
        await repo.withdraw(conn, withdrawn, other.id, NOW)
        old = await sign(conn, earlier.id, None, alone.id, 3)

        async with scans(conn) as found:
            mine = await repo.standing_for_member(conn, campaign.id, signer.id)
            theirs = await repo.standing_for_member(conn, campaign.id, linked.id)
            gone = await repo.standing_for_member(conn, campaign.id, other.id)
            elsewhere = await repo.standing_for_member(conn, campaign.id, alone.id)
            in_old = await repo.standing_for_member(conn, earlier.id, alone.id)
            listed = await repo.of_member(conn, linked.id)
            counted = await repo.count_in_campaign_area(conn, campaign.id, area_id)
            no_area = await repo.count_in_campaign_area(conn, earlier.id, None)
        assert found == []
    assert mine is not None and mine.id == pledge
    assert theirs is not None and theirs.id == pledge
    assert gone is None and elsewhere is None
    assert in_old is not None and in_old.id == old
    assert [p.id for p in listed] == [pledge]
    assert counted == 2  # withdrawn ones count: references are never reused
    assert no_area == 1


async def test_area_members_in_name_order_limited_and_counted_without_scans(
    db: Database,
) -> None:
    async with db.unit() as conn:
        area_id, people = await seed(conn)
        async with scans(conn) as found:
            everyone = await members_repo.in_area(conn, area_id)
            first = await members_repo.in_area(conn, area_id, limit=2)
            count = await members_repo.count_in_area(conn, area_id)
        assert found == []
    assert [m.display_name for m in everyone] == [f"Người {n}" for n in range(6)]
    assert [m.id for m in first] == [m.id for m in everyone[:2]]
    assert count == 6 == len(people)


async def test_menus_dropped_per_person_without_scans(db: Database) -> None:
    async with db.unit() as conn:
        later = NOW + timedelta(hours=1)
        mine = await menus.create(conn, "telegram", "7", "7", ["rep:x"], None, NOW, later)
        flow = await menus.create(conn, "telegram", "7", "7", ["rep:y"], None, NOW, later)
        other = await menus.create(conn, "telegram", "8", "8", ["rep:z"], None, NOW, later)
        async with scans(conn) as found:
            assert await menus.drop_for_flow(conn, "telegram", "7", "7", "rep:") == 2
        assert found == []
        assert await menus.get(conn, mine) is None and await menus.get(conn, flow) is None
        assert await menus.get(conn, other) is not None


async def test_pledge_items_by_id_in_one_query_keep_the_given_order(db: Database) -> None:
    async with db.unit() as conn:
        items = await pledge_items.items(conn, "household")
        wanted = [items[2].id, items[0].id, 999_999, items[1].id]
        statements: list[str] = []
        await conn.set_trace_callback(statements.append)
        found = await pledge_items.items_by_id(conn, wanted)
        await conn.set_trace_callback(None)
    assert [i.id for i in found] == [items[2].id, items[0].id, items[1].id]
    assert len(statements) == 1
    assert await pledge_items.items_by_id(conn, []) == []


async def test_enqueue_many_queues_every_message_in_order(db: Database) -> None:
    async with db.unit() as conn:
        batch = [outbox.NewMessage("telegram", str(1000 + n), f"tin {n}") for n in range(5)]
        batch.append(outbox.NewMessage("telegram", "-5", "ảnh", photo="file-1"))
        await outbox.enqueue_many(conn, batch, NOW, batch_id=3, priority=outbox.PRIORITY_BULK)
        queued = await outbox.pending_window(conn, "telegram", set(), 100)
    assert [(m.chat_id, m.text, m.photo) for m in queued] == [
        (m.chat_id, m.text, m.photo) for m in batch
    ]
    assert {m.batch_id for m in queued} == {3}
    assert {m.priority for m in queued} == {outbox.PRIORITY_BULK}
    assert all(m.buttons == [] and m.not_before == NOW for m in queued)


async def test_the_migration_adds_the_indexes(db: Database) -> None:
    async with db.read() as conn:
        found = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'index'")
    names = {r[0] for r in found}
    assert {"menus_user", "members_area_registered", "outbox_window"} <= names


async def test_an_update_in_a_known_chat_reads_it_without_writing(
    db: Database, dispatcher: Dispatcher, clock: Clock
) -> None:
    group = ChatInfo("-500", "group", "Nhóm Thôn Đông")
    await dispatcher.handle(command("/help", chat=group))
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)
    await dispatcher.handle(command("/help", chat=group))
    await db.conn.set_trace_callback(None)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert not [s for s in writes if "chats" in s]

    # A new title, a chat coming back, and an old "last seen" time are still written.
    async with db.unit() as conn:
        await chats.set_active(conn, "telegram", "-500", False, clock.now)
    clock.now += timedelta(minutes=5)
    await dispatcher.handle(command("/help", chat=ChatInfo("-500", "group", "Nhóm mới")))
    async with db.read() as conn:
        chat = await chats.find(conn, "telegram", "-500")
        stamp = await conn.execute_fetchall("SELECT updated_at FROM chats")
    assert chat is not None and chat.title == "Nhóm mới" and chat.active
    first_seen = next(iter(stamp))[0]
    clock.now += chats.SEEN_PRECISION + timedelta(seconds=1)
    await dispatcher.handle(command("/help", chat=group))
    async with db.read() as conn:
        later = next(iter(await conn.execute_fetchall("SELECT updated_at FROM chats")))[0]
    assert later > first_seen


async def test_a_query_and_its_rows_take_one_trip_to_the_database_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    original = db.conn._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", "?"))
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(db.conn, "_execute", counted)
    async with db.unit() as conn:
        trips.clear()
        cur = await conn.execute("INSERT INTO kv (key, value) VALUES ('a', '1'), ('b', '2')")
        assert cur.rowcount == 2 and cur.lastrowid is not None
        async with conn.execute("SELECT key, value FROM kv ORDER BY key") as cur:
            first = await cur.fetchone()
            rest = await cur.fetchall()
            assert await cur.fetchone() is None
        async with conn.execute("SELECT value FROM kv WHERE key = :k", {"k": "b"}) as cur:
            named = await cur.fetchall()
        assert len(trips) == 3
    assert first is not None and tuple(first) == ("a", "1")
    assert [tuple(r) for r in rest] == [("b", "2")]
    assert [tuple(r) for r in named] == [("2",)]
