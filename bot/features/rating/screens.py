"""/rating (/binhxet): the yearly rating of safe residential areas, for commune police officers.

Choose a year; see every area with its state; open an area to read what the bot's records show
and record the five criteria (met / not met, with a note), then the result; the commune table
shows every area per year, streaks and the share of areas that met the standard.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.rating import screens_area as area
from bot.features.rating.actions import RATING as BUTTONS
from bot.features.rating.actions import Bx
from bot.features.rating.screens_list import (
    FIRST_YEAR,
    ask_year,
    choose_year,
    close_year,
    parse_year,
    reopen_year,
    show,
    show_list,
    show_table,
    this_year,
)
from bot.features.rating.states import RATING as RATING_FLOW
from bot.features.rating.states import RatingState, RatingStep
from bot.i18n import N_
from bot.shared.pickers import stale
from bot.storage import ratings as repo
from bot.storage.db import Connection
from bot.storage.members import Member

# The steps where a criterion's screen may be opened.
EDITING_STEPS = (RatingStep.AREA, RatingStep.CRITERION, RatingStep.NOTE, RatingStep.OVERRIDE)


async def start(ctx: Context) -> None:
    RATING_FLOW.begin(ctx, RatingStep.YEAR, RatingState())
    ask_year(ctx, edit=False)


# Routing ---------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BUTTONS.read(argument)
    if not RATING_FLOW.is_open(ctx):
        stale(ctx)
        return
    step, state = RATING_FLOW.step(ctx), RATING_FLOW.state(ctx)
    if verb == Bx.DONE:
        ctx.end()
        ctx.reply(ctx._("The rating is saved. Open it again at any time with /rating."), edit=True)
    elif verb == Bx.YEAR and step == RatingStep.YEAR:
        if value == "type":
            ctx.goto(RatingStep.YEAR_INPUT)
            show(
                ctx,
                ctx._("Please type the year, for example {year}.", year=str(this_year(ctx) - 2)),
                [[Option(ctx.t.plain("⬅️ Back"), action=BUTTONS(Bx.BACK))]],
                edit=True,
            )
        elif value in ("0", "1"):
            await choose_year(ctx, this_year(ctx) - int(value), edit=True)
        else:
            stale(ctx)
    elif verb == Bx.TABLE:
        await show_table(ctx)
    elif verb == Bx.BACK:
        await _back(ctx)
    elif state.year is None:
        stale(ctx)
    elif verb == Bx.LIST:
        ctx.goto(RatingStep.LIST)
        await show_list(ctx, edit=True)
    elif verb == Bx.AREA and value.isdigit() and step == RatingStep.LIST:
        state.area_id = int(value)
        await area.show_area(ctx, edit=True)
    elif verb == Bx.CRITERION and value.isdigit() and step in EDITING_STEPS:
        await area.show_criterion(ctx, int(value), edit=True)
    elif verb == Bx.SET and step == RatingStep.CRITERION:
        number, _, met = value.partition(":")
        if not number.isdigit() or int(number) != state.criterion or met not in ("0", "1"):
            stale(ctx)
            return
        await area.set_criterion(ctx, int(number), met == "1")
    elif verb == Bx.NOTE and value.isdigit() and step == RatingStep.CRITERION:
        await area.ask_note(ctx, int(value))
    elif verb == Bx.RESULT and step in (RatingStep.AREA, RatingStep.CRITERION):
        await area.show_result(ctx, edit=True)
    elif verb == Bx.DECIDE and value in ("0", "1") and step == RatingStep.RESULT:
        await area.decide(ctx, value == "1")
    elif verb == Bx.CLOSE and step == RatingStep.LIST and ctx.roles.sees_every_commune:
        await close_year(ctx)
    elif verb == Bx.REOPEN and step == RatingStep.LIST and ctx.roles.sees_every_commune:
        await reopen_year(ctx)
    else:
        stale(ctx)


async def _back(ctx: Context) -> None:
    step, state = RATING_FLOW.step(ctx), RATING_FLOW.state(ctx)
    if step in (RatingStep.CRITERION, RatingStep.RESULT) and state.area_id is not None:
        await area.show_area(ctx, edit=True)
    elif state.year is not None and step != RatingStep.YEAR_INPUT:
        ctx.goto(RatingStep.LIST)
        await show_list(ctx, edit=True)
    else:
        ctx.goto(RatingStep.YEAR)
        ask_year(ctx, edit=True)


async def on_input(ctx: Context) -> None:
    step = RATING_FLOW.step(ctx)
    if step == RatingStep.NOTE:
        await area.save_note(ctx)
        return
    if step == RatingStep.OVERRIDE:
        await area.save_override(ctx)
        return
    if step == RatingStep.YEAR_INPUT and ctx.event.kind == EventKind.TEXT:
        current = this_year(ctx)
        year = parse_year(ctx.event.text, current)
        if year is None:
            ctx.reply(
                ctx._(
                    "Please type a year from {first} to {last}, for example {example}.",
                    first=str(FIRST_YEAR),
                    last=str(current),
                    example=str(current - 2),
                )
            )
            return
        await choose_year(ctx, year, edit=False)
        return
    ctx.reply(ctx._("Please use the buttons above, or /cancel."))


# Personal data ---------------------------------------------------------------------------
async def data_section(ctx: Context, member: Member) -> list[str]:
    decided, recorded = await repo.count_by_member(ctx.conn, member.id)
    if not decided and not recorded:
        return []
    return [
        ctx._(
            "Safe-area rating: {decided} results decided and {recorded} criteria recorded by "
            "you (kept as the commune's record; your name is removed from them on /forgetme).",
            decided=decided,
            recorded=recorded,
        )
    ]


async def forget(conn: Connection, member: Member) -> None:
    await repo.forget_member(conn, member.id)


feature = Feature(
    name="rating",
    commands=[
        Command(
            "rating",
            "binhxet",
            start,
            OFFICERS,
            Where.PRIVATE,
            N_("Yearly rating of safe residential areas"),
        )
    ],
    actions={BUTTONS.prefix: Action(on_button, OFFICERS)},
    flows={RATING_FLOW: on_input},
    data_sections=[data_section],
    forget_hooks=[forget],
)
