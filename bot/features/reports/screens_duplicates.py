"""Merging a report into the one it repeats: the candidate's button on the card, then a
confirmation (one tap and a confirmation, never one tap). The rule and the use case are in
:mod:`bot.features.reports.duplicates`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports import duplicates
from bot.features.reports.actions import THREAD, Thread
from bot.features.reports.screens_card import may_handle, show_card
from bot.shared.pickers import stale
from bot.storage import reports as repo
from bot.storage.reports import Report


async def on_merge(ctx: Context, verb: str, report: Report, extra: str) -> None:
    if verb == Thread.MERGE_NO:
        await show_card(ctx, report, edit=True, note=ctx._("Nothing was changed."))
        return
    original = await repo.get(ctx.conn, int(extra)) if extra.isdigit() else None
    if original is None or original.id == report.id:
        stale(ctx)
        return
    if not may_handle(ctx, original):
        ctx.toast(ctx._("This report is not in your care."))
        return
    if verb == Thread.MERGE:
        _confirm(ctx, report, original)
        return
    member = ctx.member
    assert member is not None
    if not await duplicates.merge(ctx.conn, ctx.config, report, original, member, ctx.now):
        await show_card(
            ctx,
            report,
            note=ctx._("Nothing was changed: one of the two reports is no longer open."),
        )
        return
    ctx.outbox_written = True
    merged = await repo.get(ctx.conn, report.id)
    assert merged is not None
    await show_card(
        ctx,
        merged,
        edit=True,
        note=ctx._(
            "Merged into report #{number} ({code}). Its reporter now follows that report.",
            number=str(original.id),
            code=original.code,
        ),
    )


def _confirm(ctx: Context, report: Report, original: Report) -> None:
    ctx.reply(
        ctx._(
            "*Merge report #{number} ({code}) into report #{original} ({original_code})?*\n"
            "It becomes a duplicate; its reporter is told and then gets the updates and the "
            "outcome of report #{original}.",
            number=str(report.id),
            code=report.code,
            original=str(original.id),
            original_code=original.code,
        ),
        [
            [
                Option(
                    ctx.t.plain("✅ Merge"), action=THREAD(Thread.MERGE_OK, report.id, original.id)
                ),
                Option(ctx.t.plain("✖️ Keep both"), action=THREAD(Thread.MERGE_NO, report.id)),
            ]
        ],
    )
