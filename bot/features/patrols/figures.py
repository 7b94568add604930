"""Patrol figures for an area or the whole commune over a period, and the sentence the commune
writes in its reports, e.g. "42 lượt tuần tra với 198 lượt thành viên tham gia; nhắc nhở 40
trường hợp kinh doanh quá giờ quy định, ...".

:func:`patrol_figures` is the entry point other features (statistics) reuse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.features.patrols.kinds import KINDS, kind
from bot.i18n import Safe, Translator
from bot.shared.periods import Period
from bot.storage import stats as repo
from bot.storage.db import Connection
from bot.storage.stats import ObservationMonth, PatrolMonth


@dataclass
class Figures:
    patrols: int = 0
    participations: int = 0
    reminders: Counter[str] = field(default_factory=Counter)  # cases reminded, per kind
    observations: Counter[str] = field(default_factory=Counter)  # all cases seen, per kind

    @property
    def reminders_total(self) -> int:
        return sum(self.reminders.values())


@dataclass
class FigureReport:
    period: Period
    area_id: int | None
    total: Figures
    months: list[tuple[tuple[int, int], Figures]]


def aggregate(
    period: Period,
    area_id: int | None,
    months: list[tuple[int, int]],
    patrols: list[PatrolMonth],
    observations: list[ObservationMonth],
) -> FigureReport:
    """The report from the counts per bucket, bucket ``i`` being ``months[i]``."""
    total = Figures()
    by_month = {month: Figures() for month in months}
    for counted in patrols:
        for figures in (total, by_month[months[counted.bucket]]):
            figures.patrols += counted.patrols
            figures.participations += counted.participants
    for seen in observations:
        for figures in (total, by_month[months[seen.bucket]]):
            figures.observations[seen.kind] += seen.cases
            if seen.reminded:
                figures.reminders[seen.kind] += seen.cases
    return FigureReport(period, area_id, total, sorted(by_month.items()))


async def patrol_figures(
    conn: Connection,
    area_id: int | None,
    period: Period,
    tz: ZoneInfo,
    *,
    area_ids: Sequence[int] | None = None,
) -> FigureReport:
    """Figures of one area (or the whole commune when ``area_id`` is None; or the areas
    ``area_ids``) for the local days of ``period``: patrols, member participations, and cases
    per kind, also per month."""
    bounds = period.month_bounds(tz)
    buckets = [b for _, b in bounds]
    scope = [area_id] if area_id is not None else area_ids
    patrols = await repo.patrol_counts(conn, buckets, scope)
    observations = await repo.observation_counts(conn, buckets, scope, [k.code for k in KINDS])
    return aggregate(period, area_id, [m for m, _ in bounds], patrols, observations)


def ordered_kinds(counts: Counter[str]) -> list[tuple[str, int]]:
    """Kinds with cases, most cases first; ties in the order of the kinds list."""
    order = {k.code: i for i, k in enumerate(KINDS)}
    return sorted(
        ((code, n) for code, n in counts.items() if n > 0),
        key=lambda item: (-item[1], order.get(item[0], len(order))),
    )


def sentence(t: Translator, figures: Figures) -> str:
    """The figures as the commune writes them in its periodic reports."""
    text = t._n(
        "{count} patrol with {participations} member participations",
        "{count} patrols with {participations} member participations",
        figures.patrols,
        participations=figures.participations,
    )
    cases = [
        t._n(
            "{count} case of {phrase}",
            "{count} cases of {phrase}",
            count,
            phrase=t.plain(kind(code).phrase),
        )
        for code, count in ordered_kinds(figures.reminders)
    ]
    if cases:
        text += t._("; reminders given: {cases}", cases=Safe(", ".join(cases)))
    return text + "."
