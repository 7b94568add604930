"""Reports: pure logic, the repository, and the escalation timer called with a chosen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.context import CoreConfig
from bot.features.reports import service as reports_service
from bot.features.reports.model import (
    CODE_ALPHABET,
    Status,
    Target,
    can_move,
    default_routes,
    needs_confirmation,
    new_tracking_code,
    normalize_code,
    officer_may_reopen,
    rate_key,
)
from bot.features.reports.screens_mediation_steps import parse_day, split_parties
from bot.shared.text import TextProblem
from bot.storage import areas, members, outbox, report_limits, roles
from bot.storage import mediation as mediation_repo
from bot.storage import reports as repo
from bot.storage.db import Database

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def test_tracking_codes_are_unambiguous_and_forgiving() -> None:
    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert all(ch in CODE_ALPHABET for ch in code.replace("-", ""))
    assert not set("01OILSZB258") & set(CODE_ALPHABET)
    assert normalize_code(" acde 3479 ") == "ACDE-3479"
    assert normalize_code("ACDE-347") is None
    assert normalize_code("ACDE-34O9") is None  # O is read as 0, which is never used


def test_status_moves() -> None:
    assert can_move(Status.NEW, Status.ACKNOWLEDGED)
    assert can_move(Status.ACKNOWLEDGED, Status.RESOLVED)
    assert not can_move(Status.IN_PROGRESS, Status.ACKNOWLEDGED)
    assert not can_move(Status.RESOLVED, Status.IN_PROGRESS)
    assert can_move(Status.RESOLVED, Status.REOPENED)
    assert not can_move(Status.NEW, Status.REOPENED)


def test_routing_defaults() -> None:
    routes = default_routes()
    assert routes["theft"] == Target.OFFICERS and routes["drugs"] == Target.OFFICERS
    assert routes["dispute"] == Target.LEADERS and routes["littering"] == Target.LEADERS


def test_rate_key_is_keyed_and_stable() -> None:
    assert rate_key("telegram", "1") == rate_key("telegram", "1")
    assert rate_key("telegram", "1") != rate_key("telegram", "2")
    assert rate_key("telegram", "1") != "1" and len(rate_key("telegram", "1")) == 64


def test_mediation_input() -> None:
    assert split_parties("Nguyễn Văn A, Trần Thị B\nLê C") == ["Nguyễn Văn A", "Trần Thị B", "Lê C"]
    assert split_parties(" , ") == TextProblem.EMPTY
    today = NOW.date()
    assert parse_day("25/11/2026", today) == today.replace(day=25)
    assert parse_day("25/11", today) == today.replace(day=25)
    assert parse_day("31/02/2026", today) is None
    assert parse_day("tomorrow", today) is None


async def _people(db: Database) -> tuple[int, int, int, int]:
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
        await roles.grant(conn, ids[1], "leader", area.id, None, NOW)
        await roles.grant(conn, ids[2], "officer", None, None, NOW)
    return area.id, ids[0], ids[1], ids[2]


def test_final_statuses_need_confirmation_and_can_be_reopened() -> None:
    assert {s for s in Status if needs_confirmation(s)} == {
        Status.RESOLVED,
        Status.NOT_OURS,
        Status.DUPLICATE,
    }
    assert all(officer_may_reopen(s) for s in Status if needs_confirmation(s))
    assert not officer_may_reopen(Status.IN_PROGRESS)


async def test_status_change_keeps_the_reason_apart_from_notes(db: Database) -> None:
    area_id, resident, _, officer = await _people(db)
    async with db.unit() as conn:
        new = repo.NewReport("theft", area_id, "Mất xe", Target.OFFICERS, False, resident)
        report = await repo.create(conn, new, "ACDE-3479", NOW, NOW)
        await repo.add_note(conn, report, officer, "nội bộ", NOW)
        assert await repo.status_reason(conn, report) is None
        assert await repo.set_status(conn, report, Status.NOT_OURS, officer, NOW, reason="Lý do")
        # A second change from the status read before is refused: nothing is written.
        assert not await repo.set_status(conn, report, Status.RESOLVED, officer, NOW)
        closed = await repo.get(conn, report.id)
        assert closed is not None and closed.status == Status.NOT_OURS
        assert await repo.status_reason(conn, closed) == "Lý do"
        await repo.add_note(conn, closed, officer, "ghi chú sau", NOW)
        assert await repo.status_reason(conn, closed) == "Lý do"
        assert await repo.set_status(conn, closed, Status.REOPENED, officer, NOW, note="mở lại")
        reopened = await repo.get(conn, report.id)
        assert reopened is not None and await repo.status_reason(conn, reopened) is None


async def test_anonymous_report_cannot_name_anyone(db: Database) -> None:
    area_id, resident, _, _ = await _people(db)
    async with db.unit() as conn:
        new = repo.NewReport("theft", area_id, "x", Target.OFFICERS, True, resident)
        try:
            await repo.create(conn, new, "ACDE-3479", NOW, NOW)
        except ValueError:
            pass
        else:
            raise AssertionError("an anonymous report was stored with its reporter")


async def test_overdue_is_waiting_past_its_deadline_and_not_escalated(db: Database) -> None:
    """The rule the escalation timer runs (the repository's query): a waiting report whose
    deadline has come, not yet escalated; not one acknowledged, not one escalated already."""
    area_id, resident, officer, _ = await _people(db)
    due = NOW + timedelta(hours=1)
    async with db.unit() as conn:
        made = []
        for code in ("ACDE-3471", "ACDE-3472", "ACDE-3473", "ACDE-3474"):
            new = repo.NewReport("theft", area_id, "Mất xe", Target.OFFICERS, False, resident)
            made.append(await repo.create(conn, new, code, NOW, due))
        waiting, acknowledged, escalated, later = made
        assert await repo.set_status(conn, acknowledged, Status.ACKNOWLEDGED, officer, NOW)
        await repo.mark_escalated(conn, escalated.id, NOW)
        await conn.execute(
            "UPDATE reports SET ack_due_at = ? WHERE id = ?",
            ((due + timedelta(hours=1)).isoformat(timespec="seconds"), later.id),
        )
        assert await repo.overdue(conn, NOW) == []
        assert [r.id for r in await repo.overdue(conn, due)] == [waiting.id]


async def test_escalation_timer_reminds_and_escalates_once(db: Database) -> None:
    area_id, resident, _, _ = await _people(db)
    config = CoreConfig()
    async with db.unit() as conn:
        new = repo.NewReport("littering", area_id, "Rác", Target.LEADERS, False, resident)
        report = await repo.create(conn, new, "ACDE-3479", NOW, NOW + timedelta(hours=8))
    assert await reports_service.escalate_due(db, config, NOW + timedelta(hours=7)) == 0
    queued = await reports_service.escalate_due(db, config, NOW + timedelta(hours=8, minutes=1))
    assert queued == 2  # the leader is reminded, the officer gets the escalation
    async with db.unit() as conn:  # claiming marks the messages as being sent
        due = await outbox.claim_due(conn, "telegram", NOW + timedelta(days=1), 10)
        texts = {m.chat_id: m.text for m in due}
        assert "Nhắc việc" in texts["2"] and "Báo lên" in texts["3"]
        assert "Dân" not in texts["2"] + texts["3"]
        escalated = await repo.get(conn, report.id)
        assert escalated is not None and escalated.escalated_at is not None
    assert await reports_service.escalate_due(db, config, NOW + timedelta(hours=9)) == 0


async def test_rate_counter_and_forgetting(db: Database) -> None:
    area_id, resident, leader, _ = await _people(db)
    key = rate_key("telegram", "1")
    async with db.unit() as conn:
        await report_limits.count_anonymous(conn, key, NOW)
        new = repo.NewReport("dispute", area_id, "Tranh chấp", Target.LEADERS, False, resident)
        report = await repo.create(conn, new, "ACDE-3479", NOW, NOW)
        assert await report_limits.recent_count(conn, key, resident, NOW) == 2
        assert await report_limits.recent_count(conn, key, resident, NOW + timedelta(hours=2)) == 0
        assert await report_limits.purge_rate(conn, NOW + timedelta(hours=2)) == 1
        case = await mediation_repo.create(
            conn,
            area_id=area_id,
            parties=["A", "B"],
            created_by=leader,
            now=NOW,
            report_id=report.id,
        )
        await mediation_repo.set_mediator(conn, case.id, leader)
        await mediation_repo.close(conn, case.id, "success", None, NOW)
        figures = await mediation_repo.figures(
            conn, NOW - timedelta(days=1), NOW + timedelta(days=1)
        )
        assert figures == {"success": 1}
        await repo.forget_member(conn, resident)
        kept = await repo.get(conn, report.id)
        assert kept is not None and kept.reporter_member_id is None
        counts = await repo.figures(conn, NOW - timedelta(days=1), NOW + timedelta(days=1))
        assert counts["category"] == {"dispute": 1}
