"""Communes (migration 0016): the default commune of an upgraded database, areas and officers
of a province's communes, and the role scope computed from them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.permissions import Role, load_roles
from bot.storage import areas, communes, folding, members, roles
from bot.storage.db import Database, IntegrityError, migrations

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.sqlite_only(reason="SQLite's migration 0016 on a version-15 SQLite file")
async def test_an_upgraded_database_puts_every_area_and_officer_in_one_commune(
    tmp_path: Path,
) -> None:
    path = tmp_path / "before_communes.sqlite3"
    raw = sqlite3.connect(path)
    raw.create_function("xat_match_key", 3, folding.match_key, deterministic=True)
    raw.create_function("xat_search_key", 4, folding.search_key, deterministic=True)
    for number, _name, sql in migrations():
        if number < 16:
            raw.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    raw.executescript(
        "INSERT INTO areas (id, code, name, households, created_at) VALUES"
        " (1, 'DONG', 'Thôn Đông', 10, '2025-03-01T00:00:00+00:00'),"
        " (2, 'TAY', 'Thôn Tây', 12, '2025-04-01T00:00:00+00:00');"
        "INSERT INTO members (id, platform, user_id, created_at, updated_at) VALUES"
        " (1, 'telegram', 7, '2025-03-01T00:00:00+00:00', '2025-03-01T00:00:00+00:00');"
        "INSERT INTO roles (member_id, role, area_id, granted_at) VALUES"
        " (1, 'officer', NULL, '2025-03-01T00:00:00+00:00');"
    )
    raw.close()
    db = await Database.open(path)
    try:
        async with db.read() as conn:
            only = await communes.list_communes(conn)
            listed = await areas.list_areas(conn)
            member = await members.get(conn, 1)
            role_set = await load_roles(conn, member, "telegram", 7, ())
    finally:
        await db.close()
    assert [(c.code, c.name) for c in only] == [("XA", "")]
    assert {a.commune_id for a in listed} == {only[0].id}
    # The officer of before stays an officer of everything, as before.
    assert role_set.is_officer and role_set.sees_every_commune
    assert role_set.leads(1) and role_set.leads(2) and role_set.officer_areas is None


async def test_a_fresh_commune_only_deployment_needs_no_commune(db: Database) -> None:
    async with db.unit() as conn:
        assert await communes.list_communes(conn) == []
        dong = await areas.add(conn, "dong", "Thôn Đông", 10, NOW)
        tay = await areas.add(conn, "TAY", "Thôn Tây", None, NOW)
        listed = await communes.list_communes(conn)
    assert [c.code for c in listed] == [communes.DEFAULT_CODE]
    assert dong.commune_id == tay.commune_id == listed[0].id and dong.code == "DONG"


async def test_an_area_never_loses_its_commune(db: Database) -> None:
    async with db.unit() as conn:
        dong = await areas.add(conn, "DONG", "Thôn Đông", 10, NOW)
    with pytest.raises(IntegrityError, match="belongs to a commune"):
        async with db.unit() as conn:
            await conn.execute("UPDATE areas SET commune_id = NULL WHERE id = ?", (dong.id,))
    with pytest.raises(IntegrityError):  # a commune that does not exist
        async with db.unit() as conn:
            await areas.move(conn, dong.id, 99)


async def _province(db: Database) -> tuple[communes.Commune, communes.Commune, list[int]]:
    async with db.unit() as conn:
        nga = await communes.add(conn, "ngason", "Xã Nga Sơn", NOW)
        hoa = await communes.add(conn, "NGAHOA", "Xã Nga Hòa", NOW)
        ids = [
            (await areas.add(conn, "NS1", "Thôn 1", 100, NOW, nga.id)).id,
            (await areas.add(conn, "NS2", "Thôn 2", 80, NOW, nga.id)).id,
            (await areas.add(conn, "NH1", "Thôn Hòa 1", None, NOW, hoa.id)).id,
        ]
    return nga, hoa, ids


async def test_communes_of_a_province_and_their_areas(db: Database) -> None:
    nga, hoa, (ns1, ns2, _nh1) = await _province(db)
    async with db.read() as conn:
        assert nga.code == "NGASON" and await communes.by_code(conn, "ngason") == nga
        assert [a.code for a in await areas.list_areas(conn, hoa.id)] == ["NH1"]
        assert await areas.ids_of_communes(conn, [nga.id]) == [ns1, ns2]
        counted = {
            c.commune.code: (c.areas, c.households) for c in await communes.with_counts(conn)
        }
    assert counted == {"NGASON": (2, 180), "NGAHOA": (1, None)}
    with pytest.raises(IntegrityError):
        async with db.unit() as conn:
            await communes.add(conn, "NgaSon", "twice", NOW)


async def test_a_commune_officer_acts_only_within_their_commune(db: Database) -> None:
    nga, _hoa, (ns1, ns2, nh1) = await _province(db)
    async with db.unit() as conn:
        officer = await members.ensure(conn, "telegram", 11, NOW)
        province = await members.ensure(conn, "telegram", 12, NOW)
        assert await roles.grant(conn, officer.id, "officer", None, None, NOW, nga.id)
        assert not await roles.grant(conn, officer.id, "officer", None, None, NOW, nga.id)
        assert await roles.grant(conn, province.id, "officer", None, None, NOW)
    with pytest.raises(IntegrityError, match="only an officer"):  # and the unit is undone
        async with db.unit() as conn:
            await roles.grant(conn, officer.id, "leader", ns1, None, NOW, nga.id)
    async with db.read() as conn:
        scoped = await load_roles(conn, officer, "telegram", 11, ())
        wide = await load_roles(conn, province, "telegram", 12, ())
        for_hoa = await roles.holders(conn, "officer", nh1)
        for_nga = await roles.holders(conn, "officer", ns1)
    assert Role.OFFICER in scoped.roles and scoped.is_officer
    assert scoped.communes == {nga.id} and scoped.officer_areas == {ns1, ns2}
    assert scoped.leads(ns1) and scoped.leads(ns2) and not scoped.leads(nh1)
    assert not scoped.leads(None) and not scoped.sees_every_commune
    assert wide.sees_every_commune and wide.leads(nh1) and wide.officer_areas is None
    assert for_hoa == [province.id] and for_nga == [officer.id, province.id]


async def test_officer_of_two_communes_and_revoking_one(db: Database) -> None:
    nga, hoa, (ns1, _ns2, nh1) = await _province(db)
    async with db.unit() as conn:
        officer = await members.ensure(conn, "telegram", 11, NOW)
        await roles.grant(conn, officer.id, "officer", None, None, NOW, nga.id)
        await roles.grant(conn, officer.id, "officer", None, None, NOW, hoa.id)
        both = await load_roles(conn, officer, "telegram", 11, ())
        assert not await roles.revoke(conn, officer.id, "officer", None)  # no wide grant
        assert await roles.revoke(conn, officer.id, "officer", None, hoa.id)
        one = await load_roles(conn, officer, "telegram", 11, ())
        grants = await roles.of_member(conn, officer.id)
    assert both.leads(ns1) and both.leads(nh1)
    assert one.leads(ns1) and not one.leads(nh1)
    assert grants == [roles.Grant(officer.id, "officer", None, nga.id)]
