"""/individualpledge (/camketcabiet): an officer records a pledge one person took (cam kết cá
biệt): the person (a registered member or not), what was pledged, the day and who took it.
Officers only see these. Its steps are the ``ip_`` steps of the pledge admin flow
(:data:`bot.features.pledges.states.ADMIN`)."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Option
from bot.core.flows import StateRefused
from bot.core.permissions import OFFICERS
from bot.core.registry import Command, Where
from bot.features.pledges.actions import INDIVIDUAL, Individual
from bot.features.pledges.model import parse_day
from bot.features.pledges.screens_common import today
from bot.features.pledges.states import ADMIN, AdminState, AdminStep
from bot.i18n import N_
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text, check_name, search_key
from bot.storage import individual_pledges
from bot.storage import members as members_repo


async def individual(ctx: Context) -> None:
    lines = [ctx._("*Individual pledges* (officers only, never public)")]
    found = await individual_pledges.individuals(
        ctx.conn,
        limit=10,
        within=ctx.roles.officer_areas,
        recorded_by=ctx.member.id if ctx.member else None,
    )
    for p in found:
        lines.append(
            ctx._(
                "• {date} · {name}: {content} (taken by {by})",
                date=p.taken_on,
                name=p.person_name,
                content=p.content[:200],
                by=p.taken_by,
            )
        )
    ctx.reply(
        "\n".join(lines),
        [[Option(ctx._("➕ Record an individual pledge"), action=INDIVIDUAL(Individual.NEW))]],
    )


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = INDIVIDUAL.read(argument)
    if verb == Individual.NEW:
        ADMIN.begin(ctx, AdminStep.PERSON, AdminState())
        ctx.reply(ctx._("Whose pledge is it? Please type the person's full name."))
    elif verb == Individual.MEMBER and ADMIN.is_open(ctx, AdminStep.MEMBER) and value.isdigit():
        ADMIN.state(ctx).member_id = int(value) or None
        ctx.goto(AdminStep.CONTENT)
        ctx.reply(ctx._("What did the person pledge? Please type the content."))
    elif verb == Individual.DAY and ADMIN.is_open(ctx, AdminStep.TAKEN_ON):
        _ask_taken_by(ctx, date.fromisoformat(value))
    elif verb == Individual.ME and ADMIN.is_open(ctx, AdminStep.TAKEN_BY) and ctx.member:
        await _save_individual(ctx, ctx.member.display_name or "?")
    else:
        stale(ctx)


def _ask_taken_by(ctx: Context, day: date) -> None:
    ADMIN.state(ctx).taken_on = day
    ctx.goto(AdminStep.TAKEN_BY)
    name = ctx.member.display_name if ctx.member else None
    ctx.reply(
        ctx._("Who took the pledge? Type the officer's name, or press the button."),
        [[Option(ctx.t.plain("Me: {name}", name=name or "?"), action=INDIVIDUAL(Individual.ME))]],
    )


async def _save_individual(ctx: Context, taken_by: str) -> None:
    state = ADMIN.state(ctx)
    if state.taken_on is None:
        raise StateRefused(end=True)
    person = await members_repo.get(ctx.conn, state.member_id) if state.member_id else None
    new_id = await individual_pledges.add_individual(
        ctx.conn,
        person_name=state.person_name,
        member_id=person.id if person else None,
        area_id=person.area_id if person else None,
        content=state.content,
        taken_on=state.taken_on,
        taken_by=taken_by,
        recorded_by=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    await ctx.audit("pledge.individual_recorded", "individual_pledge", new_id)
    ctx.end()
    ctx.reply(ctx._("The individual pledge is recorded. It is visible to officers only."))


async def on_input(ctx: Context, text: str) -> None:
    """Typed text at a step of an individual pledge (the admin flow's ``ip_`` steps)."""
    step, state = ADMIN.step(ctx), ADMIN.state(ctx)
    if step == AdminStep.PERSON:
        name = check_name(text)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        found = await members_repo.search(
            ctx.conn, name, fold=search_key, within=ctx.roles.officer_areas
        )
        if not found:
            state.person_name, state.member_id = name, None
            ctx.goto(AdminStep.CONTENT)
            ctx.reply(ctx._("What did the person pledge? Please type the content."))
            return
        state.person_name = name
        ctx.goto(AdminStep.MEMBER)
        options = [
            [Option(m.display_name or "?", action=INDIVIDUAL(Individual.MEMBER, m.id))]
            for m in found
        ]
        options.append(
            [Option(ctx._("None of them: not registered"), action=INDIVIDUAL(Individual.MEMBER, 0))]
        )
        ctx.reply(ctx._("Is it one of these registered members?"), options)
    elif step == AdminStep.CONTENT:
        content = check_free_text(text, maximum=2000)
        if isinstance(content, TextProblem):
            ctx.reply(problem_text(ctx, content, maximum=2000))
            return
        day = today(ctx)
        state.content = content
        ctx.goto(AdminStep.TAKEN_ON)
        ctx.reply(
            ctx._("On which day was it taken? Type it as day/month/year."),
            [
                [
                    Option(
                        ctx.t.plain("Today, {date}", date=ctx.t.day(day)),
                        action=INDIVIDUAL(Individual.DAY, day),
                    )
                ]
            ],
        )
    elif step == AdminStep.TAKEN_ON:
        taken_on = parse_day(text)
        if taken_on is None or taken_on > today(ctx):
            ctx.reply(ctx._("Please type a day that has passed, as day/month/year."))
            return
        _ask_taken_by(ctx, taken_on)
    elif step == AdminStep.TAKEN_BY:
        name = check_name(text)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        await _save_individual(ctx, name)


command = Command(
    "individualpledge",
    "camketcabiet",
    individual,
    OFFICERS,
    Where.PRIVATE,
    N_("Record an individual pledge (cam kết cá biệt)"),
)
