"""/rating (/binhxet): the yearly rating of safe residential areas, for commune police officers.

Choose a year; see every area with its state; open an area to read what the bot's records show
and record the five criteria (met / not met, with a note), then the result; the commune table
shows every area per year, streaks and the share of areas that met the standard.
"""

from __future__ import annotations

import aiosqlite

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.rating import screens_area as area
from bot.features.rating.screens_list import (
    FIRST_YEAR,
    FLOW,
    PREFIX,
    act,
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
from bot.i18n import N_
from bot.shared.pickers import stale
from bot.storage import ratings as repo
from bot.storage.members import Member


async def start(ctx: Context) -> None:
    ctx.begin(FLOW, "year")
    ask_year(ctx, edit=False)


# Routing ---------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    step = ctx.step
    if ctx.flow != FLOW:
        stale(ctx)
        return
    if verb == "done":
        ctx.end()
        ctx.reply(ctx._("The rating is saved. Open it again at any time with /rating."), edit=True)
    elif verb == "year" and step == "year":
        if value == "type":
            ctx.goto("year_input")
            show(
                ctx,
                ctx._("Please type the year, for example {year}.", year=str(this_year(ctx) - 2)),
                [[Option(ctx.t.plain("⬅️ Back"), action=act("back"))]],
                edit=True,
            )
        elif value in ("0", "1"):
            await choose_year(ctx, this_year(ctx) - int(value), edit=True)
        else:
            stale(ctx)
    elif verb == "table":
        await show_table(ctx)
    elif verb == "back":
        await _back(ctx)
    elif "year" not in ctx.data:
        stale(ctx)
    elif verb == "list":
        ctx.goto("list")
        await show_list(ctx, edit=True)
    elif verb == "area" and value.isdigit() and step == "list":
        ctx.update(area_id=int(value))
        await area.show_area(ctx, edit=True)
    elif verb == "crit" and value.isdigit() and step in ("area", "crit", "note", "override"):
        await area.show_criterion(ctx, int(value), edit=True)
    elif verb == "set" and step == "crit":
        number, _, met = value.partition(":")
        if (
            not number.isdigit()
            or int(number) != ctx.data.get("criterion")
            or met not in ("0", "1")
        ):
            stale(ctx)
            return
        await area.set_criterion(ctx, int(number), met == "1")
    elif verb == "note" and value.isdigit() and step == "crit":
        await area.ask_note(ctx, int(value))
    elif verb == "result" and step in ("area", "crit"):
        await area.show_result(ctx, edit=True)
    elif verb == "decide" and value in ("0", "1") and step == "result":
        await area.decide(ctx, value == "1")
    elif verb == "close" and step == "list" and ctx.roles.sees_every_commune:
        await close_year(ctx)
    elif verb == "reopen" and step == "list" and ctx.roles.sees_every_commune:
        await reopen_year(ctx)
    else:
        stale(ctx)


async def _back(ctx: Context) -> None:
    step = ctx.step
    if step in ("crit", "result") and "area_id" in ctx.data:
        await area.show_area(ctx, edit=True)
    elif "year" in ctx.data and step != "year_input":
        ctx.goto("list")
        await show_list(ctx, edit=True)
    else:
        ctx.goto("year")
        ask_year(ctx, edit=True)


async def on_input(ctx: Context) -> None:
    if ctx.step == "note":
        await area.save_note(ctx)
        return
    if ctx.step == "override":
        await area.save_override(ctx)
        return
    if ctx.step == "year_input" and ctx.event.kind == EventKind.TEXT:
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


async def forget(conn: aiosqlite.Connection, member: Member) -> None:
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
    actions={PREFIX: Action(on_button, OFFICERS)},
    flows={FLOW: on_input},
    data_sections=[data_section],
    forget_hooks=[forget],
)
