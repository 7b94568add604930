"""/track (/theodoi): anyone follows a report by its tracking code, the only way to follow an
anonymous one. Shows the category, dates, status and the reason written for the reporter
(internal notes never)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind
from bot.core.flows import NoState
from bot.features.reports.model import normalize_code
from bot.features.reports.outcome import followed
from bot.features.reports.screens_assign import track_lines as handling_lines
from bot.features.reports.screens_thread import track_lines, track_options
from bot.features.reports.states import TRACK, TrackStep
from bot.features.reports.texts import category_label, status_label
from bot.storage import reports as repo


async def track(ctx: Context) -> None:
    if ctx.event.args.strip():
        await _track(ctx, ctx.event.args)
        return
    TRACK.begin(ctx, TrackStep.CODE, NoState())
    ctx.reply(ctx._("Please type the tracking code of the report (for example ACDE-3479)."))


async def on_input(ctx: Context) -> None:
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the tracking code as text, or /cancel."))
        return
    ctx.end()
    await _track(ctx, ctx.event.text)


async def _track(ctx: Context, typed: str) -> None:
    code = normalize_code(typed)
    found = await repo.by_code(ctx.conn, code) if code else None
    if found is None:
        ctx.reply(
            ctx._(
                "I found no report with this code. Please check it and type it again, "
                "for example /track ACDE-3479."
            )
        )
        return
    own, found = found, await followed(ctx.conn, found)
    merged = ""
    if found.id != own.id:  # merged: its reporter follows the original's progress
        merged = (
            ctx._(
                "Your report {code} was merged into report {original}, about the same matter. "
                "Its progress:",
                code=own.code,
                original=found.code,
            )
            + "\n"
        )
    text = (
        merged
        + ctx._(
            "*Report {code}*\nCategory: {category}\nSent: {sent}\nStatus: {status}\n"
            "Last change: {changed}",
            code=found.code,
            category=category_label(ctx.t, found.category),
            sent=found.created_at,
            status=status_label(ctx.t, found.status),
            changed=found.updated_at,
        )
        + _reason_line(ctx, await repo.status_reason(ctx.conn, found))
        + await handling_lines(ctx, found)  # an officer has it, or where it went
    )
    lines = await track_lines(ctx, own)
    ctx.reply("\n".join([text, *lines]), track_options(ctx, own, found))


def _reason_line(ctx: Context, reason: str | None) -> str:
    """The reason written for the reporter with the current status (internal notes never)."""
    return "\n" + ctx._("Reason: {reason}", reason=reason) if reason else ""
