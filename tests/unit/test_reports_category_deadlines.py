"""Deadlines by category (issue 16, point 5), without a chat: a category's own deadlines over
the commune's general ones, the happening-now rule, a reset, the built-in defaults; new,
reopened and moved reports take their category's deadlines; the escalation timer and the
on-time figures judge each report by its category's deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.context import CoreConfig
from bot.features.figures.figures import collect
from bot.features.reports import escalation, routing, service, service_handling
from bot.features.reports.handling import (
    BUILT_IN_DEADLINES,
    CATEGORY_ACK_CHOICES,
    Deadlines,
    category_deadline,
    following,
)
from bot.features.reports.model import CATEGORY_BY_KEY, Status
from bot.shared.periods import Period
from bot.storage import areas, category_deadlines, communes, report_handling, report_settings
from bot.storage.category_deadlines import CategoryDeadline
from bot.storage.db import Database
from bot.storage.report_handling import StoredDeadlines
from bot.storage.report_settings import ReportSettings
from tests.unit.test_reports_handling import NOW, TZ, _commune, _member, _submission

GENERAL = Deadlines(ack_minutes_now=60, ack_minutes=480, resolve_days=7)


def test_a_categorys_own_deadlines_override_the_communes_general_ones() -> None:
    assert GENERAL.for_category(CategoryDeadline()) == GENERAL  # nothing of its own
    own = GENERAL.for_category(CategoryDeadline(ack_minutes=120, resolve_days=30))
    assert own.ack_due(NOW, happening_now=False) == NOW + timedelta(hours=2)
    assert own.resolve_due(NOW) == NOW + timedelta(days=30)
    # Only the resolution of its own: it is acknowledged as the commune's.
    half = GENERAL.for_category(CategoryDeadline(resolve_days=15))
    assert half == Deadlines(60, 480, 15)


def test_happening_now_stays_the_faster_unless_the_categorys_own_is_shorter() -> None:
    slower = GENERAL.for_category(CategoryDeadline(ack_minutes=120))
    assert slower.ack_due(NOW, happening_now=True) == NOW + timedelta(hours=1)
    assert slower.ack_due(NOW, happening_now=False) == NOW + timedelta(hours=2)
    faster = GENERAL.for_category(CategoryDeadline(ack_minutes=30))
    assert faster.ack_due(NOW, happening_now=True) == NOW + timedelta(minutes=30)
    assert faster.ack_due(NOW, happening_now=False) == NOW + timedelta(minutes=30)


def test_built_in_defaults_and_a_reset_to_the_communes_general_deadlines() -> None:
    assert set(BUILT_IN_DEADLINES) <= set(CATEGORY_BY_KEY)
    fire = GENERAL.for_category(category_deadline("fire", {}))
    assert (fire.ack_minutes_now, fire.ack_minutes, fire.resolve_days) == (30, 30, 3)
    assert GENERAL.for_category(category_deadline("dispute", {})).resolve_days == 30
    assert GENERAL.for_category(category_deadline("theft", {})) == GENERAL
    # What the commune set wins over the built-in; a reset (nothing of its own kept) is the
    # commune's general deadlines, not the built-in ones.
    set_ = {"fire": CategoryDeadline(ack_minutes=60, resolve_days=None)}
    assert GENERAL.for_category(category_deadline("fire", set_)) == Deadlines(60, 60, 7)
    reset = {"fire": CategoryDeadline()}
    assert GENERAL.for_category(category_deadline("fire", reset)) == GENERAL
    assert following(CATEGORY_ACK_CHOICES, 30) == 60
    assert following(CATEGORY_ACK_CHOICES, 48 * 60) == 30


async def test_new_reopened_and_moved_reports_take_their_categorys_deadlines(
    db: Database,
) -> None:
    dong, _, (resident, _leader, officer) = await _commune(db)
    config = CoreConfig()
    async with db.unit() as conn:
        commune = await report_handling.commune_of(conn, dong)
        assert commune is not None
        await report_handling.save_deadlines(conn, commune, StoredDeadlines(15, 600, 5), None, NOW)
        own = CategoryDeadline(ack_minutes=120, resolve_days=10)
        await category_deadlines.save(conn, commune, "theft", own, officer, NOW)
        assert await category_deadlines.of_commune(conn, commune) == {"theft": own}
        theft = await service.submit_report(conn, config, _submission(dong, resident, "theft"), NOW)
        drugs = await service.submit_report(conn, config, _submission(dong, resident, "drugs"), NOW)
        assert isinstance(theft, service.Submitted) and isinstance(drugs, service.Submitted)
        assert theft.report.ack_due_at == NOW + timedelta(hours=2)
        assert theft.report.resolve_due_at == NOW + timedelta(days=10)
        assert drugs.report.ack_due_at == NOW + timedelta(hours=10)  # the commune's general
        assert drugs.report.resolve_due_at == NOW + timedelta(days=5)
        # Reopened: the category's deadlines afresh.
        boss = await _member(conn, officer)
        done = await service.change_status(
            conn, config, theft.report, Status.RESOLVED, boss, NOW + timedelta(hours=1)
        )
        later = NOW + timedelta(days=2)
        again = await service.reopen(conn, config, done.report, boss, later, note="Lại mất")
        assert again.report.ack_due_at == later + timedelta(hours=2)
        assert again.report.resolve_due_at == later + timedelta(days=10)
        # Moved to another commune: that commune's deadlines for the category (its own reset
        # to the general ones there).
        other = await communes.add(conn, "HOA", "Xã Hòa", NOW)
        bac = await areas.add(conn, "BAC", "Thôn Bắc", 50, NOW, other.id)
        await report_handling.save_deadlines(conn, other.id, StoredDeadlines(30, 240, 3), None, NOW)
        await category_deadlines.save(conn, other.id, "theft", CategoryDeadline(), None, NOW)
        moved_at = NOW + timedelta(days=3)
        moved = await service_handling.transfer_to_area(
            conn, config, again.report, bac.id, "Thuộc Xã Hòa", boss, moved_at
        )
        assert moved.done
        assert moved.report.ack_due_at == moved_at + timedelta(hours=4)
        assert moved.report.resolve_due_at == moved_at + timedelta(days=3)
        assert await routing.deadlines_for(conn, bac.id, "theft") == Deadlines(30, 240, 3)


async def test_escalation_and_figures_judge_a_report_by_its_categorys_deadline(
    db: Database,
) -> None:
    """A fire report (built in: acknowledged within 30 minutes) acknowledged after 45 minutes is
    late in the figures, while a theft acknowledged after 45 minutes is on time (8 hours); a
    fire report never acknowledged goes to the province one 30-minute period after its
    deadline, not one 8-hour period after."""
    dong, _, (resident, _leader, officer) = await _commune(db)
    config = CoreConfig()
    async with db.unit() as conn:
        boss = await _member(conn, officer)
        made = []
        for category in ("fire", "theft", "fire"):
            sent = await service.submit_report(
                conn, config, _submission(dong, resident, category), NOW
            )
            assert isinstance(sent, service.Submitted)
            made.append(sent.report)
        assert made[0].ack_due_at == NOW + timedelta(minutes=30)
        for report in made[:2]:
            await service.change_status(
                conn, config, report, Status.ACKNOWLEDGED, boss, NOW + timedelta(minutes=45)
            )
        figures = await collect(
            conn, None, Period(date(2026, 11, 1), date(2026, 11, 30)), TZ, NOW + timedelta(days=1)
        )
    by_category = figures.timeliness.by_category
    assert (by_category["fire"].acknowledged_counted, by_category["fire"].acknowledged_on_time) == (
        2,
        0,
    )
    assert by_category["theft"].acknowledged_on_time == 1
    # The third (a fire, never acknowledged): level 2 is due at 30 + 30 minutes.
    # (Every officer is the commune's here: the step is kept as done, nobody more is told.)
    assert await _escalated(db, NOW + timedelta(minutes=59)) == []
    assert await _escalated(db, NOW + timedelta(hours=1)) == [(made[2].id, "ack", 2)]


async def _escalated(db: Database, at: datetime) -> list[tuple[int, str, int]]:
    """Run the deadlines timer at ``at``; the escalations done so far."""
    await escalation.escalate_deadlines(db, CoreConfig(), at)
    async with (
        db.read() as conn,
        conn.execute(
            "SELECT report_id, kind, level FROM report_escalations ORDER BY report_id"
        ) as cur,
    ):
        return [(int(r[0]), str(r[1]), int(r[2])) for r in await cur.fetchall()]


async def test_what_an_officer_changes_is_what_the_next_report_gets(db: Database) -> None:
    """A new report's deadlines are read in one statement on every report, never kept from
    an earlier one: the deployment's settings, the commune's deadlines, the category's own
    and its reset, each changed in its own unit of work, reach the very next report."""
    dong, _, (resident, _leader, officer) = await _commune(db)
    config = CoreConfig()

    async def next_theft() -> tuple[timedelta, timedelta]:
        async with db.unit() as conn:
            sent = await service.submit_report(
                conn, config, _submission(dong, resident, "theft"), NOW
            )
        assert isinstance(sent, service.Submitted)
        assert sent.report.ack_due_at is not None and sent.report.resolve_due_at is not None
        return sent.report.ack_due_at - NOW, sent.report.resolve_due_at - NOW

    assert await next_theft() == (timedelta(hours=8), timedelta(days=7))  # the defaults
    async with db.unit() as conn:
        await report_settings.save_settings(conn, ReportSettings(ack_hours=4.0))
    assert await next_theft() == (timedelta(hours=4), timedelta(days=7))
    async with db.unit() as conn:
        commune = await report_handling.commune_of(conn, dong)
        assert commune is not None
        await report_handling.save_deadlines(conn, commune, StoredDeadlines(15, 600, 5), None, NOW)
    assert await next_theft() == (timedelta(hours=10), timedelta(days=5))
    async with db.unit() as conn:
        own = CategoryDeadline(ack_minutes=120, resolve_days=10)
        await category_deadlines.save(conn, commune, "theft", own, officer, NOW)
    assert await next_theft() == (timedelta(hours=2), timedelta(days=10))
    async with db.unit() as conn:  # reset: the commune's general ones again
        await category_deadlines.save(conn, commune, "theft", CategoryDeadline(), officer, NOW)
    assert await next_theft() == (timedelta(hours=10), timedelta(days=5))
    async with db.read() as conn:  # an area of no commune: the deployment's settings
        assert await routing.deadlines_for(conn, None, "theft") == Deadlines(60, 240, 7)
        assert await routing.deadlines_for(conn, None, "fire") == Deadlines(30, 30, 3)
