"""A new report's handling set at once: the commune's deadlines and the person it is given to
by default (see :func:`bot.features.reports.handling.default_assignee`)."""

from __future__ import annotations

from datetime import datetime

from bot.features.reports.handling import Deadlines, category_deadline, default_assignee
from bot.storage import category_deadlines, report_handling, report_settings
from bot.storage import reports as repo
from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.reports import Report, Target


async def deadlines_for(conn: Connection, area_id: int | None, category: str) -> Deadlines:
    """The deadlines of a report of ``category`` in the area's commune: the commune's general
    ones (the deployment's defaults where it set none) with the category's own over them."""
    commune = await report_handling.commune_of(conn, area_id) if area_id else None
    stored = await report_handling.deadlines(conn, commune)
    general = Deadlines.of(stored, await report_settings.settings(conn))
    own = category_deadline(category, await category_deadlines.of_commune(conn, commune))
    return general.for_category(own)


async def assignee_for(
    conn: Connection, target: Target, area_id: int | None, category: str
) -> int | None:
    """The officers' rule for the category in the area (its person may still be given the
    area's reports), else the default (:func:`default_assignee`)."""
    ruled = await report_handling.rule_for(conn, area_id, category) if area_id else None
    if ruled is not None and ruled in await report_handling.assignable(conn, area_id):
        return ruled
    leaders = await roles_repo.holders(conn, "leader", area_id) if area_id else []
    return default_assignee(target, leaders)


async def route_new(
    conn: Connection, report: Report, deadlines: Deadlines, now: datetime
) -> Report:
    """Set the resolution deadline and give the report to its default assignee (in its
    history); the report as it is now."""
    await report_handling.set_resolve_due(conn, report.id, deadlines.resolve_due(now))
    assignee = await assignee_for(conn, report.target, report.area_id, report.category)
    fresh = await repo.get(conn, report.id)
    assert fresh is not None
    if assignee is not None:
        await report_handling.assign(conn, fresh, assignee, None, now)
        fresh = await repo.get(conn, report.id)
        assert fresh is not None
    return fresh
