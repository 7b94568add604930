"""Use cases of patrols, as plain functions over a connection (no chat): saving the patrols
a leader copied from the notebook. Each writes the audit log with the acting member.

The screens (``screens*.py``) call these; tests call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.patrols.backfill import Entry
from bot.storage import audit, patrol_observations
from bot.storage import patrols as repo
from bot.storage.areas import Area
from bot.storage.db import Connection


async def save_notebook_patrols(
    conn: Connection,
    area: Area,
    entries: Sequence[Entry],
    *,
    leader: int | None,
    tz: ZoneInfo,
    now: datetime,
) -> tuple[int, int]:
    """Store patrols copied from the notebook with their people and observations: (saved,
    skipped). One already logged for the same area and start is skipped, so sending the same
    page twice saves nothing twice."""
    saved = skipped = 0
    for entry in entries:
        started = entry.started_at(tz)
        existing = await repo.in_range(conn, area.id, started, started.replace(second=1))
        if existing:
            skipped += 1
            continue
        patrol_id = await repo.create(
            conn,
            area_id=area.id,
            leader_member_id=leader,
            source="backfill",
            started_at=started,
            ended_at=entry.ended_at(tz),
            headcount=0 if entry.names else entry.headcount,
            now=now,
        )
        for name in entry.names:
            await repo.add_participant(conn, patrol_id, name=name)
        for code, count in entry.observations.items():
            await patrol_observations.add_observation(
                conn, patrol_id, code, count=count, reminded=True, created_by=leader, now=now
            )
        await audit.record(
            conn,
            now,
            leader,
            "patrol.backfilled",
            "patrol",
            patrol_id,
            area=area.code,
            people=entry.participants,
            cases=sum(entry.observations.values()),
        )
        saved += 1
    return saved, skipped
