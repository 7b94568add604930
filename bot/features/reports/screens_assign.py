"""An officer gives a report to a named officer or leader of its commune ("Give to..."), and
the handling lines of a card and of /track. Transfers are in screens_transfer.py; the use
cases in service_handling.py.

Only an officer who acts for the report's area may give or transfer it: a leader, a resident,
an officer of another commune, a button in a group or an old button is answered, never obeyed.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports import service_handling
from bot.features.reports.actions import HANDLE, TRIAGE, Handle, Triage
from bot.features.reports.handling import DESTINATIONS
from bot.i18n import N_
from bot.shared.pickers import stale
from bot.storage import communes as communes_repo
from bot.storage import members as members_repo
from bot.storage import report_handling
from bot.storage import reports as repo
from bot.storage.reports import Report, ReportEvent

MAX_PEOPLE = 30
IN_PRIVATE = N_("This is done in a private chat with me, so nothing is shown in the group.")


async def load_for_officer(ctx: Context, value: str) -> Report | None:
    """The report of a handling button, when the person is an officer of its area and it is
    still open; otherwise a clear answer and None."""
    if not ctx.event.chat.is_private:
        ctx.toast(ctx._(IN_PRIVATE))
        return None
    report = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if report is None:
        stale(ctx)
        return None
    if not ctx.roles.covers(report.area_id):
        ctx.toast(
            ctx._("Only the commune police officers of this report can assign or transfer it.")
        )
        return None
    if not report.is_open:
        ctx.toast(ctx._("This report is closed: it can no longer be assigned or transferred."))
        return None
    return report


async def on_button(ctx: Context, argument: str) -> None:
    verb, rest = HANDLE.read(argument)
    value, _, extra = rest.partition(":")
    report = await load_for_officer(ctx, value)
    if report is None:
        return
    if verb == Handle.PICK:
        await _picker(ctx, report)
    elif verb == Handle.TO:
        await _assign(ctx, report, extra)
    elif verb == Handle.RULE:
        await _rule(ctx, report, extra)
    else:
        from bot.features.reports.screens_transfer import on_transfer

        await on_transfer(ctx, report, verb, extra)


async def _picker(ctx: Context, report: Report) -> None:
    people = await service_handling.assignable(ctx.conn, report)
    if not people:
        ctx.reply(ctx._("Nobody of this commune can be given reports yet."))
        return
    ruled = await report_handling.rule_for(ctx.conn, report.area_id, report.category)
    rows = [
        [
            Option(
                ("✅ " if p.id == report.assignee_member_id else "") + (p.display_name or "?"),
                action=HANDLE(Handle.TO, report.id, p.id),
            ),
            Option(
                ("📌✅" if p.id == ruled else "📌") + " " + ctx.t.plain("always"),
                action=HANDLE(Handle.RULE, report.id, p.id),
            ),
        ]
        for p in people[:MAX_PEOPLE]
    ]
    rows.append([Option(ctx.t.plain("⬅️ Back"), action=TRIAGE(Triage.VIEW, report.id))])
    ctx.reply(
        ctx._("Report #{number}: give it to whom?", number=str(report.id))
        + "\n"
        + ctx._(
            "📌 always: also give every new report of this category in this hamlet or ward "
            "to that person (press again to stop)."
        ),
        rows,
        edit=True,
    )


async def _rule(ctx: Context, report: Report, value: str) -> None:
    member = ctx.member
    assert member is not None
    if not value.isdigit():
        stale(ctx)
        return
    result = await service_handling.toggle_rule(
        ctx.conn, ctx.config, report, int(value), member, ctx.now
    )
    if not result.done:
        ctx.toast(ctx._("This person cannot be given this report (or it has changed)."))
        return
    if result.queued:
        ctx.outbox_written = True
    ruled = await report_handling.rule_for(ctx.conn, report.area_id, report.category)
    note = (
        ctx._("New reports of this category in this hamlet or ward will be given to that person.")
        if ruled is not None
        else ctx._("New reports of this category in this hamlet or ward are routed as before.")
    )
    from bot.features.reports.screens_card import show_card

    await show_card(ctx, result.report, edit=True, note=note)


async def _assign(ctx: Context, report: Report, value: str) -> None:
    member = ctx.member
    assert member is not None
    if not value.isdigit():
        stale(ctx)
        return
    result = await service_handling.assign(
        ctx.conn, ctx.config, report, int(value), member, ctx.now
    )
    if not result.done:
        ctx.toast(ctx._("This person cannot be given this report (or it has changed)."))
        return
    if result.queued:
        ctx.outbox_written = True
    from bot.features.reports.screens_card import show_card

    assignee = await members_repo.get(ctx.conn, int(value))
    name = assignee.display_name if assignee and assignee.display_name else "?"
    await show_card(ctx, result.report, edit=True, note=ctx._("Given to {name}.", name=name))


async def card_lines(ctx: Context, report: Report) -> list[str]:
    """Who handles the report, where it went, and its deadlines: lines of the card."""
    lines = []
    if report.transferred_to in DESTINATIONS:
        lines.append(
            ctx._("Transferred to: {where}", where=ctx.t.plain(DESTINATIONS[report.transferred_to]))
        )
    elif report.is_open:
        assignee = (
            await members_repo.get(ctx.conn, report.assignee_member_id)
            if report.assignee_member_id
            else None
        )
        if assignee is not None:
            lines.append(ctx._("Assigned to: {name}", name=assignee.display_name or "?"))
        else:
            lines.append(ctx._("Assigned to: nobody yet"))
        if report.ack_due_at and report.status.value in ("new", "reopened"):
            lines.append(ctx._("Acknowledge by: {when}", when=report.ack_due_at))
        if report.resolve_due_at:
            lines.append(ctx._("Resolve by: {when}", when=report.resolve_due_at))
    return lines


async def track_lines(ctx: Context, report: Report) -> str:
    """What /track adds: an officer has it, or where it went (never who)."""
    if report.transferred_to in DESTINATIONS:
        where = ctx.t.plain(DESTINATIONS[report.transferred_to])
        return "\n" + ctx._("Transferred to {where}, which will handle it.", where=where)
    moved = [
        e
        for e in (await report_handling.handling_events(ctx.conn, report.id)).values()
        if e.destination == report_handling.MOVED_COMMUNE
    ]
    text = ""
    if moved:
        commune_id = await report_handling.commune_of(ctx.conn, report.area_id)
        commune = await communes_repo.get(ctx.conn, commune_id) if commune_id else None
        where = (commune.name if commune else "") or ctx.config.commune_name or "-"
        text += "\n" + ctx._("Transferred to {where}, which will handle it.", where=where)
    if report.is_open and report.assignee_member_id is not None:
        text += "\n" + ctx._("It has been given to a person in charge.")
    return text


_ESCALATIONS = {
    report_handling.ESCALATED_PROVINCE: N_("escalated to the province officers"),
    report_handling.RESOLVE_ESCALATED: N_(
        "not resolved in time: escalated to the commune officers"
    ),
    report_handling.RESOLVE_ESCALATED_PROVINCE: N_(
        "not resolved in time: escalated to the province officers"
    ),
}


async def history_line(
    ctx: Context, event: ReportEvent, handling: report_handling.HandlingEvent | None
) -> str | None:
    """A history entry of assignment, transfer or escalation as a line, else None."""
    if event.to_status is not None or event.note is None:
        return None
    if event.note in _ESCALATIONS:
        return ctx._(_ESCALATIONS[event.note])
    if event.note == report_handling.ASSIGNED and handling and handling.assignee_member_id:
        member = await members_repo.get(ctx.conn, handling.assignee_member_id)
        name = member.display_name if member and member.display_name else "?"
        return ctx._("given to {name}", name=name)
    if event.note == report_handling.TRANSFERRED and handling and handling.destination:
        where = (
            ctx.t.plain(DESTINATIONS[handling.destination])
            if handling.destination in DESTINATIONS
            else ctx.t.plain("another commune")
        )
        return ctx._("transferred to {where}: {note}", where=where, note=event.reason or "-")
    return None
