"""What only the PostgreSQL backend does: run in the PostgreSQL run (--backend=postgresql)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.storage import areas, members
from bot.storage.db import Database, IntegrityError
from bot.storage.postgres import translate
from tests.postgresql import Cluster

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def test_the_database_setting_keeps_a_connection_string_or_names_a_file() -> None:
    url = "postgresql://bot:secret@db.example/province"
    assert load_settings(database=url).database == url
    assert str(load_settings(database="sqlite:data/x.sqlite3").database) == "data/x.sqlite3"
    assert str(load_settings(database="data/x.sqlite3").database) == "data/x.sqlite3"


def test_placeholders_become_psycopgs_outside_quoted_text() -> None:
    sql = "SELECT '?', \"a?\" FROM t WHERE a = ? AND b LIKE '%x' AND c = ?"
    assert translate(sql) == ("SELECT '?', \"a?\" FROM t WHERE a = %s AND b LIKE '%%x' AND c = %s")


@pytest.fixture
def cluster(pg_cluster: Cluster | None) -> Cluster:
    if pg_cluster is None:
        pytest.skip("PostgreSQL only: runs in the PostgreSQL run (--backend=postgresql)")
    return pg_cluster


async def test_a_lost_connection_is_replaced_and_the_work_done(cluster: Cluster) -> None:
    name = cluster.new_database()
    db = await Database.open(cluster.url(name))
    try:
        async with db.unit() as conn:
            await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
        # The server drops every connection of the bot (a restart, a network cut).
        cluster.admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )
        async with db.unit() as conn:
            member = await members.ensure(conn, "telegram", "7", NOW)
        async with db.read() as conn:
            assert [a.code for a in await areas.list_areas(conn)] == ["DONG"]
            assert (await members.get(conn, member.id)) is not None
    finally:
        await db.close()


async def test_rows_by_name_numbers_by_column_and_the_triggers_refusal(
    cluster: Cluster,
) -> None:
    db = await Database.open(cluster.url(cluster.new_database()))
    try:
        async with db.unit() as conn:
            area = await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
            # a number bound to a text column is taken as text, as SQLite does
            member = await members.ensure(conn, "telegram", 7, NOW)  # type: ignore[arg-type]
            async with conn.execute("SELECT SUM(households) AS n FROM areas") as cur:
                row = await cur.fetchone()
        assert row is not None and row["n"] == 120 and isinstance(row[0], int)
        assert member.user_id == "7" and area.commune_id is not None
        with pytest.raises(IntegrityError, match="an area belongs to a commune"):
            async with db.unit() as conn:
                await conn.execute("UPDATE areas SET commune_id = NULL WHERE id = ?", (area.id,))
        async with db.read() as conn:
            kept = await areas.get(conn, area.id)
        assert kept is not None and kept.commune_id == area.commune_id
    finally:
        await db.close()


async def test_one_bot_process_per_database_and_the_lock_goes_with_it(cluster: Cluster) -> None:
    url = cluster.url(cluster.new_database())
    first, second = await Database.open(url), await Database.open(url)
    try:
        assert await first.claim_poller()
        assert not await second.claim_poller()  # a second bot process stops at start
        await first.close()  # ended (or killed: the server drops its connection)
        assert await second.claim_poller()
    finally:
        await second.close()
