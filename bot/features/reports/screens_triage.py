"""Triage screens: the handler's buttons on a report card (status changes are in
screens_status.py), a note, the history, who sent it, blocking a sender, and the reporter's
feedback. Who is told and the escalation timer are use cases in
:mod:`bot.features.reports.service`.

The reporter's identity is never in a notification: the assigned handler or an officer asks for
it with a button, and every time it is shown is in the audit log.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.reports import service
from bot.features.reports.actions import FIXED, TRIAGE, Triage
from bot.features.reports.model import MAX_NOTE, Status
from bot.features.reports.screens_assign import history_line
from bot.features.reports.screens_card import may_handle, show_card
from bot.features.reports.screens_status import ask_reopen, confirmed, status_button
from bot.features.reports.service import area_name
from bot.features.reports.states import NOTE, NoteState, NoteStep
from bot.features.reports.texts import status_label
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import members as members_repo
from bot.storage import outbox, report_handling, report_limits
from bot.storage import reports as repo
from bot.storage.reports import Report


# Handler buttons ----------------------------------------------------------------------------
async def _load(ctx: Context, value: str) -> Report | None:
    report = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if report is None or not may_handle(ctx, report):
        ctx.toast(ctx._("This report is not in your care."))
        return None
    return report


async def _media(ctx: Context, report: Report, kind: str) -> None:
    """The report's photos or voice notes, to the handler's chat, each with the report's
    number (through the outbox: each platform sends them its own way, whichever platform they
    were taken on)."""
    files = [str(m["file_id"]) for m in report.media if m.get("kind") == kind]
    photo = kind == "photo"
    for number, file_id in enumerate(files, start=1):
        params = {"number": str(report.id), "index": number, "count": len(files)}
        caption = (
            ctx._("Report #{number}: photo {index} of {count}", **params)
            if photo
            else ctx._("Report #{number}: voice note {index} of {count}", **params)
        )
        await outbox.enqueue(
            ctx.conn,
            ctx.event.platform,
            ctx.chat.chat_id,
            caption,
            [],
            ctx.now,
            priority=outbox.PRIORITY_URGENT,
            photo=file_id if photo else None,
            voice=None if photo else file_id,
        )
    ctx.outbox_written = bool(files)
    if photo:
        await ctx.audit("report.photos_shown", "report", report.id, count=len(files))
        ctx.toast(ctx._n("Sending {count} photo.", "Sending {count} photos.", len(files)))
    else:
        await ctx.audit("report.voices_played", "report", report.id, count=len(files))
        ctx.toast(ctx._n("Sending {count} voice note.", "Sending {count} voice notes.", len(files)))


async def on_triage(ctx: Context, argument: str) -> None:
    verb, rest = TRIAGE.read(argument)
    value, _, extra = rest.partition(":")
    report = await _load(ctx, value)
    if report is None:
        return
    if verb == Triage.VIEW:
        await show_card(ctx, report)
    elif verb == Triage.STATUS:
        await status_button(ctx, report, extra)
    elif verb == Triage.NOTE:
        NOTE.begin(ctx, NoteStep.NOTE, NoteState(report_id=report.id))
        ctx.reply(ctx._("Please type your note on report #{number}.", number=str(report.id)))
    elif verb == Triage.WHO:
        await _show_reporter(ctx, report)
    elif verb == Triage.HISTORY:
        await _history(ctx, report)
    elif verb == Triage.PHOTOS:
        await _media(ctx, report, "photo")
    elif verb == Triage.VOICES:
        await _media(ctx, report, "voice")
    elif verb == Triage.CONFIRM:
        await confirmed(ctx, report)
    elif verb == Triage.CANCEL:
        ctx.end()
        await show_card(ctx, report, edit=True, note=ctx._("Nothing was changed."))
    elif verb == Triage.REOPEN:
        await ask_reopen(ctx, report)
    elif verb == Triage.BLOCK:
        await _toggle_block(ctx, report)
    else:  # Triage.MEDIATION
        from bot.features.reports.screens_mediation import start_from_report

        await start_from_report(ctx, report)


async def _show_reporter(ctx: Context, report: Report) -> None:
    member = ctx.member
    assert member is not None
    if not (ctx.roles.covers(report.area_id) or report.assignee_member_id == member.id):
        ctx.toast(
            ctx._(
                "Only the assigned handler and commune officers can see who sent a report. "
                "Acknowledge it first to become its handler."
            )
        )
        return
    reporter = (
        await members_repo.get(ctx.conn, report.reporter_member_id)
        if report.reporter_member_id
        else None
    )
    if reporter is None:
        ctx.toast(ctx._("The reporter is no longer registered."))
        return
    await ctx.audit("report.identity_shown", "report", report.id)
    area = await area_name(ctx.conn, reporter.area_id)
    link = ctx.config.links.person_link(reporter.platform, reporter.user_id)
    ctx.reply(
        ctx._(
            "Report #{number} was sent by *{name}* ({area}). Please keep this private: "
            "never name a reporter in a group.",
            number=str(report.id),
            name=reporter.display_name or "?",
            area=area or "-",
        ),
        [[Option(ctx.t.plain("💬 Open chat"), url=link)]] if link else [],
    )


async def _history(ctx: Context, report: Report) -> None:
    lines = [ctx._("*History of report #{number}*", number=str(report.id))]
    handling = await report_handling.handling_events(ctx.conn, report.id)
    for event in await repo.events(ctx.conn, report.id):
        actor = (
            await members_repo.get(ctx.conn, event.actor_member_id)
            if event.actor_member_id
            else None
        )
        who = actor.display_name if actor and actor.display_name else ctx.t.plain("system")
        if actor is not None and actor.id == report.reporter_member_id:
            # The reporter's own steps ("not fixed", "fixed"): never their name here. Who sent
            # a report is shown only on request, to the handler or an officer, and audited.
            who = ctx.t.plain("the reporter")
        if event.to_status == Status.REOPENED and event.actor_member_id is None:
            who = ctx.t.plain("the reporter")  # an anonymous reporter reopened it
        mine = await history_line(ctx, event, handling.get(event.id))  # assigned, transferred
        if mine is not None:
            what = mine
        elif event.note == "escalated" and event.to_status is None:
            what = ctx._("escalated to the commune officers")
        elif event.note == "confirmed" and event.to_status is None:
            what = ctx._("the reporter confirmed it is fixed")
        elif event.from_status == event.to_status and event.note:
            what = ctx._("note: {note}", note=event.note)
        elif event.to_status:
            what = status_label(ctx.t, Status(event.to_status))
            if event.reason:
                what += " · " + ctx._("reason: {reason}", reason=event.reason)
            if event.note:
                what += " · " + ctx._("note: {note}", note=event.note)
        else:
            what = "-"
        if report.anonymous and event.from_status is None and event.to_status == Status.NEW:
            who = ctx.t.plain("anonymous")
        lines.append(ctx._("• {when}: {what} ({who})", when=event.at, what=_safe(what), who=who))
    from bot.features.reports.screens_thread import history_lines

    lines += await history_lines(ctx, report)
    ctx.reply("\n".join(lines))


def _safe(text: str) -> str:
    from bot.i18n import Safe

    return Safe(text)


async def _toggle_block(ctx: Context, report: Report) -> None:
    if not ctx.roles.covers(report.area_id) or report.reporter_member_id is None:
        ctx.toast(ctx._("Only commune officers can block a person from reporting."))
        return
    member_id = report.reporter_member_id
    if await report_limits.is_blocked(ctx.conn, member_id):
        await report_limits.unblock(ctx.conn, member_id)
        await ctx.audit("report.reporter_unblocked", "member", member_id, report=report.id)
        ctx.reply(ctx._("The sender of report #{number} may report again.", number=str(report.id)))
    else:
        await report_limits.block(
            ctx.conn, member_id, ctx.member.id if ctx.member else None, ctx.now
        )
        await ctx.audit("report.reporter_blocked", "member", member_id, report=report.id)
        ctx.reply(
            ctx._(
                "The sender of report #{number} can no longer send reports. Press the same "
                "button again to undo.",
                number=str(report.id),
            )
        )


# Typed input: a note ------------------------------------------------------------------------
async def on_note_input(ctx: Context) -> None:
    report = await repo.get(ctx.conn, NOTE.state(ctx).report_id)
    if report is None or not may_handle(ctx, report):
        ctx.end()
        ctx.reply(ctx._("This report is not in your care."))
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the note as text, or /cancel."))
        return
    note = check_free_text(ctx.event.text, maximum=MAX_NOTE)
    if isinstance(note, TextProblem):
        ctx.reply(problem_text(ctx, note, maximum=MAX_NOTE))
        return
    member = ctx.member
    await repo.add_note(ctx.conn, report, member.id if member else None, note, ctx.now)
    await ctx.audit("report.note", "report", report.id)
    ctx.end()
    await show_card(ctx, report, note=ctx._("Note saved."))


# The reporter's answer after "resolved" ---------------------------------------------------
async def on_feedback(ctx: Context, argument: str) -> None:
    value, _, answer = argument.partition(":")
    report = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    member = ctx.member
    if report is None or member is None or report.reporter_member_id != member.id:
        stale(ctx)
        return
    if report.status != Status.RESOLVED:
        ctx.toast(ctx._("Thank you: this report has changed since then."))
        return
    if answer == FIXED:
        await repo.add_event(ctx.conn, report.id, ctx.now, member.id, None, None, "confirmed")
        await ctx.audit("report.confirmed", "report", report.id)
        ctx.reply(ctx._("Thank you for confirming. Reporting makes our area safer."), edit=True)
        return
    result = await service.reopen(ctx.conn, ctx.config, report, member, ctx.now)
    if not result.changed:
        ctx.toast(ctx._("Thank you: this report has changed since then."))
        return
    if result.queued:
        ctx.outbox_written = True
    ctx.reply(
        ctx._(
            "Thank you. Report {code} is open again and the handler has been told.",
            code=report.code,
        ),
        edit=True,
    )
