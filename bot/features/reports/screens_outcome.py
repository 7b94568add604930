"""The reporter's answer to an outcome: satisfied, not satisfied (with a reason picked or
typed), or reopening the report once within the set time. The rules and use cases are in
:mod:`bot.features.reports.outcome`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.reports import outcome
from bot.features.reports.actions import ANSWER, Answer
from bot.features.reports.outcome import REASONS, Reopen
from bot.features.reports.screens_thread import end_quietly, own_report
from bot.features.reports.states import RATING_REASON, ReasonStep, ReporterWrites
from bot.features.reports.texts import status_label
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_words
from bot.storage import report_feedback
from bot.storage.reports import Report

MAX_REASON = 500


async def on_outcome(ctx: Context, verb: str, ref: str) -> None:
    value, _, extra = ref.partition(":")
    own = await own_report(ctx, value)
    if own is None:
        return
    if verb == Answer.REOPEN:
        await _reopen(ctx, own)
    elif verb == Answer.GOOD:
        await _rate(ctx, own, satisfied=True)
    elif verb == Answer.BAD:
        await _rate(ctx, own, satisfied=False)
    elif verb == Answer.WHY:
        await _picked_reason(ctx, own, extra)
    elif verb == Answer.WHY_TYPED:
        RATING_REASON.begin(ctx, ReasonStep.REASON, ReporterWrites(ref=value))
        ctx.reply(ctx._("Please type in a few words what was not right, or /cancel."))
    else:
        stale(ctx)


def _changed(ctx: Context, report: Report) -> None:
    ctx.toast(
        ctx._(
            "This report has changed since then: it is now “{status}”. See /track {code}.",
            status=status_label(ctx.t, report.status),
            code=report.code,
        )
    )


async def _rate(ctx: Context, own: Report, *, satisfied: bool) -> None:
    if not await outcome.rate(ctx.conn, own, satisfied, None, ctx.now):
        _changed(ctx, await outcome.followed(ctx.conn, own))
        return
    if satisfied:
        await end_quietly(ctx)
        ctx.reply(ctx._("Thank you for your answer. Reporting makes our area safer."), edit=True)
        return
    ref = ctx.config.sealer.seal(str(own.id))
    rows = [
        [Option(ctx.t.plain(label), action=ANSWER(Answer.WHY, ref, key))]
        for key, label in REASONS.items()
    ]
    rows.append([Option(ctx.t.plain("✍️ Type the reason"), action=ANSWER(Answer.WHY_TYPED, ref))])
    rows.append([Option(ctx.t.plain("🔄 Not fixed: reopen"), action=ANSWER(Answer.REOPEN, ref))])
    ctx.reply(
        ctx._("Thank you. What was not right? Your answer helps the commune police do better."),
        rows,
        edit=True,
    )


async def _picked_reason(ctx: Context, own: Report, key: str) -> None:
    if key not in REASONS:
        stale(ctx)
        return
    await _keep_reason(ctx, own, key)


async def _keep_reason(ctx: Context, own: Report, reason: str) -> None:
    if not await report_feedback.set_reason(ctx.conn, own.id, reason):
        stale(ctx)
        return
    await end_quietly(ctx)
    ctx.reply(ctx._("Thank you: your reason was passed on to the commune police."), edit=True)


async def on_reason_input(ctx: Context) -> None:
    ref = RATING_REASON.state(ctx).ref
    own = await own_report(ctx, ref)
    if own is None:
        ctx.end()
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the reason as text, or /cancel."))
        return
    text = check_words(ctx.event.text, maximum=MAX_REASON)
    if isinstance(text, TextProblem):
        ctx.reply(problem_text(ctx, text, maximum=MAX_REASON))
        return
    await _keep_reason(ctx, own, text)


async def _reopen(ctx: Context, own: Report) -> None:
    result, report = await outcome.reopen_by_reporter(
        ctx.conn, ctx.config, own, ctx.member, ctx.now
    )
    if result == Reopen.ONCE:
        ctx.reply(
            ctx._(
                "Report {code} was already reopened once, so it cannot be reopened again. If "
                "the problem is still there, please send a new report with /report.",
                code=report.code,
            )
        )
        return
    if result == Reopen.LATE:
        ctx.reply(
            ctx._(
                "The time to reopen report {code} ({days} days after it was closed) has "
                "passed. If the problem is still there, please send a new report with /report.",
                code=report.code,
                days=ctx.config.reopen_days,
            )
        )
        return
    if result == Reopen.NOT_CLOSED:
        _changed(ctx, report)
        return
    ctx.outbox_written = True
    await end_quietly(ctx)
    ctx.reply(
        ctx._(
            "Report {code} is open again and its handler has been told. You can reopen it only "
            "this once.",
            code=report.code,
        ),
        edit=True,
    )
