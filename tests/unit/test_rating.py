"""The yearly rating: prefill from a known data set, the "met needs all five" rule, streaks and
shares over two years, the repository's history and /forgetme unlinking."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.features.rating import model as logic
from bot.features.rating import service, texts
from bot.features.reports.model import Target
from bot.i18n import Translator
from bot.storage import areas as areas_repo
from bot.storage import mediation as mediation_repo
from bot.storage import members as members_repo
from bot.storage import patrols as patrols_repo
from bot.storage import pledge_campaigns
from bot.storage import pledges as pledges_repo
from bot.storage import ratings as repo
from bot.storage import reports as reports_repo
from bot.storage.areas import Area
from bot.storage.db import Connection, Database
from bot.storage.reports import NewReport

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
_codes = itertools.count(1)


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 5, 0, tzinfo=UTC)


async def _areas(conn: Connection) -> tuple[Area, Area]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    dong = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, start)
    tay = await areas_repo.add(conn, "TAY", "Thôn Tây", 95, start)
    return dong, tay


async def _sign(conn: Connection, campaign_id: int, area: Area, count: int) -> None:
    for i in range(count):
        await pledges_repo.sign(
            conn,
            campaign_id=campaign_id,
            area_id=area.id,
            audience="household",
            head_name=f"Hộ {i}",
            address=f"Số {i}",
            household_key=f"{area.code}-{i}",
            member_id=None,
            public=False,
            reference=f"{area.code}-{campaign_id}-{i}",
            lines=[],
            item_ids=[],
            now=at(2026, 3),
        )


async def _report(
    conn: Connection,
    area: Area,
    category: str,
    when: datetime,
    *,
    happening_now: bool = False,
) -> None:
    await reports_repo.create(
        conn,
        NewReport(
            category=category,
            area_id=area.id,
            description="",
            target=Target.OFFICERS,
            anonymous=True,
            reporter_member_id=None,
            happening_now=happening_now,
        ),
        f"R{next(_codes):05d}",
        when,
        when + timedelta(hours=4),
    )


async def _patrol(conn: Connection, area: Area, when: datetime, people: int) -> None:
    await patrols_repo.create(
        conn,
        area_id=area.id,
        leader_member_id=None,
        source="backfill",
        started_at=when,
        ended_at=when + timedelta(hours=2),
        headcount=people,
        now=when,
    )


async def _seed(conn: Connection) -> tuple[Area, Area]:
    """DONG: all 120 households pledged in 2026, crime 3 → 2, one fire report, two disputes,
    patrols in 10 months. TAY: 50 of 95 pledged, crime 1 → 4, patrols in 8 months."""
    dong, tay = await _areas(conn)
    campaign = await pledge_campaigns.add_campaign(
        conn, "Cam kết 2026", date(2026, 1, 1), date(2026, 12, 31), None, at(2026, 1, 1)
    )
    await _sign(conn, campaign.id, dong, 120)
    await _sign(conn, campaign.id, tay, 50)
    for month in (2, 5, 9):
        await _report(conn, dong, "theft", at(2025, month))
    await _report(conn, dong, "theft", at(2026, 4))
    await _report(conn, dong, "drugs", at(2026, 6), happening_now=True)
    await _report(conn, dong, "fire", at(2026, 7))
    await _report(conn, dong, "dispute", at(2026, 8))
    await _report(conn, dong, "dispute", at(2026, 9))
    await _report(conn, dong, "littering", at(2026, 9))  # not crime
    success = await mediation_repo.create(
        conn, area_id=dong.id, parties=["A", "B"], created_by=None, now=at(2026, 8)
    )
    await mediation_repo.close(conn, success.id, "success", None, at(2026, 8, 20))
    await mediation_repo.create(
        conn, area_id=dong.id, parties=["C", "D"], created_by=None, now=at(2026, 9)
    )
    await _report(conn, tay, "gambling", at(2025, 3))
    for month in (1, 2, 3, 4):
        await _report(conn, tay, "theft", at(2026, month))
    for month in range(1, 11):
        await _patrol(conn, dong, at(2026, month), 3)
    await _patrol(conn, dong, at(2026, 10, 20), 4)  # a second patrol in October
    for month in range(1, 9):
        await _patrol(conn, tay, at(2026, month), 2)
    return dong, tay


async def test_prefill_from_known_data(db: Database) -> None:
    async with db.unit() as conn:
        dong, tay = await _seed(conn)
        ev_dong = await service.evidence(conn, dong.id, 2026, TZ, NOW)
        ev_tay = await service.evidence(conn, tay.id, 2026, TZ, NOW)

    # Criterion 1: pledge coverage; "met" is suggested only when complete.
    assert ev_dong.pledges.signed == 120 and ev_dong.pledges.households == 120
    assert ev_dong.pledges.complete and ev_dong.pledges.percent == 100.0
    assert ev_dong.suggestion(1) is True
    assert ev_tay.pledges.signed == 50 and ev_tay.pledges.households == 95
    assert not ev_tay.pledges.complete
    assert ev_tay.suggestion(1) is False

    # Criterion 3: disputes and mediation cases by outcome.
    assert ev_dong.order.disputes == 2
    assert ev_dong.order.mediation["success"] == 1 and ev_dong.order.mediation["open"] == 1
    assert ev_dong.order.cases == 2
    assert ev_dong.suggestion(3) is None and ev_dong.suggestion(2) is None

    # Criterion 4: crime this year against last year.
    assert (ev_dong.crime.crime, ev_dong.crime.crime_before) == (2, 3)
    assert (ev_dong.crime.fire, ev_dong.crime.fire_before) == (1, 0)
    assert ev_dong.crime.urgent == 1
    assert ev_dong.crime.increased  # fire went up
    assert (ev_tay.crime.crime, ev_tay.crime.crime_before) == (4, 1)
    assert ev_tay.suggestion(4) is False

    # Criterion 5: patrols, participations, months with a patrol.
    assert ev_dong.team.patrols == 11 and ev_dong.team.participations == 34
    assert ev_dong.team.active_months == 10 and ev_dong.team.months == 12
    assert ev_dong.suggestion(5) is True
    assert ev_tay.team.active_months == 8
    assert ev_tay.suggestion(5) is None  # 2026 is still running: patrols may still come
    async with db.read() as conn:
        after = await service.evidence(conn, tay.id, 2026, TZ, datetime(2027, 1, 10, tzinfo=UTC))
    assert after.suggestion(5) is False


async def test_first_year_and_next_years_campaign_never_mislead(db: Database) -> None:
    """No reports the year before: more reports this year is no rise in crime. A campaign
    opened in December for next year neither counts for next year's rating nor replaces this
    year's campaign."""
    async with db.unit() as conn:
        dong, _tay = await _areas(conn)
        this_year = await pledge_campaigns.add_campaign(
            conn, "Cam kết 2026", date(2026, 1, 1), date(2026, 3, 31), None, at(2026, 1, 1)
        )
        await _sign(conn, this_year.id, dong, 120)
        await pledge_campaigns.add_campaign(
            conn, "Cam kết 2027", date(2026, 12, 15), date(2027, 3, 31), None, at(2026, 12, 1)
        )
        await _report(conn, dong, "theft", at(2026, 4))
        later = datetime(2027, 1, 10, tzinfo=UTC)
        rating_2026 = await service.evidence(conn, dong.id, 2026, TZ, later)
        rating_2027 = await service.evidence(conn, dong.id, 2027, TZ, later)
    assert rating_2026.crime.crime == 1 and not rating_2026.crime.increased
    assert rating_2026.suggestion(4) is None
    assert rating_2026.pledges.complete and rating_2026.suggestion(1) is True
    # 2027's own campaign counts for 2027 (nobody has signed it yet).
    assert rating_2027.pledges.campaign and rating_2027.pledges.signed == 0
    assert rating_2027.suggestion(1) is False


async def test_no_campaign_never_suggests_met(db: Database) -> None:
    async with db.unit() as conn:
        dong, _tay = await _areas(conn)
        ev = await service.evidence(conn, dong.id, 2026, TZ, NOW)
    assert not ev.pledges.campaign and ev.suggestion(1) is False
    assert ev.crime.crime == 0 and ev.suggestion(4) is None
    vi = Translator("vi", TZ)
    assert "2026" in texts.evidence_lines(vi, ev, 1)[0]


async def test_evidence_sentences_read_like_a_report(db: Database) -> None:
    async with db.unit() as conn:
        dong, _tay = await _seed(conn)
        ev = await service.evidence(conn, dong.id, 2026, TZ, NOW)
    vi, en = Translator("vi", TZ), Translator("en", TZ)
    assert en.language == "en"
    assert texts.evidence_lines(en, ev, 1) == [
        "120 of 120 households signed the 2026 pledge (100%)."
    ]
    kinds, crime = texts.evidence_lines(en, ev, 4)[:2]
    assert kinds.startswith("All reports of the year by kind: ")
    assert "theft: 1" in kinds and "dispute that needs mediation: 2" in kinds.lower()
    assert crime == "Reports of crime and social evils: 2 (2025: 3, down by 1)."
    assert "10 of 12" in texts.evidence_lines(en, ev, 5)[0]
    assert "hộ" in texts.evidence_lines(vi, ev, 1)[0]
    assert "giảm 1" in texts.evidence_lines(vi, ev, 4)[1]
    assert texts.evidence_lines(vi, ev, 2)  # a sentence even without records


def test_met_needs_all_five_criteria() -> None:
    all_met = dict.fromkeys(logic.NUMBERS, True)
    assert logic.blocking_criteria(all_met) == []
    assert logic.blocking_criteria({**all_met, 3: False}) == [3]
    assert logic.blocking_criteria({1: True, 2: True, 4: True}) == [3, 5]
    assert logic.blocking_criteria({**all_met, 5: None}) == [5]
    assert logic.blocking_criteria({}) == [1, 2, 3, 4, 5]


def test_streak_counts_consecutive_years_met() -> None:
    history = {
        (1, 2022): True,
        (1, 2023): False,
        (1, 2024): True,
        (1, 2025): True,
        (1, 2026): True,
        (2, 2025): True,
        (2, 2026): None,
    }
    assert logic.streak(history, 1, 2026) == 3
    assert logic.streak(history, 1, 2023) == 0
    assert logic.streak(history, 1, 2022) == 1
    assert logic.streak(history, 2, 2026) == 0  # undecided breaks the streak
    assert logic.streak(history, 2, 2025) == 1
    assert logic.streak(history, 3, 2026) == 0


async def _rate(
    conn: Connection, year: int, area: Area, criteria: dict[int, bool], met: bool
) -> int:
    await repo.open_year(conn, year, None, NOW)
    rating_id = await repo.ensure_area_rating(conn, year, area.id, NOW)
    for number, value in criteria.items():
        await repo.set_criterion(conn, rating_id, number, value, None, NOW)
    await repo.set_result(conn, rating_id, met, None, NOW)
    return rating_id


async def test_two_years_give_streaks_and_shares(db: Database) -> None:
    all_met = dict.fromkeys(logic.NUMBERS, True)
    async with db.unit() as conn:
        dong, tay = await _areas(conn)
        await _rate(conn, 2025, dong, all_met, True)
        await _rate(conn, 2026, dong, all_met, True)
        await _rate(conn, 2025, tay, all_met, True)
        await _rate(conn, 2026, tay, {**all_met, 1: False}, False)
        table = await service.commune_table(conn, [2025, 2026])
        lines = await service.rating_lines(conn, 2026)

    by_code = {row.area.code: row for row in table.rows}
    assert by_code["DONG"].cells == {2025: True, 2026: True}
    assert by_code["DONG"].streaks == {2025: 1, 2026: 2} and by_code["DONG"].streak == 2
    assert by_code["TAY"].cells == {2025: True, 2026: False}
    assert by_code["TAY"].streaks == {2025: 1, 2026: 0}
    assert table.shares[2025].of_rated == 1.0 and table.shares[2025].of_all == 1.0
    assert table.shares[2026].of_rated == 0.5 and table.shares[2026].of_all == 0.5
    assert (table.shares[2026].met, table.shares[2026].rated) == (1, 2)

    assert [(x.area_code, x.result, x.streak) for x in lines] == [
        ("DONG", True, 2),
        ("TAY", False, 0),
    ]
    assert lines[1].criteria == (False, True, True, True, True)


def test_share_of_rated_differs_from_share_of_all_areas() -> None:
    areas = [Area(1, "A", "A", 10), Area(2, "B", "B", 10), Area(3, "C", "C", 10)]
    history: dict[tuple[int, int], bool | None] = {(1, 2026): True, (2, 2026): False}
    table = logic.build_table(areas, history, [2026, 2026])
    share = table.shares[2026]
    assert table.years == [2026]
    assert (share.met, share.rated, share.areas) == (1, 2, 3)
    assert share.of_rated == 0.5
    assert share.of_all == pytest.approx(1 / 3)
    assert table.rows[2].cells == {2026: None}
    empty = logic.build_table([], {}, [2026])
    assert empty.shares[2026].of_all is None and empty.shares[2026].of_rated is None


async def test_rerating_updates_in_place_and_keeps_notes(db: Database) -> None:
    async with db.unit() as conn:
        dong, _tay = await _areas(conn)
        assert await repo.open_year(conn, 2026, None, NOW)
        assert not await repo.open_year(conn, 2026, None, NOW)
        rating_id = await repo.ensure_area_rating(conn, 2026, dong.id, NOW)
        assert await repo.ensure_area_rating(conn, 2026, dong.id, NOW) == rating_id
        await repo.set_note(conn, rating_id, 2, "Đã phổ biến luật", None, NOW)
        await repo.set_criterion(conn, rating_id, 2, True, None, NOW)
        await repo.set_criterion(conn, rating_id, 2, False, None, NOW)
        found = await repo.area_rating(conn, 2026, dong.id)
        assert found is not None
        assert found.criteria[2].met is False and found.criteria[2].note == "Đã phổ biến luật"
        assert found.result is None
        assert await repo.close_year(conn, 2026, None, NOW)
        year = await repo.get_year(conn, 2026)
        assert year is not None and year.closed
        assert await repo.reopen_year(conn, 2026)
        lines = await service.rating_lines(conn, 2026)
    assert lines[0].notes == (None, "Đã phổ biến luật", None, None, None)
    assert lines[1].result is None and lines[1].criteria == (None,) * 5


async def test_forget_member_unlinks_the_officer(db: Database) -> None:
    async with db.unit() as conn:
        dong, _tay = await _areas(conn)
        officer = await members_repo.ensure(conn, "telegram", "501", NOW)
        await repo.open_year(conn, 2026, officer.id, NOW)
        rating_id = await repo.ensure_area_rating(conn, 2026, dong.id, NOW)
        await repo.set_criterion(conn, rating_id, 1, False, officer.id, NOW)
        await repo.set_result(conn, rating_id, False, officer.id, NOW)
        assert await repo.count_by_member(conn, officer.id) == (1, 1)
        await repo.forget_member(conn, officer.id)
        assert await repo.count_by_member(conn, officer.id) == (0, 0)
        found = await repo.area_rating(conn, 2026, dong.id)
        year = await repo.get_year(conn, 2026)
    assert found is not None and found.result is False and found.decided_by is None
    assert found.criteria[1].recorded_by is None
    assert year is not None and year.opened_by is None


async def test_a_verdict_against_the_records_keeps_its_note_in_the_table_and_exports(
    db: Database,
) -> None:
    from bot.features.figures.documents import rated_area

    assert logic.against_records(False, True) and logic.against_records(True, False)
    assert not logic.against_records(None, True) and not logic.against_records(True, True)
    async with db.unit() as conn:
        dong, _tay = await _areas(conn)
        await repo.open_year(conn, 2026, None, NOW)
        rating_id = await repo.ensure_area_rating(conn, 2026, dong.id, NOW)
        await repo.set_criterion(
            conn, rating_id, 1, True, None, NOW, suggested=False, note="Sổ giấy 120/120 hộ"
        )
        await repo.set_criterion(conn, rating_id, 2, True, None, NOW, suggested=None)
        await repo.set_criterion(conn, rating_id, 5, False, None, NOW, suggested=False)
        table = await service.commune_table(conn, [2025, 2026])
        lines = await service.rating_lines(conn, 2026)
    row = next(r for r in table.rows if r.area.code == "DONG")
    assert row.overrides == (logic.Override(2026, 1, True, "Sổ giấy 120/120 hộ"),)
    assert lines[0].against == (True, False, False, False, False)
    summary = rated_area(Translator("vi"), lines[0])
    assert "tiêu chí 1 (khác với đề xuất theo số liệu): Sổ giấy 120/120 hộ" in summary.note
    assert "tiêu chí 5" in summary.note
