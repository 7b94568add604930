"""/patrolstats: patrols, member participations and reminders per kind for an area or the
whole commune, over this month, this quarter, this year or two dates; CSV for officers."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Attachment, Option, Reply
from bot.handlers.common import area_options, typed_period
from bot.handlers.patrols_common import kind_label, led_areas, not_your_area, stale
from bot.patrols.export import observations_csv, patrols_csv
from bot.patrols.figures import FigureReport, ordered_kinds, patrol_figures, sentence
from bot.patrols.periods import Period, named_period
from bot.storage import areas as areas_repo
from bot.storage import patrols as repo

FLOW = "patrol_stats"
PERIODS = ("month", "last_month", "quarter", "year", "last_year")


async def start(ctx: Context) -> None:
    areas = await led_areas(ctx)
    if not areas:
        ctx.reply(not_your_area(ctx))
        return
    ctx.begin(FLOW, "scope")
    if len(areas) == 1 and not ctx.roles.is_officer:
        await _ask_period(ctx, areas[0].id)
        return
    rows = area_options(areas, "pts:scope")
    if ctx.roles.is_officer:
        rows.append([Option(ctx.t.plain("🏘 Whole commune"), action="pts:scope:0")])
    ctx.reply(ctx._("Figures of which area?"), rows)


async def _ask_period(ctx: Context, area_id: int, *, edit: bool = False) -> None:
    ctx.goto("period", area_id=area_id)
    labels = {
        "month": ctx.t.plain("This month"),
        "last_month": ctx.t.plain("Last month"),
        "quarter": ctx.t.plain("This quarter"),
        "year": ctx.t.plain("This year"),
        "last_year": ctx.t.plain("Last year"),
    }
    buttons = [Option(labels[code], action=f"pts:period:{code}") for code in PERIODS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Option(ctx.t.plain("📅 Two dates"), action="pts:period:dates")])
    ctx.reply(ctx._("For which period?"), rows, edit=edit)


async def on_button(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    if verb == "csv":
        await _export(ctx, value)
        return
    if ctx.flow != FLOW:
        stale(ctx)
        return
    if verb == "scope" and value.isdigit():
        area_id = int(value)
        if (area_id == 0 and not ctx.roles.is_officer) or (
            area_id and not ctx.roles.leads(area_id)
        ):
            ctx.toast(not_your_area(ctx))
            return
        await _ask_period(ctx, area_id, edit=True)
    elif verb == "period" and ctx.step == "period":
        if value == "dates":
            ctx.goto("dates")
            ctx.reply(
                ctx._("Please type the first and the last day, for example 1/1/2026 31/3/2026.")
            )
            return
        period = named_period(value, ctx.now.astimezone(ctx.config.tz).date())
        if period is None:
            stale(ctx)
            return
        await _answer(ctx, int(ctx.data.get("area_id", 0)), period, edit=True)
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    found = typed_period(ctx)
    if found is None:
        return
    await _answer(ctx, int(ctx.data.get("area_id", 0)), found)


async def _answer(ctx: Context, area_id: int, period: Period, *, edit: bool = False) -> None:
    ctx.end()
    report = await patrol_figures(ctx.conn, area_id or None, period, ctx.config.tz)
    text = await report_text(ctx, report)
    rows: list[list[Option]] = []
    if ctx.roles.is_officer:
        rows.append(
            [
                Option(
                    ctx.t.plain("📄 Export as CSV"),
                    action=f"pts:csv:{area_id}:{period.start.isoformat()}:{period.end.isoformat()}",
                )
            ]
        )
    ctx.reply(text, rows, edit=edit, bind_to_conversation=False)


async def report_text(ctx: Context, report: FigureReport) -> str:
    area = await areas_repo.get(ctx.conn, report.area_id) if report.area_id else None
    scope = area.name if area else ctx.t.plain("the whole commune")
    lines = [
        ctx._(
            "📊 <b>Patrols of {scope}</b>, {start} to {end}",
            scope=scope,
            start=report.period.start,
            end=report.period.end,
        ),
        sentence(ctx.t, report.total),
    ]
    unreminded = report.total.observations - report.total.reminders
    if unreminded:
        lines.append(
            ctx._(
                "Also seen without a reminder: {cases}",
                cases=", ".join(
                    f"{kind_label(ctx.t, c)} {n}" for c, n in ordered_kinds(unreminded)
                ),
            )
        )
    if len(report.months) > 1:
        lines.append("\n" + ctx._("<b>Per month</b>"))
        for (year, month), figures in report.months:
            lines.append(f"• {month:02d}/{year}: " + sentence(ctx.t, figures))
    return "\n".join(lines)


async def _export(ctx: Context, value: str) -> None:
    if not ctx.roles.is_officer:
        ctx.toast(ctx._("Only the commune police can export the figures."))
        return
    parts = value.split(":")
    try:
        area_id = int(parts[0])
        period = Period(date.fromisoformat(parts[1]), date.fromisoformat(parts[2]))
    except (ValueError, IndexError):
        stale(ctx)
        return
    begin, end = period.utc_bounds(ctx.config.tz)
    patrols = await repo.in_range(ctx.conn, area_id or None, begin, end)
    people = {
        p.id: p.participants
        for p in await repo.counted_patrols(ctx.conn, area_id or None, begin, end)
    }
    observations = await repo.observations_in_range(ctx.conn, area_id or None, begin, end)
    areas = {a.id: a for a in await areas_repo.list_areas(ctx.conn)}
    tz = ctx.config.tz
    stem = f"{period.start.isoformat()}_{period.end.isoformat()}"
    ctx.replies.append(
        Reply(
            ctx._("Patrols: {count}", count=len(patrols)),
            attachment=Attachment(
                "document", f"patrols_{stem}.csv", patrols_csv(patrols, people, areas, tz)
            ),
        )
    )
    ctx.replies.append(
        Reply(
            ctx._("Observations: {count}", count=len(observations)),
            attachment=Attachment(
                "document",
                f"observations_{stem}.csv",
                observations_csv(observations, {p.id: p for p in patrols}, areas, tz),
            ),
        )
    )
    await ctx.audit("patrol.exported", None, None, area=area_id, patrols=len(patrols))
