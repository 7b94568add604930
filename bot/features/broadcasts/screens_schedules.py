"""/broadcast → Schedules: officers list, pause, resume, change the time of and delete
scheduled broadcasts, and see the latest runs."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.broadcasts.actions import SCHEDULES, Schedule
from bot.features.broadcasts.rules import Rule, next_after
from bot.features.broadcasts.screens_when import coming, describe, when_options
from bot.features.broadcasts.states import BROADCAST, BroadcastDraft, BroadcastStep
from bot.features.broadcasts.topics import topic
from bot.storage import broadcasts as repo


def _ours(ctx: Context, schedule: repo.Schedule) -> bool:
    """A commune officer's schedules reach only their communes' areas; others are not theirs."""
    if ctx.roles.sees_every_commune:
        return True
    return schedule.target == "areas" and all(ctx.roles.covers(a) for a in schedule.area_ids)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = SCHEDULES.read(argument)
    if verb == Schedule.LIST:
        await show_list(ctx)
        return
    if not value.isdigit():
        return
    schedule = await repo.get_schedule(ctx.conn, int(value))
    if schedule is None or not _ours(ctx, schedule):
        ctx.toast(ctx._("That schedule no longer exists."))
        await show_list(ctx)
        return
    if verb == Schedule.SHOW:
        await _show(ctx, schedule)
    elif verb in (Schedule.PAUSE, Schedule.RESUME):
        paused = verb == Schedule.PAUSE
        rule = Rule.from_json(schedule.rule)
        following = None if paused else next_after(rule, ctx.now, ctx.config.tz)
        await repo.set_paused(ctx.conn, schedule.id, paused, following, ctx.now)
        await ctx.audit(f"broadcast.{verb}d", "broadcast_schedule", schedule.id)
        ctx.toast(ctx._("Paused.") if paused else ctx._("Running again."))
        fresh = await repo.get_schedule(ctx.conn, schedule.id)
        if fresh is not None:
            await _show(ctx, fresh)
    elif verb == Schedule.DELETE:
        await repo.delete_schedule(ctx.conn, schedule.id)
        await ctx.audit("broadcast.deleted", "broadcast_schedule", schedule.id)
        ctx.toast(ctx._("Deleted."))
        await show_list(ctx)
    elif verb == Schedule.EDIT:
        BROADCAST.begin(
            ctx, BroadcastStep.WHEN, BroadcastDraft(edit=schedule.id, topic=schedule.topic)
        )
        ctx.reply(
            ctx._("When should it go out from now on?"),
            when_options(ctx, allow_now=False),
            edit=True,
        )


async def show_list(ctx: Context) -> None:
    found = [s for s in await repo.list_schedules(ctx.conn) if _ours(ctx, s)]
    if not found:
        ctx.reply(ctx._("There are no scheduled broadcasts yet."), edit=True)
        return
    rows = []
    for schedule in found[:30]:
        rule = Rule.from_json(schedule.rule)
        mark = "⏸ " if schedule.paused else f"{topic(schedule.topic).emoji} "
        label = mark + ctx.t.plain(topic(schedule.topic).label)
        if schedule.next_run_at and not schedule.paused:
            label += f" · {ctx.t.when(schedule.next_run_at)}"
        elif rule.kind != "once":
            label += " · " + ctx.t.plain("paused")
        rows.append([Option(label, action=SCHEDULES(Schedule.SHOW, schedule.id))])
    ctx.reply(ctx._("Scheduled broadcasts (soonest first):"), rows, edit=True)


async def _show(ctx: Context, schedule: repo.Schedule) -> None:
    rule = Rule.from_json(schedule.rule)
    lines = [
        ctx._(
            "*{topic}*\nWhen: {when}\nSent so far: {runs} times",
            topic=ctx.t.plain(topic(schedule.topic).label),
            when=describe(ctx.t, rule),
            runs=schedule.runs,
        )
    ]
    if schedule.paused:
        lines.append(ctx._("⏸ Paused."))
    else:
        lines.append(coming(ctx, rule))
    toggle = (
        Option(ctx.t.plain("▶️ Resume"), action=SCHEDULES(Schedule.RESUME, schedule.id))
        if schedule.paused
        else Option(ctx.t.plain("⏸ Pause"), action=SCHEDULES(Schedule.PAUSE, schedule.id))
    )
    ctx.reply(
        "\n".join(lines),
        [
            [
                toggle,
                Option(ctx.t.plain("✏️ Change time"), action=SCHEDULES(Schedule.EDIT, schedule.id)),
            ],
            [
                Option(ctx.t.plain("🗑 Delete"), action=SCHEDULES(Schedule.DELETE, schedule.id)),
                Option(ctx.t.plain("⬅️ Back"), action=SCHEDULES(Schedule.LIST)),
            ],
        ],
        edit=True,
    )


async def apply_edit(ctx: Context, schedule_id: int, rule: Rule | None) -> None:
    schedule = await repo.get_schedule(ctx.conn, schedule_id)
    if schedule is None or rule is None or not _ours(ctx, schedule):
        ctx.reply(ctx._("That schedule no longer exists."))
        return
    following = None if schedule.paused else next_after(rule, ctx.now, ctx.config.tz)
    await repo.set_rule(ctx.conn, schedule_id, rule.to_json(), following, ctx.now)
    await ctx.audit("broadcast.rescheduled", "broadcast_schedule", schedule_id, kind=rule.kind)
    ctx.reply(ctx._("The schedule now runs {when}.", when=describe(ctx.t, rule)), edit=True)
