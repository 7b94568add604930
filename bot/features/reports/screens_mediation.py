"""/mediation: dispute cases (hòa giải). Parties as given, a mediator (a leader or a member of
the mediation team), the session day, and the outcome with a note. Leaders see their areas'
cases, officers all of them; the figures feed the statistics (storage.mediation.figures)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.permissions import LEADERS
from bot.features.reports.model import MAX_NOTE
from bot.i18n import N_, Translator
from bot.shared.pickers import area_picker, problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_free_text, check_name, search_key
from bot.storage import areas as areas_repo
from bot.storage import mediation as repo
from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.mediation import Case
from bot.storage.reports import Report

FLOW = "mediation"
PAGE = 5
MAX_PARTIES = 10
OUTCOME_LABELS = {
    "success": N_("✅ Mediated successfully"),
    "failed": N_("❌ Not successful"),
    "transferred": N_("🏛 Transferred to the authorities"),
}
DATE_TYPED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")


def outcome_label(t: Translator, outcome: str) -> str:
    return t.plain(OUTCOME_LABELS[outcome])


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.tz).date()


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


def _may_manage(ctx: Context, case: Case) -> bool:
    member = ctx.member
    return ctx.roles.leads(case.area_id) or (
        member is not None and case.mediator_member_id == member.id
    )


async def _areas_in_scope(ctx: Context) -> list[areas_repo.Area]:
    areas = await areas_repo.list_areas(ctx.conn)
    if ctx.roles.sees_every_commune:
        return areas
    return [a for a in areas if a.id in ctx.roles.area_ids]


# Lists and cards ----------------------------------------------------------------------------
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
                    action=f"med:view:{case.id}",
                )
            ]
        )
    mode = "all" if open_only else "open"
    options.append(
        [
            Option(ctx.t.plain("➕ New case"), action="med:new"),
            Option(
                ctx.t.plain("Show all") if open_only else ctx.t.plain("Show open"),
                action=f"med:list:{mode}:0",
            ),
        ]
    )
    kind = "open" if open_only else "all"
    paging = []
    if page > 0:
        paging.append(Option("◀️", action=f"med:list:{kind}:{page - 1}"))
    if (page + 1) * PAGE < total:
        paging.append(Option("▶️", action=f"med:list:{kind}:{page + 1}"))
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
                action=f"med:view:{case.id}",
            )
        ]
        for case in cases
    ]
    ctx.reply(
        ctx._("*Open cases with you as mediator*") if staff else ctx._("*The cases you mediate*"),
        options,
    )


async def case_text(ctx: Context, t: Translator, case: Case) -> str:
    area = await areas_repo.get(ctx.conn, case.area_id) if case.area_id else None
    mediator = (
        await members_repo.get(ctx.conn, case.mediator_member_id)
        if case.mediator_member_id
        else None
    )
    lines = [
        t._("*Mediation case #{number}*", number=str(case.id)),
        t._("Hamlet or ward: {area}", area=area.name if area else "-"),
        t._("Parties: {names}", names=", ".join(case.parties)),
        t._("Mediator: {name}", name=mediator.display_name if mediator else "-"),
        t._("Session: {day}", day=case.session_on if case.session_on else "-"),
    ]
    if case.report_id:
        lines.append(t._("From report #{number}", number=str(case.report_id)))
    if case.outcome:
        lines.append(t._("Outcome: {outcome}", outcome=t.plain(OUTCOME_LABELS[case.outcome])))
        if case.note:
            lines.append(t._("Note: {note}", note=case.note))
    return "\n".join(lines)


async def show_case(ctx: Context, case: Case, *, note: str = "", edit: bool = False) -> None:
    text = await case_text(ctx, ctx.t, case)
    if note:
        text = note + "\n\n" + text
    options: list[list[Option]] = []
    if case.is_open and not case.outcome_due(_today(ctx)):
        text += "\n\n" + _not_yet_text(ctx, case)
    if case.is_open:
        options = [
            [Option(outcome_label(ctx.t, outcome), action=f"med:out:{case.id}:{outcome}")]
            for outcome in repo.OUTCOMES
            if case.may_record(outcome, _today(ctx))
        ]
        options += [
            [
                Option(ctx.t.plain("📅 Session day"), action=f"med:setday:{case.id}"),
                Option(ctx.t.plain("👤 Mediator"), action=f"med:setmed:{case.id}"),
            ],
        ]
    ctx.reply(text, options, edit=edit)


def _not_yet_text(ctx: Context, case: Case) -> str:
    return ctx._(
        "The session is on {day}: whether it succeeded can be recorded from that day; a "
        "transfer to the authorities, at any time.",
        day=case.session_on or "-",
    )


# Starting a case ----------------------------------------------------------------------------
async def start_from_report(ctx: Context, report: Report) -> None:
    existing = await repo.of_report(ctx.conn, report.id)
    if existing is not None:
        await show_case(ctx, existing)
        return
    ctx.begin(FLOW, "parties", area_id=report.area_id, report_id=report.id)
    _ask_parties(ctx)


def _ask_parties(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "Who are the parties of the dispute? Please type their names as they gave them, "
            "separated by commas or one per line."
        )
    )


def _ask_mediator(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "Who mediates? Press “Me”, or type part of the name of a team leader or a member "
            "of the mediation team."
        ),
        [[Option(ctx.t.plain("🙋 Me"), action="med:me")]],
    )


def _ask_day(ctx: Context) -> None:
    ctx.reply(
        ctx._("On which day is the mediation session? Press a button or type a date (dd/mm/yyyy)."),
        [
            [
                Option(ctx.t.plain("Today"), action="med:day:0"),
                Option(ctx.t.plain("Tomorrow"), action="med:day:1"),
                Option(ctx.t.plain("In 3 days"), action="med:day:3"),
            ]
        ],
    )


async def on_button(ctx: Context, argument: str) -> None:
    verb, _, rest = argument.partition(":")
    if verb in ("list", "new", "area") and not ctx.roles.may(LEADERS):
        # Any registered mediator may open their own case's card (checked per case); lists
        # and new cases stay with team leaders and officers.
        ctx.toast(ctx._("This case is not in your care."))
        return
    if verb == "list":
        kind, _, page = rest.partition(":")
        await _list(
            ctx, open_only=kind == "open", page=int(page) if page.isdigit() else 0, edit=True
        )
    elif verb == "new":
        areas = await _areas_in_scope(ctx)
        if len(areas) == 1:
            ctx.begin(FLOW, "parties", area_id=areas[0].id)
            _ask_parties(ctx)
        else:
            ctx.begin(FLOW, "area")
            ctx.reply(
                ctx._("In which area is the dispute?"), await area_picker(ctx, areas, "med:area")
            )
    elif verb == "area" and ctx.flow == FLOW and ctx.step == "area" and rest.isdigit():
        if not ctx.roles.leads(int(rest)):
            ctx.toast(ctx._("This area is not in your care."))
            return
        ctx.goto("parties", area_id=int(rest))
        _ask_parties(ctx)
    elif verb == "me" and ctx.flow == FLOW and ctx.step == "mediator" and ctx.member:
        await _set_mediator(ctx, ctx.member.id)
    elif verb == "pick" and ctx.flow == FLOW and ctx.step == "mediator" and rest.isdigit():
        await _set_mediator(ctx, int(rest))
    elif verb == "day" and ctx.flow == FLOW and ctx.step == "session" and rest.isdigit():
        await _set_day(ctx, _today(ctx) + timedelta(days=int(rest)))
    elif verb == "skip" and ctx.flow == FLOW and ctx.step == "note":
        await _close(ctx, None)
    else:
        await _case_button(ctx, verb, rest)


async def _case_button(ctx: Context, verb: str, rest: str) -> None:
    value, _, extra = rest.partition(":")
    case = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if case is None or not _may_manage(ctx, case):
        ctx.toast(ctx._("This case is not in your care."))
        return
    if verb == "view":
        await show_case(ctx, case)
    elif verb == "out" and extra in repo.OUTCOMES and case.is_open:
        if not case.may_record(extra, _today(ctx)):
            ctx.toast(_not_yet_text(ctx, case))
            return
        ctx.begin(FLOW, "note", case_id=case.id, outcome=extra)
        ctx.reply(
            ctx._("Please type a short note on the outcome, or press Skip."),
            [[Option(ctx.t.plain("Skip"), action="med:skip")]],
        )
    elif verb == "setday" and case.is_open:
        ctx.begin(FLOW, "session", case_id=case.id, single=True)
        _ask_day(ctx)
    elif verb == "setmed" and case.is_open:
        ctx.begin(FLOW, "mediator", case_id=case.id, single=True)
        _ask_mediator(ctx)
    else:
        ctx.toast(ctx._("This case is already closed."))


async def _set_mediator(ctx: Context, member_id: int) -> None:
    person = await members_repo.get(ctx.conn, member_id)
    if person is None:
        ctx.end()
        stale(ctx)
        return
    if not ctx.data.get("single"):
        # A new case: the mediator is kept in the draft until the last step.
        ctx.goto("session", mediator_id=person.id)
        _ask_day(ctx)
        return
    case = await repo.get(ctx.conn, int(ctx.data.get("case_id", 0)))
    ctx.end()
    if case is None or not case.is_open:
        ctx.reply(ctx._("This case is already closed."))
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
            [[Option(t.plain("⚖️ Open the case"), action=f"med:view:{case.id}")]],
        )

    return build


async def _set_day(ctx: Context, day: date) -> None:
    if not ctx.data.get("single"):
        await _open_case(ctx, day)
        return
    case = await repo.get(ctx.conn, int(ctx.data.get("case_id", 0)))
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
    data = ctx.data
    parties = [str(p) for p in data.get("parties", [])]
    area_id = data.get("area_id")
    report_id = data.get("report_id")
    mediator = (
        await members_repo.get(ctx.conn, int(data["mediator_id"]))
        if data.get("mediator_id")
        else None
    )
    ctx.end()
    if not parties or mediator is None:
        stale_reply(ctx)
        return
    if area_id is not None and not ctx.roles.leads(int(area_id)):
        ctx.reply(ctx._("This area is not in your care."))
        return
    if report_id is not None:
        existing = await repo.of_report(ctx.conn, int(report_id))
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
    case = await repo.get(ctx.conn, int(ctx.data.get("case_id", 0)))
    outcome = str(ctx.data.get("outcome", ""))
    ctx.end()
    if case is None or not case.is_open or outcome not in repo.OUTCOMES:
        ctx.reply(ctx._("This case is already closed."))
        return
    if not case.may_record(outcome, _today(ctx)):
        await show_case(ctx, case)
        return
    await repo.close(ctx.conn, case.id, outcome, note, ctx.now)
    await ctx.audit("mediation.closed", "mediation", case.id, outcome=outcome)
    updated = await repo.get(ctx.conn, case.id)
    assert updated is not None
    await show_case(ctx, updated, note=ctx._("Saved."))


# Typed input ------------------------------------------------------------------------------
async def on_input(ctx: Context) -> None:
    step = ctx.step
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type it as text, or /cancel."))
        return
    text = ctx.event.text
    if step == "parties":
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
        ctx.goto("mediator", parties=names)
        _ask_mediator(ctx)
    elif step == "mediator":
        found = await members_repo.search(
            ctx.conn, text.strip(), fold=search_key, within=ctx.roles.officer_areas
        )
        if not found:
            ctx.reply(
                ctx._(
                    "Nobody registered matches “{text}”. Please try another part of the name.",
                    text=text.strip(),
                )
            )
            return
        options = [[Option(p.display_name or "?", action=f"med:pick:{p.id}")] for p in found]
        options.append([Option(ctx.t.plain("🙋 Me"), action="med:me")])
        ctx.reply(ctx._("Who do you mean?"), options, bind_to_conversation=True)
    elif step == "session":
        day = parse_day(text, _today(ctx))
        if day is None:
            ctx.reply(ctx._("Please type the date as day/month/year, for example 25/11/2026."))
            return
        first, last = session_bounds(_today(ctx))
        if not first <= day <= last:
            ctx.reply(
                ctx._(
                    "The session day must be between {first} and {last}. Please type it again.",
                    first=first,
                    last=last,
                )
            )
            return
        await _set_day(ctx, day)
    elif step == "note":
        note = check_free_text(text, maximum=MAX_NOTE)
        if isinstance(note, TextProblem):
            ctx.reply(problem_text(ctx, note, maximum=MAX_NOTE))
            return
        await _close(ctx, note)
    else:
        ctx.reply(ctx._("Please use the buttons of the latest message."))
