"""/pledgeboard (/bangcamket): the public board posted in an area's group (the households that
signed and agreed to be listed, with the coverage line), and editing the boards already posted
when a household leaves the list."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context, CoreConfig, private_chat_offer, queue_reply
from bot.core.events import Option, Reply
from bot.core.menus import resolve_buttons
from bot.features.pledges.model import split_lines
from bot.features.pledges.screens_common import coverage_line, latest_campaign
from bot.i18n import Translator, escape
from bot.storage import areas as areas_repo
from bot.storage import outbox, pledge_boards, pledge_campaigns
from bot.storage import pledges as repo
from bot.storage.areas import Area
from bot.storage.db import Connection

EDIT_AFTER_SENDING = timedelta(seconds=3)


async def board(ctx: Context) -> None:
    area = await areas_repo.get(ctx.conn, ctx.chat.area_id) if ctx.chat.area_id else None
    if area is None:
        ctx.reply(
            ctx._(
                "This group is not linked to an area yet. Commune police: please use "
                "/linkgroup first."
            )
        )
        return
    if not ctx.roles.leads(area.id):
        ctx.reply(
            ctx._("Only the team leaders of this area and the commune police can post the board.")
        )
        return
    campaign = await latest_campaign(ctx)
    if campaign is None:
        ctx.reply(ctx._("There has been no pledge campaign yet."))
        return
    # Posted through the outbox, so the messages can be edited later (see refresh_boards).
    parts, listed = await _board_parts(ctx.conn, ctx.t, ctx.config, area, campaign)
    ids = []
    for text, options in parts:
        ids.append(
            await queue_reply(
                ctx.conn,
                ctx.config,
                ctx.event.platform,
                ctx.chat.chat_id,
                None,
                Reply(text, options),
                ctx.now,
            )
        )
    ctx.outbox_written = True
    await pledge_boards.add_board(
        ctx.conn,
        campaign_id=campaign.id,
        area_id=area.id,
        platform=ctx.event.platform,
        chat_id=ctx.chat.chat_id,
        language=ctx.t.language,
        outbox_ids=ids,
        now=ctx.now,
    )
    await ctx.audit(
        "pledge.board_posted", "area", area.id, campaign=campaign.id, listed=len(listed)
    )


async def _board_parts(
    conn: Connection,
    t: Translator,
    config: CoreConfig,
    area: Area,
    campaign: pledge_campaigns.Campaign,
) -> tuple[list[tuple[str, list[list[Option]]]], list[repo.Pledge]]:
    """The board's messages (text and options) and the households listed on it."""
    signed = await repo.signed_count(conn, campaign.id, area.id)
    listed = await repo.in_campaign(conn, campaign.id, area_id=area.id, public_only=True)
    lines = [
        t._("📜 *{title}*", title=campaign.title),
        coverage_line(t, area, signed),
        "",
    ]
    if listed:
        lines.append(t._("Households that signed and agreed to be listed:"))
        lines += [f"{n}. {escape(p.head_name)}" for n, p in enumerate(listed, 1)]
    else:
        lines.append(t._("No household has agreed to be listed yet."))
    extra, sign = private_chat_offer(t, config, t._("✍️ Sign the pledge"), "go-pledge")
    lines += ["", extra.strip() or t._("Not signed yet? Sign privately with the button below.")]
    texts = split_lines(lines)
    parts: list[tuple[str, list[list[Option]]]] = []
    for index, part in enumerate(texts):
        options = []
        if index == len(texts) - 1:
            options = sign
        parts.append((part, options))
    return parts, listed


async def refresh_posted(ctx: Context, campaign_id: int, area_id: int | None) -> None:
    """After a listed household left the list: edit the boards posted for its area."""
    if area_id is not None and await refresh_boards(
        ctx.conn, ctx.config, campaign_id, area_id, ctx.now
    ):
        ctx.outbox_written = True


async def refresh_boards(
    conn: Connection, config: CoreConfig, campaign_id: int, area_id: int, now: datetime
) -> int:
    """Edit every board posted for this campaign and area so it shows the list as it is now
    (a household that left it is no longer named). Returns how many messages were queued."""
    campaign = await pledge_campaigns.campaign(conn, campaign_id)
    area = await areas_repo.get(conn, area_id)
    if campaign is None or area is None:
        return 0
    queued = 0
    for posted in await pledge_boards.boards(conn, campaign_id, area_id):
        # Built for the board's own platform (its words, its links), whoever changed it.
        t = config.translator(posted.language, posted.platform)
        parts, _ = await _board_parts(conn, t, config.on(posted.platform), area, campaign)
        ids = list(posted.outbox_ids)
        # Fewer parts than before: the surplus messages are emptied of names too.
        surplus: list[tuple[str, list[list[Option]]]] = [
            (t._("(This part of the list is no longer needed: the list above is up to date.)"), [])
        ] * max(0, len(ids) - len(parts))
        for index, (text, options) in enumerate(parts + surplus):
            chat_id, edit_of, status = posted.chat_id, None, None
            if index < len(ids):
                earlier = await outbox.get(conn, ids[index])
                status = await outbox.status_of(conn, ids[index])
                if earlier is not None:
                    chat_id, edit_of = earlier.chat_id, earlier.id
            buttons = await resolve_buttons(
                conn,
                posted.platform,
                chat_id,
                None,
                options,
                token=None,
                now=now,
                ttl=config.menu_ttl,
            )
            rows = [[b.__dict__ for b in row] for row in buttons]
            new_id = await outbox.enqueue(
                conn,
                posted.platform,
                chat_id,
                text,
                rows,
                now,
                # Not out yet: the edit waits until the message's id is recorded.
                not_before=now + EDIT_AFTER_SENDING if status in ("pending", "sending") else None,
                edit_of=edit_of,
            )
            if edit_of is None:
                ids[index : index + 1] = [new_id]
            queued += 1
        await pledge_boards.set_board_messages(conn, posted.id, ids)
    return queued
