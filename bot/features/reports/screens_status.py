"""Changing a report's status from its card: a final status is never one tap (the original's
code for a duplicate, a reason written for the reporter, then a confirmation showing the
report's code), and an officer reopens a closed report with a note. The steps and what they
keep are :data:`bot.features.reports.states.STATUS`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option, nfc
from bot.features.reports import service
from bot.features.reports.actions import TRIAGE, Triage
from bot.features.reports.model import (
    MAX_NOTE,
    Status,
    can_move,
    needs_confirmation,
    normalize_code,
    officer_may_reopen,
)
from bot.features.reports.screens_card import may_handle, show_card
from bot.features.reports.states import STATUS, StatusChange, StatusStep
from bot.features.reports.texts import category_label, status_label
from bot.i18n import N_
from bot.shared.pickers import problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_words
from bot.storage import reports as repo
from bot.storage.reports import Report

IN_WORDS = N_("Please write it in words (not only a number or signs), or /cancel.")


async def status_button(ctx: Context, report: Report, value: str) -> None:
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
    first = StatusStep.NUMBER if to_status == Status.DUPLICATE else StatusStep.REASON
    STATUS.begin(
        ctx,
        first,
        StatusChange(report_id=report.id, from_status=report.status, to_status=to_status),
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


async def _show_confirmation(
    ctx: Context, report: Report, change: StatusChange, to_status: Status
) -> None:
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
    original = change.duplicate_of
    if original:
        found = await repo.get(ctx.conn, original)
        lines.append(
            ctx._(
                "Duplicate of report #{number} ({code})",
                number=str(original),
                code=found.code if found else "-",
            )
        )
    lines.append(ctx._("Reason for the reporter: {reason}", reason=change.reason or ""))
    ctx.reply(
        "\n".join(lines),
        [
            [
                Option(ctx.t.plain("✅ Confirm"), action=TRIAGE(Triage.CONFIRM, report.id)),
                Option(ctx.t.plain("✖️ Cancel"), action=TRIAGE(Triage.CANCEL, report.id)),
            ]
        ],
    )


async def confirmed(ctx: Context, report: Report) -> None:
    if not STATUS.is_open(ctx, StatusStep.CONFIRM):
        stale(ctx)
        return
    change = STATUS.state(ctx)
    to_status = change.to_status
    if change.report_id != report.id or not change.reason or to_status is None:
        stale(ctx)
        return
    ctx.end()
    if report.status != change.from_status or not can_move(report.status, to_status):
        await show_card(ctx, report, note=_changed_meanwhile(ctx, report))
        return
    await change_status(
        ctx, report, to_status, duplicate_of=change.duplicate_of or None, reason=change.reason
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
async def ask_reopen(ctx: Context, report: Report) -> None:
    if not ctx.roles.covers(report.area_id):
        ctx.toast(ctx._("Only commune officers can reopen a closed report."))
        return
    if not officer_may_reopen(report.status):
        ctx.toast(
            ctx._("This report is already: {status}.", status=status_label(ctx.t, report.status))
        )
        return
    STATUS.begin(
        ctx, StatusStep.REOPEN, StatusChange(report_id=report.id, from_status=report.status)
    )
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
    read_as = STATUS.state(ctx).from_status
    ctx.end()
    if not ctx.roles.covers(report.area_id):  # no longer an officer since the button was pressed
        ctx.reply(ctx._("Only commune officers can reopen a closed report."))
        return
    if report.status != read_as or not officer_may_reopen(report.status):
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


async def on_status_input(ctx: Context) -> None:
    step, change = STATUS.step(ctx), STATUS.state(ctx)
    report = await repo.get(ctx.conn, change.report_id)
    if report is None or not may_handle(ctx, report):
        ctx.end()
        ctx.reply(ctx._("This report is not in your care."))
        return
    if report.status != change.from_status:
        # Another handler changed it since the button was pressed: say so now, not after
        # the reason has been typed and confirmed.
        ctx.end()
        await show_card(ctx, report, note=_changed_meanwhile(ctx, report))
        return
    if step == StatusStep.CONFIRM:
        ctx.reply(ctx._("Please use the buttons above, or /cancel."))
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type it as text, or /cancel."))
        return
    if step == StatusStep.NUMBER:
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
    if step == StatusStep.REOPEN:
        await _reopen(ctx, report, text)
    elif change.to_status is not None:  # StatusStep.REASON
        change.reason = text
        ctx.goto(StatusStep.CONFIRM)
        await _show_confirmation(ctx, report, change, change.to_status)
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
    STATUS.state(ctx).duplicate_of = original.id
    ctx.goto(StatusStep.REASON)
    _ask_reason(ctx, report, Status.DUPLICATE)
