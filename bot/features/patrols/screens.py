"""Patrols (tuần tra): /patrol for leaders (live patrols, notebook backfills, weekly rosters,
corrections), /patrolstats for figures, /housewatch for residents who will be away.

The logic lives in the other modules of bot/features/patrols/ (screens_*.py for the chat);
this module wires them.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import EVERYONE, LEADERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.patrols import screens_backfill as patrols_backfill
from bot.features.patrols import screens_edit as patrols_edit
from bot.features.patrols import screens_housewatch as housewatch
from bot.features.patrols import screens_live as patrols_live
from bot.features.patrols import screens_observe as patrols_observe
from bot.features.patrols import screens_roster as patrols_roster
from bot.features.patrols import screens_stats as patrols_stats
from bot.features.patrols import states
from bot.features.patrols.actions import (
    BACKFILL,
    CONFIRM,
    DECLINE,
    EDIT,
    HOUSEWATCH,
    MENU,
    PATROL,
    ROSTER,
    STATS,
    Menu,
    Ptl,
)
from bot.features.patrols.screens_common import led_areas, not_your_area
from bot.features.patrols.states import PATROL as PATROL_FLOW
from bot.features.patrols.states import PatrolStep
from bot.i18n import N_
from bot.shared.pickers import area_picker, stale
from bot.storage import areas as areas_repo
from bot.storage import patrols as repo
from bot.storage.areas import Area


async def patrol(ctx: Context) -> None:
    if not ctx.event.chat.is_private:
        area_id = ctx.chat.area_id
        area = await areas_repo.get(ctx.conn, area_id) if area_id else None
        if area is None:
            ctx.reply(
                ctx._(
                    "This group is not linked to an area yet. The commune police can link "
                    "it with /linkgroup."
                )
            )
            return
        if not ctx.roles.leads(area.id):
            ctx.reply(not_your_area(ctx))
            return
        await area_menu(ctx, area)
        return
    areas = await led_areas(ctx)
    if not areas:
        ctx.reply(not_your_area(ctx))
        return
    if len(areas) == 1:
        await area_menu(ctx, areas[0])
        return
    ctx.end()
    ctx.reply(ctx._("Patrols of which area?"), await area_picker(ctx, areas, MENU(Menu.AREA)))


async def area_menu(ctx: Context, area: Area, *, edit: bool = False) -> None:
    """The open patrol's panel, or what a leader can do for this area."""
    open_patrol = await repo.open_in_area(ctx.conn, area.id)
    if open_patrol is not None:
        if PATROL_FLOW.is_open(ctx):
            ctx.end()
        await patrols_live.show_panel(ctx, open_patrol, area, edit=edit)
        return
    rows = [[Option(ctx.t.plain("▶️ Start a patrol now"), action=MENU(Menu.START, area.id))]]
    if ctx.event.chat.is_private:
        rows += [
            [Option(ctx.t.plain("📒 Log past patrols"), action=MENU(Menu.BACK, area.id))],
            [Option(ctx.t.plain("🗓 Weekly roster"), action=MENU(Menu.ROSTER, area.id))],
            [Option(ctx.t.plain("🗂 Recent patrols"), action=MENU(Menu.RECENT, area.id))],
        ]
    ctx.reply(
        ctx._("*Patrols of {area}*\nWhat would you like to do?", area=area.name),
        rows,
        edit=edit,
    )


async def on_menu(ctx: Context, argument: str) -> None:
    verb, value = MENU.read(argument)
    area = await areas_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if area is None:
        stale(ctx)
        return
    if not ctx.roles.leads(area.id):
        ctx.toast(not_your_area(ctx))
        return
    if verb == Menu.AREA:
        await area_menu(ctx, area, edit=True)
    elif verb == Menu.START:
        if await repo.open_in_area(ctx.conn, area.id) is not None:
            await area_menu(ctx, area)
            return
        await patrols_live.begin_pick(ctx, area)
    elif verb == Menu.BACK:
        patrols_backfill.begin(ctx, area)
    elif verb == Menu.ROSTER:
        await patrols_roster.show(ctx, area)
    elif verb == Menu.RECENT:
        await patrols_edit.show_recent(ctx, area)
    else:
        stale(ctx)


async def on_live(ctx: Context, argument: str) -> None:
    verb, value = PATROL.read(argument)
    handlers = {
        Ptl.OBSERVE: patrols_observe.on_observe,
        Ptl.COUNT: patrols_observe.on_count,
        Ptl.REMINDED: patrols_observe.on_reminded,
        Ptl.REPORT: patrols_observe.on_report,
        Ptl.DELETE: patrols_observe.on_delete,
        Ptl.REMOVE_NOTE: patrols_observe.on_remove_note,
        Ptl.PANEL: patrols_live.on_panel,
        Ptl.HOUSES: patrols_live.on_houses,
        Ptl.END: patrols_live.on_end,
        Ptl.POST: patrols_live.on_post,
        Ptl.TOGGLE: patrols_live.on_toggle,
    }
    if verb in handlers:
        await handlers[verb](ctx, value)
    elif verb == Ptl.GO:
        await patrols_live.on_start(ctx)
    elif verb == Ptl.CLEAR:
        await patrols_live.on_clear(ctx)
    elif verb == Ptl.CANCEL:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)
    else:
        stale(ctx)


async def on_patrol_input(ctx: Context) -> None:
    if PATROL_FLOW.step(ctx) == PatrolStep.PICK:
        await patrols_live.on_pick_input(ctx)
    else:
        await patrols_observe.on_observation_input(ctx)


feature = Feature(
    name="patrols",
    commands=[
        Command(
            "patrol",
            "tuantra",
            patrol,
            LEADERS,
            Where.ANY,
            N_("Log a patrol: start one now, or from your notebook; weekly roster"),
        ),
        Command(
            "patrolstats",
            "thongketuantra",
            patrols_stats.start,
            LEADERS,
            Where.PRIVATE,
            N_("Patrol figures for a month, a quarter or a year"),
        ),
        Command(
            "housewatch",
            "trongnha",
            housewatch.start,
            EVERYONE,
            Where.PRIVATE,
            N_("Going away? Ask the patrol to keep an eye on your house"),
        ),
    ],
    actions={
        MENU.prefix: Action(on_menu, roles=LEADERS),
        PATROL.prefix: Action(on_live, roles=LEADERS),
        CONFIRM.prefix: Action(patrols_live.on_confirm),
        BACKFILL.prefix: Action(patrols_backfill.on_button, roles=LEADERS),
        EDIT.prefix: Action(patrols_edit.on_button, roles=LEADERS),
        ROSTER.prefix: Action(patrols_roster.on_button, roles=LEADERS),
        DECLINE.prefix: Action(patrols_roster.on_decline),
        STATS.prefix: Action(patrols_stats.on_button, roles=LEADERS),
        HOUSEWATCH.prefix: Action(housewatch.on_button),
    },
    flows={
        states.PATROL: on_patrol_input,
        states.BACKFILL: patrols_backfill.on_input,
        states.ROSTER: patrols_roster.on_input,
        states.STATS: patrols_stats.on_input,
        states.HOUSEWATCH: housewatch.on_input,
    },
    data_sections=[housewatch.data_section],
    forget_hooks=[housewatch.forget],
    jobs=[patrols_roster.JOB],
)
