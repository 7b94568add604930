"""The reports' use cases called without any chat: sending a report and escalating it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.context import CoreConfig
from bot.features.reports import service
from bot.features.reports.model import Status, Target
from bot.storage import areas, members, outbox, roles
from bot.storage import patrols as patrols_repo
from bot.storage import reports as repo
from bot.storage.db import Database

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def _commune(db: Database, *, with_leader: bool) -> tuple[int, int, int]:
    """An area, a resident (telegram user 1), maybe a leader (2), an officer (3)."""
    async with db.unit() as conn:
        area = await areas.add(conn, "DONG", "Thôn Đông", 120, NOW)
        ids = []
        for user_id, name in (("1", "Dân"), ("2", "Tổ trưởng"), ("3", "Công an")):
            member = await members.ensure(conn, "telegram", user_id, NOW)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=name,
                area_id=area.id,
                language="vi",
                consent_version=1,
                now=NOW,
            )
            ids.append(member.id)
        if with_leader:
            await roles.grant(conn, ids[1], "leader", area.id, None, NOW)
        await roles.grant(conn, ids[2], "officer", None, None, NOW)
    return area.id, ids[0], ids[1]


def _submission(area_id: int, member_id: int, **changes: object) -> service.Submission:
    base: dict[str, object] = {
        "category": "littering",
        "area_id": area_id,
        "description": "Rác đổ ở đầu ngõ",
        "anonymous": False,
        "reporter_member_id": member_id,
        "rate_key": "key-1",
    }
    return service.Submission(**{**base, **changes})  # type: ignore[arg-type]


async def test_a_named_report_goes_to_the_area_leader_with_a_deadline(db: Database) -> None:
    area_id, resident, _ = await _commune(db, with_leader=True)
    async with db.unit() as conn:
        result = await service.submit_report(
            conn, CoreConfig(), _submission(area_id, resident), NOW
        )
        assert isinstance(result, service.Submitted)
        report = result.report
        assert report.target == Target.LEADERS and report.status == Status.NEW
        assert report.reporter_member_id == resident
        assert report.ack_due_at == NOW + timedelta(hours=8)
        assert result.queued == 1  # the leader
        due = await outbox.claim_due(conn, "telegram", NOW + timedelta(minutes=1), 10)
        assert [m.chat_id for m in due] == ["2"]
        async with conn.execute(
            "SELECT actor_member_id FROM audit_log WHERE action = 'report.submitted'"
        ) as cur:
            assert [r[0] for r in await cur.fetchall()] == [resident]


async def test_an_anonymous_report_keeps_no_link_and_goes_to_the_commune(db: Database) -> None:
    area_id, resident, _ = await _commune(db, with_leader=False)
    async with db.unit() as conn:
        result = await service.submit_report(
            conn,
            CoreConfig(),
            _submission(area_id, resident, anonymous=True, happening_now=True),
            NOW,
        )
        assert isinstance(result, service.Submitted)
        report = result.report
        # nobody leads the area: the commune police handle a leaders' category
        assert report.target == Target.OFFICERS
        assert report.reporter_member_id is None and report.anonymous
        assert report.ack_due_at == NOW + timedelta(hours=1)
        assert await repo.recent_count(conn, "key-1", None, NOW + timedelta(minutes=1)) == 1
        async with conn.execute(
            "SELECT actor_member_id FROM audit_log WHERE action = 'report.submitted'"
        ) as cur:
            assert [r[0] for r in await cur.fetchall()] == [None]
        due = await outbox.claim_due(conn, "telegram", NOW + timedelta(minutes=1), 10)
        assert [m.chat_id for m in due] == ["3"]
        assert "Dân" not in due[0].text


async def test_an_observation_becomes_one_report_only(db: Database) -> None:
    area_id, _, leader = await _commune(db, with_leader=True)
    async with db.unit() as conn:
        patrol = await patrols_repo.create(
            conn,
            area_id=area_id,
            leader_member_id=leader,
            source="live",
            started_at=NOW,
            ended_at=None,
            headcount=2,
            now=NOW,
        )
        observation = await patrols_repo.add_observation(
            conn, patrol, "littering", created_by=leader, now=NOW
        )
        sub = _submission(area_id, leader, observation_id=observation)
        first = await service.submit_report(conn, CoreConfig(), sub, NOW)
        assert isinstance(first, service.Submitted) and first.observation_linked
        linked = await patrols_repo.get_observation(conn, observation)
        assert linked is not None and linked.report_id == first.report.id
        again = await service.submit_report(conn, CoreConfig(), sub, NOW)
        assert again == service.AlreadyReported(first.report.code)
        async with conn.execute("SELECT COUNT(*) FROM reports") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 1


async def test_a_handler_moves_a_report_on_and_the_reporter_is_told(db: Database) -> None:
    area_id, resident, leader = await _commune(db, with_leader=True)
    async with db.unit() as conn:
        sent = await service.submit_report(conn, CoreConfig(), _submission(area_id, resident), NOW)
        assert isinstance(sent, service.Submitted)
        handler = await members.get(conn, leader)
        assert handler is not None
        picked = await service.change_status(
            conn, CoreConfig(), sent.report, Status.ACKNOWLEDGED, handler, NOW
        )
        assert picked.changed and picked.report.assignee_member_id == leader
        assert picked.queued == 1  # the reporter
        # a second handler working from the card as it was read: nothing is written
        stale = await service.change_status(
            conn, CoreConfig(), sent.report, Status.IN_PROGRESS, handler, NOW
        )
        assert not stale.changed and stale.report.status == Status.ACKNOWLEDGED
        done = await service.change_status(
            conn, CoreConfig(), picked.report, Status.RESOLVED, handler, NOW, reason="Đã dọn"
        )
        assert done.changed and done.report.resolved_at == NOW


async def test_reopening_by_the_reporter_or_by_an_officer(db: Database) -> None:
    area_id, resident, leader = await _commune(db, with_leader=True)
    async with db.unit() as conn:
        sent = await service.submit_report(conn, CoreConfig(), _submission(area_id, resident), NOW)
        assert isinstance(sent, service.Submitted)
        handler, reporter = await members.get(conn, leader), await members.get(conn, resident)
        assert handler is not None and reporter is not None
        later = NOW + timedelta(hours=2)
        done = await service.change_status(
            conn, CoreConfig(), sent.report, Status.RESOLVED, handler, NOW
        )
        again = await service.reopen(conn, CoreConfig(), done.report, reporter, later)
        assert again.changed and again.report.status == Status.REOPENED
        assert again.report.ack_due_at == later + timedelta(hours=8)  # a new deadline
        assert again.queued == 1  # the leader gets the card again
        assert not (await service.reopen(conn, CoreConfig(), done.report, reporter, later)).changed
        closed = await service.change_status(
            conn, CoreConfig(), again.report, Status.NOT_OURS, handler, later, reason="Không"
        )
        by_officer = await service.reopen(
            conn, CoreConfig(), closed.report, handler, later, note="Xem lại"
        )
        assert by_officer.changed and by_officer.queued == 1  # the reporter; not the officer
        history = await repo.events(conn, sent.report.id)
        assert "Xem lại" in [e.note for e in history]


async def test_who_may_send_a_report_now(db: Database) -> None:
    area_id, resident, leader = await _commune(db, with_leader=True)
    config = CoreConfig()
    async with db.unit() as conn:
        assert await service.refusal(conn, resident, "key-1", NOW, True) is None
        for n in range(3):  # the default limit: 3 an hour, anonymous ones counted by key
            sub = _submission(area_id, resident, anonymous=n == 0)
            assert isinstance(
                await service.submit_report(conn, config, sub, NOW), service.Submitted
            )
        later = NOW + timedelta(minutes=10)
        assert await service.refusal(conn, resident, "key-1", later, True) == service.Refusal(
            blocked=False, max_per_hour=3
        )
        # a leader's report from a patrol observation is not rate limited; a block still holds
        assert await service.refusal(conn, resident, "key-1", later, False) is None
        assert (
            await service.refusal(conn, resident, "key-1", NOW + timedelta(hours=2), True) is None
        )
        await repo.block(conn, resident, leader, NOW)
        assert await service.refusal(conn, resident, "key-1", later, False) == service.Refusal(
            blocked=True
        )
