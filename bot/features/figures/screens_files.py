"""Officers' downloads under a /stats answer: the XLSX workbook, the CSVs (one ZIP) and the
draft summary report (DOCX), for the scope and period of that answer."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Attachment, Option, Reply
from bot.core.permissions import OFFICERS
from bot.core.registry import Action
from bot.features.figures.actions import FILES, Download
from bot.features.figures.documents import File, csv_zip, summary_file, workbook_file
from bot.shared.periods import Period
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo


def download_buttons(ctx: Context, scope: str, period: Period) -> list[list[Option]]:
    """The download buttons for officers (none for anyone else); ``scope``: ``0`` every area,
    ``12`` an area, ``c3`` a commune."""
    if not ctx.roles.is_officer:
        return []
    span = (scope, period.start.isoformat(), period.end.isoformat())
    return [
        [
            Option(ctx.t.plain("📊 Excel workbook"), action=FILES(Download.XLSX, *span)),
            Option(ctx.t.plain("📄 CSV files"), action=FILES(Download.CSV, *span)),
        ],
        [Option(ctx.t.plain("📝 Draft summary report"), action=FILES(Download.DOCX, *span))],
    ]


def _parse(argument: str) -> tuple[Download, int, int, Period] | None:
    """The kind, area, commune and period of a download (``<kind>:<scope>:<first>:<last>``)."""
    found = FILES.parse(argument)
    parts = found[1].split(":") if found else []
    if found is None or len(parts) != 3:
        return None
    commune = parts[0][1:] if parts[0].startswith("c") else ""
    if not (parts[0].isdigit() or commune.isdigit()):
        return None
    try:
        period = Period(date.fromisoformat(parts[1]), date.fromisoformat(parts[2]))
    except ValueError:
        return None
    if period.end < period.start:
        return None
    if commune:
        return found[0], 0, int(commune), period
    return found[0], int(parts[0]), 0, period


async def on_download(ctx: Context, argument: str) -> None:
    found = _parse(argument)
    if found is None:
        ctx.toast(ctx._("This button is out of date. Please send /stats again."))
        return
    kind, area_id, commune_id, period = found
    mine = ctx.roles.communes
    if commune_id:
        allowed = ctx.roles.sees_every_commune or (mine is not None and commune_id in mine)
    else:
        allowed = ctx.roles.covers(area_id) if area_id else ctx.roles.sees_every_commune
    if not allowed:
        ctx.toast(ctx._("These figures are not of the areas in your care."))
        return
    if commune_id and await communes_repo.get(ctx.conn, commune_id) is None:
        ctx.toast(ctx._("This button is out of date. Please send /stats again."))
        return
    if area_id and await areas_repo.get(ctx.conn, area_id) is None:
        ctx.toast(ctx._("This area no longer exists. Please send /stats again."))
        return
    scope = area_id or None
    tz = ctx.config.tz
    file: File
    if kind == Download.XLSX:
        file = await workbook_file(
            ctx.conn, scope, period, tz, ctx.t, ctx.now, commune_id=commune_id or None
        )
        caption = ctx._("📊 The figures as an Excel workbook: a summary, then one sheet per kind.")
    elif kind == Download.CSV:
        file = await csv_zip(
            ctx.conn, scope, period, tz, ctx.t, commune_id=commune_id or None, now=ctx.now
        )
        caption = ctx._("📄 One CSV file per kind, in a ZIP archive.")
    else:
        file = await summary_file(
            ctx.conn,
            scope,
            period,
            tz,
            ctx.t,
            ctx.now,
            ctx.config.commune_name,
            commune_id=commune_id or None,
        )
        caption = ctx._(
            "📝 The draft summary report. The figures are filled in; please write the "
            "assessment where the dotted lines are."
        )
    # Built by the transport after this transaction, in a worker thread:
    # see bot/features/figures/documents.py.
    ctx.replies.append(
        Reply(caption, attachment=Attachment("document", file.name, render=file.render))
    )
    await ctx.audit(
        "stats.downloaded",
        "area" if scope else "commune" if commune_id else None,
        scope or commune_id or None,
        kind=kind,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )


ACTIONS = {FILES.prefix: Action(on_download, OFFICERS)}
