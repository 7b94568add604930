"""The thread between a report's handler and its reporter: "Write to the reporter" on the
card, the reporter's "Reply" under a relayed message or under /track, the typed messages
(text, a photo, a voice message), and the thread as the history and /track show it.

An anonymous reporter's side never names the report by its number: their buttons and their
conversation keep a sealed reference (``reach.ref_of``).
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.reports import outcome, reach, thread
from bot.features.reports.actions import ANSWER, THREAD, Answer, Thread
from bot.features.reports.screens_card import may_handle, show_card
from bot.features.reports.states import (
    HANDLER_WRITES,
    REPORTER_WRITES,
    HandlerWrites,
    ReporterWrites,
    WriteStep,
)
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import menus as menus_repo
from bot.storage import report_threads
from bot.storage import reports as repo
from bot.storage.report_threads import REPORTER
from bot.storage.reports import Report

SHOWN_ON_TRACK = 5  # the last messages of the thread /track shows


# The handler's side -----------------------------------------------------------------------------
async def on_thread(ctx: Context, argument: str) -> None:
    verb, rest = THREAD.read(argument)
    value, _, extra = rest.partition(":")
    report = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if report is None or not may_handle(ctx, report):
        ctx.toast(ctx._("This report is not in your care."))
        return
    if verb == Thread.WRITE:
        await _ask_handler(ctx, report)
        return
    from bot.features.reports.screens_duplicates import on_merge

    await on_merge(ctx, verb, report, extra)


async def _ask_handler(ctx: Context, report: Report) -> None:
    if not await thread.reachable(ctx.conn, ctx.config, report):
        ctx.toast(ctx._("The reporter of this report can no longer be reached."))
        return
    HANDLER_WRITES.begin(ctx, WriteStep.MESSAGE, HandlerWrites(report_id=report.id))
    ctx.reply(
        ctx._(
            "Please type your message to the reporter of report #{number} ({code}), or send a "
            "photo or a voice message. Or /cancel.\nThe reporter sees it as from the handler, "
            "without your name; it is kept in the report's history.",
            number=str(report.id),
            code=report.code,
        )
    )


def _typed(ctx: Context) -> tuple[str, list[thread.Media]] | str:
    """The message typed or sent (text, a photo with its caption, a voice message), or what
    to answer when it is not one."""
    event = ctx.event
    media: list[thread.Media] = []
    if event.kind == EventKind.PHOTO and event.file_ids:
        media = [thread.Media("photo", event.file_ids[-1])]
    elif event.kind == EventKind.VOICE and event.file_ids:
        media = [thread.Media("voice", event.file_ids[0])]
    elif event.kind != EventKind.TEXT:
        return ctx._("Please send text, a photo or a voice message, or /cancel.")
    text = ""
    if event.text.strip() or not media:
        checked = check_free_text(event.text, maximum=thread.MAX_MESSAGE)
        if isinstance(checked, TextProblem):
            return problem_text(ctx, checked, maximum=thread.MAX_MESSAGE)
        text = checked
    return text, media


async def on_handler_input(ctx: Context) -> None:
    report = await repo.get(ctx.conn, HANDLER_WRITES.state(ctx).report_id)
    member = ctx.member
    if report is None or member is None or not may_handle(ctx, report):
        ctx.end()
        ctx.reply(ctx._("This report is not in your care."))
        return
    typed = _typed(ctx)
    if isinstance(typed, str):
        ctx.reply(typed)
        return
    text, media = typed
    ctx.end()
    queued = await thread.handler_writes(ctx.conn, ctx.config, report, member, text, media, ctx.now)
    if not queued:
        await show_card(
            ctx,
            report,
            note=ctx._("Kept in the history, but the reporter can no longer be reached."),
        )
        return
    ctx.outbox_written = True
    await show_card(ctx, report, note=ctx._("Sent to the reporter. Their answer will come here."))


# The reporter's side ----------------------------------------------------------------------------
async def own_report(ctx: Context, ref: str) -> Report | None:
    """The report a reporter's button names, when this person may act on it as its reporter:
    a named report only for the member who sent it; an anonymous one for whoever holds the
    button (sent only to its reporter's chat) or its code."""
    report_id = reach.report_id_of(ctx.config, ref)
    report = await repo.get(ctx.conn, report_id) if report_id is not None else None
    if report is None:
        stale(ctx)
        return None
    member = ctx.member
    if not report.anonymous and (member is None or report.reporter_member_id != member.id):
        ctx.toast(ctx._("Only the person who sent this report can answer for it."))
        return None
    return report


async def on_answer(ctx: Context, argument: str) -> None:
    verb, ref = ANSWER.read(argument)
    if not ctx.event.chat.is_private:
        ctx.toast(ctx._("Please answer about a report in your private chat with me."))
        return
    if verb == Answer.WRITE:
        report = await own_report(ctx, ref)
        if report is None:
            return
        REPORTER_WRITES.begin(ctx, WriteStep.MESSAGE, ReporterWrites(ref=ref))
        ctx.reply(
            ctx._(
                "Please type your message to the handler of report {code}, or send a photo or "
                "a voice message. Or /cancel.",
                code=report.code,
            )
        )
        return
    from bot.features.reports.screens_outcome import on_outcome

    await on_outcome(ctx, verb, ref)


async def on_reporter_input(ctx: Context) -> None:
    ref = REPORTER_WRITES.state(ctx).ref
    report = await own_report(ctx, ref)
    if report is None:
        ctx.end()
        return
    typed = _typed(ctx)
    if isinstance(typed, str):
        ctx.reply(typed)
        return
    text, media = typed
    await end_quietly(ctx)
    queued = await thread.reporter_writes(ctx.conn, ctx.config, report, text, media, ctx.now)
    if queued:
        ctx.outbox_written = True
    ctx.reply(
        ctx._(
            "Thank you. Your message was passed to the handler of report {code}; their "
            "answer will come here. To write again, press Reply under their message or send "
            "/track {code}.",
            code=report.code,
        )
    )


async def end_quietly(ctx: Context) -> None:
    """End the reporter's flow and delete its menus, so their chat keeps no trace of it."""
    user = ctx.event.user
    ctx.end()
    if user is not None:
        await menus_repo.drop_for_flow(
            ctx.conn, ctx.event.platform, ctx.event.chat.id, user.id, ANSWER.prefix + ":"
        )


# The thread as the history and /track show it ---------------------------------------------------
async def history_lines(ctx: Context, report: Report) -> list[str]:
    """The thread for the handlers: who wrote as a role, never the reporter's name."""
    messages = await report_threads.messages(ctx.conn, report.id)
    if not messages:
        return []
    lines = ["", ctx._("*Messages with the reporter*")]
    for message in messages:
        lines.append(_line(ctx, message, for_handlers=True))
    return lines


async def track_lines(ctx: Context, report: Report) -> list[str]:
    """The last messages of the thread, for /track."""
    messages = (await report_threads.messages(ctx.conn, report.id))[-SHOWN_ON_TRACK:]
    if not messages:
        return []
    return ["", ctx._("*Messages*")] + [_line(ctx, m, for_handlers=False) for m in messages]


def _line(ctx: Context, message: report_threads.ThreadMessage, *, for_handlers: bool) -> str:
    if message.author == REPORTER:
        who = ctx.t.plain("the reporter") if for_handlers else ctx.t.plain("you")
    else:
        who = ctx.t.plain("the handler")
    kinds = {m.get("kind") for m in message.media}
    extra = ""
    if "photo" in kinds:
        extra += " 📷"
    if "voice" in kinds:
        extra += " 🎤"
    return ctx._(
        "• {when} · {who}: {text}{extra}", when=message.at, who=who, text=message.text, extra=extra
    )


def track_options(ctx: Context, report: Report, followed: Report) -> list[list[Option]]:
    """Under /track: write to the handler (the report's code is the key to its thread), and
    when the report it follows is closed with an outcome, rate it or reopen it (the buttons
    under the outcome may be gone: a Zalo chat keeps them in memory only)."""
    member = ctx.member
    if not report.anonymous and (member is None or report.reporter_member_id != member.id):
        return []
    ref = reach.ref_of(ctx.config, report)
    rows = [[Option(ctx.t.plain("✍️ Write to the handler"), action=ANSWER(Answer.WRITE, ref))]]
    if followed.status in outcome.RATABLE:
        rows += outcome.outcome_options(ctx.t, ctx.config, report)
    return rows
