"""The pledges' use cases called without any chat: signing once per household, a second
member linked instead, the register's household, and withdrawing only one's own pledge."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.features.pledges import service
from bot.storage import areas as areas_repo
from bot.storage import households as households_repo
from bot.storage import members as members_repo
from bot.storage import pledge_campaigns, pledge_items
from bot.storage import pledges as repo
from bot.storage.db import Connection, Database
from bot.storage.members import Member

NOW = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


async def _resident(conn: Connection, user_id: int, area_id: int) -> Member:
    member = await members_repo.ensure(conn, "telegram", user_id, NOW)
    await members_repo.complete_onboarding(
        conn,
        member.id,
        display_name=f"Dân {user_id}",
        area_id=area_id,
        language="vi",
        consent_version=1,
        now=NOW,
    )
    found = await members_repo.get(conn, member.id)
    assert found is not None
    return found


async def _actions(conn: Connection) -> list[str]:
    async with conn.execute("SELECT action FROM audit_log ORDER BY id") as cur:
        return [str(r[0]) for r in await cur.fetchall()]


async def test_one_pledge_per_household_and_the_next_member_is_linked(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        first, second = await _resident(conn, 1, area.id), await _resident(conn, 2, area.id)
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2027", date(2027, 1, 1), date(2027, 3, 31), None, NOW
        )
        items = await pledge_items.items(conn, "household")
        signing = service.Signing(
            audience="household",
            head_name="Nguyễn Văn An",
            address="Số 1, xóm 3",
            items=items,
            left_out={items[1].id},
            language="vi",
            public=True,
        )
        signed = await service.sign_pledge(conn, campaign, first, signing, NOW)
        assert signed == service.Signed(signed.pledge_id, "DONG-2027-001")  # type: ignore[union-attr]
        lines = await repo.lines(conn, signed.pledge_id)  # type: ignore[union-attr]
        assert [line.left_out for line in lines][:3] == [False, True, False]
        assert len(lines) == len(items)

        # the same household typed in other case and spacing by another member: linked
        again = service.Signing(**{**signing.__dict__, "address": "số 1,   XÓM 3"})
        result = await service.sign_pledge(conn, campaign, second, again, NOW)
        assert isinstance(result, service.AlreadySigned)
        assert result.pledge.reference == "DONG-2027-001"
        assert await repo.signed_count(conn, campaign.id, area.id) == 1
        assert await repo.covered_members(conn, campaign.id) == {first.id, second.id}
        assert await _actions(conn) == ["pledge.signed", "pledge.household_member_linked"]


async def test_a_register_household_signs_once_under_its_own_name(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        resident = await _resident(conn, 1, area.id)
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2027", date(2027, 1, 1), date(2027, 3, 31), None, NOW
        )
        household_id = await households_repo.add(
            conn, area.id, number="12", head_name="Trần Thị Bình", address="Xóm 2", now=NOW
        )
        household = await households_repo.get(conn, household_id)
        signing = service.Signing(
            audience="household",
            head_name="tran thi binh",
            address="xom 2",
            items=await pledge_items.items(conn, "household"),
            left_out=(),
            language="vi",
            public=False,
            household=household,
        )
        signed = await service.sign_pledge(conn, campaign, resident, signing, NOW)
        assert isinstance(signed, service.Signed)
        pledge = await repo.get(conn, signed.pledge_id)
        assert pledge is not None and pledge.household_id == household_id
        assert (pledge.head_name, pledge.address) == ("Trần Thị Bình", "Xóm 2")
        again = await service.sign_pledge(conn, campaign, resident, signing, NOW)
        assert isinstance(again, service.AlreadySigned) and again.pledge.id == pledge.id


async def test_only_ones_own_standing_pledge_is_withdrawn(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        owner, neighbour = await _resident(conn, 1, area.id), await _resident(conn, 2, area.id)
        campaign = await pledge_campaigns.add_campaign(
            conn, "Cam kết năm 2027", date(2027, 1, 1), date(2027, 3, 31), None, NOW
        )
        signing = service.Signing(
            audience="household",
            head_name="Lê Văn Cường",
            address="Số 9",
            items=await pledge_items.items(conn, "household"),
            left_out=(),
            language="vi",
            public=True,
        )
        signed = await service.sign_pledge(conn, campaign, owner, signing, NOW)
        assert isinstance(signed, service.Signed)
        assert await service.withdraw_pledge(conn, signed.pledge_id, neighbour, NOW) is None
        withdrawn = await service.withdraw_pledge(conn, signed.pledge_id, owner, NOW)
        assert withdrawn is not None and withdrawn.reference == signed.reference
        assert await service.withdraw_pledge(conn, signed.pledge_id, owner, NOW) is None
        assert await repo.signed_count(conn, campaign.id, area.id) == 0
        assert (await _actions(conn)).count("pledge.withdrawn") == 1


async def test_a_register_file_is_imported_whole_or_not_at_all(db: Database) -> None:
    """The use case the chat and the CLI both run."""
    good = "Số hộ,Chủ hộ,Địa chỉ,Ghi chú\n1,Nguyễn Văn An,Xóm 1,\n2,Trần Thị Bình,Xóm 2,\n"
    bad = good + "3,,Xóm 3,\n"
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        problems = await service.import_register(
            conn, area, bad.encode(), "so-ho.csv", actor=None, now=NOW
        )
        assert isinstance(problems, list) and [p.line for p in problems] == [4]
        assert await households_repo.count(conn, area.id) == 0
        first = await service.import_register(
            conn, area, good.encode(), "so-ho.csv", actor=None, now=NOW, source="cli"
        )
        assert first == service.Imported(added=2, updated=0, unchanged=0, total=2)
        again = await service.import_register(
            conn, area, good.encode(), "so-ho.csv", actor=None, now=NOW
        )
        assert again == service.Imported(added=0, updated=0, unchanged=2, total=2)
        assert (await _actions(conn)).count("household.imported") == 2


async def test_the_household_a_pledge_is_for(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        binh = await households_repo.add(
            conn, area.id, number="", head_name="Trần Thị Bình", address="Xóm 2", now=NOW
        )
        gone = await households_repo.add(
            conn, area.id, number="13", head_name="Lê Văn Cường", address="Xóm 3", now=NOW
        )
        await households_repo.remove(conn, gone, NOW)

        async def find(head: str, address: str, **kw: object) -> object:
            args: dict[str, object] = {"picked_id": None, "new_allowed": False, **kw}
            return await service.household_for(
                conn,
                area.id,
                head,
                address,
                actor=None,
                now=NOW,
                **args,  # type: ignore[arg-type]
            )

        assert await find("x", "y", picked_id=gone) == service.Removed()
        picked = await find("x", "y", picked_id=binh)
        assert getattr(picked, "id", None) == binh
        same = await find("tran thi binh", "XOM 2")  # the same identity, however spelled
        assert getattr(same, "id", None) == binh
        close = await find("Trần Thị Bìn", "Xóm 2")
        assert isinstance(close, service.CloseMatches)
        assert [m.household.id for m in close.found] == [binh]
        added = await find("Trần Thị Bìn", "Xóm 2", new_allowed=True)
        assert getattr(added, "id", None) not in (None, binh)
        assert await households_repo.count(conn, area.id) == 2  # Bình and the new one
        assert (await _actions(conn)).count("household.added") == 1
