"""Handling reports (issue 16), without a chat: who a report goes to by default, the deadlines
of a commune and when each escalation is due, the timeliness figures (on-time shares and
medians), and those figures computed on a seeded database the way /stats computes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.context import CoreConfig
from bot.features.figures.figures import collect
from bot.features.figures.texts import figures_text
from bot.features.reports import escalation, routing, service, service_handling
from bot.features.reports.handling import (
    RESOLVE_CHOICES,
    Deadlines,
    Step,
    default_assignee,
    due_steps,
    following,
    median_minutes,
    timeliness,
)
from bot.features.reports.model import Status, Target
from bot.i18n import Translator
from bot.shared.periods import Period
from bot.storage import areas, members, report_handling, roles
from bot.storage import reports as repo
from bot.storage.db import Database
from bot.storage.report_handling import StoredDeadlines, Timing
from bot.storage.report_settings import ReportSettings

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_report_goes_by_default_to_the_areas_one_leader_else_to_nobody_yet() -> None:
    assert default_assignee(Target.LEADERS, [7]) == 7
    assert default_assignee(Target.LEADERS, [7, 9]) is None  # the first to acknowledge takes it
    assert default_assignee(Target.LEADERS, []) is None
    assert default_assignee(Target.OFFICERS, [7]) is None  # the commune's officers all see it


def test_deadlines_of_a_commune_fall_back_on_the_deployments() -> None:
    plain = Deadlines.of(None, ReportSettings())
    assert plain == Deadlines(ack_minutes_now=60, ack_minutes=480, resolve_days=7)
    assert plain.ack_due(NOW, happening_now=True) == NOW + timedelta(hours=1)
    assert plain.ack_due(NOW, happening_now=False) == NOW + timedelta(hours=8)
    assert plain.resolve_due(NOW) == NOW + timedelta(days=7)
    own = Deadlines.of(StoredDeadlines(15, 24 * 60, 3), ReportSettings())
    assert own.ack_due(NOW, happening_now=True) == NOW + timedelta(minutes=15)
    assert own.resolve_due(NOW) == NOW + timedelta(days=3)
    assert following(RESOLVE_CHOICES, 7) == 10 and following(RESOLVE_CHOICES, 30) == 3


def test_each_escalation_is_due_one_period_after_the_last() -> None:
    d = Deadlines(ack_minutes_now=15, ack_minutes=60, resolve_days=2)
    ack, res = NOW + timedelta(hours=1), NOW + timedelta(days=2)

    def steps(at: datetime, *, waiting: bool = True) -> list[Step]:
        return due_steps(at, ack, res, waiting=waiting, deadlines=d, happening_now=False)

    assert steps(NOW + timedelta(minutes=90)) == []  # level 1 is the acknowledgement timer's
    assert steps(NOW + timedelta(hours=2)) == [Step("ack", 2, ack)]
    assert steps(NOW + timedelta(hours=2), waiting=False) == []  # acknowledged: no more
    assert steps(NOW + timedelta(days=2)) == [Step("ack", 2, ack), Step("resolve", 1, res)]
    assert steps(NOW + timedelta(days=4), waiting=False) == [
        Step("resolve", 1, res),
        Step("resolve", 2, res),
    ]
    # A report happening now waits one urgent period before it goes to the province.
    urgent = due_steps(
        ack + timedelta(minutes=15), ack, None, waiting=True, deadlines=d, happening_now=True
    )
    assert urgent == [Step("ack", 2, ack)]


def test_medians_and_on_time_shares() -> None:
    assert median_minutes([]) is None
    assert median_minutes([timedelta(minutes=m) for m in (30, 10, 20)]) == 20.0
    assert median_minutes([timedelta(minutes=m) for m in (10, 20, 30, 41)]) == 25.0

    def row(ack: int | None, closed: int | None, created: datetime = NOW) -> Timing:
        return Timing(
            "theft",
            1,
            created,
            created + timedelta(minutes=60),
            created + timedelta(days=1),
            created + timedelta(minutes=ack) if ack is not None else None,
            created + timedelta(minutes=closed) if closed is not None else None,
        )

    late = NOW + timedelta(days=2)
    rows = [
        row(30, 120),  # on time twice
        row(90, 2 * 24 * 60),  # late twice
        row(None, None),  # never handled: late for both once the deadlines passed
        row(None, None, created=late - timedelta(minutes=10)),  # not due yet: not counted
    ]
    figures = timeliness(rows, late)
    assert (figures.acknowledged_due, figures.acknowledged_on_time) == (3, 1)
    assert figures.acknowledged_percent == 33.3
    assert (figures.resolved_due, figures.resolved_on_time) == (3, 1)
    assert figures.median_ack_minutes == 60.0  # of 30 and 90
    assert figures.median_resolve_minutes == (120 + 2 * 24 * 60) / 2


async def _commune(db: Database) -> tuple[int, int, list[int]]:
    """Thôn Đông and Thôn Tây; a resident, a leader of Đông, a commune-wide officer."""
    async with db.unit() as conn:
        dong = await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
        tay = await areas.add(conn, "TAY", "Thôn Tây", 90, NOW)
        ids = []
        for user_id, name in (("1", "Dân"), ("2", "Tổ trưởng"), ("3", "Công an")):
            member = await members.ensure(conn, "telegram", user_id, NOW)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=name,
                area_id=dong.id,
                language="vi",
                consent_version=1,
                now=NOW,
            )
            ids.append(member.id)
        await roles.grant(conn, ids[1], "leader", dong.id, None, NOW)
        await roles.grant(conn, ids[2], "officer", None, None, NOW)
    return dong.id, tay.id, ids


def _submission(area_id: int, member_id: int, category: str) -> service.Submission:
    return service.Submission(
        category=category,
        area_id=area_id,
        description="Mô tả",
        anonymous=False,
        reporter_member_id=member_id,
        rate_key="k",
    )


async def test_a_new_report_gets_its_deadlines_and_its_leader(db: Database) -> None:
    dong, tay, (resident, leader, officer) = await _commune(db)
    async with db.unit() as conn:
        commune = await report_handling.commune_of(conn, dong)
        assert commune is not None
        await report_handling.save_deadlines(conn, commune, StoredDeadlines(15, 600, 5), None, NOW)
        dispute = await service.submit_report(
            conn, CoreConfig(), _submission(dong, resident, "dispute"), NOW
        )
        theft = await service.submit_report(
            conn, CoreConfig(), _submission(tay, resident, "theft"), NOW
        )
        assert isinstance(dispute, service.Submitted) and isinstance(theft, service.Submitted)
        assert dispute.report.assignee_member_id == leader  # the area's one leader
        assert dispute.report.ack_due_at == NOW + timedelta(hours=10)
        # A dispute needs mediation: its built-in 30 days over the commune's general 5.
        assert dispute.report.resolve_due_at == NOW + timedelta(days=30)
        assert theft.report.resolve_due_at == NOW + timedelta(days=5)
        assert theft.report.assignee_member_id is None  # for the commune's officers
        # Given to a person of the commune; never to someone who is not.
        given = await service_handling.assign(
            conn, CoreConfig(), theft.report, officer, await _member(conn, officer), NOW
        )
        assert given.done and given.report.assignee_member_id == officer
        refused = await service_handling.assign(
            conn, CoreConfig(), given.report, resident, await _member(conn, officer), NOW
        )
        assert not refused.done
        handled = await report_handling.handling_events(conn, theft.report.id)
        assert [e.assignee_member_id for e in handled.values()] == [officer]
        # A rule per category and area: the next theft in Thôn Tây is the leader's; in Thôn
        # Đông (no rule) nobody's yet. A rule whose person lost the role is not followed.
        await report_handling.set_rule(conn, tay, "theft", leader, officer, NOW)
        assert await routing.assignee_for(conn, Target.OFFICERS, tay, "theft") == leader
        assert await routing.assignee_for(conn, Target.OFFICERS, dong, "theft") is None
        assert await routing.assignee_for(conn, Target.OFFICERS, tay, "fraud") is None
        await roles.revoke(conn, leader, "leader", dong)
        assert await routing.assignee_for(conn, Target.OFFICERS, tay, "theft") is None


async def _member(conn: object, member_id: int) -> members.Member:
    found = await members.get(conn, member_id)  # type: ignore[arg-type]
    assert found is not None
    return found


async def test_resolution_missed_goes_to_the_commune_once(db: Database) -> None:
    dong, _, (resident, leader, _officer) = await _commune(db)
    async with db.unit() as conn:
        sent = await service.submit_report(
            conn, CoreConfig(), _submission(dong, resident, "dispute"), NOW
        )
        assert isinstance(sent, service.Submitted)
        await service.change_status(
            conn, CoreConfig(), sent.report, Status.ACKNOWLEDGED, await _member(conn, leader), NOW
        )
    late = NOW + timedelta(days=30, minutes=1)  # a dispute's built-in resolution deadline
    # The assignee (the leader) is reminded and the commune's officer told; then never again.
    assert await escalation.escalate_deadlines(db, CoreConfig(), late) == 2
    assert await escalation.escalate_deadlines(db, CoreConfig(), late) == 0
    # One period later no province exists (every officer is the commune's): nobody more.
    assert await escalation.escalate_deadlines(db, CoreConfig(), late + timedelta(days=30)) == 0
    async with db.read() as conn:
        notes = [e.note for e in await repo.events(conn, sent.report.id)]
    assert notes.count(report_handling.RESOLVE_ESCALATED) == 1


async def test_figures_give_on_time_shares_and_medians_per_category_and_area(
    db: Database,
) -> None:
    dong, tay, (resident, _leader, officer) = await _commune(db)
    config = CoreConfig()
    async with db.unit() as conn:
        boss = await _member(conn, officer)
        made = []
        for area, category in ((dong, "theft"), (dong, "theft"), (tay, "fraud")):
            sent = await service.submit_report(
                conn, config, _submission(area, resident, category), NOW
            )
            assert isinstance(sent, service.Submitted)
            made.append(sent.report)
        # Theft 1: acknowledged in 2 hours, resolved in 1 day: both on time (8 h, 7 days).
        first = await service.change_status(
            conn, config, made[0], Status.ACKNOWLEDGED, boss, NOW + timedelta(hours=2)
        )
        await service.change_status(
            conn, config, first.report, Status.RESOLVED, boss, NOW + timedelta(days=1)
        )
        # Theft 2: acknowledged after 10 hours (late), resolved after 9 days (late).
        second = await service.change_status(
            conn, config, made[1], Status.IN_PROGRESS, boss, NOW + timedelta(hours=10)
        )
        await service.change_status(
            conn, config, second.report, Status.RESOLVED, boss, NOW + timedelta(days=9)
        )
        # Fraud in Thôn Tây: never handled; its deadlines have passed by then.
        figures = await collect(
            conn, None, Period(date(2026, 11, 1), date(2026, 11, 30)), TZ, NOW + timedelta(days=10)
        )
    timely = figures.timeliness
    assert timely.total.acknowledged_counted == 3 and timely.total.acknowledged_on_time == 1
    assert timely.total.acknowledged_on_time_percent == 33.3
    assert timely.total.resolved_counted == 3 and timely.total.resolved_on_time == 1
    assert timely.total.median_minutes_to_acknowledge == 6 * 60.0  # of 2 h and 10 h
    assert timely.total.median_minutes_to_resolve == 5 * 24 * 60.0  # of 1 and 9 days
    theft = timely.by_category["theft"]
    assert theft.acknowledged_on_time_percent == 50.0 and theft.resolved_on_time_percent == 50.0
    assert timely.by_category["fraud"].acknowledged_on_time_percent == 0.0
    assert timely.by_category["drugs"].acknowledged_counted == 0  # every category listed
    assert timely.by_category["drugs"].acknowledged_on_time_percent is None
    by_area = {a.code: a.figures for a in timely.by_area}
    assert by_area["DONG"].acknowledged_on_time == 1 and by_area["TAY"].acknowledged_counted == 1
    assert by_area["TAY"].median_minutes_to_acknowledge is None
    # /stats reads the same figures, in the reader's language.
    text = figures_text(Translator("vi", TZ), figures, "Xã")
    assert "*Xử lý đúng hạn*" in text
    assert "Tiếp nhận đúng hạn: 33,3%" in text and "giải quyết đúng hạn: 33,3%" in text
    assert "Thời gian tiếp nhận (trung vị): 6 giờ · giải quyết: 5 ngày" in text


async def test_a_reopened_report_is_timed_against_its_new_deadlines(db: Database) -> None:
    """Closed on time, reopened ten days later and left open past its new deadline: late (its
    first closing answered the old deadline, not the new one); acknowledged again 2 hours after
    the reopening: on time, in 2 hours."""
    dong, _, (resident, _leader, officer) = await _commune(db)
    config = CoreConfig()
    async with db.unit() as conn:
        boss = await _member(conn, officer)
        sent = await service.submit_report(conn, config, _submission(dong, resident, "theft"), NOW)
        assert isinstance(sent, service.Submitted)
        done = await service.change_status(
            conn, config, sent.report, Status.RESOLVED, boss, NOW + timedelta(days=1)
        )
        reopened_at = NOW + timedelta(days=10)
        again = await service.reopen(conn, config, done.report, boss, reopened_at, note="Lại mất")
        assert again.changed
        await service.change_status(
            conn, config, again.report, Status.ACKNOWLEDGED, boss, reopened_at + timedelta(hours=2)
        )
        figures = await collect(
            conn, None, Period(date(2026, 11, 1), date(2026, 11, 30)), TZ, NOW + timedelta(days=18)
        )
    total = figures.timeliness.total
    assert (total.resolved_counted, total.resolved_on_time) == (1, 0)
    assert (total.acknowledged_counted, total.acknowledged_on_time) == (1, 1)
    assert total.median_minutes_to_acknowledge == 120.0
    assert total.median_minutes_to_resolve is None  # not closed since it was reopened


async def test_reports_waiting_for_their_next_escalation_never_hide_a_newer_one(
    db: Database,
) -> None:
    """More than a page of reports already escalated to the commune, waiting (a period) for
    the province: a newer report past its deadline is still escalated."""
    dong, _, (resident, _leader, _officer) = await _commune(db)
    config = CoreConfig()
    async with db.unit() as conn:
        for _ in range(escalation.PAGE):
            sent = await service.submit_report(
                conn, config, _submission(dong, resident, "theft"), NOW
            )
            assert isinstance(sent, service.Submitted)
    assert await escalation.escalate_deadlines(db, config, NOW + timedelta(days=7, hours=1)) > 0
    async with db.unit() as conn:
        newer = await service.submit_report(
            conn, config, _submission(dong, resident, "theft"), NOW + timedelta(days=1)
        )
        assert isinstance(newer, service.Submitted)
    assert await escalation.escalate_deadlines(db, config, NOW + timedelta(days=8, hours=1)) == 1
    async with db.read() as conn:
        notes = [e.note for e in await repo.events(conn, newer.report.id)]
    assert notes.count(report_handling.RESOLVE_ESCALATED) == 1
