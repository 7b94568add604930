"""/rating screens: choosing the year, the list of areas with their state, finalising or
reopening the year, and the commune table. One area's screens are in screens_area.py; the
routing of the buttons in screens.py."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.rating import service, texts
from bot.features.rating.actions import RATING as BUTTONS
from bot.features.rating.actions import Bx
from bot.features.rating.states import RATING as RATING_FLOW
from bot.features.rating.states import RatingStep
from bot.i18n import N_
from bot.shared.pickers import areas_in_scope
from bot.storage import ratings as repo

FIRST_YEAR = 2000
TABLE_YEARS = 6
FINALISED = N_("The rating of this year is finalised. Reopen it first to change it.")


def this_year(ctx: Context) -> int:
    return ctx.now.astimezone(ctx.config.tz).year


def show(ctx: Context, text: str, rows: list[list[Option]], *, edit: bool) -> None:
    """Every screen's buttons belong to the conversation step they were shown on."""
    ctx.reply(text, rows, edit=edit, bind_to_conversation=True)


# Choosing the year ----------------------------------------------------------------------
def ask_year(ctx: Context, *, edit: bool) -> None:
    year = this_year(ctx)
    show(
        ctx,
        ctx._(
            "🏅 *Rating of safe residential areas* (Thông tư 124/2021/TT-BCA)\n\n"
            "Which year do you want to rate?"
        ),
        [
            [
                Option(
                    ctx.t.plain("This year ({year})", year=str(year)), action=BUTTONS(Bx.YEAR, "0")
                ),
                Option(
                    ctx.t.plain("Last year ({year})", year=str(year - 1)),
                    action=BUTTONS(Bx.YEAR, "1"),
                ),
            ],
            [Option(ctx.t.plain("⌨️ Type another year"), action=BUTTONS(Bx.YEAR, "type"))],
            [Option(ctx.t.plain("📊 Commune table"), action=BUTTONS(Bx.TABLE))],
        ],
        edit=edit,
    )


async def choose_year(ctx: Context, year: int, *, edit: bool) -> None:
    RATING_FLOW.state(ctx).year = year
    ctx.goto(RatingStep.LIST)
    await show_list(ctx, edit=edit)


def parse_year(text: str, this_year: int) -> int | None:
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) != 4:
        return None
    year = int(cleaned)
    return year if FIRST_YEAR <= year <= this_year else None


# The list of areas ----------------------------------------------------------------------
async def show_list(ctx: Context, *, edit: bool, notice: str | None = None) -> None:
    year = RATING_FLOW.state(ctx).chosen_year
    rating_year = await repo.get_year(ctx.conn, year)
    areas = await areas_in_scope(ctx)
    ratings = {r.area_id: r for r in await repo.of_year(ctx.conn, year)}
    history = await repo.results(ctx.conn)
    lines = [notice] if notice else []
    lines.append(ctx._("🏅 *Rating of safe residential areas, {year}*", year=str(year)))
    if rating_year is not None and rating_year.closed_at is not None:
        lines.append(
            ctx._("🔒 Finalised on {day}: no more changes.", day=ctx.t.day(rating_year.closed_at))
        )
    if not areas:
        lines.append(ctx._("No residential areas are set up yet."))
    for area in areas:
        lines.append(texts.area_state_line(ctx.t, area, ratings.get(area.id), history))
    rows: list[list[Option]] = []
    buttons = [
        Option(
            f"{texts.mark(service.result_of(ratings.get(a.id)))} {a.name}",
            action=BUTTONS(Bx.AREA, a.id),
        )
        for a in areas
    ]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Option(ctx.t.plain("📊 Commune table"), action=BUTTONS(Bx.TABLE))])
    closed = rating_year is not None and rating_year.closed
    # The year is the deployment's: its officers finalise it, a commune officer rates only.
    finaliser = ctx.roles.sees_every_commune
    if closed:
        if finaliser:
            rows.append([Option(ctx.t.plain("🔓 Reopen the year"), action=BUTTONS(Bx.REOPEN))])
    elif (
        finaliser and areas and all(service.result_of(ratings.get(a.id)) is not None for a in areas)
    ):
        rows.append([Option(ctx.t.plain("🔒 Finalise the year"), action=BUTTONS(Bx.CLOSE))])
    else:
        lines.append("\n" + ctx._("Choose an area to rate it."))
    rows.append([Option(ctx.t.plain("✔️ Done"), action=BUTTONS(Bx.DONE))])
    show(ctx, "\n".join(lines), rows, edit=edit)


# Finalising ------------------------------------------------------------------------------
async def close_year(ctx: Context) -> None:
    year = RATING_FLOW.state(ctx).chosen_year
    actor = ctx.member.id if ctx.member else None
    undecided = await service.close_year(ctx.conn, year, actor=actor, now=ctx.now)
    if undecided:
        ctx.toast(ctx._("Still to decide: {areas}.", areas=", ".join(undecided)))
        return
    ctx.goto(RatingStep.LIST)
    await show_list(
        ctx, edit=True, notice=ctx._("🔒 The rating of {year} is finalised.", year=str(year)) + "\n"
    )


async def reopen_year(ctx: Context) -> None:
    year = RATING_FLOW.state(ctx).chosen_year
    await service.reopen_year(
        ctx.conn, year, actor=ctx.member.id if ctx.member else None, now=ctx.now
    )
    ctx.goto(RatingStep.LIST)
    await show_list(
        ctx,
        edit=True,
        notice=ctx._("🔓 The rating of {year} is open again for changes.", year=str(year)) + "\n",
    )


async def show_table(ctx: Context) -> None:
    opened = [y.year for y in await repo.years(ctx.conn)]
    if RATING_FLOW.state(ctx).year is not None:
        last = RATING_FLOW.state(ctx).chosen_year
        opened = [y for y in opened if y <= last]
    ctx.goto(RatingStep.TABLE)
    show(
        ctx,
        texts.table_text(
            ctx.t,
            await service.commune_table(ctx.conn, opened[-TABLE_YEARS:], ctx.roles.officer_areas),
        ),
        [[Option(ctx.t.plain("⬅️ Back"), action=BUTTONS(Bx.BACK))]],
        edit=True,
    )
