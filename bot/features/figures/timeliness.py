"""How quickly reports were handled (issue 16): the share acknowledged and resolved on time and
the median times, for the scope, per category and per area. Computed here, once, from the
reports' deadlines and histories (bot.features.reports.handling.timeliness); read by /stats,
``stats --json`` (key ``timeliness``), the workbook, the CSV files and the summary report.

A report counts for an on-time share once its deadline has passed or it was handled; "resolved"
is its first closing (resolved, not the commune's matter, duplicate). A report is timed from its
latest start, against that start's deadlines: when it was made, moved to another commune (it is
that commune's) or reopened. Reports made before
resolution deadlines existed count for the acknowledgement only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from bot.features.reports.handling import Timeliness, timeliness
from bot.features.reports.model import CATEGORIES
from bot.i18n import N_, Translator
from bot.storage import report_handling
from bot.storage.areas import Area
from bot.storage.db import Connection


class TimelinessGroup(BaseModel):
    acknowledged_counted: int = Field(
        default=0, description="reports whose acknowledgement deadline passed or that were handled"
    )
    acknowledged_on_time: int = 0
    acknowledged_on_time_percent: float | None = None
    resolved_counted: int = Field(
        default=0, description="reports whose resolution deadline passed or that were closed"
    )
    resolved_on_time: int = 0
    resolved_on_time_percent: float | None = None
    median_minutes_to_acknowledge: float | None = None
    median_minutes_to_resolve: float | None = None


class AreaTimeliness(BaseModel):
    code: str
    name: str
    figures: TimelinessGroup


class TimelinessFigures(BaseModel):
    total: TimelinessGroup = Field(default_factory=TimelinessGroup)
    by_category: dict[str, TimelinessGroup] = Field(default_factory=dict)
    by_area: list[AreaTimeliness] = Field(default_factory=list)


def _group(value: Timeliness) -> TimelinessGroup:
    return TimelinessGroup(
        acknowledged_counted=value.acknowledged_due,
        acknowledged_on_time=value.acknowledged_on_time,
        acknowledged_on_time_percent=value.acknowledged_percent,
        resolved_counted=value.resolved_due,
        resolved_on_time=value.resolved_on_time,
        resolved_on_time_percent=value.resolved_percent,
        median_minutes_to_acknowledge=value.median_ack_minutes,
        median_minutes_to_resolve=value.median_resolve_minutes,
    )


async def timeliness_figures(
    conn: Connection,
    areas: list[Area],
    area_ids: list[int] | None,
    begin: datetime,
    end: datetime,
    now: datetime,
) -> TimelinessFigures:
    """The figures of reports made in [begin, end) in scope (``area_ids`` None: every area),
    every category listed (with empty figures where none), and each area of ``areas``."""
    rows = await report_handling.timings(conn, begin, end, area_ids)
    by_category = defaultdict(list)
    by_area = defaultdict(list)
    for row in rows:
        by_category[row.category].append(row)
        by_area[row.area_id].append(row)
    return TimelinessFigures(
        total=_group(timeliness(rows, now)),
        by_category={c.key: _group(timeliness(by_category[c.key], now)) for c in CATEGORIES},
        by_area=[
            AreaTimeliness(code=a.code, name=a.name, figures=_group(timeliness(by_area[a.id], now)))
            for a in areas
        ],
    )


def _share(t: Translator, value: float | None) -> str:
    return t.percent(value / 100) if value is not None else "-"


def _time(t: Translator, minutes: float | None) -> str:
    if minutes is None:
        return "-"
    if minutes >= 48 * 60:
        return t.plain(N_("{days} days"), days=round(minutes / (24 * 60), 1))
    return t.duration(timedelta(minutes=minutes))


def timeliness_lines(t: Translator, figures: TimelinessFigures) -> list[str]:
    """The /stats lines (nothing when no report counts yet)."""
    total = figures.total
    if not total.acknowledged_counted and not total.resolved_counted:
        return []
    return [
        t._("*Handling on time*"),
        t._(
            "Acknowledged on time: {ack} · resolved on time: {resolved}",
            ack=_share(t, total.acknowledged_on_time_percent),
            resolved=_share(t, total.resolved_on_time_percent),
        ),
        t._(
            "Median time to acknowledge: {ack} · to resolve: {resolved}",
            ack=_time(t, total.median_minutes_to_acknowledge),
            resolved=_time(t, total.median_minutes_to_resolve),
        ),
    ]


def timeliness_sentence(t: Translator, figures: TimelinessFigures) -> str:
    """The summary report's sentence."""
    total = figures.total
    return t.plain(
        "Acknowledged on time: {ack}; resolved on time: {resolved}; median time to acknowledge: "
        "{ack_time}; median time to resolve: {resolved_time}.",
        ack=_share(t, total.acknowledged_on_time_percent),
        resolved=_share(t, total.resolved_on_time_percent),
        ack_time=_time(t, total.median_minutes_to_acknowledge),
        resolved_time=_time(t, total.median_minutes_to_resolve),
    )


def timeliness_rows(
    t: Translator, figures: TimelinessFigures
) -> tuple[list[str], list[list[str | int | float | None]]]:
    """The table of the workbook and the CSV files: the total, one row per category, then per
    area; the shares (0 to 1) in columns 4 and 8."""
    headers = [
        t.plain("Counted by"),
        t.plain("Category or area"),
        t.plain("Acknowledgements counted"),
        t.plain("Acknowledged on time"),
        t.plain("Share acknowledged on time"),
        t.plain("Median minutes to acknowledge"),
        t.plain("Resolutions counted"),
        t.plain("Resolved on time"),
        t.plain("Share resolved on time"),
        t.plain("Median minutes to resolve"),
    ]

    def share(value: float | None) -> float | None:
        return None if value is None else value / 100

    def row(kind: str, label: str, g: TimelinessGroup) -> list[str | int | float | None]:
        return [
            t.plain(kind),
            label,
            g.acknowledged_counted,
            g.acknowledged_on_time,
            None
            if g.acknowledged_on_time_percent is None
            else g.acknowledged_on_time_percent / 100,
            g.median_minutes_to_acknowledge,
            g.resolved_counted,
            g.resolved_on_time,
            share(g.resolved_on_time_percent),
            g.median_minutes_to_resolve,
        ]

    labels = {c.key: t.plain(c.label) for c in CATEGORIES}
    rows = [row(N_("Total"), t.plain("All reports"), figures.total)]
    rows += [row(N_("Category"), labels.get(key, key), g) for key, g in figures.by_category.items()]
    rows += [row(N_("Area"), a.name, a.figures) for a in figures.by_area]
    return headers, rows
