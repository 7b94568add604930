"""Triage screens: the handler's buttons on a report card, status changes with their reason or
confirmation, reopening, and the reporter's feedback. Who is told and the escalation timer are
use cases in :mod:`bot.features.reports.service`.

The reporter's identity is never in a notification: the assigned handler or an officer asks for
it with a button, and every time it is shown is in the audit log.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option, nfc
from bot.features.reports import service
from bot.features.reports.model import (
    MAX_NOTE,
    Status,
    Target,
    can_move,
    needs_confirmation,
    normalize_code,
    officer_may_reopen,
)
from bot.features.reports.service import area_name
from bot.features.reports.texts import card_options, card_text, category_label, status_label
from bot.i18n import N_
from bot.shared.pickers import problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_free_text, check_words
from bot.storage import members as members_repo
from bot.storage import reports as repo
from bot.storage.reports import Report

NOTE_FLOW = "report_note"
# Setting a final status (the original's number for a duplicate, a reason for the reporter, a
# confirmation showing the report's code) or reopening a closed report (an officer's note).
STATUS_FLOW = "report_status"
IN_WORDS = N_("Please write it in words (not only a number or signs), or /cancel.")


# Handler buttons ----------------------------------------------------------------------------
def may_handle(ctx: Context, report: Report) -> bool:
    if ctx.roles.covers(report.area_id):
        return True
    member = ctx.member
    if member is not None and report.assignee_member_id == member.id:
        return True
    return report.target == Target.LEADERS and report.area_id in ctx.roles.leader_areas


async def _load(ctx: Context, value: str) -> Report | None:
    report = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if report is None or not may_handle(ctx, report):
        ctx.toast(ctx._("This report is not in your care."))
        return None
    return report


async def show_card(ctx: Context, report: Report, *, edit: bool = False, note: str = "") -> None:
    area = await area_name(ctx.conn, report.area_id)
    text = card_text(ctx.t, report, area, reason=await repo.status_reason(ctx.conn, report))
    if note:
        text = note + "\n\n" + text
    ctx.reply(
        text, card_options(ctx.t, report, officer=ctx.roles.covers(report.area_id)), edit=edit
    )


async def on_triage(ctx: Context, argument: str) -> None:
    verb, _, rest = argument.partition(":")
    value, _, extra = rest.partition(":")
    report = await _load(ctx, value)
    if report is None:
        return
    if verb == "view":
        await show_card(ctx, report)
    elif verb == "st":
        await _status_button(ctx, report, extra)
    elif verb == "note":
        ctx.begin(NOTE_FLOW, "note", report_id=report.id)
        ctx.reply(ctx._("Please type your note on report #{number}.", number=str(report.id)))
    elif verb == "who":
        await _show_reporter(ctx, report)
    elif verb == "hist":
        await _history(ctx, report)
    elif verb == "ok":
        await _confirmed(ctx, report)
    elif verb == "no":
        ctx.end()
        await show_card(ctx, report, edit=True, note=ctx._("Nothing was changed."))
    elif verb == "reopen":
        await _ask_reopen(ctx, report)
    elif verb == "block":
        await _toggle_block(ctx, report)
    elif verb == "med":
        from bot.features.reports.screens_mediation import start_from_report

        await start_from_report(ctx, report)
    else:
        stale(ctx)


async def _status_button(ctx: Context, report: Report, value: str) -> None:
    try:
        to_status = Status(value)
    except ValueError:
        stale(ctx)
        return
    if not can_move(report.status, to_status):
        ctx.toast(
            ctx._("This report is already: {status}.", status=status_label(ctx.t, report.status))
        )
        await show_card(ctx, report)
        return
    if not needs_confirmation(to_status):
        await change_status(ctx, report, to_status)
        return
    # A final status: never one tap. The flow remembers the report by its id and the status
    # it was read in; the last step checks both before anything is written.
    first = "number" if to_status == Status.DUPLICATE else "reason"
    ctx.begin(
        STATUS_FLOW,
        first,
        report_id=report.id,
        from_status=report.status.value,
        to_status=to_status.value,
    )
    if to_status == Status.DUPLICATE:
        ctx.reply(
            ctx._(
                "Report {code} repeats which report? Please type that report's code, as "
                "the list shows it (for example ACDE-3479), or its number, or /cancel.",
                code=report.code,
            )
        )
        return
    _ask_reason(ctx, report, to_status)


def _ask_reason(ctx: Context, report: Report, to_status: Status) -> None:
    ctx.reply(
        ctx._(
            "Report {code} ({category}) → *{status}*.\n"
            "Please type the reason. The reporter reads it when following the report, so "
            "write it for them: what was done, or where to turn instead. Or /cancel.",
            code=report.code,
            category=category_label(ctx.t, report.category),
            status=status_label(ctx.t, to_status),
        )
    )


async def _show_confirmation(ctx: Context, report: Report) -> None:
    to_status = Status(str(ctx.data["to_status"]))
    lines = [
        ctx._("*Please confirm*"),
        ctx._(
            "Report {code} · {category}",
            code=report.code,
            category=category_label(ctx.t, report.category),
        ),
        ctx._(
            "Status: {before} → *{after}*",
            before=status_label(ctx.t, report.status),
            after=status_label(ctx.t, to_status),
        ),
    ]
    original = ctx.data.get("duplicate_of")
    if original:
        found = await repo.get(ctx.conn, int(original))
        lines.append(
            ctx._(
                "Duplicate of report #{number} ({code})",
                number=str(original),
                code=found.code if found else "-",
            )
        )
    lines.append(ctx._("Reason for the reporter: {reason}", reason=str(ctx.data["reason"])))
    ctx.reply(
        "\n".join(lines),
        [
            [
                Option(ctx.t.plain("✅ Confirm"), action=f"rt:ok:{report.id}"),
                Option(ctx.t.plain("✖️ Cancel"), action=f"rt:no:{report.id}"),
            ]
        ],
    )


async def _confirmed(ctx: Context, report: Report) -> None:
    data = ctx.data
    if (
        ctx.flow != STATUS_FLOW
        or ctx.step != "confirm"
        or data.get("report_id") != report.id
        or not data.get("reason")
    ):
        stale(ctx)
        return
    ctx.end()
    to_status = Status(str(data["to_status"]))
    if report.status.value != data.get("from_status") or not can_move(report.status, to_status):
        await show_card(ctx, report, note=_changed_meanwhile(ctx, report))
        return
    duplicate_of = data.get("duplicate_of")
    await change_status(
        ctx,
        report,
        to_status,
        duplicate_of=int(duplicate_of) if duplicate_of else None,
        reason=str(data["reason"]),
    )


def _changed_meanwhile(ctx: Context, report: Report) -> str:
    return ctx._(
        "Nothing was changed: this report became “{status}” meanwhile.",
        status=status_label(ctx.t, report.status),
    )


async def change_status(
    ctx: Context,
    report: Report,
    to_status: Status,
    *,
    duplicate_of: int | None = None,
    reason: str | None = None,
) -> None:
    member = ctx.member
    assert member is not None
    result = await service.change_status(
        ctx.conn,
        ctx.config,
        report,
        to_status,
        member,
        ctx.now,
        duplicate_of=duplicate_of,
        reason=reason,
    )
    updated = result.report
    if not result.changed:
        await show_card(ctx, updated, note=_changed_meanwhile(ctx, updated))
        return
    if result.queued:
        ctx.outbox_written = True
    await show_card(
        ctx,
        updated,
        edit=True,
        note=ctx._("Saved: {status}.", status=status_label(ctx.t, to_status)),
    )


# Reopening a closed report --------------------------------------------------------------------
async def _ask_reopen(ctx: Context, report: Report) -> None:
    if not ctx.roles.covers(report.area_id):
        ctx.toast(ctx._("Only commune officers can reopen a closed report."))
        return
    if not officer_may_reopen(report.status):
        ctx.toast(
            ctx._("This report is already: {status}.", status=status_label(ctx.t, report.status))
        )
        return
    ctx.begin(STATUS_FLOW, "reopen", report_id=report.id, from_status=report.status.value)
    ctx.reply(
        ctx._(
            "Reopen report {code} ({status})? Please type a note on why: it stays in the "
            "report's history for the handlers. Or /cancel.",
            code=report.code,
            status=status_label(ctx.t, report.status),
        )
    )


async def _reopen(ctx: Context, report: Report, note: str) -> None:
    member = ctx.member
    assert member is not None
    read_as = ctx.data.get("from_status")
    ctx.end()
    if not ctx.roles.covers(report.area_id):  # no longer an officer since the button was pressed
        ctx.reply(ctx._("Only commune officers can reopen a closed report."))
        return
    if report.status.value != read_as or not officer_may_reopen(report.status):
        await show_card(ctx, report)
        return
    result = await service.reopen(ctx.conn, ctx.config, report, member, ctx.now, note=note)
    if not result.changed:
        await show_card(ctx, report)
        return
    if result.queued:
        ctx.outbox_written = True
    reopened = result.report
    await show_card(ctx, reopened, note=ctx._("Reopened. The note is in the report's history."))


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
        if event.note == "escalated" and event.to_status is None:
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
    ctx.reply("\n".join(lines))


def _safe(text: str) -> str:
    from bot.i18n import Safe

    return Safe(text)


async def _toggle_block(ctx: Context, report: Report) -> None:
    if not ctx.roles.covers(report.area_id) or report.reporter_member_id is None:
        ctx.toast(ctx._("Only commune officers can block a person from reporting."))
        return
    member_id = report.reporter_member_id
    if await repo.is_blocked(ctx.conn, member_id):
        await repo.unblock(ctx.conn, member_id)
        await ctx.audit("report.reporter_unblocked", "member", member_id, report=report.id)
        ctx.reply(ctx._("The sender of report #{number} may report again.", number=str(report.id)))
    else:
        await repo.block(ctx.conn, member_id, ctx.member.id if ctx.member else None, ctx.now)
        await ctx.audit("report.reporter_blocked", "member", member_id, report=report.id)
        ctx.reply(
            ctx._(
                "The sender of report #{number} can no longer send reports. Press the same "
                "button again to undo.",
                number=str(report.id),
            )
        )


# Typed input: notes and duplicates ------------------------------------------------------------
async def on_note_input(ctx: Context) -> None:
    report = await repo.get(ctx.conn, int(ctx.data.get("report_id", 0)))
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


async def on_status_input(ctx: Context) -> None:
    report = await repo.get(ctx.conn, int(ctx.data.get("report_id", 0)))
    if report is None or not may_handle(ctx, report):
        ctx.end()
        ctx.reply(ctx._("This report is not in your care."))
        return
    step = ctx.step
    if report.status.value != ctx.data.get("from_status"):
        # Another handler changed it since the button was pressed: say so now, not after
        # the reason has been typed and confirmed.
        ctx.end()
        await show_card(ctx, report, note=_changed_meanwhile(ctx, report))
        return
    if step == "confirm":
        ctx.reply(ctx._("Please use the buttons above, or /cancel."))
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type it as text, or /cancel."))
        return
    if step == "number":
        await _duplicate_number(ctx, report)
        return
    text = check_words(ctx.event.text, maximum=MAX_NOTE)
    if text is TextProblem.NO_LETTERS:
        # "12" typed here is not a reason the reporter could read, nor a note on a reopening.
        ctx.reply(ctx._(IN_WORDS))
        return
    if isinstance(text, TextProblem):
        ctx.reply(problem_text(ctx, text, maximum=MAX_NOTE))
        return
    if step == "reopen":
        await _reopen(ctx, report, text)
    elif step == "reason":
        ctx.goto("confirm", reason=text)
        await _show_confirmation(ctx, report)
    else:
        ctx.end()
        stale_reply(ctx)


async def _typed_report(ctx: Context, typed: str) -> Report | None:
    """The report a handler names by its code (as the list and the card show it, in any case,
    with or without the dash) or by its number (``12`` or ``#12``)."""
    cleaned = nfc(typed).strip()
    number = cleaned.lstrip("#").strip()
    if number.isdigit():
        return await repo.get(ctx.conn, int(number))
    found = await repo.by_code(ctx.conn, cleaned.upper())
    if found is None and (code := normalize_code(cleaned)) is not None:
        found = await repo.by_code(ctx.conn, code)
    return found


async def _duplicate_number(ctx: Context, report: Report) -> None:
    original = await _typed_report(ctx, ctx.event.text)
    if original is None or original.id == report.id or not may_handle(ctx, original):
        ctx.reply(
            ctx._(
                "Please type the code (for example ACDE-3479) or the number of another "
                "report in your care, or /cancel."
            )
        )
        return
    ctx.goto("reason", duplicate_of=original.id)
    _ask_reason(ctx, report, Status.DUPLICATE)


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
    if answer == "fixed":
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
