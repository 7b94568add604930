"""/pledgeexport (/xuatcamket): an officer downloads a campaign's pledges as CSV, for one area
or all, withdrawn ones included (written by the one CSV writer, :mod:`bot.shared.cells`)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Attachment, Option, Reply
from bot.features.pledges.actions import EXPORT
from bot.features.pledges.model import csv_bytes
from bot.features.pledges.screens_common import audience_label, latest_campaign
from bot.shared.pickers import areas_in_scope, stale
from bot.storage import pledge_campaigns
from bot.storage import pledges as repo
from bot.storage.pledge_campaigns import Campaign


async def export(ctx: Context) -> None:
    campaign = await latest_campaign(ctx)
    found = await pledge_campaigns.campaigns(ctx.conn)
    if campaign is None and found:
        campaign = found[-1]
    if campaign is None:
        ctx.reply(ctx._("There has been no pledge campaign yet."))
        return
    await _export_menu(ctx, campaign, found)


async def _export_menu(ctx: Context, campaign: Campaign, found: list[Campaign]) -> None:
    areas = await areas_in_scope(ctx)
    rows = [[Option(a.name, action=EXPORT.make(campaign.id, a.id))] for a in areas]
    rows.append([Option(ctx._("All areas"), action=EXPORT.make(campaign.id, 0))])
    rows += [
        [Option(ctx.t.plain("📅 {title}", title=c.title), action=EXPORT.make(c.id, "pick"))]
        for c in found[-4:]
        if c.id != campaign.id
    ]
    ctx.reply(ctx._("Export the pledges of *{title}* for which area?", title=campaign.title), rows)


async def on_export(ctx: Context, argument: str) -> None:
    campaign_raw, _, target = argument.partition(":")
    campaign = (
        await pledge_campaigns.campaign(ctx.conn, int(campaign_raw))
        if campaign_raw.isdigit()
        else None
    )
    if campaign is None:
        stale(ctx)
        return
    if target == "pick":
        await _export_menu(ctx, campaign, await pledge_campaigns.campaigns(ctx.conn))
        return
    area_id = int(target) if target.isdigit() else 0
    if area_id and not ctx.roles.covers(area_id):
        stale(ctx)
        return
    areas = {a.id: a for a in await areas_in_scope(ctx)}
    pledges = await repo.in_campaign(
        ctx.conn, campaign.id, area_id=area_id or None, standing_only=False
    )
    if not ctx.roles.sees_every_commune:  # a commune officer's "all areas": their communes'
        pledges = [p for p in pledges if p.area_id in areas]
    t = ctx.t
    header = [
        t.plain("Reference"),
        t.plain("Area"),
        t.plain("Type"),
        t.plain("Head of household"),
        t.plain("Address"),
        t.plain("Signed at"),
        t.plain("Listed publicly"),
        t.plain("Items left out"),
        t.plain("Status"),
        t.plain("Withdrawn at"),
    ]
    rows = []
    for p in pledges:
        area = areas.get(p.area_id) if p.area_id else None
        left_out = [line.text for line in await repo.lines(ctx.conn, p.id) if line.left_out]
        rows.append(
            [
                p.reference,
                area.name if area else "",
                t.plain(audience_label(t, p.audience)),
                p.head_name or t.plain("(name deleted at the person's request)"),
                p.address,
                t.timestamp(p.signed_at),
                t.plain("yes") if p.public else t.plain("no"),
                "; ".join(left_out),
                t.plain("withdrawn") if p.withdrawn_at else t.plain("signed"),
                t.timestamp(p.withdrawn_at) if p.withdrawn_at else "",
            ]
        )
    code = areas[area_id].code if area_id in areas else "ALL"
    filename = f"cam-ket-{campaign.starts_on.year}-{code}.csv"
    await ctx.audit("pledge.exported", "pledge_campaign", campaign.id, area=code, rows=len(rows))
    ctx.replies.append(
        Reply(
            ctx._(
                "{title}: {count} pledges ({area}), withdrawn ones included.",
                title=campaign.title,
                count=len(rows),
                area=areas[area_id].name if area_id in areas else ctx.t.plain("All areas"),
            ),
            attachment=Attachment("document", filename, csv_bytes(header, rows)),
        )
    )
