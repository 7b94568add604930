"""The deadlines of a commune's reports by category (from /reportsettings → the commune's
deadlines → by category): each category's own acknowledgement and resolution deadlines over
the commune's general ones, changed by its officers or reset to the general ones. The checks of
who may are those of the general deadlines (bot.features.reports.screens_deadlines)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.events import Option
from bot.features.reports.actions import DEADLINES, Deadline
from bot.features.reports.handling import (
    CATEGORY_ACK_CHOICES,
    CATEGORY_RESOLVE_CHOICES,
    Deadlines,
    category_deadline,
    following,
)
from bot.features.reports.model import CATEGORIES, CATEGORY_BY_KEY, Category
from bot.shared.pickers import stale
from bot.storage import category_deadlines
from bot.storage.category_deadlines import CategoryDeadline

VERBS = frozenset(
    (
        Deadline.CATEGORIES,
        Deadline.CATEGORY,
        Deadline.CAT_ACK,
        Deadline.CAT_RESOLVE,
        Deadline.CAT_RESET,
    )
)


def button(ctx: Context, commune_id: int) -> Option:
    """The button of the commune's deadlines screen that opens the list of categories."""
    return Option(
        ctx.t.plain("Deadlines by category ▸"), action=DEADLINES(Deadline.CATEGORIES, commune_id)
    )


async def on_button(
    ctx: Context, verb: Deadline, commune_id: int, category: str, general: Deadlines
) -> None:
    """A button of these screens, from an officer allowed to change the commune's deadlines."""
    stored = await category_deadlines.of_commune(ctx.conn, commune_id)
    if verb == Deadline.CATEGORIES:
        _list(ctx, commune_id, general, stored)
        return
    found = CATEGORY_BY_KEY.get(category)
    if found is None:
        stale(ctx)
        return
    own = category_deadline(category, stored)
    if verb == Deadline.CATEGORY:
        _show(ctx, commune_id, found, general, own)
        return
    current = general.for_category(own)
    if verb == Deadline.CAT_ACK:
        changed = CategoryDeadline(
            following(CATEGORY_ACK_CHOICES, current.ack_minutes), own.resolve_days
        )
    elif verb == Deadline.CAT_RESOLVE:
        changed = CategoryDeadline(
            own.ack_minutes, following(CATEGORY_RESOLVE_CHOICES, current.resolve_days)
        )
    else:  # Deadline.CAT_RESET: the commune's general deadlines
        changed = CategoryDeadline()
    member_id = ctx.member.id if ctx.member else None
    await category_deadlines.save(ctx.conn, commune_id, category, changed, member_id, ctx.now)
    await ctx.audit(
        "report.category_deadlines_changed",
        "commune",
        commune_id,
        category=category,
        ack_minutes=changed.ack_minutes,
        resolve_days=changed.resolve_days,
    )
    note = ctx._("Saved. New reports of this category get these deadlines.")
    _show(ctx, commune_id, found, general, changed, note=note)


def _summary(ctx: Context, value: Deadlines) -> str:
    return ctx._n(
        "acknowledge within {time} (happening now: {now}), resolve within {count} day",
        "acknowledge within {time} (happening now: {now}), resolve within {count} days",
        value.resolve_days,
        time=ctx.t.duration(timedelta(minutes=value.ack_minutes)),
        now=ctx.t.duration(timedelta(minutes=value.ack_minutes_now)),
    )


def _list(
    ctx: Context, commune_id: int, general: Deadlines, stored: dict[str, CategoryDeadline]
) -> None:
    lines = [ctx._("*Deadlines by category*"), ""]
    rows = []
    for category in CATEGORIES:
        own = category_deadline(category.key, stored)
        value = general.for_category(own)
        mark = "" if own == CategoryDeadline() else " ✱"
        lines.append(f"{category.icon} {ctx._(category.label)}{mark}: {_summary(ctx, value)}")
        label = f"{category.icon} {ctx._(category.label)}"
        rows.append([Option(label, action=DEADLINES(Deadline.CATEGORY, commune_id, category.key))])
    lines += [
        "",
        ctx._("✱ Its own deadlines; the others have the commune's general deadlines."),
        ctx._("Pick a category to change its deadlines."),
    ]
    rows.append([Option(ctx.t.plain("◂ Back"), action=DEADLINES(Deadline.COMMUNE, commune_id))])
    ctx.reply("\n".join(lines), rows, edit=True)


def _show(
    ctx: Context,
    commune_id: int,
    category: Category,
    general: Deadlines,
    own: CategoryDeadline,
    *,
    note: str = "",
) -> None:
    value = general.for_category(own)
    general_word = ctx._("the commune's general deadline")
    own_word = ctx._("this category's own")
    lines = [note, ""] if note else []
    lines += [
        f"*{category.icon} {ctx._(category.label)}*",
        ctx._(
            "Acknowledge within {time} ({source}); happening now: within {now}.",
            time=ctx.t.duration(timedelta(minutes=value.ack_minutes)),
            source=general_word if own.ack_minutes is None else own_word,
            now=ctx.t.duration(timedelta(minutes=value.ack_minutes_now)),
        ),
        ctx._n(
            "Resolve within {count} day ({source}).",
            "Resolve within {count} days ({source}).",
            value.resolve_days,
            source=general_word if own.resolve_days is None else own_word,
        ),
        ctx._(
            "A report happening now keeps the commune's faster acknowledgement, unless this "
            "category's own is shorter."
        ),
    ]
    key = (commune_id, category.key)
    rows = [
        [Option(ctx.t.plain("Acknowledge ▸"), action=DEADLINES(Deadline.CAT_ACK, *key))],
        [Option(ctx.t.plain("Resolve ▸"), action=DEADLINES(Deadline.CAT_RESOLVE, *key))],
        [
            Option(
                ctx.t.plain("Reset to the commune's deadlines"),
                action=DEADLINES(Deadline.CAT_RESET, *key),
            )
        ],
        [
            Option(
                ctx.t.plain("◂ All categories"), action=DEADLINES(Deadline.CATEGORIES, commune_id)
            )
        ],
    ]
    ctx.reply("\n".join(lines), rows, edit=True)
