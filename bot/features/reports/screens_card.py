"""A report's card as its handlers see it, and who may handle a report: shared by the triage
buttons and the status changes."""

from __future__ import annotations

from bot.core.context import Context
from bot.features.reports.card_extras import extras_of
from bot.features.reports.model import Target
from bot.features.reports.screens_assign import card_lines
from bot.features.reports.service import area_name
from bot.features.reports.texts import card_options, card_text
from bot.storage import reports as repo
from bot.storage.reports import Report


def may_handle(ctx: Context, report: Report) -> bool:
    if ctx.roles.covers(report.area_id):
        return True
    member = ctx.member
    if member is not None and report.assignee_member_id == member.id:
        return True
    return report.target == Target.LEADERS and report.area_id in ctx.roles.leader_areas


async def show_card(ctx: Context, report: Report, *, edit: bool = False, note: str = "") -> None:
    area = await area_name(ctx.conn, report.area_id)
    text = card_text(ctx.t, report, area, reason=await repo.status_reason(ctx.conn, report))
    text += "".join("\n" + line for line in await card_lines(ctx, report))  # who has it, when
    if note:
        text = note + "\n\n" + text
    options = card_options(ctx.t, report, officer=ctx.roles.covers(report.area_id))
    ctx.reply(*(await extras_of(ctx.conn, report)).add_to(ctx.t, text, options), edit=edit)
