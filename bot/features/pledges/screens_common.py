"""Small pieces the pledge handlers share: today's campaign, labels, the coverage line."""

from __future__ import annotations

from datetime import date

import aiosqlite

from bot.core.context import Context
from bot.features.pledges.model import (
    AUDIENCE_LABELS,
    Coverage,
    Window,
    current_window,
    latest_window,
    progress_bar,
)
from bot.features.pledges.model import next_window as _next_window
from bot.i18n import Translator
from bot.storage import pledges as repo
from bot.storage.areas import Area

FLOW = "pledge"  # a resident signing, or withdrawing, the household's pledge


def today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.tz).date()


def _windows(campaigns: list[repo.Campaign]) -> list[Window]:
    return [Window(c.id, c.title, c.starts_on, c.ends_on) for c in campaigns]


async def _pick(conn: aiosqlite.Connection, window: Window | None) -> repo.Campaign | None:
    return await repo.campaign(conn, window.id) if window else None


async def open_campaign(ctx: Context) -> repo.Campaign | None:
    """The campaign open today, if any."""
    return await _pick(
        ctx.conn, current_window(_windows(await repo.campaigns(ctx.conn)), today(ctx))
    )


async def next_campaign(ctx: Context) -> repo.Campaign | None:
    return await _pick(ctx.conn, _next_window(_windows(await repo.campaigns(ctx.conn)), today(ctx)))


async def latest_campaign(ctx: Context) -> repo.Campaign | None:
    """The campaign open today, else the last one that started (for coverage and the board)."""
    return await _pick(
        ctx.conn, latest_window(_windows(await repo.campaigns(ctx.conn)), today(ctx))
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
