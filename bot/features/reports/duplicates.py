"""Duplicates: a new report that looks like one already open (same area, same category, made
within a few hours, and near it when both have a place on the map) is shown to the handler
with that candidate, who can merge it into the original. The merged report's reporter then
follows the original (its updates, its outcome; through the sealed relay when anonymous).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from bot.core.context import CoreConfig
from bot.core.events import Reply
from bot.features.reports import reach
from bot.i18n import Translator
from bot.storage import audit, report_duplicates
from bot.storage import reports as repo
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.reports import Report, Status

WITHIN = timedelta(hours=24)  # made this close in time
NEAR_METRES = 300.0  # and this close on the map, when both have a place


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    earth = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * earth * math.asin(math.sqrt(a))


def alike(report: Report, other: Report) -> bool:
    """Could ``other`` be the same matter as ``report``? Same area and category, made within
    :data:`WITHIN`, open, and near when both have a place on the map."""
    if other.id == report.id or not other.is_open or report.area_id is None:
        return False
    if (other.area_id, other.category) != (report.area_id, report.category):
        return False
    if abs(other.created_at - report.created_at) > WITHIN:
        return False
    if None not in (report.latitude, report.longitude, other.latitude, other.longitude):
        assert report.latitude is not None and report.longitude is not None
        assert other.latitude is not None and other.longitude is not None
        near = distance_m(report.latitude, report.longitude, other.latitude, other.longitude)
        return near <= NEAR_METRES
    return True


async def candidates(conn: Connection, report: Report) -> list[Report]:
    """Open reports made before ``report`` that look like it (the earliest first)."""
    if not report.is_open:
        return []
    found = await report_duplicates.open_alike(
        conn, report, report.created_at - WITHIN, report.created_at
    )
    return [o for o in found if alike(report, o)]


async def merge(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    original: Report,
    actor: Member,
    now: datetime,
) -> bool:
    """Merge ``report`` into ``original``: it becomes a duplicate of it (from the status it was
    read with), and its reporter is told they now follow the original. False, nothing
    written, when either changed meanwhile."""
    if not report.is_open or not original.is_open or original.duplicate_of is not None:
        return False
    if not await repo.set_status(
        conn, report, Status.DUPLICATE, actor.id, now, duplicate_of=original.id
    ):
        return False
    await audit.record(
        conn, now, actor.id, "report.merged", "report", report.id, duplicate_of=original.id
    )
    # Those who followed ``report`` follow the original now (no chains of duplicates).
    following = [report]
    for follower_id in await report_duplicates.repoint_followers(conn, report.id, original.id, now):
        follower = await repo.get(conn, follower_id)
        if follower is not None:
            await audit.record(
                conn,
                now,
                actor.id,
                "report.merged",
                "report",
                follower.id,
                duplicate_of=original.id,
            )
            following.append(follower)

    for own in following:
        await reach.reach_one(conn, config, own, _merged_notice(own, original), now)
    return True


def _merged_notice(own: Report, original: Report) -> reach.Build:
    def build(t: Translator, staff: bool) -> Reply:
        return Reply(
            t._(
                "Your report {code} is about the same matter as report {original}, which is "
                "already being handled, so the two were merged. You will get its updates and "
                "its outcome here; /track {code} shows its progress.",
                code=own.code,
                original=original.code,
            )
        )

    return build
