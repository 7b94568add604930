"""Fan-out into the outbox, missed runs and the grace window, subscriptions, the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.context import CoreConfig
from bot.features.broadcasts import service
from bot.features.broadcasts.rules import Rule
from bot.storage import areas, chats, members, outbox
from bot.storage import broadcasts as repo
from bot.storage.db import Database
from bot.transports.delivery import OutboxWorker
from bot.transports.pacing import Limits
from bot.transports.send_results import SendResult
from tests.unit.test_delivery import FakeSender

CONFIG = CoreConfig()
NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
FAST = Limits(per_second=1000, private_interval=0.001, group_interval=0.0001)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def seed(db: Database, groups: int = 3, people: int = 2) -> tuple[int, int, int]:
    """Two areas; ``groups`` groups in the first; ``people`` subscribers to fire; an officer."""
    async with db.unit() as conn:
        dong = await areas.add(conn, "DONG", "Thôn Đông", 100, NOW)
        tay = await areas.add(conn, "TAY", "Thôn Tây", 90, NOW)
        for n in range(groups):
            chat = await chats.upsert(conn, "telegram", str(-1000 - n), "group", f"G{n}", NOW)
            await chats.link_area(conn, chat.id, dong.id)
        other = await chats.upsert(conn, "telegram", "-2000", "group", "Tây", NOW)
        await chats.link_area(conn, other.id, tay.id)
        for n in range(people):
            member = await members.ensure(conn, "telegram", str(500 + n), NOW)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=f"P{n}",
                area_id=dong.id,
                language="vi" if n else "en",
                consent_version=1,
                now=NOW,
            )
            await chats.upsert(conn, "telegram", str(500 + n), "private", None, NOW)
            await repo.subscribe(conn, member.id, "fire", NOW)
        officer = await members.ensure(conn, "telegram", "900", NOW)
        await members.complete_onboarding(
            conn,
            officer.id,
            display_name="Officer",
            area_id=dong.id,
            language="vi",
            consent_version=1,
            now=NOW,
        )
    return dong.id, tay.id, officer.id


async def test_fan_out_targets_and_languages(db: Database) -> None:
    dong, _, officer = await seed(db)
    async with db.unit() as conn:
        run_id = await service.start_run(
            conn,
            CONFIG,
            topic="fire",
            message_ref="lib:fire",
            target="areas",
            area_ids=[dong],
            urgent=False,
            now=NOW,
            requested_by=officer,
        )
    assert await service.fan_out(db, CONFIG, run_id, NOW) == 5
    async with (
        db.read() as conn,
        conn.execute("SELECT chat_id, text FROM outbox WHERE batch_id = ?", (run_id,)) as cur,
    ):
        rows = {r[0]: r[1] for r in await cur.fetchall()}
    assert "-2000" not in rows  # another area's group
    assert "Công an xã, phường nhắc nhở" in rows["-1000"]
    assert "commune police" in rows["500"] and "/unsubscribe" in rows["500"]  # English subscriber


async def test_fan_out_in_small_batches_resumes_from_its_cursor(db: Database) -> None:
    await seed(db, groups=7, people=3)
    async with db.unit() as conn:
        run_id = await service.start_run(
            conn,
            CONFIG,
            topic="fire",
            message_ref="lib:fire.1",
            target="commune",
            area_ids=[],
            urgent=False,
            now=NOW,
        )
    finished, total = False, 0
    while not finished:  # each step is its own transaction, as after a crash and restart
        async with db.unit() as conn:
            added, finished = await service.fan_out_step(conn, CONFIG, run_id, NOW, limit=2)
        total += added
    assert total == 8 + 3
    async with db.read() as conn, conn.execute("SELECT COUNT(DISTINCT chat_id) FROM outbox") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 11


async def test_quiet_hours_hold_non_urgent_but_not_urgent(db: Database) -> None:
    await seed(db)
    night = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)  # 22:00 in Vietnam
    async with db.unit() as conn:
        calm = await service.start_run(
            conn,
            CONFIG,
            topic="fire",
            message_ref="lib:fire",
            target="groups",
            area_ids=[],
            urgent=False,
            now=night,
        )
        storm = await service.start_run(
            conn,
            CONFIG,
            topic="alert",
            message_ref="lib:fire.1",
            target="groups",
            area_ids=[],
            urgent=True,
            now=night,
        )
        calm_run, storm_run = await repo.get_run(conn, calm), await repo.get_run(conn, storm)
    assert calm_run is not None and calm_run.not_before == datetime(2026, 5, 4, 23, 0, tzinfo=UTC)
    assert storm_run is not None and storm_run.not_before is None


async def test_missed_runs_within_grace_are_sent_once_else_skipped(db: Database) -> None:
    await seed(db)
    async with db.unit() as conn:
        daily = Rule("daily", 7, 0)
        recent = await repo.add_schedule(
            conn,
            topic="traffic",
            message_ref="lib:traffic",
            target="groups",
            area_ids=[],
            rule=daily.to_json(),
            urgent=False,
            next_run_at=NOW - timedelta(days=3),
            created_by=None,
            now=NOW,
        )
        once = Rule("once", 7, 0, on="2026-05-01")
        old = await repo.add_schedule(
            conn,
            topic="drugs",
            message_ref="lib:drugs",
            target="groups",
            area_ids=[],
            rule=once.to_json(),
            urgent=False,
            next_run_at=NOW - timedelta(days=3),
            created_by=None,
            now=NOW,
        )
    # 10:00 local: today's 07:00 run is 3 hours late (within the 6-hour grace): sent once.
    assert await service.run_due(db, CONFIG, NOW) == 4
    assert await service.run_due(db, CONFIG, NOW) == 0
    async with db.read() as conn:
        runs = await repo.recent_runs(conn)
        daily_schedule = await repo.get_schedule(conn, recent)
        once_schedule = await repo.get_schedule(conn, old)
    by_schedule = {r.schedule_id: r for r in runs}
    assert by_schedule[recent].status == "sending"
    assert by_schedule[old].status == "skipped" and by_schedule[old].reason == "missed"
    assert daily_schedule is not None and daily_schedule.next_run_at == datetime(
        2026, 5, 5, 0, 0, tzinfo=UTC
    )
    assert once_schedule is not None and once_schedule.next_run_at is None


async def test_progress_and_delivery_report(db: Database) -> None:
    _dong, _, officer = await seed(db, groups=25, people=2)
    async with db.unit() as conn:
        run_id = await service.start_run(
            conn,
            CONFIG,
            topic="fire",
            message_ref="lib:fire",
            target="commune",
            area_ids=[],
            urgent=False,
            now=NOW,
            requested_by=officer,
        )
    await service.fan_out(db, CONFIG, run_id, NOW)
    sender = FakeSender(
        script={
            -1001: [SendResult("blocked", reason="Forbidden: bot was kicked")],
            -1002: [
                SendResult("failed", reason="Bad Request: not enough rights", failure="no_rights")
            ],
        }
    )
    worker = OutboxWorker(db, sender, Clock(NOW), limits=FAST)
    await worker.drain()
    assert sender.delivered[0][1] == 900  # the progress message goes first
    assert await service.progress_tick(db, CONFIG, NOW) == 1
    await worker.drain()
    async with db.read() as conn:
        run = await repo.get_run(conn, run_id)
        async with conn.execute(
            "SELECT text, edit_of FROM outbox WHERE chat_id = '900' ORDER BY id"
        ) as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
    assert run is not None and run.status == "done"
    report, edit_of = rows[-1]
    assert edit_of == run.progress_outbox  # the progress message is edited into the report
    assert "Gửi thành công: 26" in report and "Không gửi được: 1" in report
    assert "không có quyền gửi tin vào cuộc trò chuyện: 1" in report and "Bỏ qua" in report
    assert "rights" not in report


async def test_subscriptions(db: Database) -> None:
    await seed(db, groups=0, people=1)
    async with db.unit() as conn:
        member = await members.find(conn, "telegram", "500")
        assert member is not None
        await repo.subscribe(conn, member.id, "fraud", NOW)
        await repo.subscribe(conn, member.id, "fraud", NOW)
        assert await repo.topics_of(conn, member.id) == {"fire", "fraud"}
        assert await repo.unsubscribe(conn, member.id, "fire") == 1
        found = await repo.subscriber_recipients(conn, "fraud", None, 0, 10)
        assert [r.chat_id for r in found] == ["500"]
        await chats.set_active(conn, "telegram", "500", False, NOW)
        assert await repo.subscriber_recipients(conn, "fraud", None, 0, 10) == []
        assert await repo.unsubscribe(conn, member.id) == 1
        assert await outbox.counts(conn) == {}
