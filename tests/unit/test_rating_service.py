"""The yearly rating's use cases called without any chat: the rules of what may be recorded,
when a result is withdrawn, and finalising a year."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.rating import service
from bot.storage import areas as areas_repo
from bot.storage import ratings as repo
from bot.storage.db import Connection, Database

NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
YEAR = 2026
OFFICER = None  # the audit log keeps the acting member; none is needed for the rules


async def _actions(conn: Connection) -> list[str]:
    async with conn.execute("SELECT action FROM audit_log ORDER BY id") as cur:
        return [str(r[0]) for r in await cur.fetchall()]


async def _all_met(conn: Connection, area_id: int) -> None:
    for number in range(1, 6):
        await service.record_criterion(
            conn, YEAR, area_id, number, True, suggestion=None, note=None, actor=OFFICER, now=NOW
        )


async def test_met_needs_all_five_and_a_criterion_not_met_withdraws_it(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        await service.record_criterion(
            conn, YEAR, area.id, 1, True, suggestion=None, note=None, actor=OFFICER, now=NOW
        )
        blocking = await service.decide_result(conn, YEAR, area.id, True, actor=OFFICER, now=NOW)
        assert blocking == [2, 3, 4, 5]
        rating = await repo.area_rating(conn, YEAR, area.id)
        assert rating is not None and rating.result is None  # nothing written

        await _all_met(conn, area.id)
        assert await service.decide_result(conn, YEAR, area.id, True, actor=OFFICER, now=NOW) == []
        rating = await repo.area_rating(conn, YEAR, area.id)
        assert rating is not None and rating.result is True

        saved = await service.record_criterion(
            conn,
            YEAR,
            area.id,
            3,
            False,
            suggestion=True,
            note="Có vụ trộm",
            actor=OFFICER,
            now=NOW,
        )
        assert saved.result_withdrawn and saved.against_records
        rating = await repo.area_rating(conn, YEAR, area.id)
        assert rating is not None and rating.result is None
        assert service.criteria_of(rating)[3] is False
        # "does not meet" may be decided with a criterion not met; it withdraws nothing later
        assert await service.decide_result(conn, YEAR, area.id, False, actor=OFFICER, now=NOW) == []
        again = await service.record_criterion(
            conn, YEAR, area.id, 4, False, suggestion=None, note=None, actor=OFFICER, now=NOW
        )
        assert not again.result_withdrawn
        actions = await _actions(conn)
    assert actions.count("rating.year_opened") == 1
    assert actions.count("rating.result_set") == 3  # met, withdrawn, not met


async def test_the_note_of_a_verdict_against_the_records_stays(db: Database) -> None:
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        await service.record_criterion(
            conn, YEAR, area.id, 2, False, suggestion=True, note="Lý do", actor=OFFICER, now=NOW
        )
        assert not await service.save_note(conn, YEAR, area.id, 2, None, actor=OFFICER, now=NOW)
        assert await service.save_note(conn, YEAR, area.id, 2, "Lý do mới", actor=OFFICER, now=NOW)
        await service.record_criterion(
            conn, YEAR, area.id, 1, True, suggestion=None, note=None, actor=OFFICER, now=NOW
        )
        assert await service.save_note(conn, YEAR, area.id, 1, "Ghi chú", actor=OFFICER, now=NOW)
        assert await service.save_note(conn, YEAR, area.id, 1, None, actor=OFFICER, now=NOW)
        rating = await repo.area_rating(conn, YEAR, area.id)
    assert rating is not None
    assert rating.criteria[2].note == "Lý do mới" and rating.criteria[1].note is None


async def test_a_year_is_finalised_only_when_every_area_has_a_result(db: Database) -> None:
    async with db.unit() as conn:
        dong = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        tay = await areas_repo.add(conn, "TAY", "Thôn Tây", 95, NOW)
        await service.decide_result(conn, YEAR, dong.id, False, actor=OFFICER, now=NOW)
        assert await service.close_year(conn, YEAR, actor=OFFICER, now=NOW) == ["Thôn Tây"]
        assert not await service.is_closed(conn, YEAR)
        await _all_met(conn, tay.id)
        await service.decide_result(conn, YEAR, tay.id, True, actor=OFFICER, now=NOW)
        assert await service.close_year(conn, YEAR, actor=OFFICER, now=NOW) == []
        assert await service.is_closed(conn, YEAR)
        await service.reopen_year(conn, YEAR, actor=OFFICER, now=NOW)
        assert not await service.is_closed(conn, YEAR)
        actions = await _actions(conn)
    assert "rating.year_closed" in actions and "rating.year_reopened" in actions
