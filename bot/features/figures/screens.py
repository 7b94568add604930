"""/stats (/thongke): the commune's figures for a leader's area, or for officers any area or the
whole commune, over this month, last month, this quarter, this year, last year or two dates.
The answer is the commune's report sentences, then a chart as a photo.

The scope and the period travel in the buttons of the answer (``sts:again:<area>:<start>:<end>``)
so that downloads can be added to :func:`answer_buttons` for officers.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from bot.core.context import Context
from bot.core.events import Attachment, Option, Reply
from bot.core.permissions import LEADERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.figures import screens_files as stats_files
from bot.features.figures.actions import STATS, Sts
from bot.features.figures.chart import chart_png
from bot.features.figures.figures import Figures, collect
from bot.features.figures.screens_files import download_buttons
from bot.features.figures.states import STATS as STATS_FLOW
from bot.features.figures.states import StatsState, StatsStep
from bot.features.figures.texts import figures_text
from bot.i18n import N_
from bot.shared.periods import Period, named_period
from bot.shared.pickers import (
    area_picker,
    areas_in_scope,
    ask_period,
    stale,
    stale_reply,
    typed_period,
)
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage.areas import Area

MAX_YEARS = 10


def _not_yours(ctx: Context) -> str:
    return ctx._(
        "Sorry, you can see the figures of the areas you lead only. The commune police can "
        "see every area and the whole commune."
    )


async def allowed_areas(ctx: Context) -> list[Area]:
    """Areas this person may see figures of: their own as a leader, their communes' as a commune
    officer, all as an officer of the whole deployment."""
    return await areas_in_scope(ctx)


def may_see(ctx: Context, area_id: int, commune_id: int = 0) -> bool:
    """0 is the whole deployment (its officers only); a commune is its officers' (and the
    province's); otherwise an area this person acts for."""
    if commune_id:
        mine = ctx.roles.communes
        return ctx.roles.sees_every_commune or (
            ctx.roles.is_officer and mine is not None and commune_id in mine
        )
    return ctx.roles.sees_every_commune if area_id == 0 else ctx.roles.leads(area_id)


def parse_scope(token: str) -> tuple[int, int] | None:
    """(area id, commune id) of a scope in a button: ``0`` every area, ``12`` an area,
    ``c3`` a commune."""
    if token.startswith("c") and token[1:].isdigit() and int(token[1:]):
        return 0, int(token[1:])
    return (int(token), 0) if token.isdigit() else None


def scope_token(area_id: int, commune_id: int = 0) -> str:
    return f"c{commune_id}" if commune_id else str(area_id)


def too_long(period: Period) -> bool:
    try:
        return period.end > period.start.replace(year=period.start.year + MAX_YEARS)
    except ValueError:  # 29 February
        return period.end > date(period.start.year + MAX_YEARS, 3, 1)


# Flow -------------------------------------------------------------------------------------
async def start(ctx: Context) -> None:
    areas = await allowed_areas(ctx)
    if not areas and not ctx.roles.is_officer:
        ctx.reply(_not_yours(ctx))
        return
    STATS_FLOW.begin(ctx, StatsStep.SCOPE, StatsState())
    if len(areas) == 1 and not ctx.roles.is_officer:
        _ask_period(ctx, areas[0].id)
        return
    rows: list[list[Option]] = []
    if ctx.roles.sees_every_commune:
        whole = (
            ctx.t.plain("🏘 The whole province")
            if await communes_repo.count(ctx.conn) > 1
            else ctx.t.plain("🏘 Whole commune")
        )
        rows.append([Option(whole, action=STATS(Sts.SCOPE, 0))])
    elif ctx.roles.is_officer and ctx.roles.communes:  # a commune officer: each whole commune
        for commune in await communes_repo.list_communes(ctx.conn):
            if commune.id in ctx.roles.communes:
                label = f"🏘 {commune.name or commune.code}"
                rows.append([Option(label, action=STATS(Sts.SCOPE, scope_token(0, commune.id)))])
    rows += await area_picker(ctx, areas, STATS(Sts.SCOPE))
    ctx.reply(ctx._("Figures of which area?"), rows)


def _ask_period(ctx: Context, area_id: int, *, edit: bool = False, commune_id: int = 0) -> None:
    state = STATS_FLOW.state(ctx)
    state.area_id, state.commune_id = area_id, commune_id
    ctx.goto(StatsStep.PERIOD)
    ask_period(ctx, STATS(Sts.PERIOD), edit=edit)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = STATS.read(argument)
    if verb == Sts.AGAIN:
        await _again(ctx, value)
        return
    scope = parse_scope(value) if verb == Sts.SCOPE else None
    if scope is not None and not may_see(ctx, *scope):
        ctx.toast(_not_yours(ctx))
        return
    if not STATS_FLOW.is_open(ctx):
        stale(ctx)
        return
    step = STATS_FLOW.step(ctx)
    if scope is not None and step == StatsStep.SCOPE:
        area_id, commune_id = scope
        if area_id and await areas_repo.get(ctx.conn, area_id) is None:
            stale(ctx)
            return
        if commune_id and await communes_repo.get(ctx.conn, commune_id) is None:
            stale(ctx)
            return
        _ask_period(ctx, area_id, edit=True, commune_id=commune_id)
    elif verb == Sts.PERIOD and step == StatsStep.PERIOD:
        state = STATS_FLOW.state(ctx)
        area_id, commune_id = state.area_id, state.commune_id
        if not may_see(ctx, area_id, commune_id):  # a role revoked since the question was asked
            ctx.end()
            ctx.toast(_not_yours(ctx))
            return
        if value == "dates":
            ctx.goto(StatsStep.DATES)
            ctx.reply(
                ctx._("Please type the first and the last day, for example 1/1/2026 31/3/2026."),
                edit=True,
            )
            return
        period = named_period(value, ctx.now.astimezone(ctx.config.tz).date())
        if period is None:
            stale(ctx)
            return
        await answer(ctx, area_id, period, edit=True, commune_id=commune_id)
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    found = typed_period(ctx)
    if found is None:
        return
    if too_long(found):
        ctx.reply(
            ctx._(
                "Please choose a period of at most {years} years, for example 1/1/2026 31/12/2026.",
                years=MAX_YEARS,
            )
        )
        return
    state = STATS_FLOW.state(ctx)
    area_id, commune_id = state.area_id, state.commune_id
    if not may_see(ctx, area_id, commune_id):
        ctx.end()
        ctx.reply(_not_yours(ctx))
        return
    await answer(ctx, area_id, found, commune_id=commune_id)


async def _again(ctx: Context, value: str) -> None:
    """🔄 Another period: the same scope, the period question again."""
    scope = parse_scope(value.partition(":")[0])
    if scope is None:
        stale(ctx)
        return
    if not may_see(ctx, *scope):
        ctx.toast(_not_yours(ctx))
        return
    STATS_FLOW.begin(ctx, StatsStep.SCOPE, StatsState())
    _ask_period(ctx, scope[0], commune_id=scope[1])


# Answer -----------------------------------------------------------------------------------
async def scope_name(ctx: Context, area_id: int, commune_id: int = 0) -> str:
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    if area is not None:
        return area.name
    commune = await communes_repo.get(ctx.conn, commune_id) if commune_id else None
    if commune is not None:
        return commune.name or commune.code
    if await communes_repo.count(ctx.conn) > 1:
        return ctx.t.plain("The whole province")
    return ctx.t.plain("the whole commune")


def answer_buttons(
    ctx: Context, area_id: int, period: Period, commune_id: int = 0
) -> list[list[Option]]:
    """Buttons under the answer; they carry the scope and the period. Officers' downloads are
    added here (``<prefix>:<kind>:{scope}:{start}:{end}``, the scope as :func:`parse_scope`
    reads it)."""
    if not ctx.roles.is_officer:
        return []
    token = scope_token(area_id, commune_id)
    stem = (token, period.start.isoformat(), period.end.isoformat())
    return [
        *download_buttons(ctx, token, period),
        [Option(ctx.t.plain("🔄 Another period"), action=STATS(Sts.AGAIN, *stem))],
    ]


async def answer(
    ctx: Context, area_id: int, period: Period, *, edit: bool = False, commune_id: int = 0
) -> None:
    """The figures in words, then the chart as a photo."""
    ctx.end()
    try:
        figures: Figures = await collect(
            ctx.conn, area_id or None, period, ctx.config.tz, ctx.now, commune_id=commune_id or None
        )
    except LookupError:  # the area was removed meanwhile
        stale_reply(ctx)
        return
    if not ctx.roles.is_officer:
        # A leader may pick a single day: how many reports came anonymously then would narrow
        # down who made them, so that count is for the police only.
        figures = figures.model_copy(
            update={"reports": figures.reports.model_copy(update={"anonymous": 0})}
        )
    name = await scope_name(ctx, area_id, commune_id)
    ctx.reply(
        figures_text(ctx.t, figures, name),
        answer_buttons(ctx, area_id, period, commune_id),
        edit=edit,
        bind_to_conversation=False,
    )
    # Drawing takes a moment of CPU: the transport draws it after this event's transaction,
    # in a worker thread, so nobody waits for the database or the event loop meanwhile.
    stem = f"{period.start.isoformat()}_{period.end.isoformat()}"
    chart = partial(chart_png, ctx.t, figures, name if area_id else None)
    ctx.replies.append(
        Reply(
            ctx._("Chart: {scope}", scope=name),
            attachment=Attachment("photo", f"stats_{stem}.png", render=chart),
        )
    )
    await ctx.audit(
        "stats.viewed",
        "area" if area_id else None,
        area_id or None,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )


feature = Feature(
    name="stats",
    commands=[
        Command(
            "stats",
            "thongke",
            start,
            LEADERS,
            Where.PRIVATE,
            N_("Figures of the movement: pledges, reports, mediation, patrols, reminders"),
        )
    ],
    actions={STATS.prefix: Action(on_button, LEADERS), **stats_files.ACTIONS},
    flows={STATS_FLOW: on_input},
)
