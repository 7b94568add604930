"""/patrolstats: patrols, member participations and reminders per kind for an area or the
whole commune, over this month, this quarter, this year or two dates; CSV files (the same
columns as the officers' workbook, in the reader's language) for the area's leaders and officers."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Attachment, Option, Reply
from bot.features.figures.csvfiles import table_csv
from bot.features.figures.tables import patrol_tables
from bot.features.figures.workbook import export_basename
from bot.features.patrols.actions import STATS, Stats
from bot.features.patrols.figures import FigureReport, ordered_kinds, patrol_figures, sentence
from bot.features.patrols.screens_common import kind_label, led_areas, not_your_area
from bot.features.patrols.states import STATS as STATS_FLOW
from bot.features.patrols.states import StatsState, StatsStep
from bot.i18n import N_
from bot.shared.periods import Period, named_period
from bot.shared.pickers import area_picker, ask_period, stale, typed_period
from bot.storage import areas as areas_repo


async def start(ctx: Context) -> None:
    areas = await led_areas(ctx)
    if not areas:
        ctx.reply(not_your_area(ctx))
        return
    STATS_FLOW.begin(ctx, StatsStep.SCOPE, StatsState())
    if len(areas) == 1 and not ctx.roles.is_officer:
        await _ask_period(ctx, areas[0].id)
        return
    rows = await area_picker(ctx, areas, STATS(Stats.SCOPE))
    if ctx.roles.sees_every_commune:
        rows.append([Option(ctx.t.plain("🏘 Whole commune"), action=STATS(Stats.SCOPE, 0))])
    ctx.reply(ctx._("Figures of which area?"), rows)


async def _ask_period(ctx: Context, area_id: int, *, edit: bool = False) -> None:
    STATS_FLOW.state(ctx).area_id = area_id
    ctx.goto(StatsStep.PERIOD)
    ask_period(ctx, STATS(Stats.PERIOD), edit=edit)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = STATS.read(argument)
    if verb == Stats.CSV:
        await _export(ctx, value)
        return
    if not STATS_FLOW.is_open(ctx):
        stale(ctx)
        return
    if verb == Stats.SCOPE and value.isdigit():
        area_id = int(value)
        if (area_id == 0 and not ctx.roles.sees_every_commune) or (
            area_id and not ctx.roles.leads(area_id)
        ):
            ctx.toast(not_your_area(ctx))
            return
        await _ask_period(ctx, area_id, edit=True)
    elif verb == Stats.PERIOD and STATS_FLOW.step(ctx) == StatsStep.PERIOD:
        if value == "dates":
            ctx.goto(StatsStep.DATES)
            ctx.reply(
                ctx._("Please type the first and the last day, for example 1/1/2026 31/3/2026.")
            )
            return
        period = named_period(value, ctx.now.astimezone(ctx.config.tz).date())
        if period is None:
            stale(ctx)
            return
        await _answer(ctx, STATS_FLOW.state(ctx).area_id, period, edit=True)
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    found = typed_period(ctx)
    if found is None:
        return
    await _answer(ctx, STATS_FLOW.state(ctx).area_id, found)


async def _answer(ctx: Context, area_id: int, period: Period, *, edit: bool = False) -> None:
    ctx.end()
    report = await patrol_figures(ctx.conn, area_id or None, period, ctx.config.tz)
    text = await report_text(ctx, report)
    rows: list[list[Option]] = []
    if _may_export(ctx, area_id):
        rows.append(
            [
                Option(
                    ctx.t.plain("📄 Export as CSV"),
                    action=STATS(
                        Stats.CSV, area_id, period.start.isoformat(), period.end.isoformat()
                    ),
                )
            ]
        )
    ctx.reply(text, rows, edit=edit, bind_to_conversation=False)


async def report_text(ctx: Context, report: FigureReport) -> str:
    area = await areas_repo.get(ctx.conn, report.area_id) if report.area_id else None
    scope = area.name if area else ctx.t.plain("the whole commune")
    lines = [
        ctx._(
            "📊 *Patrols of {scope}*, {start} to {end}",
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
        lines.append("\n" + ctx._("*Per month*"))
        for (year, month), figures in report.months:
            lines.append(f"• {month:02d}/{year}: " + sentence(ctx.t, figures))
    return "\n".join(lines)


def _may_export(ctx: Context, area_id: int) -> bool:
    """Officers export any area or the whole commune; a leader exports the areas they lead.
    Checked again on every press: the role may have been taken back since."""
    return ctx.roles.sees_every_commune if area_id == 0 else ctx.roles.leads(area_id)


async def _export(ctx: Context, value: str) -> None:
    parts = value.split(":")
    try:
        area_id = int(parts[0])
        period = Period(date.fromisoformat(parts[1]), date.fromisoformat(parts[2]))
    except (ValueError, IndexError):
        stale(ctx)
        return
    if not _may_export(ctx, area_id):
        ctx.toast(
            ctx._("Only the commune police can export the figures.")
            if area_id == 0
            else ctx._(
                "Only the team leaders of this area and the commune police can export its patrols."
            )
        )
        return
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    if area_id and area is None:
        stale(ctx)
        return
    patrols, observations = patrol_tables(
        None if area is None else [area.id], period, ctx.config.tz, ctx.t
    )
    counts = []
    for table, label in (
        (patrols, N_("Patrols: {count}")),
        (observations, N_("Observations: {count}")),
    ):
        data, count = await table_csv(ctx.conn, table)
        counts.append(count)
        name = export_basename(table.kind, area.code if area else None, period) + ".csv"
        reply = Reply(ctx._(label, count=count), attachment=Attachment("document", name, data))
        ctx.replies.append(reply)
    await ctx.audit("patrol.exported", None, None, area=area_id, patrols=counts[0])
