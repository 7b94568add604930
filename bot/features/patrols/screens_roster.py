"""Weekly patrol rosters and the reminders before each shift (a timer reads them from SQLite,
and remembers which reminders were sent, so a restart neither loses nor repeats one)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.core.context import Context, CoreConfig, notify_member
from bot.core.events import EventKind, Option, Reply
from bot.core.flows import StateRefused
from bot.core.registry import Job
from bot.features.patrols.actions import DECLINE, ROSTER, Roster
from bot.features.patrols.roster import REMIND_CHOICES, Shift, due_start
from bot.features.patrols.screens_common import hhmm, not_your_area
from bot.features.patrols.states import ROSTER as ROSTER_FLOW
from bot.features.patrols.states import RosterState, RosterStep
from bot.i18n import Translator
from bot.shared.periods import WEEKDAYS, parse_time
from bot.shared.pickers import stale
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import patrol_rosters
from bot.storage import roles as roles_repo
from bot.storage.areas import Area
from bot.storage.db import Database
from bot.storage.patrol_rosters import ShiftRow


def lead_label(t: Translator, minutes: int) -> str:
    if minutes % 60 == 0:
        return t.plain("{count} h before", count=minutes // 60)
    return t.plain("{count} min before", count=minutes)


async def _names(ctx: Context, member_ids: tuple[int, ...]) -> str:
    names = []
    for member_id in member_ids:
        member = await members_repo.get(ctx.conn, member_id)
        if member is not None:
            names.append(member.display_name or "?")
    return ", ".join(names) or "-"


async def show(ctx: Context, area: Area, *, edit: bool = False) -> None:
    shifts = await patrol_rosters.shifts(ctx.conn, area.id)
    lines = [ctx._("🗓 *Weekly patrol roster of {area}*", area=area.name)]
    rows: list[list[Option]] = []
    for s in shifts:
        day = ctx.t.plain(WEEKDAYS[s.weekday])
        lines.append(
            ctx._(
                "• {day} {time} (reminder {lead}): {names}",
                day=day,
                time=s.start_time,
                lead=lead_label(ctx.t, s.remind_minutes),
                names=await _names(ctx, s.members),
            )
        )
        rows.append(
            [
                Option(
                    ctx.t.plain("🗑 {day} {time}", day=day, time=s.start_time),
                    action=ROSTER(Roster.REMOVE, s.id),
                )
            ]
        )
    if not shifts:
        lines.append(ctx._("No shifts yet."))
    lines.append("\n" + ctx._("Members on a shift get a private reminder before it starts."))
    rows.append([Option(ctx.t.plain("➕ Add a shift"), action=ROSTER(Roster.ADD, area.id))])
    ctx.reply("\n".join(lines), rows, edit=edit, bind_to_conversation=False)


async def _area(ctx: Context, area_id: object) -> Area | None:
    area = await areas_repo.get(ctx.conn, int(str(area_id))) if str(area_id).isdigit() else None
    if area is None:
        stale(ctx)
        return None
    if not ctx.roles.leads(area.id):
        ctx.toast(not_your_area(ctx))
        return None
    return area


async def _show_who(ctx: Context, area: Area, *, edit: bool = False) -> None:
    picked = ROSTER_FLOW.state(ctx).picked
    team = await members_repo.in_area(ctx.conn, area.id, limit=40)
    buttons = [
        Option(
            ("✅ " if m.id in picked else "▫️ ") + (m.display_name or "?"),
            action=ROSTER(Roster.TOGGLE, m.id),
        )
        for m in team
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Option(ctx.t.plain("Next ▶️"), action=ROSTER(Roster.NEXT))])
    ctx.reply(ctx._("Who patrols on this shift? Tap the names."), rows, edit=edit)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = ROSTER.read(argument)
    if verb == Roster.ADD:
        area = await _area(ctx, value)
        if area is not None:
            ROSTER_FLOW.begin(ctx, RosterStep.DAY, RosterState(area_id=area.id))
            days = [
                Option(ctx.t.plain(d), action=ROSTER(Roster.DAY, i)) for i, d in enumerate(WEEKDAYS)
            ]
            ctx.reply(
                ctx._("Which evening of the week?"), [days[i : i + 3] for i in range(0, 7, 3)]
            )
        return
    if verb == Roster.REMOVE:
        shift = await patrol_rosters.get_shift(ctx.conn, int(value)) if value.isdigit() else None
        area = await _area(ctx, shift.area_id) if shift else None
        if shift is None or area is None:
            if shift is None:
                stale(ctx)
            return
        await patrol_rosters.delete_shift(ctx.conn, shift.id)
        await ctx.audit("patrol.shift_removed", "patrol_shift", shift.id, area=area.code)
        await show(ctx, area, edit=True)
        return
    if not ROSTER_FLOW.is_open(ctx):
        stale(ctx)
        return
    step, state = ROSTER_FLOW.step(ctx), ROSTER_FLOW.state(ctx)
    area = await _area(ctx, state.area_id)
    if area is None:
        return
    if verb == Roster.DAY and value.isdigit() and int(value) < 7 and step == RosterStep.DAY:
        state.weekday = int(value)
        ctx.goto(RosterStep.TIME)
        ctx.reply(ctx._("At what time does the patrol start? For example 19:30."))
    elif verb == Roster.TOGGLE and value.isdigit() and step == RosterStep.WHO:
        picked, member_id = state.picked, int(value)
        state.picked = (
            [m for m in picked if m != member_id] if member_id in picked else [*picked, member_id]
        )
        await _show_who(ctx, area, edit=True)
    elif verb == Roster.NEXT and step == RosterStep.WHO:
        if not state.picked:
            ctx.toast(ctx._("Please choose at least one participant."))
            return
        ctx.goto(RosterStep.LEAD)
        ctx.reply(
            ctx._("When should they be reminded?"),
            [[Option(lead_label(ctx.t, m), action=ROSTER(Roster.LEAD, m)) for m in REMIND_CHOICES]],
        )
    elif verb == Roster.LEAD and value.isdigit() and step == RosterStep.LEAD:
        if state.weekday is None or state.start is None:
            raise StateRefused(end=True)
        shift_id = await patrol_rosters.add_shift(
            ctx.conn,
            area.id,
            state.weekday,
            state.start,
            int(value),
            state.picked,
            ctx.member.id if ctx.member else None,
            ctx.now,
        )
        await ctx.audit("patrol.shift_added", "patrol_shift", shift_id, area=area.code)
        ctx.end()
        ctx.reply(ctx._("The shift has been added to the roster."), edit=True)
        await show(ctx, area)
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    state = ROSTER_FLOW.state(ctx)
    area = await _area(ctx, state.area_id)
    if area is None:
        ctx.end()
        return
    if ROSTER_FLOW.step(ctx) != RosterStep.TIME:
        ctx.reply(ctx._("Please use the buttons above, or /cancel."))
        return
    start = parse_time(ctx.event.text) if ctx.event.kind == EventKind.TEXT else None
    if start is None:
        ctx.reply(ctx._("Please type a time such as 19:30."))
        return
    state.start = start.strftime("%H:%M")
    ctx.goto(RosterStep.WHO)
    await _show_who(ctx, area)


# Reminders -------------------------------------------------------------------------------
def _shift(row: ShiftRow) -> Shift:
    return Shift(
        row.id, row.area_id, row.weekday, time.fromisoformat(row.start_time), row.remind_minutes
    )


async def run_reminders(db: Database, config: CoreConfig, now: datetime) -> int:
    """Send the reminders that are due; each is recorded so it is sent exactly once."""
    queued = 0
    async with db.unit() as conn:
        for row in await patrol_rosters.shifts(conn):
            begins = due_start(_shift(row), now, config.tz)
            if begins is None:
                continue
            area = await areas_repo.get(conn, row.area_id)
            for member_id in row.members:
                member = await members_repo.get(conn, member_id)
                if member is None or not member.onboarded or area is None:
                    continue
                if not await patrol_rosters.mark_reminded(conn, row.id, member_id, begins, now):
                    continue
                stamp = int(begins.timestamp())

                def build(
                    t: Translator,
                    begins: datetime = begins,
                    stamp: int = stamp,
                    area_name: str = area.name,
                    shift_id: int = row.id,
                ) -> Reply:
                    return Reply(
                        t._(
                            "⏰ A reminder: you are on the patrol of {area} at {time} "
                            "today ({day}). Thank you!",
                            area=area_name,
                            time=hhmm(t, begins),
                            day=t.day(begins),
                        ),
                        [
                            [
                                Option(
                                    t.plain("🙅 I can't make it"),
                                    action=DECLINE.make(shift_id, stamp),
                                )
                            ]
                        ],
                    )

                await notify_member(conn, config, member, build, now)
                queued += 1
    return queued


JOB = Job("patrol_roster_reminders", 60, run_reminders)


async def on_decline(ctx: Context, argument: str) -> None:
    raw_shift, _, raw_stamp = argument.partition(":")
    shift = (
        await patrol_rosters.get_shift(ctx.conn, int(raw_shift)) if raw_shift.isdigit() else None
    )
    if shift is None or ctx.member is None or not raw_stamp.isdigit():
        stale(ctx)
        return
    begins = datetime.fromtimestamp(int(raw_stamp), UTC)
    if not await patrol_rosters.decline_shift(ctx.conn, shift.id, ctx.member.id, begins, ctx.now):
        ctx.toast(ctx._("Your leader has already been told."))
        return
    await ctx.audit("patrol.shift_declined", "patrol_shift", shift.id)
    area = await areas_repo.get(ctx.conn, shift.area_id)
    name = ctx.member.display_name or "?"
    leaders = set(await roles_repo.holders(ctx.conn, "leader", shift.area_id))
    if shift.created_by is not None:
        leaders.add(shift.created_by)
    leaders.discard(ctx.member.id)
    for leader_id in sorted(leaders):
        leader = await members_repo.get(ctx.conn, leader_id)
        if leader is None:
            continue
        await ctx.notify(
            leader,
            lambda t: Reply(
                t._(
                    "{name} cannot make the patrol of {area} at {time} ({day}).",
                    name=name,
                    area=area.name if area else "?",
                    time=hhmm(t, begins),
                    day=t.day(begins),
                )
            ),
        )
    ctx.reply(ctx._("Thank you for letting us know. Your team leader has been told."), edit=True)
