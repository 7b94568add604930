"""Recent patrols of an area, and corrections by its leader within a week (all audited)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.patrols.actions import EDIT, PATROL, Edit, Ptl
from bot.features.patrols.screens_common import (
    editable,
    hhmm,
    kind_buttons,
    kind_label,
    not_your_area,
    summary_text,
)
from bot.shared.pickers import stale
from bot.storage import areas as areas_repo
from bot.storage import patrol_observations
from bot.storage import patrols as repo
from bot.storage.areas import Area
from bot.storage.patrols import Patrol


async def show_recent(ctx: Context, area: Area) -> None:
    found = await repo.recent(ctx.conn, [area.id], limit=10)
    if not found:
        ctx.reply(ctx._("No patrol of {area} has been logged yet.", area=area.name))
        return
    rows = [
        [
            Option(
                f"{ctx.t.day(p.started_at)} {hhmm(ctx.t, p.started_at)}"
                + (" ⏳" if p.is_open else ""),
                action=EDIT(Edit.SHOW, p.id),
            )
        ]
        for p in found
    ]
    ctx.reply(
        ctx._("Recent patrols of {area}: choose one to see or correct it.", area=area.name),
        rows,
        bind_to_conversation=False,
    )


async def _load(ctx: Context, value: str) -> tuple[Patrol, Area] | None:
    patrol = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    area = await areas_repo.get(ctx.conn, patrol.area_id) if patrol else None
    if patrol is None or area is None:
        stale(ctx)
        return None
    if not ctx.roles.leads(patrol.area_id):
        ctx.toast(not_your_area(ctx))
        return None
    return patrol, area


async def show(ctx: Context, patrol: Patrol, area: Area, *, edit: bool = False) -> None:
    text = await summary_text(ctx, ctx.t, patrol, area, with_names=True)
    rows: list[list[Option]] = []
    if patrol.is_open:
        rows.append(
            [Option(ctx.t.plain("🚶 Open the patrol"), action=PATROL(Ptl.PANEL, patrol.id))]
        )
    elif editable(ctx, patrol):
        rows += [
            [Option(ctx.t.plain("➕ Add an observation"), action=EDIT(Edit.ADD, patrol.id))],
            [
                Option(
                    ctx.t.plain("➖ Remove an observation"),
                    action=EDIT(Edit.REMOVE_LIST, patrol.id),
                )
            ],
            [Option(ctx.t.plain("🗑 Delete this patrol"), action=EDIT(Edit.DELETE, patrol.id))],
        ]
    else:
        text += "\n\n" + ctx._("A patrol can only be corrected within a week.")
    ctx.reply(text, rows, edit=edit, bind_to_conversation=False)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = EDIT.read(argument)
    if verb == Edit.REMOVE:
        await _remove_observation(ctx, value)
        return
    found = await _load(ctx, value)
    if found is None:
        return
    patrol, area = found
    if verb == Edit.SHOW:
        await show(ctx, patrol, area)
        return
    if not editable(ctx, patrol) or patrol.is_open:
        ctx.toast(ctx._("A patrol can only be corrected within a week."))
        return
    if verb == Edit.ADD:
        ctx.reply(
            ctx._("Which kind of observation do you want to add?"),
            kind_buttons(ctx, PATROL(Ptl.OBSERVE, patrol.id)),
            edit=True,
            bind_to_conversation=False,
        )
    elif verb == Edit.REMOVE_LIST:
        observations = await patrol_observations.observations(ctx.conn, patrol.id)
        if not observations:
            ctx.toast(ctx._("No observations were recorded."))
            return
        rows = [
            [Option(f"{kind_label(ctx.t, o.kind)} ×{o.count}", action=EDIT(Edit.REMOVE, o.id))]
            for o in observations[:30]
        ]
        ctx.reply(
            ctx._("Which observation do you want to remove?"),
            rows,
            edit=True,
            bind_to_conversation=False,
        )
    elif verb == Edit.DELETE:
        ctx.reply(
            ctx._("Delete this patrol and everything recorded in it? This cannot be undone."),
            [
                [
                    Option(ctx.t.plain("🗑 Yes, delete it"), action=EDIT(Edit.DELETE_OK, patrol.id)),
                    Option(ctx.t.plain("Keep it"), action=EDIT(Edit.SHOW, patrol.id)),
                ]
            ],
            edit=True,
            bind_to_conversation=False,
        )
    elif verb == Edit.DELETE_OK:
        await repo.delete(ctx.conn, patrol.id)
        await ctx.audit("patrol.deleted", "patrol", patrol.id, area=area.code)
        ctx.reply(ctx._("The patrol has been deleted."), edit=True)
    else:
        stale(ctx)


async def _remove_observation(ctx: Context, value: str) -> None:
    observation = (
        await patrol_observations.get_observation(ctx.conn, int(value)) if value.isdigit() else None
    )
    if observation is None:
        stale(ctx)
        return
    found = await _load(ctx, str(observation.patrol_id))
    if found is None:
        return
    patrol, area = found
    if patrol.is_open or not editable(ctx, patrol):
        ctx.toast(ctx._("A patrol can only be corrected within a week."))
        return
    await patrol_observations.delete_observation(ctx.conn, observation.id)
    await ctx.audit("patrol.observation_removed", "patrol", patrol.id, kind=observation.kind)
    ctx.toast(ctx._("Removed."))
    await show(ctx, patrol, area, edit=True)
