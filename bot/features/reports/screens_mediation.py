"""/mediation: dispute cases (hòa giải). Parties as given, a mediator (a leader or a member of
the mediation team), the session day, and the outcome with a note. Leaders see their areas'
cases, officers all of them; the figures feed the statistics (storage.mediation.figures).
Here: the lists and a case's buttons; the card is in screens_mediation_case.py, the steps of a
new case or a change in screens_mediation_steps.py."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import LEADERS
from bot.features.reports.actions import MEDIATION, Med
from bot.features.reports.screens_mediation_case import (
    OUTCOME_LABELS,
    as_staff,
    may_manage,
    not_in_care,
    not_yet_text,
    show_case,
    today,
)
from bot.features.reports.screens_mediation_steps import (
    NEW_CASE_STEPS,
    ask_day,
    ask_mediator,
    ask_parties,
    on_step_button,
)
from bot.features.reports.states import MEDIATION as MEDIATION_FLOW
from bot.features.reports.states import MediationState, MediationStep
from bot.shared.pickers import area_picker
from bot.storage import areas as areas_repo
from bot.storage import mediation as repo
from bot.storage.reports import Report

PAGE = 5


async def _areas_in_scope(ctx: Context) -> list[areas_repo.Area]:
    areas = await areas_repo.list_areas(ctx.conn)
    if ctx.roles.sees_every_commune:
        return areas
    return [a for a in areas if a.id in ctx.roles.area_ids]


async def list_cases(ctx: Context) -> None:
    await _list(ctx, open_only=True, page=0, edit=False)


async def _list(ctx: Context, *, open_only: bool, page: int, edit: bool) -> None:
    scope = None if ctx.roles.sees_every_commune else ctx.roles.area_ids
    cases, total = await repo.listing(
        ctx.conn, scope, open_only=open_only, offset=page * PAGE, limit=PAGE
    )
    lines = [
        ctx._("*Mediation cases*") + " · " + (ctx._("open") if open_only else ctx._("all")),
        ctx._n("{count} case", "{count} cases", total),
    ]
    options: list[list[Option]] = []
    for case in cases:
        state = ctx.t.plain(OUTCOME_LABELS[case.outcome]) if case.outcome else "⏳"
        options.append(
            [
                Option(
                    f"#{case.id} · {', '.join(case.parties)[:40]} · {state}",
                    action=MEDIATION(Med.VIEW, case.id),
                )
            ]
        )
    mode = "all" if open_only else "open"
    options.append(
        [
            Option(ctx.t.plain("➕ New case"), action=MEDIATION(Med.NEW)),
            Option(
                ctx.t.plain("Show all") if open_only else ctx.t.plain("Show open"),
                action=MEDIATION(Med.LIST, mode, 0),
            ),
        ]
    )
    kind = "open" if open_only else "all"
    paging = []
    if page > 0:
        paging.append(Option("◀️", action=MEDIATION(Med.LIST, kind, page - 1)))
    if (page + 1) * PAGE < total:
        paging.append(Option("▶️", action=MEDIATION(Med.LIST, kind, page + 1)))
    if paging:
        options.append(paging)
    ctx.reply("\n".join(lines), options, edit=edit)


async def my_cases(ctx: Context) -> None:
    """/mediator: the open cases this person mediates, for a member of the mediation team who
    is not a team leader (and cannot use /mediation) once the notice's button has expired."""
    member = ctx.member
    cases = await repo.of_mediator(ctx.conn, member.id) if member else []
    staff = ctx.roles.may(LEADERS)  # "đồng chí" for leaders and officers, "anh/chị" else
    if not cases:
        ctx.reply(
            ctx._("No open case has you as its mediator.")
            if staff
            else ctx._("You mediate no open case at the moment.")
        )
        return
    options = [
        [
            Option(
                f"#{case.id} · {', '.join(case.parties)[:40]}"
                + (f" · {ctx.t.day(case.session_on)}" if case.session_on else ""),
                action=MEDIATION(Med.VIEW, case.id),
            )
        ]
        for case in cases
    ]
    ctx.reply(
        ctx._("*Open cases with you as mediator*") if staff else ctx._("*The cases you mediate*"),
        options,
    )


async def start_from_report(ctx: Context, report: Report) -> None:
    existing = await repo.of_report(ctx.conn, report.id)
    if existing is not None:
        await show_case(ctx, existing)
        return
    MEDIATION_FLOW.begin(
        ctx,
        MediationStep.PARTIES,
        MediationState(area_id=report.area_id, report_id=report.id),
    )
    ask_parties(ctx)


async def on_button(ctx: Context, argument: str) -> None:
    verb, rest = MEDIATION.read(argument)
    if verb in (Med.LIST, Med.NEW, Med.AREA) and not ctx.roles.may(LEADERS):
        # Any registered mediator may open their own case's card (checked per case); lists
        # and new cases stay with team leaders and officers.
        ctx.toast(not_in_care(ctx))
        return
    if verb == Med.LIST:
        kind, _, page = rest.partition(":")
        await _list(
            ctx, open_only=kind == "open", page=int(page) if page.isdigit() else 0, edit=True
        )
    elif verb == Med.NEW:
        areas = await _areas_in_scope(ctx)
        if len(areas) == 1:
            MEDIATION_FLOW.begin(ctx, MediationStep.PARTIES, MediationState(area_id=areas[0].id))
            ask_parties(ctx)
        else:
            MEDIATION_FLOW.begin(ctx, MediationStep.AREA, MediationState())
            ctx.reply(
                ctx._("In which area is the dispute?"),
                await area_picker(ctx, areas, MEDIATION(Med.AREA)),
            )
    elif verb in NEW_CASE_STEPS:
        await on_step_button(ctx, verb, rest)
    else:
        await _case_button(ctx, verb, rest)


async def _case_button(ctx: Context, verb: str, rest: str) -> None:
    value, _, extra = rest.partition(":")
    case = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if case is None or not may_manage(ctx, case):
        ctx.toast(not_in_care(ctx))
        return
    if verb == Med.VIEW:
        await show_case(ctx, case)
    elif verb == Med.OUTCOME and extra in repo.OUTCOMES and case.is_open:
        if not case.may_record(extra, today(ctx)):
            ctx.toast(not_yet_text(ctx, case))
            return
        MEDIATION_FLOW.begin(
            ctx, MediationStep.NOTE, MediationState(case_id=case.id, outcome=extra)
        )
        ctx.reply(
            ctx._("Please type a short note on the outcome, or press Skip.")
            if as_staff(ctx)
            else ctx._("Please type a short note on how it ended, or press Skip."),
            [[Option(ctx.t.plain("Skip"), action=MEDIATION(Med.SKIP))]],
        )
    elif verb == Med.SET_DAY and case.is_open:
        MEDIATION_FLOW.begin(
            ctx, MediationStep.SESSION, MediationState(case_id=case.id, single=True)
        )
        ask_day(ctx)
    elif verb == Med.SET_MEDIATOR and case.is_open and not ctx.roles.leads(case.area_id):
        ctx.toast(not_in_care(ctx))  # a mediator does not hand it on
    elif verb == Med.SET_MEDIATOR and case.is_open:
        MEDIATION_FLOW.begin(
            ctx, MediationStep.MEDIATOR, MediationState(case_id=case.id, single=True)
        )
        ask_mediator(ctx)
    else:
        ctx.toast(ctx._("This case is already closed."))
