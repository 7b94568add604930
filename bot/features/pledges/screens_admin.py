"""Officers' side of pledges: open the year's campaign, manage the catalog of pledge items
(add, reword in Vietnamese and English, retire, restore). Individual pledges are recorded in
screens_individual.py (a step of the same flow), the export of a campaign's pledges as CSV is
in screens_export.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.flows import Flow, StateRefused
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges import screens_export as pledge_export
from bot.features.pledges import screens_individual as individual
from bot.features.pledges.actions import (
    CAMPAIGN,
    EXPORT,
    INDIVIDUAL,
    ITEM,
    Campaign,
    Item,
)
from bot.features.pledges.model import AUDIENCES, Window, overlapping, parse_day
from bot.features.pledges.screens_common import audience_label, today
from bot.features.pledges.states import ADMIN, AdminState, AdminStep
from bot.i18n import N_, escape
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text, check_name
from bot.storage import pledge_campaigns, pledge_items

# Campaigns and the catalog of items are the whole deployment's: a commune officer sees them,
# only officers of every commune (and admins) change them.
PROVINCE_WIDE = N_(
    "Pledge campaigns and pledge items apply to every commune: only the province's officers "
    "change them."
)


def _refused(ctx: Context) -> bool:
    """True (after saying so, and closing any step of it) when this person may not change
    campaigns or items."""
    if ctx.roles.sees_every_commune:
        return False
    if ADMIN.is_open(ctx):
        ctx.end()
    if ctx.event.kind == EventKind.BUTTON:
        ctx.toast(ctx._(PROVINCE_WIDE))
    else:
        ctx.reply(ctx._(PROVINCE_WIDE))
    return True


# Campaigns --------------------------------------------------------------------------------
async def campaigns(ctx: Context) -> None:
    day = today(ctx)
    lines = [ctx._("*Pledge campaigns*")]
    found = await pledge_campaigns.campaigns(ctx.conn)
    for c in found[-6:]:
        if c.starts_on > day:
            state = ctx._("upcoming")
        elif c.ends_on < day:
            state = ctx._("ended")
        else:
            state = ctx._("open now")
        lines.append(
            ctx._(
                "• {title}: {start} to {end} ({state})",
                title=c.title,
                start=c.starts_on,
                end=c.ends_on,
                state=state,
            )
        )
    if not found:
        lines.append(ctx._("No campaign yet."))
    if not ctx.roles.sees_every_commune:
        ctx.reply("\n".join([*lines, "", ctx._(PROVINCE_WIDE)]))
        return
    ctx.reply(
        "\n".join(lines), [[Option(ctx._("➕ Open a new campaign"), action=CAMPAIGN(Campaign.NEW))]]
    )


def _suggested_year(day: date) -> int:
    return day.year if day.month <= 6 else day.year + 1


async def on_campaign(ctx: Context, argument: str) -> None:
    if _refused(ctx):
        return
    verb, value = CAMPAIGN.read(argument)
    day = today(ctx)
    if verb == Campaign.NEW:
        ADMIN.begin(ctx, AdminStep.TITLE, AdminState())
        title = ctx.t.plain("Pledge {year}", year=str(_suggested_year(day)))
        ctx.reply(
            ctx._("What is the campaign's title? Type it, or use the suggestion."),
            [[Option(title, action=CAMPAIGN(Campaign.TITLE))]],
        )
    elif verb == Campaign.TITLE and ADMIN.is_open(ctx, AdminStep.TITLE):
        await _after_title(ctx, ctx.t.plain("Pledge {year}", year=str(_suggested_year(day))))
    elif verb == Campaign.DAY and ADMIN.is_open(ctx, AdminStep.START, AdminStep.END):
        await _after_day(ctx, date.fromisoformat(value))
    elif verb == Campaign.OK and ADMIN.is_open(ctx, AdminStep.CONFIRM):
        state = ADMIN.state(ctx)
        starts_on, ends_on, title = state.start, state.end, state.title
        if starts_on is None or ends_on is None:
            raise StateRefused(end=True)
        clash = await _clash(ctx, starts_on, ends_on)
        ctx.end()
        if clash:
            ctx.reply(clash)
            return
        campaign = await pledge_campaigns.add_campaign(
            ctx.conn,
            title,
            starts_on,
            ends_on,
            ctx.member.id if ctx.member else None,
            ctx.now,
        )
        await ctx.audit(
            "pledge.campaign_opened",
            "pledge_campaign",
            campaign.id,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
        ctx.reply(
            ctx._(
                "The campaign *{title}* runs from {start} to {end}. Residents sign "
                "with /pledge; leaders follow coverage with /pledgestatus.",
                title=campaign.title,
                start=starts_on,
                end=ends_on,
            ),
            edit=True,
        )
    else:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)


async def _after_title(ctx: Context, text: str) -> None:
    if _refused(ctx):
        return
    title = check_name(text)
    if isinstance(title, TextProblem):
        ctx.reply(problem_text(ctx, title))
        return
    day = today(ctx)
    ADMIN.state(ctx).title = title
    ctx.goto(AdminStep.START)
    ctx.reply(
        ctx._("From which day? Type it as day/month/year, e.g. 15/01/2027."),
        [
            [
                Option(
                    ctx.t.plain("Today, {date}", date=ctx.t.day(day)),
                    action=CAMPAIGN(Campaign.DAY, day),
                )
            ]
        ],
    )


async def _after_day(ctx: Context, day: date) -> None:
    if _refused(ctx):
        return
    state = ADMIN.state(ctx)
    if ADMIN.step(ctx) == AdminStep.START:
        if day < today(ctx):
            ctx.reply(ctx._("The campaign cannot start in the past. Please type another day."))
            return
        state.start = day
        ctx.goto(AdminStep.END)
        suggestion = date(day.year, 3, 31) if day < date(day.year, 3, 1) else day + timedelta(89)
        ctx.reply(
            ctx._("Until which day (included)? Type it as day/month/year."),
            [[Option(ctx.t.day(suggestion), action=CAMPAIGN(Campaign.DAY, suggestion))]],
        )
        return
    starts_on = state.start
    if starts_on is None:
        raise StateRefused(end=True)
    if day < starts_on:
        ctx.reply(ctx._("The last day cannot be before the first day. Please type another day."))
        return
    clash = await _clash(ctx, starts_on, day)
    if clash:
        ctx.reply(clash)
        return
    state.end = day
    ctx.goto(AdminStep.CONFIRM)
    ctx.reply(
        ctx._(
            "Open *{title}* from {start} to {end}?",
            title=state.title,
            start=starts_on,
            end=day,
        ),
        [
            [
                Option(ctx._("✅ Open the campaign"), action=CAMPAIGN(Campaign.OK)),
                Option(ctx._("Cancel"), action=CAMPAIGN(Campaign.NO)),
            ]
        ],
    )


async def _clash(ctx: Context, starts_on: date, ends_on: date) -> str | None:
    windows = [
        Window(c.id, c.title, c.starts_on, c.ends_on)
        for c in await pledge_campaigns.campaigns(ctx.conn)
    ]
    other = overlapping(windows, starts_on, ends_on)
    if other is None:
        return None
    return ctx._(
        "These days overlap the campaign *{title}* ({start} to {end}). Please choose other days.",
        title=other.title,
        start=other.starts_on,
        end=other.ends_on,
    )


# The catalog of items ---------------------------------------------------------------------
async def items(ctx: Context) -> None:
    ctx.reply(
        ctx._("Which pledge items do you want to manage?"),
        [[Option(audience_label(ctx.t, a), action=ITEM(Item.AUDIENCE, a))] for a in AUDIENCES],
    )


async def _show_items(ctx: Context, audience: str, *, edit: bool = False) -> None:
    found = await pledge_items.items(ctx.conn, audience, include_retired=True)
    lines = [ctx._("*Pledge items: {audience}*", audience=audience_label(ctx.t, audience))]
    rows: list[list[Option]] = []
    for n, item in enumerate(found, 1):
        retired = ctx._(" (retired)") if item.retired else ""
        lines.append(f"{n}. {escape(item.text_vi)}{retired}")
        if item.text_en:
            lines.append(f"    _{escape(item.text_en)}_")
        toggle = (
            Option(ctx.t.plain("♻️ {n}", n=str(n)), action=ITEM(Item.RESTORE, item.id))
            if item.retired
            else Option(ctx.t.plain("⛔ {n}", n=str(n)), action=ITEM(Item.RETIRE, item.id))
        )
        rows.append(
            [Option(ctx.t.plain("✏️ {n}", n=str(n)), action=ITEM(Item.EDIT, item.id)), toggle]
        )
    if not ctx.roles.sees_every_commune:  # to read: changing them is the province's
        lines.append("\n" + ctx._(PROVINCE_WIDE))
        ctx.reply("\n".join(lines), edit=edit)
        return
    lines.append("\n" + ctx._("✏️ reword · ⛔ retire · ♻️ bring back"))
    rows.append([Option(ctx._("➕ Add an item"), action=ITEM(Item.ADD, audience))])
    ctx.reply("\n".join(lines), rows, edit=edit)


async def on_item(ctx: Context, argument: str) -> None:
    verb, value = ITEM.read(argument)
    if verb == Item.AUDIENCE and value in AUDIENCES:
        await _show_items(ctx, value)
        return
    if _refused(ctx):
        return
    if verb == Item.ADD and value in AUDIENCES:
        ADMIN.begin(ctx, AdminStep.ITEM_VI, AdminState(audience=value))
        ctx.reply(ctx._("Please type the new item in Vietnamese (up to 300 characters)."))
        return
    if verb in (Item.KEEP_VI, Item.KEEP_EN, Item.NO_EN) and ADMIN.is_open(ctx):
        await _item_text(ctx, None, keep=verb != Item.NO_EN)
        return
    item = await pledge_items.item(ctx.conn, int(value)) if value.isdigit() else None
    if item is None:
        stale(ctx)
        return
    if verb == Item.EDIT:
        ADMIN.begin(ctx, AdminStep.ITEM_VI, AdminState(audience=item.audience, item_id=item.id))
        ctx.reply(
            ctx._(
                "Now: _{text}_\n\nPlease type the new Vietnamese wording.",
                text=item.text_vi,
            ),
            [[Option(ctx._("Keep the Vietnamese wording"), action=ITEM(Item.KEEP_VI))]],
        )
    elif verb in (Item.RETIRE, Item.RESTORE):
        await pledge_items.set_item_retired(ctx.conn, item.id, verb == Item.RETIRE, ctx.now)
        await ctx.audit(f"pledge.item_{verb}d", "pledge_item", item.id)
        await _show_items(ctx, item.audience, edit=True)


async def _item_text(ctx: Context, typed: str | None, *, keep: bool = True) -> None:
    """One step of adding or rewording an item: ``typed`` is None when a button was pressed."""
    if _refused(ctx):
        return
    state = ADMIN.state(ctx)
    item = await pledge_items.item(ctx.conn, state.item_id) if state.item_id else None
    text = ""
    if typed is not None:
        checked = check_free_text(typed, maximum=300)
        if isinstance(checked, TextProblem) or "<" in checked or ">" in checked:
            problem = checked if isinstance(checked, TextProblem) else TextProblem.MARKUP
            ctx.reply(problem_text(ctx, problem, maximum=300))
            return
        text = " ".join(checked.split())
    if ADMIN.step(ctx) == AdminStep.ITEM_VI:
        if not text and item is None:
            ctx.reply(ctx._("Please type the item in Vietnamese."))
            return
        state.text_vi = text or (item.text_vi if item else "")
        ctx.goto(AdminStep.ITEM_EN)
        option = (
            Option(ctx._("Keep the English wording"), action=ITEM(Item.KEEP_EN))
            if item is not None
            else Option(ctx._("No English wording"), action=ITEM(Item.NO_EN))
        )
        ctx.reply(ctx._("Now the English wording (for English readers)."), [[option]])
        return
    text_en = text if typed is not None else (item.text_en if item and keep else "")
    text_vi, audience = state.text_vi, state.audience or ""
    ctx.end()
    if item is None:
        new_id = await pledge_items.add_item(ctx.conn, audience, text_vi, text_en, ctx.now)
        await ctx.audit("pledge.item_added", "pledge_item", new_id, audience=audience)
        ctx.reply(ctx._("The item is added."))
    else:
        await pledge_items.reword_item(ctx.conn, item.id, text_vi, text_en, ctx.now)
        await ctx.audit("pledge.item_reworded", "pledge_item", item.id)
        ctx.reply(ctx._("The item is reworded. Pledges already signed keep their wording."))
    await _show_items(ctx, audience)


async def on_input(ctx: Context) -> None:
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the answer as text, or /cancel."))
        return
    text, step = ctx.event.text, ADMIN.step(ctx)
    if step == AdminStep.TITLE:
        await _after_title(ctx, text)
    elif step in (AdminStep.START, AdminStep.END):
        day = parse_day(text)
        if day is None:
            ctx.reply(ctx._("Please type the day as day/month/year, e.g. 15/01/2027."))
            return
        await _after_day(ctx, day)
    elif step in (AdminStep.ITEM_VI, AdminStep.ITEM_EN):
        await _item_text(ctx, text)
    elif step.startswith("ip_"):
        await individual.on_input(ctx, text)
    else:
        ctx.reply(ctx._("Please answer with the buttons above, or /cancel."))


commands = [
    Command(
        "pledgecampaign",
        "dotcamket",
        campaigns,
        OFFICERS,
        Where.PRIVATE,
        N_("Open the year's pledge campaign"),
    ),
    Command(
        "pledgeitems",
        "mucamket",
        items,
        OFFICERS,
        Where.PRIVATE,
        N_("Add, reword or retire pledge items"),
    ),
    individual.command,
    Command(
        "pledgeexport",
        "xuatcamket",
        pledge_export.export,
        OFFICERS,
        Where.PRIVATE,
        N_("Export a campaign's pledges as CSV"),
    ),
]
actions = {
    CAMPAIGN.prefix: Action(on_campaign, roles=OFFICERS),
    ITEM.prefix: Action(on_item, roles=OFFICERS),
    INDIVIDUAL.prefix: Action(individual.on_button, roles=OFFICERS),
    EXPORT.prefix: Action(pledge_export.on_export, roles=OFFICERS),
}
flows: dict[Flow[Any, Any], Handler] = {ADMIN: on_input}
