"""/mediation step by step: a new case (area, parties, mediator, session day, written as one
row at the last step) and one change to an open case (its mediator, its session day, its outcome
with a note). The steps and what they keep are :data:`bot.features.reports.states.MEDIATION`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.features.reports.actions import MEDIATION, Med
from bot.features.reports.model import MAX_NOTE
from bot.features.reports.screens_mediation_case import as_staff, show_case, today
from bot.features.reports.states import MEDIATION as MEDIATION_FLOW
from bot.features.reports.states import MediationStep
from bot.i18n import N_, Translator
from bot.shared.pickers import problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_free_text, check_name, search_key
from bot.storage import areas as areas_repo
from bot.storage import mediation as repo
from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.mediation import Case

MAX_PARTIES = 10
DATE_TYPED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")
# The buttons of a step, pressed while the flow is open.
NEW_CASE_STEPS = frozenset({Med.AREA, Med.ME, Med.PICK, Med.DAY, Med.SKIP})


def parse_day(text: str, today: date) -> date | None:
    """``21/11/2026``, ``21-11-26`` or ``21/11`` (this year) → a day; None when not a date."""
    match = DATE_TYPED.match(text)
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def session_bounds(today: date) -> tuple[date, date]:
    """The days a session may be on: up to two years back (a case written down afterwards),
    up to one year ahead. A typo such as 2062 for 2026 would hide the outcome for decades."""
    return today - timedelta(days=2 * 366), today + timedelta(days=366)


def split_parties(text: str) -> list[str] | TextProblem:
    parts = [p for p in re.split(r"[\n,;]+", text) if p.strip()]
    names: list[str] = []
    for part in parts:
        name = check_name(part)
        if isinstance(name, TextProblem):
            return name
        names.append(name)
    if not names:
        return TextProblem.EMPTY
    return names


def ask_parties(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "Who are the parties of the dispute? Please type their names as they gave them, "
            "separated by commas or one per line."
        )
    )


def ask_mediator(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "Who mediates? Press “Me”, or type part of the name of a team leader or a member "
            "of the mediation team."
        ),
        [[Option(ctx.t.plain("🙋 Me"), action=MEDIATION(Med.ME))]],
    )


def ask_day(ctx: Context) -> None:
    ctx.reply(
        ctx._("On which day is the mediation session? Press a button or type a date (dd/mm/yyyy).")
        if as_staff(ctx)
        else ctx._("On which day is the mediation? Please press a button or type the date."),
        [
            [
                Option(ctx.t.plain("Today"), action=MEDIATION(Med.DAY, 0)),
                Option(ctx.t.plain("Tomorrow"), action=MEDIATION(Med.DAY, 1)),
                Option(ctx.t.plain("In 3 days"), action=MEDIATION(Med.DAY, 3)),
            ]
        ],
    )


async def mediator_scope(ctx: Context) -> frozenset[int] | None:
    """Where the mediator of the case in hand may live (None: anywhere): the commune of the
    case's area, or this person's areas when the case has none; anywhere for those who see
    every commune."""
    if ctx.roles.sees_every_commune:
        return None
    state = MEDIATION_FLOW.state(ctx)
    area_id = state.area_id
    if state.case_id:
        case = await repo.get(ctx.conn, state.case_id)
        area_id = case.area_id if case else None
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    if area is None or area.commune_id is None:
        return ctx.roles.area_ids
    return frozenset(await areas_repo.ids_of_communes(ctx.conn, [area.commune_id]))


async def on_step_button(ctx: Context, verb: Med, rest: str) -> None:
    """A button of a step of the open flow (a new case's area, mediator or day; a skipped
    note); one of an earlier step is stale."""
    step = MEDIATION_FLOW.step(ctx) if MEDIATION_FLOW.is_open(ctx) else None
    if verb == Med.AREA and step == MediationStep.AREA and rest.isdigit():
        if not ctx.roles.leads(int(rest)):
            ctx.toast(ctx._("This area is not in your care."))
            return
        MEDIATION_FLOW.state(ctx).area_id = int(rest)
        ctx.goto(MediationStep.PARTIES)
        ask_parties(ctx)
    elif verb == Med.ME and step == MediationStep.MEDIATOR and ctx.member:
        await _set_mediator(ctx, ctx.member.id)
    elif verb == Med.PICK and step == MediationStep.MEDIATOR and rest.isdigit():
        await _set_mediator(ctx, int(rest))
    elif verb == Med.DAY and step == MediationStep.SESSION and rest.isdigit():
        await _set_day(ctx, today(ctx) + timedelta(days=int(rest)))
    elif verb == Med.SKIP and step == MediationStep.NOTE:
        await _close(ctx, None)
    else:
        ctx.toast(ctx._("This case is not in your care."))


async def _set_mediator(ctx: Context, member_id: int) -> None:
    person = await members_repo.get(ctx.conn, member_id)
    if person is None:
        ctx.end()
        stale(ctx)
        return
    scope = await mediator_scope(ctx)
    itself = ctx.member is not None and person.id == ctx.member.id
    if not itself and scope is not None and person.area_id not in scope:
        ctx.toast(ctx._("This area is not in your care."))
        return
    state = MEDIATION_FLOW.state(ctx)
    if not state.single:
        # A new case: the mediator is kept in the draft until the last step.
        state.mediator_id = person.id
        ctx.goto(MediationStep.SESSION)
        ask_day(ctx)
        return
    case = await repo.get(ctx.conn, state.case_id or 0)
    ctx.end()
    if case is None or not case.is_open:
        ctx.reply(ctx._("This case is already closed."))
        return
    if not ctx.roles.leads(case.area_id):
        ctx.reply(ctx._("This case is not in your care."))
        return
    await repo.set_mediator(ctx.conn, case.id, person.id)
    await ctx.audit("mediation.mediator_set", "mediation", case.id)
    updated = await repo.get(ctx.conn, case.id)
    assert updated is not None
    await _tell_mediator(ctx, updated, person)
    await show_case(ctx, updated, note=ctx._("Saved."))


async def _tell_mediator(ctx: Context, case: Case, person: members_repo.Member) -> None:
    if ctx.member is None or person.id != ctx.member.id:
        await ctx.notify(person, await _mediator_notice(ctx, case, person))


async def _mediator_notice(
    ctx: Context, case: Case, person: members_repo.Member
) -> Callable[[Translator], Reply]:
    """The mediator's notice, with a button to the case: a member of the mediation team who is
    not a team leader cannot use /mediation, and records the outcome from this card."""
    area = await areas_repo.get(ctx.conn, case.area_id) if case.area_id else None
    staff = bool(await roles_repo.of_member(ctx.conn, person.id))
    message = (
        N_(
            "You are the mediator of case #{number} in {area}. Press the button to see it "
            "and, after the session, to record its outcome; /mediator finds it again later."
        )
        if staff
        else N_(
            "You have been chosen as mediator of case #{number} in {area}. Please press the "
            "button to see it and, after the session, to record its outcome; /mediator finds "
            "it again later."
        )
    )

    def build(t: Translator) -> Reply:
        return Reply(
            t._(message, number=str(case.id), area=area.name if area else "-"),
            [[Option(t.plain("⚖️ Open the case"), action=MEDIATION(Med.VIEW, case.id))]],
        )

    return build


async def _set_day(ctx: Context, day: date) -> None:
    state = MEDIATION_FLOW.state(ctx)
    if not state.single:
        await _open_case(ctx, day)
        return
    case = await repo.get(ctx.conn, state.case_id or 0)
    ctx.end()
    if case is None or not case.is_open:
        ctx.reply(ctx._("This case is already closed."))
        return
    await repo.set_session(ctx.conn, case.id, day)
    await ctx.audit("mediation.session_set", "mediation", case.id)
    updated = await repo.get(ctx.conn, case.id)
    assert updated is not None
    await show_case(ctx, updated, note=ctx._("Saved."))


async def _open_case(ctx: Context, day: date) -> None:
    """The last step of a new case: the draft kept in the conversation (area, parties,
    mediator) and the session day become one row, in this event's single transaction. Until
    here nothing was written, so /cancel at any earlier step leaves nothing behind."""
    draft = MEDIATION_FLOW.state(ctx)
    parties, area_id, report_id = draft.parties, draft.area_id, draft.report_id
    mediator = await members_repo.get(ctx.conn, draft.mediator_id) if draft.mediator_id else None
    ctx.end()
    if not parties or mediator is None:
        stale_reply(ctx)
        return
    if area_id is not None and not ctx.roles.leads(area_id):
        ctx.reply(ctx._("This area is not in your care."))
        return
    if report_id is not None:
        existing = await repo.of_report(ctx.conn, report_id)
        if existing is not None:  # opened meanwhile by someone else: never a second case
            await show_case(ctx, existing)
            return
    case = await repo.create(
        ctx.conn,
        area_id=area_id,
        parties=parties,
        created_by=ctx.member.id if ctx.member else None,
        now=ctx.now,
        report_id=report_id,
        mediator_member_id=mediator.id,
        session_on=day,
    )
    await ctx.audit("mediation.opened", "mediation", case.id, report=case.report_id)
    await _tell_mediator(ctx, case, mediator)
    await show_case(ctx, case, note=ctx._("Saved."))


async def _close(ctx: Context, note: str | None) -> None:
    state = MEDIATION_FLOW.state(ctx)
    case = await repo.get(ctx.conn, state.case_id or 0)
    outcome = state.outcome or ""
    ctx.end()
    if case is None or not case.is_open or outcome not in repo.OUTCOMES:
        ctx.reply(ctx._("This case is already closed."))
        return
    if not case.may_record(outcome, today(ctx)):
        await show_case(ctx, case)
        return
    await repo.close(ctx.conn, case.id, outcome, note, ctx.now)
    await ctx.audit("mediation.closed", "mediation", case.id, outcome=outcome)
    updated = await repo.get(ctx.conn, case.id)
    assert updated is not None
    await show_case(ctx, updated, note=ctx._("Saved."))


async def on_input(ctx: Context) -> None:
    step = MEDIATION_FLOW.step(ctx)
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type it as text, or /cancel."))
        return
    text = ctx.event.text
    if step == MediationStep.PARTIES:
        names = split_parties(text)
        if isinstance(names, TextProblem):
            ctx.reply(problem_text(ctx, names))
            return
        if len(names) > MAX_PARTIES:
            # Never keep the first ten and drop the rest without a word.
            ctx.reply(
                ctx._(
                    "A case has at most {limit} parties; you typed {count}. Please type the "
                    "parties again: for a family, the head of the household is enough.",
                    limit=MAX_PARTIES,
                    count=len(names),
                )
            )
            return
        MEDIATION_FLOW.state(ctx).parties = names
        ctx.goto(MediationStep.MEDIATOR)
        ask_mediator(ctx)
    elif step == MediationStep.MEDIATOR:
        found = await members_repo.search(
            ctx.conn, text.strip(), fold=search_key, within=await mediator_scope(ctx)
        )
        if not found:
            ctx.reply(
                ctx._(
                    "Nobody registered matches “{text}”. Please try another part of the name.",
                    text=text.strip(),
                )
            )
            return
        options = [[Option(p.display_name or "?", action=MEDIATION(Med.PICK, p.id))] for p in found]
        options.append([Option(ctx.t.plain("🙋 Me"), action=MEDIATION(Med.ME))])
        ctx.reply(ctx._("Who do you mean?"), options, bind_to_conversation=True)
    elif step == MediationStep.SESSION:
        day = parse_day(text, today(ctx))
        if day is None:
            ctx.reply(
                ctx._("Please type the date as day/month/year, for example 25/11/2026.")
                if as_staff(ctx)
                else ctx._("Please type the date as day/month/year, e.g. 25/11/2026.")
            )
            return
        first, last = session_bounds(today(ctx))
        if not first <= day <= last:
            ctx.reply(
                ctx._(
                    "The session day must be between {first} and {last}. Please type it again.",
                    first=first,
                    last=last,
                )
                if as_staff(ctx)
                else ctx._(
                    "The mediation day must be between {first} and {last}. Please type it again.",
                    first=first,
                    last=last,
                )
            )
            return
        await _set_day(ctx, day)
    elif step == MediationStep.NOTE:
        note = check_free_text(text, maximum=MAX_NOTE)
        if isinstance(note, TextProblem):
            ctx.reply(problem_text(ctx, note, maximum=MAX_NOTE))
            return
        await _close(ctx, note)
    else:
        ctx.reply(ctx._("Please use the buttons of the latest message."))
