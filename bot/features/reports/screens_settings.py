"""/reportsettings: officers choose who handles each category and the limits of reporting."""

from __future__ import annotations

from dataclasses import replace

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports import screens_deadlines as reports_deadlines
from bot.features.reports.actions import SETTINGS, Settings
from bot.features.reports.model import CATEGORIES, CATEGORY_BY_KEY, Target, default_routes
from bot.features.reports.texts import category_label, target_label
from bot.i18n import N_
from bot.shared.pickers import stale
from bot.storage import report_settings

MAX_CHOICES = (1, 2, 3, 5, 10, 20)
ACK_CHOICES = (2.0, 4.0, 8.0, 12.0, 24.0)
ACK_NOW_CHOICES = (0.5, 1.0, 2.0)


def _following(choices: tuple[float, ...], current: float) -> float:
    bigger = [c for c in choices if c > current]
    return bigger[0] if bigger else choices[0]


DEPLOYMENT_WIDE = N_(
    "These settings apply to every commune: only the province's officers change them."
)


async def show(ctx: Context, *, edit: bool = False, note: str = "") -> None:
    routes = await report_settings.routes(ctx.conn, default_routes())
    settings = await report_settings.settings(ctx.conn)
    lines = [note] if note else []
    lines += [
        ctx._("*Reports: routing and limits*"),
        ctx._("Press a category to switch who handles it."),
        "",
    ]
    lines += [
        f"{category_label(ctx.t, c.key)}: {target_label(ctx.t, routes[c.key])}" for c in CATEGORIES
    ]
    lines += [
        "",
        ctx._("At most {count} reports per person per hour.", count=settings.max_per_hour),
        ctx._(
            "Escalate when not acknowledged within {hours} hours ({now} hours when happening now).",
            hours=settings.ack_hours,
            now=settings.ack_hours_now,
        ),
    ]
    options = [
        [Option(category_label(ctx.t, c.key), action=SETTINGS(Settings.ROUTE, c.key))]
        for c in CATEGORIES
    ]
    options.append(
        [
            Option(ctx.t.plain("Limit per hour ▸"), action=SETTINGS(Settings.MAX)),
            Option(ctx.t.plain("Deadline ▸"), action=SETTINGS(Settings.ACK)),
            Option(ctx.t.plain("Urgent deadline ▸"), action=SETTINGS(Settings.NOW)),
        ]
    )
    options.append([reports_deadlines.button(ctx)])  # each commune's own deadlines
    ctx.reply("\n".join(lines), options, edit=edit)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = SETTINGS.read(argument)
    if not ctx.roles.sees_every_commune:
        ctx.toast(ctx._(DEPLOYMENT_WIDE))
        return
    member_id = ctx.member.id if ctx.member else None
    if verb == Settings.ROUTE and value in CATEGORY_BY_KEY:
        routes = await report_settings.routes(ctx.conn, default_routes())
        target = Target.OFFICERS if routes[value] == Target.LEADERS else Target.LEADERS
        await report_settings.set_route(ctx.conn, value, target, member_id, ctx.now)
        await ctx.audit("report.route_changed", None, None, category=value, target=target.value)
        await show(ctx, edit=True, note=ctx._("Saved."))
        return
    settings = await report_settings.settings(ctx.conn)
    if verb == Settings.MAX:
        settings = replace(
            settings, max_per_hour=int(_following(MAX_CHOICES, settings.max_per_hour))
        )
    elif verb == Settings.ACK:
        settings = replace(settings, ack_hours=_following(ACK_CHOICES, settings.ack_hours))
    elif verb == Settings.NOW:
        settings = replace(
            settings, ack_hours_now=_following(ACK_NOW_CHOICES, settings.ack_hours_now)
        )
    else:
        stale(ctx)
        return
    await report_settings.save_settings(ctx.conn, settings)
    await ctx.audit(
        "report.settings_changed",
        None,
        None,
        max_per_hour=settings.max_per_hour,
        ack_hours=settings.ack_hours,
        ack_hours_now=settings.ack_hours_now,
    )
    await show(ctx, edit=True, note=ctx._("Saved."))
