"""A live patrol: pick who takes part, one tap per observation, end with a summary."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context, queue_reply
from bot.core.events import EventKind, InputRequest, Option, Reply
from bot.features.patrols.actions import CONFIRM, PATROL, Confirm, Ptl
from bot.features.patrols.screens_common import (
    editable,
    hhmm,
    kind_buttons,
    not_your_area,
    observation_lines,
    people_count,
    summary_text,
)
from bot.features.patrols.states import PATROL as PATROL_FLOW
from bot.features.patrols.states import PatrolState, PatrolStep
from bot.i18n import Translator
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_name, fold_key
from bot.storage import areas as areas_repo
from bot.storage import chats, patrol_observations
from bot.storage import housewatch as housewatch_repo
from bot.storage import members as members_repo
from bot.storage import patrols as repo
from bot.storage.areas import Area
from bot.storage.patrols import Patrol

MAX_PICK_BUTTONS = 40
MAX_TYPED_NAMES = 30
QUICK_COUNTS = (2, 3, 5, 10)


# Choosing participants -------------------------------------------------------------------
async def begin_pick(ctx: Context, area: Area) -> None:
    me = ctx.member.id if ctx.member else None
    PATROL_FLOW.begin(ctx, PatrolStep.PICK, PatrolState(area_id=area.id, picked=[me] if me else []))
    await show_pick(ctx, area)


async def show_pick(ctx: Context, area: Area, *, edit: bool = False) -> None:
    state = PATROL_FLOW.state(ctx)
    picked, names = state.picked, state.names
    team = await members_repo.in_area(ctx.conn, area.id, limit=MAX_PICK_BUTTONS)
    if ctx.member is not None and all(m.id != ctx.member.id for m in team):
        team.insert(0, ctx.member)
    buttons = [
        Option(
            ("✅ " if m.id in picked else "▫️ ") + (m.display_name or "?"),
            action=PATROL(Ptl.TOGGLE, m.id),
        )
        for m in team[:MAX_PICK_BUTTONS]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    total = len(picked) + len(names)
    rows.append(
        [
            Option(ctx.t.plain("▶️ Start the patrol ({count})", count=total), action=PATROL(Ptl.GO)),
            Option(ctx.t.plain("✖️ Cancel"), action=PATROL(Ptl.CANCEL)),
        ]
    )
    if names:
        rows.append([Option(ctx.t.plain("Clear typed names"), action=PATROL(Ptl.CLEAR))])
    text = ctx._(
        "*Patrol of {area}*\nWho takes part? Tap the names (several at once). For people "
        "who do not use the bot, type their names separated by commas.",
        area=area.name,
    )
    if names:
        text += "\n" + ctx._("Typed names: {names}", names=", ".join(names))
    ask = InputRequest(
        ctx._("Reply to this message with the names of those who do not use the bot."),
        ctx.t.plain("Names, separated by commas"),
    )
    ctx.reply(text, rows, edit=edit, ask=ask)


async def on_pick_input(ctx: Context) -> None:
    state = PATROL_FLOW.state(ctx)
    area = await areas_repo.get(ctx.conn, state.area_id or 0)
    if area is None:
        ctx.end()
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type names as text, or use the buttons."))
        return
    names = list(state.names)
    keys = {fold_key(n) for n in names}
    for raw in ctx.event.text.replace("\n", ",").split(","):
        if not raw.strip():
            continue
        name = check_name(raw)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        if fold_key(name) not in keys:
            names.append(name)
            keys.add(fold_key(name))
    if len(names) > MAX_TYPED_NAMES:
        ctx.reply(
            ctx._("Please type at most {limit} names.", limit=MAX_TYPED_NAMES),
        )
        return
    state.names = names
    # An answer to the request to reply (a group) changes the list in place.
    await show_pick(ctx, area, edit=ctx.event.answers_message_id is not None)


async def on_toggle(ctx: Context, value: str) -> None:
    if not PATROL_FLOW.is_open(ctx, PatrolStep.PICK) or not value.isdigit():
        stale(ctx)
        return
    state = PATROL_FLOW.state(ctx)
    area = await areas_repo.get(ctx.conn, state.area_id or 0)
    if area is None:
        stale(ctx)
        return
    picked = list(state.picked)
    member_id = int(value)
    if member_id in picked:
        picked.remove(member_id)
    else:
        picked.append(member_id)
    state.picked = picked
    await show_pick(ctx, area, edit=True)


async def on_clear(ctx: Context) -> None:
    if not PATROL_FLOW.is_open(ctx, PatrolStep.PICK):
        stale(ctx)
        return
    state = PATROL_FLOW.state(ctx)
    area = await areas_repo.get(ctx.conn, state.area_id or 0)
    if area is None:
        stale(ctx)
        return
    state.names = []
    await show_pick(ctx, area, edit=True)


async def on_start(ctx: Context) -> None:
    if not PATROL_FLOW.is_open(ctx, PatrolStep.PICK):
        stale(ctx)
        return
    state = PATROL_FLOW.state(ctx)
    area = await areas_repo.get(ctx.conn, state.area_id or 0)
    if area is None or not ctx.roles.leads(area.id):
        ctx.end()
        ctx.reply(not_your_area(ctx))
        return
    picked, names = state.picked, state.names
    if not picked and not names:
        ctx.toast(ctx._("Please choose at least one participant."))
        return
    if await repo.open_in_area(ctx.conn, area.id) is not None:
        ctx.end()
        ctx.reply(
            ctx._(
                "A patrol of {area} is already open. Please end it before starting "
                "another one: /patrol.",
                area=area.name,
            )
        )
        return
    me = ctx.member.id if ctx.member else None
    patrol_id = await repo.create(
        ctx.conn,
        area_id=area.id,
        leader_member_id=me,
        source="live",
        started_at=ctx.now,
        ended_at=None,
        headcount=0,
        now=ctx.now,
    )
    others = []
    for member_id in picked:
        member = await members_repo.get(ctx.conn, member_id)
        if member is None:
            continue
        await repo.add_participant(
            ctx.conn,
            patrol_id,
            member_id=member_id,
            confirmed_at=ctx.now if member_id == me else None,
        )
        if member_id != me:
            others.append(member)
    for name in names:
        await repo.add_participant(ctx.conn, patrol_id, name=name)
    ctx.end()
    await ctx.audit(
        "patrol.started", "patrol", patrol_id, area=area.code, members=len(picked), named=len(names)
    )
    patrol = await repo.get(ctx.conn, patrol_id)
    assert patrol is not None
    houses = await housewatch_repo.checklist(
        ctx.conn, area.id, ctx.now.astimezone(ctx.config.tz).date()
    )
    leader = ctx.member.display_name if ctx.member else None

    def notice(t: Translator) -> Reply:
        return Reply(
            t._(
                "{leader} has started a patrol of {area} at {time} and listed you as taking part.",
                leader=leader or "?",
                area=area.name,
                time=hhmm(t, patrol.started_at),
            )
            + _checklist_text(t, houses),
            [
                [
                    Option(t.plain("✅ I am taking part"), action=CONFIRM(Confirm.YES, patrol.id)),
                    Option(t.plain("✖️ I am not"), action=CONFIRM(Confirm.NO, patrol.id)),
                ]
            ],
        )

    for member in others:
        await ctx.notify(member, notice)
    await show_panel(ctx, patrol, area)


def _checklist_text(t: Translator, houses: list[housewatch_repo.HouseWatch]) -> str:
    if not houses:
        return ""
    lines = ["", "", t._("🏠 *Houses to watch* (residents away):")]
    lines += [t._("• {address} (until {day})", address=h.address, day=h.back_on) for h in houses]
    return "\n".join(lines)


# The patrol panel ------------------------------------------------------------------------
async def show_panel(ctx: Context, patrol: Patrol, area: Area, *, edit: bool = False) -> None:
    observations = await patrol_observations.observations(ctx.conn, patrol.id)
    people = await repo.participants(ctx.conn, patrol.id)
    lines = [
        ctx._(
            "🚶 *Patrol of {area}*, started at {time}, {count} taking part.",
            area=area.name,
            time=hhmm(ctx.t, patrol.started_at),
            count=people_count(patrol, people),
        )
    ]
    found = observation_lines(ctx.t, observations)
    lines += found or [ctx._("Nothing recorded yet.")]
    lines.append(
        "\n"
        + ctx._(
            "Tap what you see: each tap records one case with a reminder given. You can then "
            "change the count, add a note, a photo or the location."
        )
    )
    rows = kind_buttons(ctx, PATROL(Ptl.OBSERVE, patrol.id))
    houses = await housewatch_repo.checklist(
        ctx.conn, area.id, ctx.now.astimezone(ctx.config.tz).date()
    )
    if houses:
        rows.append(
            [
                Option(
                    ctx.t.plain("🏠 Houses to watch ({count})", count=len(houses)),
                    action=PATROL(Ptl.HOUSES, patrol.id),
                )
            ]
        )
    rows.append([Option(ctx.t.plain("⏹ End the patrol"), action=PATROL(Ptl.END, patrol.id))])
    ctx.reply("\n".join(lines), rows, edit=edit, bind_to_conversation=False)


async def patrol_for(ctx: Context, value: str, *, open_only: bool) -> tuple[Patrol, Area] | None:
    patrol = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if patrol is None:
        stale(ctx)
        return None
    if not ctx.roles.leads(patrol.area_id):
        ctx.toast(not_your_area(ctx))
        return None
    if open_only and not patrol.is_open:
        ctx.toast(ctx._("This patrol has already ended."))
        return None
    if not patrol.is_open and not editable(ctx, patrol):
        ctx.toast(ctx._("A patrol can only be corrected within a week."))
        return None
    area = await areas_repo.get(ctx.conn, patrol.area_id)
    if area is None:
        stale(ctx)
        return None
    return patrol, area


async def on_panel(ctx: Context, value: str) -> None:
    found = await patrol_for(ctx, value, open_only=False)
    if found is None:
        return
    if PATROL_FLOW.is_open(ctx):
        ctx.end()
    await show_panel(ctx, *found)


# House checklist -------------------------------------------------------------------------
async def on_houses(ctx: Context, value: str) -> None:
    patrol = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if patrol is None or ctx.member is None:
        stale(ctx)
        return
    allowed = ctx.roles.leads(patrol.area_id) or await repo.is_participant(
        ctx.conn, patrol.id, ctx.member.id
    )
    if not allowed:
        ctx.toast(ctx._("Only the leader and the members of this patrol can see this list."))
        return
    today = ctx.now.astimezone(ctx.config.tz).date()
    houses = await housewatch_repo.checklist(ctx.conn, patrol.area_id, today)
    text = _checklist_text(ctx.t, houses).strip() or ctx._("No house needs watching today.")
    if ctx.event.chat.is_private:
        ctx.reply(text, bind_to_conversation=False)
        return
    await ctx.notify(ctx.member, lambda t: Reply(_checklist_text(t, houses).strip() or text))
    ctx.toast(ctx._("I have sent you the list in our private chat."))


# Ending ----------------------------------------------------------------------------------
async def on_end(ctx: Context, value: str) -> None:
    found = await patrol_for(ctx, value, open_only=True)
    if found is None:
        return
    patrol, area = found
    ended = max(ctx.now, patrol.started_at + timedelta(minutes=1))
    closed = await repo.close(ctx.conn, patrol.id, ended) or await repo.get(ctx.conn, patrol.id)
    if PATROL_FLOW.is_open(ctx):
        ctx.end()
    assert closed is not None
    observations = await patrol_observations.observations(ctx.conn, patrol.id)
    await ctx.audit(
        "patrol.ended",
        "patrol",
        patrol.id,
        observations=sum(o.count for o in observations),
    )
    private = ctx.event.chat.is_private
    text = ctx._("The patrol has ended. Thank you all!") + "\n\n"
    text += await summary_text(
        ctx, ctx.t, closed, area, with_names=private, observations=observations
    )
    rows: list[list[Option]] = []
    if private and await chats.groups(ctx.conn, area_id=area.id):
        rows.append(
            [
                Option(
                    ctx.t.plain("📣 Post the summary to the area's group"),
                    action=PATROL(Ptl.POST, patrol.id),
                )
            ]
        )
    ctx.reply(text, rows, edit=True, bind_to_conversation=False)


async def on_post(ctx: Context, value: str) -> None:
    patrol = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if patrol is None or patrol.is_open:
        stale(ctx)
        return
    if not ctx.roles.leads(patrol.area_id):
        ctx.toast(not_your_area(ctx))
        return
    area = await areas_repo.get(ctx.conn, patrol.area_id)
    groups = await chats.groups(ctx.conn, area_id=patrol.area_id)
    if area is None or not groups:
        ctx.toast(ctx._("This area has no group linked to it yet."))
        return
    for group in groups:
        t = ctx.config.translator(group.language, group.platform)
        text = await summary_text(ctx, t, patrol, area, with_names=False)
        await queue_reply(
            ctx.conn,
            ctx.config.on(group.platform),
            group.platform,
            group.chat_id,
            None,
            Reply(text),
            ctx.now,
        )
    ctx.outbox_written = True
    await ctx.audit("patrol.summary_posted", "patrol", patrol.id, groups=len(groups))
    ctx.toast(ctx._("The summary has been posted to the group."))


# Participants confirm --------------------------------------------------------------------
async def on_confirm(ctx: Context, argument: str) -> None:
    verb, value = CONFIRM.read(argument)
    patrol = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if patrol is None or ctx.member is None:
        stale(ctx)
        return
    took_part = verb == Confirm.YES
    if not await repo.set_participation(ctx.conn, patrol.id, ctx.member.id, took_part, ctx.now):
        stale(ctx)
        return
    await ctx.audit("patrol.participation", "patrol", patrol.id, took_part=took_part)
    if took_part:
        ctx.reply(ctx._("Thank you: your participation is confirmed."), edit=True)
    else:
        ctx.reply(ctx._("Noted: you are not counted as taking part in this patrol."), edit=True)
