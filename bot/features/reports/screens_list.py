"""/reports: the open reports in the handler's scope, filtered by status, area and category,
a page at a time. The filter lives in the buttons' action strings (stored in SQLite)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports.actions import LISTING, TRIAGE, Triage
from bot.features.reports.model import CATEGORIES, CLOSED_STATUSES, OPEN_STATUSES, Status
from bot.features.reports.texts import category_label, status_label
from bot.i18n import N_
from bot.storage import areas as areas_repo
from bot.storage import reports as repo
from bot.storage.report_handling import WHO_FILTERS, who_condition

PAGE = 5
STATUS_FILTERS = ("open", *(s.value for s in Status))


@dataclass(frozen=True)
class Filter:
    status: str = "open"
    area: int = 0  # 0: every area in scope
    category: str = "all"
    page: int = 0
    who: str = "all"  # "mine", "none" (unassigned), "late" (overdue): WHO_FILTERS

    def action(self, **change: object) -> str:
        values = {**self.__dict__, **change}
        return LISTING.make(
            values["status"], values["area"], values["category"], values["page"], values["who"]
        )

    @classmethod
    def parse(cls, argument: str) -> Filter:
        parts = argument.split(":")
        try:
            status, area, category, page = parts[0], int(parts[1]), parts[2], int(parts[3])
        except (IndexError, ValueError):
            return cls()
        if status not in STATUS_FILTERS:
            status = "open"
        who = parts[4] if len(parts) > 4 and parts[4] in WHO_FILTERS else "all"
        return cls(status, max(area, 0), category, max(page, 0), who)


def _scope(ctx: Context) -> repo.Scope:
    return repo.Scope(
        all_areas=ctx.roles.sees_every_commune,
        leader_areas=ctx.roles.leader_areas,
        member_id=ctx.member.id if ctx.member else None,
        officer_areas=ctx.roles.officer_areas or frozenset(),
    )


def _statuses(value: str) -> frozenset[Status]:
    if value == "open":
        return OPEN_STATUSES
    return frozenset({Status(value)})


WHO_LABELS = {
    "all": N_("all"),
    "mine": N_("mine"),
    "none": N_("unassigned"),
    "late": N_("overdue"),
}


def who_buttons(ctx: Context, chosen: Filter) -> list[Option]:
    """The filters "mine", "unassigned", "overdue" (pressing the one shown goes back to all)."""
    return [
        Option(
            ("✅ " if chosen.who == who else "") + ctx.t.plain(WHO_LABELS[who]),
            action=chosen.action(who="all" if chosen.who == who else who, page=0),
        )
        for who in ("mine", "none", "late")
    ]


def _next(values: list[str], current: str) -> str:
    if current not in values:
        return values[0]
    return values[(values.index(current) + 1) % len(values)]


async def list_reports(ctx: Context) -> None:
    await _show(ctx, Filter(), edit=False)


async def on_list(ctx: Context, argument: str) -> None:
    await _show(ctx, Filter.parse(argument), edit=True)


async def _show(ctx: Context, chosen: Filter, *, edit: bool) -> None:
    areas = await areas_repo.list_areas(ctx.conn)
    if not ctx.roles.sees_every_commune:
        areas = [a for a in areas if a.id in ctx.roles.area_ids]
    area_ids = [0, *(a.id for a in areas)]
    if chosen.area not in area_ids:
        chosen = Filter(chosen.status, 0, chosen.category, 0, chosen.who)
    categories = ["all", *(c.key for c in CATEGORIES)]
    if chosen.category not in categories:
        chosen = Filter(chosen.status, chosen.area, "all", 0, chosen.who)
    who = who_condition(chosen.who, ctx.member.id if ctx.member else None, ctx.now)
    found, total = await repo.listing(
        ctx.conn,
        _scope(ctx),
        statuses=_statuses(chosen.status),
        area_id=chosen.area or None,
        category=None if chosen.category == "all" else chosen.category,
        offset=chosen.page * PAGE,
        limit=PAGE,
        condition=who,
    )
    pages = max(1, -(-total // PAGE))
    if chosen.page >= pages:
        chosen = Filter(chosen.status, chosen.area, chosen.category, pages - 1, chosen.who)
        found, total = await repo.listing(
            ctx.conn,
            _scope(ctx),
            statuses=_statuses(chosen.status),
            area_id=chosen.area or None,
            category=None if chosen.category == "all" else chosen.category,
            offset=chosen.page * PAGE,
            limit=PAGE,
            condition=who,
        )
    names = {a.id: a.name for a in areas}
    status_name = (
        ctx.t.plain(N_("all open"))
        if chosen.status == "open"
        else status_label(ctx.t, Status(chosen.status))
    )
    area_name = names.get(chosen.area) or ctx.t.plain(N_("all"))
    category_name = (
        ctx.t.plain(N_("all"))
        if chosen.category == "all"
        else category_label(ctx.t, chosen.category)
    )
    lines = [
        ctx._("*Reports in your care*"),
        ctx._(
            "Status: {status} · Area: {area} · Category: {category}",
            status=status_name,
            area=area_name,
            category=category_name,
        ),
        ctx._n("{count} report", "{count} reports", total),
    ]
    if chosen.who != "all":
        lines.insert(2, ctx._("Showing: {which}", which=ctx.t.plain(WHO_LABELS[chosen.who])))
    if not found:
        lines.append(ctx._("Nothing here right now."))
    options: list[list[Option]] = []
    for r in found:
        urgent = "🚨 " if r.happening_now and r.status not in CLOSED_STATUSES else ""
        # The report's own code, never its place in this page: the list renumbers as
        # reports come and go, the code does not.
        label = (
            f"{urgent}{r.code} · {category_label(ctx.t, r.category)}"
            f" · {status_label(ctx.t, r.status)}"
        )
        options.append([Option(label, action=TRIAGE(Triage.VIEW, r.id))])
    options.append(
        [
            Option(
                ctx.t.plain("Status ▸"),
                action=chosen.action(status=_next(list(STATUS_FILTERS), chosen.status), page=0),
            ),
            Option(
                ctx.t.plain("Area ▸"),
                action=chosen.action(
                    area=_next([str(a) for a in area_ids], str(chosen.area)), page=0
                ),
            ),
            Option(
                ctx.t.plain("Category ▸"),
                action=chosen.action(category=_next(categories, chosen.category), page=0),
            ),
        ]
    )
    options.append(who_buttons(ctx, chosen))
    paging: list[Option] = []
    if chosen.page > 0:
        paging.append(Option("◀️", action=chosen.action(page=chosen.page - 1)))
    if chosen.page + 1 < pages:
        paging.append(Option("▶️", action=chosen.action(page=chosen.page + 1)))
    if paging:
        options.append(paging)
        lines.append(ctx._("Page {page} of {pages}", page=chosen.page + 1, pages=pages))
    ctx.reply("\n".join(lines), options, edit=edit)
