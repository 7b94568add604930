"""/housewatch (trông nhà): a resident who will be away registers the house and the dates,
privately. The house is on the patrol's checklist (seen only by the area's leaders and the
patrol's members) during those dates, and disappears after the return date."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.flows import StateRefused
from bot.features.patrols.actions import HOUSEWATCH as BUTTONS
from bot.features.patrols.actions import Watch
from bot.features.patrols.states import HOUSEWATCH, WatchState, WatchStep
from bot.shared.periods import SPLIT_DATES, parse_date
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import areas as areas_repo
from bot.storage import housewatch as repo
from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.members import Member

MAX_DAYS = 366


def parse_away(text: str, today: date) -> tuple[date, date] | str:
    """``28/1 - 5/2`` → the days away; dates without a year are the next such days (a return
    in January after leaving in December is next year). Problems: format, order, past, long."""
    parts = [p for p in SPLIT_DATES.split(text.strip()) if p]
    if len(parts) != 2:
        return "format"
    first, last = parse_date(parts[0], today), parse_date(parts[1], today)
    if first is None or last is None:
        return "format"
    if last < first and "/" in parts[1] and parts[1].count("/") == 1:
        last = last.replace(year=last.year + 1)
    if last < first:
        return "order"
    if last < today:
        return "past"
    if (last - first).days > MAX_DAYS:
        return "long"
    return first, last


async def start(ctx: Context) -> None:
    member = ctx.member
    if member is None:
        return
    today = ctx.now.astimezone(ctx.config.tz).date()
    watches = await repo.of_member(ctx.conn, member.id, today)
    lines = [
        ctx._(
            "🏠 *House watch*\nGoing away (for Tết, work, hospital)? Register your house "
            "and the dates: during those days the patrol of your area keeps an eye on it. Only "
            "your team leader and the patrol's members see it."
        )
    ]
    rows: list[list[Option]] = []
    for w in watches:
        lines.append(
            ctx._(
                "• {address}: {start} to {end}", address=w.address, start=w.away_from, end=w.back_on
            )
        )
        rows.append(
            [
                Option(
                    ctx.t.plain("✖️ Cancel: {address}", address=w.address[:30]),
                    action=BUTTONS(Watch.CANCEL, w.id),
                )
            ]
        )
    rows.append([Option(ctx.t.plain("➕ Register my house"), action=BUTTONS(Watch.NEW))])
    ctx.end()
    ctx.reply("\n".join(lines), rows, bind_to_conversation=False)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BUTTONS.read(argument)
    member = ctx.member
    if member is None:
        stale(ctx)
        return
    if verb == Watch.NEW:
        HOUSEWATCH.begin(ctx, WatchStep.ADDRESS, WatchState())
        ctx.reply(
            ctx._(
                "Please type the address, or a description the team can recognise, for "
                "example _Nhà số 12, ngõ 3, cổng xanh_."
            )
        )
    elif verb == Watch.CANCEL and value.isdigit():
        if await repo.cancel(ctx.conn, int(value), member.id):
            await ctx.audit("housewatch.cancelled", "house_watch", int(value))
            ctx.reply(ctx._("The house watch has been cancelled."), edit=True)
        else:
            stale(ctx)
    elif verb == Watch.OK and HOUSEWATCH.is_open(ctx, WatchStep.CONFIRM):
        await _save(ctx, member)
    elif verb == Watch.NO:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type it as text, or /cancel."))
        return
    today = ctx.now.astimezone(ctx.config.tz).date()
    step, state = HOUSEWATCH.step(ctx), HOUSEWATCH.state(ctx)
    if step == WatchStep.ADDRESS:
        address = check_free_text(ctx.event.text, maximum=200)
        if isinstance(address, TextProblem):
            ctx.reply(problem_text(ctx, address, maximum=200))
            return
        state.address = " ".join(address.split())
        ctx.goto(WatchStep.DATES)
        ctx.reply(
            ctx._(
                "From which day to which day will you be away? For example "
                "_28/1 - 5/2_ (the second day is the day you are back)."
            )
        )
    elif step == WatchStep.DATES:
        found = parse_away(ctx.event.text, today)
        if isinstance(found, str):
            messages = {
                "format": ctx._("Please type two dates, for example 28/1 - 5/2."),
                "order": ctx._("The return day is before the day you leave."),
                "past": ctx._("These dates are already over."),
                "long": ctx._("Please register at most one year at a time."),
            }
            ctx.reply(messages[found])
            return
        first, last = found
        state.away_from, state.back_on = first, last
        ctx.goto(WatchStep.CONFIRM)
        ctx.reply(
            ctx._(
                "Please confirm: *{address}*, away from {start} to {end}.",
                address=state.address,
                start=first,
                end=last,
            ),
            [
                [
                    Option(ctx.t.plain("✅ Confirm"), action=BUTTONS(Watch.OK)),
                    Option(ctx.t.plain("✖️ Cancel"), action=BUTTONS(Watch.NO)),
                ]
            ],
        )
    else:
        ctx.reply(ctx._("Please use the buttons above, or /cancel."))


async def _save(ctx: Context, member: Member) -> None:
    if member.area_id is None:
        stale(ctx)
        return
    state = HOUSEWATCH.state(ctx)
    address, first, last = state.address, state.away_from, state.back_on
    if first is None or last is None:
        raise StateRefused(end=True)
    watch_id = await repo.add(ctx.conn, member.id, member.area_id, address, first, last, ctx.now)
    ctx.end()
    await ctx.audit("housewatch.registered", "house_watch", watch_id, days=(last - first).days + 1)
    ctx.reply(
        ctx._(
            "Registered. The patrol of your area will keep an eye on your house from "
            "{start} to {end}. You can cancel at any time with /housewatch. Have a good trip!",
            start=first,
            end=last,
        ),
        edit=True,
    )
    area = await areas_repo.get(ctx.conn, member.area_id)
    for leader_id in await roles_repo.holders(ctx.conn, "leader", member.area_id):
        leader = await members_repo.get(ctx.conn, leader_id)
        if leader is None or leader.id == member.id:
            continue
        await ctx.notify(
            leader,
            lambda t: Reply(
                t._(
                    "🏠 A house in {area} is registered for house watch: {address}, from "
                    "{start} to {end}. It will be on the patrol's checklist during those days.",
                    area=area.name if area else "?",
                    address=address,
                    start=first,
                    end=last,
                )
            ),
        )


async def data_section(ctx: Context, member: Member) -> list[str]:
    from bot.storage import patrols as patrols_repo

    lines: list[str] = []
    for w in await repo.all_of_member(ctx.conn, member.id):
        lines.append(
            ctx._(
                "House watch: {address}, {start} to {end}",
                address=w.address,
                start=w.away_from,
                end=w.back_on,
            )
        )
    taken = await patrols_repo.participations_of(ctx.conn, member.id)
    if taken:
        lines.append(ctx._("Patrols you took part in: {count}", count=taken))
    return lines


async def forget(conn: Connection, member: Member) -> None:
    from bot.storage import patrols as patrols_repo

    await repo.delete_member(conn, member.id)
    if member.display_name:
        await patrols_repo.forget_typed_name(conn, member.display_name)
