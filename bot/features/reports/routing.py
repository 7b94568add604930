"""A new report's handling set at once: the commune's deadlines and the person it is given to
by default (see :func:`bot.features.reports.handling.default_assignee`)."""

from __future__ import annotations

from datetime import datetime

from bot.features.reports.handling import Deadlines, category_deadline, default_assignee
from bot.storage import category_deadlines, report_handling, report_settings
from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.reports import Report, Target


async def deadlines_for(conn: Connection, area_id: int | None, category: str) -> Deadlines:
    """The deadlines of a report of ``category`` in the area's commune: the commune's general
    ones (the deployment's defaults where it set none) with the category's own over them."""
    rules = await category_deadlines.deadline_rules(
        conn, area_id or None, category, report_settings.SETTINGS_KEY
    )
    general = Deadlines.of(rules.general, report_settings.from_kept(rules.settings_raw))
    stored = {category: rules.category} if rules.category is not None else {}
    return general.for_category(category_deadline(category, stored))


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
    assignee = await assignee_for(conn, report.target, report.area_id, report.category)
    return await report_handling.route_new(conn, report, deadlines.resolve_due(now), assignee, now)
