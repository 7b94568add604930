"""Leaders' side of pledges: coverage of their area (privately), the list of signed households,
members not signed yet, a private reminder to them, the area's number of households, and the
public board in the area's group (names of households that agreed to be listed, nothing else).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.flows import Flow
from bot.core.permissions import LEADERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges import screens_board_public as public_board
from bot.features.pledges.actions import BOARD, Board
from bot.features.pledges.households import place_label
from bot.features.pledges.model import households_total_problem, split_lines
from bot.features.pledges.screens_common import coverage_line, latest_campaign, open_campaign
from bot.features.pledges.states import HOUSEHOLD_COUNT, AreaState, CountStep
from bot.i18n import N_, Safe, escape
from bot.shared.pickers import area_picker, stale, stale_reply
from bot.storage import areas as areas_repo
from bot.storage import households as households_repo
from bot.storage import kv
from bot.storage import members as members_repo
from bot.storage import pledges as repo
from bot.storage.areas import Area
from bot.storage.pledge_campaigns import Campaign
from bot.storage.timefmt import from_db, to_db

REMIND_EVERY = timedelta(hours=20)
MAX_HOUSEHOLDS = 100_000


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
    ctx.reply("\n".join(lines), await area_picker(ctx, areas, BOARD(Board.AREA)))


async def _area_view(ctx: Context, area: Area, campaign: Campaign, *, edit: bool = False) -> None:
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
                Option(ctx._("📋 Signed households"), action=BOARD(Board.LIST, area.id)),
                Option(ctx._("👥 Not signed yet"), action=BOARD(Board.UNSIGNED, area.id)),
            ],
            [
                Option(ctx._("🔔 Remind them privately"), action=BOARD(Board.REMIND, area.id)),
                Option(ctx._("🏠 Number of households"), action=BOARD(Board.HOUSEHOLDS, area.id)),
            ],
        ],
        edit=edit,
    )


async def _unsigned_members(
    ctx: Context, area: Area, campaign: Campaign
) -> list[members_repo.Member]:
    covered = await repo.covered_members(ctx.conn, campaign.id)
    return [m for m in await members_repo.in_area(ctx.conn, area.id) if m.id not in covered]


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BOARD.read(argument)
    area = await areas_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    campaign = await latest_campaign(ctx)
    if area is None or campaign is None or not ctx.roles.leads(area.id):
        stale(ctx)
        return
    if verb == Board.AREA:
        await _area_view(ctx, area, campaign)
    elif verb == Board.LIST:
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
    elif verb == Board.UNSIGNED:
        await _unsigned_households(ctx, area, campaign)
    elif verb == Board.REMIND:
        await _ask_remind(ctx, area)
    elif verb == Board.SEND:
        await _send_reminders(ctx, area)
    elif verb == Board.HOUSEHOLDS:
        signed = await repo.signed_count(ctx.conn, campaign.id, area.id)
        HOUSEHOLD_COUNT.begin(ctx, CountStep.COUNT, AreaState(area_id=area.id))
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


async def _unsigned_households(ctx: Context, area: Area, campaign: Campaign) -> None:
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
        [[Option(ctx._("🔔 Send the reminder"), action=BOARD(Board.SEND, area.id))]],
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
    area = await areas_repo.get(ctx.conn, HOUSEHOLD_COUNT.state(ctx).area_id)
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
        public_board.board,
        LEADERS,
        Where.GROUP,
        N_("Post the list of households that signed the pledge"),
    ),
]
actions = {BOARD.prefix: Action(on_button, roles=LEADERS)}
flows: dict[Flow[Any, Any], Handler] = {HOUSEHOLD_COUNT: on_households}
