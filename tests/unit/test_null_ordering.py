"""Lists ordered by a column that may be empty come out the same on both engines (SQLite sorts
NULLs first, PostgreSQL last): the suite runs these on each (``--backend``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import areas, members
from bot.storage import broadcasts as repo
from bot.storage.db import Database

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def test_an_areas_people_by_name_those_without_a_name_last(db: Database) -> None:
    """The order of the team picked for a patrol and of a pledge board's people (and which of
    them fit in the buttons shown): by name, the same names in the order they registered, a
    registered person without a name after everyone else."""
    async with db.unit() as conn:
        area = await areas.add(conn, "A1", "Thôn 1", 100, NOW)
        ids = {}
        for user, name in (("1", "Bình"), ("2", None), ("3", "An"), ("4", "Bình"), ("5", "Chi")):
            member = await members.ensure(conn, "telegram", user, NOW)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=name or "x",
                area_id=area.id,
                language="vi",
                consent_version=1,
                now=NOW,
            )
            ids[user] = member.id
        # A registered person whose name was taken away (the register kept the row).
        await conn.execute("UPDATE members SET display_name = NULL WHERE id = ?", (ids["2"],))

        everyone = await members.in_area(conn, area.id)
        first_four = await members.in_area(conn, area.id, limit=4)

    assert [m.id for m in everyone] == [ids["3"], ids["1"], ids["4"], ids["5"], ids["2"]]
    assert [m.display_name for m in first_four] == ["An", "Bình", "Bình", "Chi"]


async def test_schedules_soonest_first_a_paused_one_without_a_run_ahead_last(
    db: Database,
) -> None:
    """The broadcast schedules' list: running ones by their next run, then the paused ones,
    those with a run ahead by it and one with none at the very end."""
    async with db.unit() as conn:

        async def schedule(next_run: datetime | None, paused: bool) -> int:
            made = await repo.add_schedule(
                conn,
                topic="fire",
                message_ref="lib:fire",
                target="commune",
                area_ids=[],
                rule="weekly:0:08:00",
                urgent=False,
                next_run_at=next_run,
                created_by=None,
                now=NOW,
            )
            if paused:
                await repo.set_paused(conn, made, True, next_run, NOW)
            return made

        paused_none = await schedule(None, paused=True)
        later = await schedule(NOW + timedelta(days=2), paused=False)
        paused_soon = await schedule(NOW + timedelta(days=1), paused=True)
        soon = await schedule(NOW + timedelta(days=1), paused=False)
        await schedule(None, paused=False)  # nothing ahead and not paused: not listed

        listed = [s.id for s in await repo.list_schedules(conn)]

    assert listed == [soon, later, paused_soon, paused_none]
