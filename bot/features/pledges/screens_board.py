"""Leaders' side of pledges: coverage of their area (privately), the list of signed households,
members not signed yet, a private reminder to them, the area's number of households, and the
public board in the area's group (names of households that agreed to be listed, nothing else).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from bot.core.context import Context, CoreConfig, private_chat_offer, queue_reply
from bot.core.events import EventKind, Option, Reply
from bot.core.menus import resolve_buttons
from bot.core.permissions import LEADERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges.households import place_label
from bot.features.pledges.model import households_total_problem, split_lines
from bot.features.pledges.screens_common import coverage_line, latest_campaign, open_campaign
from bot.i18n import N_, Safe, Translator, escape
from bot.shared.pickers import area_picker, stale, stale_reply
from bot.storage import areas as areas_repo
from bot.storage import households as households_repo
from bot.storage import kv, outbox
from bot.storage import members as members_repo
from bot.storage import pledges as repo
from bot.storage.areas import Area
from bot.storage.timefmt import from_db, to_db

HH_FLOW = "pledge_households"
REMIND_EVERY = timedelta(hours=20)
MAX_HOUSEHOLDS = 100_000
EDIT_AFTER_SENDING = timedelta(seconds=3)


async def _my_areas(ctx: Context) -> list[Area]:
    areas = await areas_repo.list_areas(ctx.conn)
    return [a for a in areas if ctx.roles.leads(a.id)]


async def status(ctx: Context) -> None:
    campaign = await latest_campaign(ctx)
    if campaign is None:
        ctx.reply(ctx._("There has been no pledge campaign yet."))
        return
    areas = await _my_areas(ctx)
    if not areas:
        ctx.reply(ctx._("You do not lead any area yet."))
        return
    if len(areas) == 1:
        await _area_view(ctx, areas[0], campaign)
        return
    lines = [ctx._("*{title}*: coverage by area", title=campaign.title)]
    total_signed = total_households = 0
    for area in areas:
        signed = await repo.signed_count(ctx.conn, campaign.id, area.id)
        total_signed += signed
        total_households += area.households or 0
        lines.append("• " + coverage_line(ctx.t, area, signed))
    if total_households:
        lines.append(
            "\n"
            + ctx._(
                "Commune: {signed}/{total} households ({percent})",
                signed=total_signed,
                total=total_households,
                percent=ctx.t.percent(min(1.0, total_signed / total_households)),
            )
        )
    ctx.reply("\n".join(lines), await area_picker(ctx, areas, "plgs:area"))


async def _area_view(
    ctx: Context, area: Area, campaign: repo.Campaign, *, edit: bool = False
) -> None:
    signed = await repo.signed_count(ctx.conn, campaign.id, area.id)
    registered = await households_repo.count(ctx.conn, area.id)
    if registered:
        unsigned = await households_repo.unsigned(ctx.conn, area.id, campaign.id)
        register_line = ctx._(
            "Households on the register not signed yet: {count} of {total}",
            count=len(unsigned),
            total=registered,
        )
    else:
        register_line = ctx._(
            "The household register of {area} is empty, so the households that have not "
            "signed cannot be listed. Fill it with /households (add households, or import a "
            "CSV or XLSX file).",
            area=area.name,
        )
    text = "\n".join(
        [
            ctx._("*{title}*", title=campaign.title),
            coverage_line(ctx.t, area, signed),
            register_line,
        ]
    )
    ctx.reply(
        text,
        [
            [
                Option(ctx._("📋 Signed households"), action=f"plgs:list:{area.id}"),
                Option(ctx._("👥 Not signed yet"), action=f"plgs:todo:{area.id}"),
            ],
            [
                Option(ctx._("🔔 Remind them privately"), action=f"plgs:remind:{area.id}"),
                Option(ctx._("🏠 Number of households"), action=f"plgs:hh:{area.id}"),
            ],
        ],
        edit=edit,
    )


async def _unsigned_members(
    ctx: Context, area: Area, campaign: repo.Campaign
) -> list[members_repo.Member]:
    covered = await repo.covered_members(ctx.conn, campaign.id)
    return [m for m in await members_repo.in_area(ctx.conn, area.id) if m.id not in covered]


async def on_button(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    area = await areas_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    campaign = await latest_campaign(ctx)
    if area is None or campaign is None or not ctx.roles.leads(area.id):
        stale(ctx)
        return
    if verb == "area":
        await _area_view(ctx, area, campaign)
    elif verb == "list":
        pledges = await repo.in_campaign(ctx.conn, campaign.id, area_id=area.id)
        if not pledges:
            ctx.reply(ctx._("No household of {area} has signed yet.", area=area.name))
            return
        lines = [
            ctx._("*Signed households of {area}* ({title})", area=area.name, title=campaign.title)
        ]
        for n, p in enumerate(pledges, 1):
            hidden = "" if p.public else " 🔒"
            who = (
                f"{escape(p.head_name)} · {escape(p.address)}"
                if p.head_name
                else ctx._("(name deleted at the person's request)")
            )
            lines.append(f"{n}. {who} · {ctx.t.day(p.signed_at)}{hidden}")
        lines.append(ctx._("🔒 = did not agree to be listed publicly"))
        for part in split_lines(lines):
            ctx.reply(part)
    elif verb == "todo":
        await _unsigned_households(ctx, area, campaign)
    elif verb == "remind":
        await _ask_remind(ctx, area)
    elif verb == "send":
        await _send_reminders(ctx, area)
    elif verb == "hh":
        signed = await repo.signed_count(ctx.conn, campaign.id, area.id)
        ctx.begin(HH_FLOW, "count", area_id=area.id)
        ctx.reply(
            ctx._(
                "How many resident households does {area} have? Please type a number "
                "(now: {now}; households signed: {signed}).",
                area=area.name,
                now=str(area.households) if area.households is not None else "-",
                signed=signed,
            )
        )
    else:
        stale(ctx)


async def _unsigned_households(ctx: Context, area: Area, campaign: repo.Campaign) -> None:
    """ "Not signed yet": the households of the area's register without a standing pledge."""
    if not await households_repo.count(ctx.conn, area.id):
        ctx.reply(
            ctx._(
                "The household register of {area} is empty, so the households that have not "
                "signed cannot be listed. Fill it with /households (add households, or import "
                "a CSV or XLSX file).",
                area=area.name,
            )
        )
        return
    unsigned = await households_repo.unsigned(ctx.conn, area.id, campaign.id)
    if not unsigned:
        ctx.reply(
            ctx._(
                "Every household on the register of {area} has signed {title}.",
                area=area.name,
                title=campaign.title,
            )
        )
        return
    lines = [
        ctx._(
            "*Households of {area} that have not signed {title}* ({count}; for you "
            "only, never to be posted):",
            area=area.name,
            title=campaign.title,
            count=len(unsigned),
        )
    ]
    lines += [
        f"{n}. {escape(h.head_name)} · {escape(place_label(h))}" for n, h in enumerate(unsigned, 1)
    ]
    for part in split_lines(lines):
        ctx.reply(Safe(part))


def _remind_key(campaign_id: int, area_id: int) -> str:
    return f"pledges.reminded.{campaign_id}.{area_id}"


async def _ask_remind(ctx: Context, area: Area) -> None:
    campaign = await open_campaign(ctx)
    if campaign is None:
        ctx.reply(ctx._("Reminders can be sent only while a pledge campaign is open."))
        return
    waiting = await _unsigned_members(ctx, area, campaign)
    if not waiting:
        ctx.reply(
            ctx._("Every registered member of {area} is covered by a pledge.", area=area.name)
        )
        return
    ctx.reply(
        ctx._(
            "Send a private reminder to {count} members of {area} whose household has not "
            "signed? Each gets it alone; nobody sees who else was reminded.",
            count=len(waiting),
            area=area.name,
        ),
        [[Option(ctx._("🔔 Send the reminder"), action=f"plgs:send:{area.id}")]],
    )


async def _send_reminders(ctx: Context, area: Area) -> None:
    campaign = await open_campaign(ctx)
    if campaign is None:
        ctx.reply(ctx._("Reminders can be sent only while a pledge campaign is open."))
        return
    last = await kv.get(ctx.conn, _remind_key(campaign.id, area.id))
    if last and from_db(last) + REMIND_EVERY > ctx.now:
        ctx.reply(
            ctx._(
                "Members of {area} were already reminded at {when}. Please wait a day "
                "before reminding them again.",
                area=area.name,
                when=from_db(last),
            ),
            edit=True,
        )
        return
    waiting = await _unsigned_members(ctx, area, campaign)
    title, ends_on = campaign.title, campaign.ends_on
    for member in waiting:
        await ctx.notify(
            member,
            lambda t: Reply(
                t._(
                    "A reminder from your team leader: your household has not signed "
                    "*{title}* yet. It takes two minutes: press /pledge. The campaign "
                    "is open until {end}. If someone in your household already signed, "
                    "press /pledge and give the same name and address so I know.",
                    title=title,
                    end=ends_on,
                )
            ),
        )
    await kv.put(ctx.conn, _remind_key(campaign.id, area.id), to_db(ctx.now))
    await ctx.audit("pledge.reminded", "area", area.id, campaign=campaign.id, count=len(waiting))
    ctx.reply(
        ctx._("The reminder is on its way to {count} members.", count=len(waiting)), edit=True
    )


async def on_households(ctx: Context) -> None:
    area = await areas_repo.get(ctx.conn, int(ctx.data.get("area_id", 0)))
    if area is None or not ctx.roles.leads(area.id):
        ctx.end()
        stale_reply(ctx)
        return
    raw = ctx.event.text.strip().replace(".", "").replace(",", "").replace(" ", "")
    if ctx.event.kind != EventKind.TEXT or not raw.isdigit() or int(raw) > MAX_HOUSEHOLDS:
        ctx.reply(ctx._("Please type the number of households as digits, e.g. 120."))
        return
    total = int(raw)
    campaign = await latest_campaign(ctx)
    signed = await repo.signed_count(ctx.conn, campaign.id, area.id) if campaign else 0
    if households_total_problem(total, signed):
        ctx.reply(
            ctx._(
                "{total} is fewer than the {signed} households of {area} that have already "
                "signed. Please check the number and type it again.",
                total=total,
                signed=signed,
                area=area.name,
            )
        )
        return
    await areas_repo.set_households(ctx.conn, area.id, total)
    await ctx.audit("area.households_set", "area", area.id, households=total)
    ctx.end()
    ctx.reply(ctx._("{area} now has {total} households.", area=area.name, total=total))
    if campaign:
        await _area_view(ctx, await areas_repo.get(ctx.conn, area.id) or area, campaign)


# The public board -------------------------------------------------------------------------
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
    await repo.add_board(
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
    conn: aiosqlite.Connection,
    t: Translator,
    config: CoreConfig,
    area: Area,
    campaign: repo.Campaign,
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
    conn: aiosqlite.Connection, config: CoreConfig, campaign_id: int, area_id: int, now: datetime
) -> int:
    """Edit every board posted for this campaign and area so it shows the list as it is now
    (a household that left it is no longer named). Returns how many messages were queued."""
    campaign = await repo.campaign(conn, campaign_id)
    area = await areas_repo.get(conn, area_id)
    if campaign is None or area is None:
        return 0
    queued = 0
    for posted in await repo.boards(conn, campaign_id, area_id):
        t = Translator(posted.language, config.tz)
        parts, _ = await _board_parts(conn, t, config, area, campaign)
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
        await repo.set_board_messages(conn, posted.id, ids)
    return queued


commands = [
    Command(
        "pledgestatus",
        "tiendocamket",
        status,
        LEADERS,
        Where.PRIVATE,
        N_("Pledge coverage of your area, and reminders"),
    ),
    Command(
        "pledgeboard",
        "bangcamket",
        board,
        LEADERS,
        Where.GROUP,
        N_("Post the list of households that signed the pledge"),
    ),
]
actions = {"plgs": Action(on_button, roles=LEADERS)}
flows: dict[str, Handler] = {HH_FLOW: on_households}
