"""Small pieces the pledge screens share: today's campaign, labels, the items of a pledge with
their tick boxes, the coverage line."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Option
from bot.features.pledges.actions import PLEDGE, Plg
from bot.features.pledges.model import (
    AUDIENCE_LABELS,
    Coverage,
    Window,
    current_window,
    latest_window,
    progress_bar,
)
from bot.features.pledges.model import next_window as _next_window
from bot.i18n import Translator, escape
from bot.storage import pledge_campaigns
from bot.storage.areas import Area
from bot.storage.db import Connection
from bot.storage.pledge_campaigns import Campaign
from bot.storage.pledge_items import Item


def today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.tz).date()


def _windows(campaigns: list[Campaign]) -> list[Window]:
    return [Window(c.id, c.title, c.starts_on, c.ends_on) for c in campaigns]


async def _pick(conn: Connection, window: Window | None) -> Campaign | None:
    return await pledge_campaigns.campaign(conn, window.id) if window else None


async def open_campaign(ctx: Context) -> Campaign | None:
    """The campaign open today, if any."""
    return await _pick(
        ctx.conn, current_window(_windows(await pledge_campaigns.campaigns(ctx.conn)), today(ctx))
    )


async def next_campaign(ctx: Context) -> Campaign | None:
    return await _pick(
        ctx.conn, _next_window(_windows(await pledge_campaigns.campaigns(ctx.conn)), today(ctx))
    )


async def latest_campaign(ctx: Context) -> Campaign | None:
    """The campaign open today, else the last one that started (for coverage and the board)."""
    return await _pick(
        ctx.conn, latest_window(_windows(await pledge_campaigns.campaigns(ctx.conn)), today(ctx))
    )


def audience_label(t: Translator, audience: str) -> str:
    return t._(AUDIENCE_LABELS.get(audience, audience))


def coverage_line(t: Translator, area: Area, signed: int) -> str:
    """``Thôn Đông: 45/120 households (37,5%) ▓▓▓▓░░░░░░``"""
    coverage = Coverage(signed, area.households)
    if coverage.fraction is None:
        return t._(
            "{area}: {signed} households signed (total number of households not set)",
            area=area.name,
            signed=signed,
        )
    return t._(
        "{area}: {signed}/{total} households ({percent}) {bar}",
        area=area.name,
        signed=signed,
        total=area.households or 0,
        percent=t.percent(coverage.fraction),
        bar=progress_bar(coverage.fraction),
    )


def items_text(
    ctx: Context, title: str, audience: str, items: list[Item], left_out: list[int]
) -> str:
    lines = [
        ctx._(
            "*{title}* · {audience}\nWe pledge to:",
            title=title,
            audience=audience_label(ctx.t, audience),
        )
    ]
    for number, item in enumerate(items, 1):
        mark = "⬜" if item.id in left_out else "✅"
        lines.append(f"{mark} {number}. {escape(item.text(ctx.t.language))}")
    lines.append(
        "\n"
        + ctx._(
            "Every item is ticked. To leave an item out, press its number (press again to "
            "take it back). Then press Continue."
        )
    )
    return "\n".join(lines)


def items_options(ctx: Context, items: list[Item], left_out: list[int]) -> list[list[Option]]:
    buttons = [
        Option(f"{'⬜' if item.id in left_out else '✅'} {n}", action=PLEDGE(Plg.TOGGLE, item.id))
        for n, item in enumerate(items, 1)
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    rows.append(
        [
            Option(ctx._("➡️ Continue"), action=PLEDGE(Plg.ITEMS)),
            Option(ctx._("Cancel"), action=PLEDGE(Plg.CANCEL)),
        ]
    )
    return rows
