"""The patrols' use cases called without any chat: saving a notebook page of patrols."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.patrols import backfill, service
from bot.storage import areas as areas_repo
from bot.storage import patrol_observations
from bot.storage import patrols as repo
from bot.storage.db import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
PAGE = "12/11 19:00-21:30; 5; quá giờ 3, rác\n13/11 19h-21h; An, Bình; 2 rác"


async def test_a_notebook_page_is_saved_once_with_people_and_observations(db: Database) -> None:
    entries, problems = backfill.parse(PAGE, NOW, TZ)
    assert problems == []
    async with db.unit() as conn:
        area = await areas_repo.add(conn, "DONG", "Thôn Đông", 120, NOW)
        saved = await service.save_notebook_patrols(
            conn, area, entries, leader=None, tz=TZ, now=NOW
        )
        assert saved == (2, 0)
        patrols = await repo.in_range(conn, area.id, NOW - timedelta(days=30), NOW)
        assert [(p.source, p.headcount) for p in patrols] == [("backfill", 5), ("backfill", 0)]
        assert patrols[0].started_at == datetime(2026, 11, 12, 19, 0, tzinfo=TZ)
        assert patrols[0].ended_at == datetime(2026, 11, 12, 21, 30, tzinfo=TZ)
        named = await repo.participants(conn, patrols[1].id)
        assert [p.name for p in named] == ["An", "Bình"]
        seen = {
            (o.kind, o.count) for o in await patrol_observations.observations(conn, patrols[0].id)
        }
        assert seen == {("late_business", 3), ("littering", 1)}
        # the same page sent again (or one line of it) saves nothing twice
        again, _ = backfill.parse(PAGE.splitlines()[1], NOW, TZ)
        assert await service.save_notebook_patrols(
            conn, area, entries + again, leader=None, tz=TZ, now=NOW
        ) == (0, 3)
        async with conn.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'patrol.backfilled'"
        ) as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 2
