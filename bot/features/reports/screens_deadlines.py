"""The deadlines of a commune's reports, set by its officers (from /reportsettings): acknowledge
a report happening now within N minutes, others within N hours, resolve within N days; and
each category's own (screens_category_deadlines). A province officer picks the commune first;
a commune officer changes only their own."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports import screens_category_deadlines as by_category
from bot.features.reports.actions import DEADLINES, Deadline
from bot.features.reports.handling import (
    ACK_CHOICES,
    ACK_NOW_CHOICES,
    RESOLVE_CHOICES,
    Deadlines,
    following,
)
from bot.features.reports.screens_assign import IN_PRIVATE
from bot.shared.pickers import stale
from bot.storage import communes as communes_repo
from bot.storage import report_handling, report_settings


def _may(ctx: Context, commune_id: int) -> bool:
    if ctx.roles.sees_every_commune:
        return True
    return ctx.roles.is_officer and commune_id in (ctx.roles.communes or frozenset())


def button(ctx: Context) -> Option:
    """The /reportsettings button that opens this screen."""
    return Option(ctx.t.plain("⏱ Deadlines of the commune ▸"), action=DEADLINES(Deadline.COMMUNE))


async def _current(ctx: Context, commune_id: int) -> Deadlines:
    stored = await report_handling.deadlines(ctx.conn, commune_id)
    return Deadlines.of(stored, await report_settings.settings(ctx.conn))


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = DEADLINES.read(argument)
    if not ctx.event.chat.is_private:
        ctx.toast(ctx._(IN_PRIVATE))
        return
    if not ctx.roles.is_officer:
        ctx.toast(ctx._("Only commune police officers can change the deadlines of reports."))
        return
    if not value:
        await _pick(ctx)
        return
    head, _, category = value.partition(":")
    commune_id = int(head) if head.isdigit() else 0
    if await communes_repo.get(ctx.conn, commune_id) is None:
        stale(ctx)
        return
    if not _may(ctx, commune_id):
        ctx.toast(ctx._("Only the officers of that commune can change its deadlines."))
        return
    current = await _current(ctx, commune_id)
    if verb in by_category.VERBS:
        await by_category.on_button(ctx, verb, commune_id, category, current)
        return
    if verb == Deadline.COMMUNE:
        await _show(ctx, commune_id, current)
        return
    if verb == Deadline.ACK_NOW:
        changed = Deadlines(
            following(ACK_NOW_CHOICES, current.ack_minutes_now),
            current.ack_minutes,
            current.resolve_days,
        )
    elif verb == Deadline.ACK:
        changed = Deadlines(
            current.ack_minutes_now,
            following(ACK_CHOICES, current.ack_minutes),
            current.resolve_days,
        )
    else:  # Deadline.RESOLVE
        changed = Deadlines(
            current.ack_minutes_now,
            current.ack_minutes,
            following(RESOLVE_CHOICES, current.resolve_days),
        )
    member_id = ctx.member.id if ctx.member else None
    await report_handling.save_deadlines(ctx.conn, commune_id, changed.stored(), member_id, ctx.now)
    await ctx.audit(
        "report.deadlines_changed",
        "commune",
        commune_id,
        ack_minutes_now=changed.ack_minutes_now,
        ack_minutes=changed.ack_minutes,
        resolve_days=changed.resolve_days,
    )
    await _show(ctx, commune_id, changed, note=ctx._("Saved. New reports get these deadlines."))


async def _pick(ctx: Context) -> None:
    communes = [c for c in await communes_repo.list_communes(ctx.conn) if _may(ctx, c.id)]
    if len(communes) == 1:
        commune_id = communes[0].id
        await _show(ctx, commune_id, await _current(ctx, commune_id))
        return
    rows = [[Option(c.name or c.code, action=DEADLINES(Deadline.COMMUNE, c.id))] for c in communes]
    ctx.reply(ctx._("The deadlines of which commune?"), rows, edit=True)


async def _show(ctx: Context, commune_id: int, value: Deadlines, *, note: str = "") -> None:
    commune = await communes_repo.get(ctx.conn, commune_id)
    name = (commune.name if commune else "") or ctx.config.commune_name or "-"
    lines = [note, ""] if note else []
    lines += [
        ctx._("*Deadlines of reports: {commune}*", commune=name),
        ctx._(
            "Happening now: acknowledge within {time}.",
            time=ctx.t.duration(timedelta(minutes=value.ack_minutes_now)),
        ),
        ctx._(
            "Other reports: acknowledge within {time}.",
            time=ctx.t.duration(timedelta(minutes=value.ack_minutes)),
        ),
        ctx._n("Resolve within {count} day.", "Resolve within {count} days.", value.resolve_days),
        ctx._(
            "When a deadline is missed the report goes up: from the person it was given to, to "
            "the commune's officers, then to the province's officers where there are any."
        ),
    ]
    rows = [
        [Option(ctx.t.plain("Happening now ▸"), action=DEADLINES(Deadline.ACK_NOW, commune_id))],
        [Option(ctx.t.plain("Other reports ▸"), action=DEADLINES(Deadline.ACK, commune_id))],
        [Option(ctx.t.plain("Resolve ▸"), action=DEADLINES(Deadline.RESOLVE, commune_id))],
        [by_category.button(ctx, commune_id)],
    ]
    ctx.reply("\n".join(lines), rows, edit=True)
