"""Officers' side of pledges: open the year's campaign, manage the catalog of pledge items
(add, reword in Vietnamese and English, retire, restore), record individual pledges. The
export of a campaign's pledges as CSV is in screens_export.py."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges import screens_export as pledge_export
from bot.features.pledges.model import AUDIENCES, Window, overlapping, parse_day
from bot.features.pledges.screens_common import audience_label, today
from bot.i18n import N_, escape
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text, check_name, search_key
from bot.storage import members as members_repo
from bot.storage import pledges as repo

FLOW = "pledge_admin"


# Campaigns --------------------------------------------------------------------------------
async def campaigns(ctx: Context) -> None:
    day = today(ctx)
    lines = [ctx._("*Pledge campaigns*")]
    found = await repo.campaigns(ctx.conn)
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
    ctx.reply("\n".join(lines), [[Option(ctx._("➕ Open a new campaign"), action="plga:new")]])


def _suggested_year(day: date) -> int:
    return day.year if day.month <= 6 else day.year + 1


async def on_campaign(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    day = today(ctx)
    if verb == "new":
        ctx.begin(FLOW, "title")
        title = ctx.t.plain("Pledge {year}", year=str(_suggested_year(day)))
        ctx.reply(
            ctx._("What is the campaign's title? Type it, or use the suggestion."),
            [[Option(title, action="plga:title")]],
        )
    elif verb == "title" and ctx.flow == FLOW and ctx.step == "title":
        await _after_title(ctx, ctx.t.plain("Pledge {year}", year=str(_suggested_year(day))))
    elif verb == "day" and ctx.flow == FLOW and ctx.step in ("start", "end"):
        await _after_day(ctx, date.fromisoformat(value))
    elif verb == "ok" and ctx.flow == FLOW and ctx.step == "confirm":
        starts_on = date.fromisoformat(str(ctx.data["start"]))
        ends_on = date.fromisoformat(str(ctx.data["end"]))
        title = str(ctx.data["title"])
        clash = await _clash(ctx, starts_on, ends_on)
        ctx.end()
        if clash:
            ctx.reply(clash)
            return
        campaign = await repo.add_campaign(
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
    title = check_name(text)
    if isinstance(title, TextProblem):
        ctx.reply(problem_text(ctx, title))
        return
    day = today(ctx)
    ctx.goto("start", title=title)
    ctx.reply(
        ctx._("From which day? Type it as day/month/year, e.g. 15/01/2027."),
        [[Option(ctx.t.plain("Today, {date}", date=ctx.t.day(day)), action=f"plga:day:{day}")]],
    )


async def _after_day(ctx: Context, day: date) -> None:
    if ctx.step == "start":
        if day < today(ctx):
            ctx.reply(ctx._("The campaign cannot start in the past. Please type another day."))
            return
        ctx.goto("end", start=day.isoformat())
        suggestion = date(day.year, 3, 31) if day < date(day.year, 3, 1) else day + timedelta(89)
        ctx.reply(
            ctx._("Until which day (included)? Type it as day/month/year."),
            [[Option(ctx.t.day(suggestion), action=f"plga:day:{suggestion}")]],
        )
        return
    starts_on = date.fromisoformat(str(ctx.data["start"]))
    if day < starts_on:
        ctx.reply(ctx._("The last day cannot be before the first day. Please type another day."))
        return
    clash = await _clash(ctx, starts_on, day)
    if clash:
        ctx.reply(clash)
        return
    ctx.goto("confirm", end=day.isoformat())
    ctx.reply(
        ctx._(
            "Open *{title}* from {start} to {end}?",
            title=str(ctx.data["title"]),
            start=starts_on,
            end=day,
        ),
        [
            [
                Option(ctx._("✅ Open the campaign"), action="plga:ok"),
                Option(ctx._("Cancel"), action="plga:no"),
            ]
        ],
    )


async def _clash(ctx: Context, starts_on: date, ends_on: date) -> str | None:
    windows = [
        Window(c.id, c.title, c.starts_on, c.ends_on) for c in await repo.campaigns(ctx.conn)
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
        [[Option(audience_label(ctx.t, a), action=f"plgi:aud:{a}")] for a in AUDIENCES],
    )


async def _show_items(ctx: Context, audience: str, *, edit: bool = False) -> None:
    found = await repo.items(ctx.conn, audience, include_retired=True)
    lines = [ctx._("*Pledge items: {audience}*", audience=audience_label(ctx.t, audience))]
    rows: list[list[Option]] = []
    for n, item in enumerate(found, 1):
        retired = ctx._(" (retired)") if item.retired else ""
        lines.append(f"{n}. {escape(item.text_vi)}{retired}")
        if item.text_en:
            lines.append(f"    _{escape(item.text_en)}_")
        toggle = (
            Option(ctx.t.plain("♻️ {n}", n=str(n)), action=f"plgi:restore:{item.id}")
            if item.retired
            else Option(ctx.t.plain("⛔ {n}", n=str(n)), action=f"plgi:retire:{item.id}")
        )
        rows.append([Option(ctx.t.plain("✏️ {n}", n=str(n)), action=f"plgi:edit:{item.id}"), toggle])
    lines.append("\n" + ctx._("✏️ reword · ⛔ retire · ♻️ bring back"))
    rows.append([Option(ctx._("➕ Add an item"), action=f"plgi:add:{audience}")])
    ctx.reply("\n".join(lines), rows, edit=edit)


async def on_item(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    if verb == "aud" and value in AUDIENCES:
        await _show_items(ctx, value)
        return
    if verb == "add" and value in AUDIENCES:
        ctx.begin(FLOW, "item_vi", audience=value, item_id=None)
        ctx.reply(ctx._("Please type the new item in Vietnamese (up to 300 characters)."))
        return
    if verb in ("keepvi", "keepen", "noen") and ctx.flow == FLOW:
        await _item_text(ctx, None, keep=verb != "noen")
        return
    item = await repo.item(ctx.conn, int(value)) if value.isdigit() else None
    if item is None:
        stale(ctx)
        return
    if verb == "edit":
        ctx.begin(FLOW, "item_vi", audience=item.audience, item_id=item.id)
        ctx.reply(
            ctx._(
                "Now: _{text}_\n\nPlease type the new Vietnamese wording.",
                text=item.text_vi,
            ),
            [[Option(ctx._("Keep the Vietnamese wording"), action="plgi:keepvi")]],
        )
    elif verb in ("retire", "restore"):
        await repo.set_item_retired(ctx.conn, item.id, verb == "retire", ctx.now)
        await ctx.audit(f"pledge.item_{verb}d", "pledge_item", item.id)
        await _show_items(ctx, item.audience, edit=True)


async def _item_text(ctx: Context, typed: str | None, *, keep: bool = True) -> None:
    """One step of adding or rewording an item: ``typed`` is None when a button was pressed."""
    item_id = ctx.data.get("item_id")
    item = await repo.item(ctx.conn, int(item_id)) if item_id else None
    text = ""
    if typed is not None:
        checked = check_free_text(typed, maximum=300)
        if isinstance(checked, TextProblem) or "<" in checked or ">" in checked:
            problem = checked if isinstance(checked, TextProblem) else TextProblem.MARKUP
            ctx.reply(problem_text(ctx, problem, maximum=300))
            return
        text = " ".join(checked.split())
    if ctx.step == "item_vi":
        if not text and item is None:
            ctx.reply(ctx._("Please type the item in Vietnamese."))
            return
        ctx.goto("item_en", text_vi=text or (item.text_vi if item else ""))
        option = (
            Option(ctx._("Keep the English wording"), action="plgi:keepen")
            if item is not None
            else Option(ctx._("No English wording"), action="plgi:noen")
        )
        ctx.reply(ctx._("Now the English wording (for English readers)."), [[option]])
        return
    text_en = text if typed is not None else (item.text_en if item and keep else "")
    text_vi = str(ctx.data.get("text_vi", ""))
    audience = str(ctx.data.get("audience"))
    ctx.end()
    if item is None:
        new_id = await repo.add_item(ctx.conn, audience, text_vi, text_en, ctx.now)
        await ctx.audit("pledge.item_added", "pledge_item", new_id, audience=audience)
        ctx.reply(ctx._("The item is added."))
    else:
        await repo.reword_item(ctx.conn, item.id, text_vi, text_en, ctx.now)
        await ctx.audit("pledge.item_reworded", "pledge_item", item.id)
        ctx.reply(ctx._("The item is reworded. Pledges already signed keep their wording."))
    await _show_items(ctx, audience)


# Individual pledges -----------------------------------------------------------------------
async def individual(ctx: Context) -> None:
    lines = [ctx._("*Individual pledges* (officers only, never public)")]
    found = await repo.individuals(
        ctx.conn,
        limit=10,
        within=ctx.roles.officer_areas,
        recorded_by=ctx.member.id if ctx.member else None,
    )
    for p in found:
        lines.append(
            ctx._(
                "• {date} · {name}: {content} (taken by {by})",
                date=p.taken_on,
                name=p.person_name,
                content=p.content[:200],
                by=p.taken_by,
            )
        )
    ctx.reply(
        "\n".join(lines), [[Option(ctx._("➕ Record an individual pledge"), action="plgv:new")]]
    )


async def on_individual(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    if verb == "new":
        ctx.begin(FLOW, "ip_name")
        ctx.reply(ctx._("Whose pledge is it? Please type the person's full name."))
    elif verb == "member" and ctx.flow == FLOW and ctx.step == "ip_member" and value.isdigit():
        ctx.goto("ip_content", member_id=int(value) or None)
        ctx.reply(ctx._("What did the person pledge? Please type the content."))
    elif verb == "day" and ctx.flow == FLOW and ctx.step == "ip_date":
        _ask_taken_by(ctx, date.fromisoformat(value))
    elif verb == "me" and ctx.flow == FLOW and ctx.step == "ip_by" and ctx.member:
        await _save_individual(ctx, ctx.member.display_name or "?")
    else:
        stale(ctx)


def _ask_taken_by(ctx: Context, day: date) -> None:
    ctx.goto("ip_by", taken_on=day.isoformat())
    name = ctx.member.display_name if ctx.member else None
    ctx.reply(
        ctx._("Who took the pledge? Type the officer's name, or press the button."),
        [[Option(ctx.t.plain("Me: {name}", name=name or "?"), action="plgv:me")]],
    )


async def _save_individual(ctx: Context, taken_by: str) -> None:
    member_id = ctx.data.get("member_id")
    person = await members_repo.get(ctx.conn, int(member_id)) if member_id else None
    new_id = await repo.add_individual(
        ctx.conn,
        person_name=str(ctx.data["person_name"]),
        member_id=person.id if person else None,
        area_id=person.area_id if person else None,
        content=str(ctx.data["content"]),
        taken_on=date.fromisoformat(str(ctx.data["taken_on"])),
        taken_by=taken_by,
        recorded_by=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    await ctx.audit("pledge.individual_recorded", "individual_pledge", new_id)
    ctx.end()
    ctx.reply(ctx._("The individual pledge is recorded. It is visible to officers only."))


async def _individual_input(ctx: Context, text: str) -> None:
    if ctx.step == "ip_name":
        name = check_name(text)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        found = await members_repo.search(
            ctx.conn, name, fold=search_key, within=ctx.roles.officer_areas
        )
        if not found:
            ctx.goto("ip_content", person_name=name, member_id=None)
            ctx.reply(ctx._("What did the person pledge? Please type the content."))
            return
        ctx.goto("ip_member", person_name=name)
        options = [[Option(m.display_name or "?", action=f"plgv:member:{m.id}")] for m in found]
        options.append([Option(ctx._("None of them: not registered"), action="plgv:member:0")])
        ctx.reply(ctx._("Is it one of these registered members?"), options)
    elif ctx.step == "ip_content":
        content = check_free_text(text, maximum=2000)
        if isinstance(content, TextProblem):
            ctx.reply(problem_text(ctx, content, maximum=2000))
            return
        day = today(ctx)
        ctx.goto("ip_date", content=content)
        ctx.reply(
            ctx._("On which day was it taken? Type it as day/month/year."),
            [[Option(ctx.t.plain("Today, {date}", date=ctx.t.day(day)), action=f"plgv:day:{day}")]],
        )
    elif ctx.step == "ip_date":
        taken_on = parse_day(text)
        if taken_on is None or taken_on > today(ctx):
            ctx.reply(ctx._("Please type a day that has passed, as day/month/year."))
            return
        _ask_taken_by(ctx, taken_on)
    elif ctx.step == "ip_by":
        name = check_name(text)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        await _save_individual(ctx, name)


async def on_input(ctx: Context) -> None:
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the answer as text, or /cancel."))
        return
    text = ctx.event.text
    if ctx.step == "title":
        await _after_title(ctx, text)
    elif ctx.step in ("start", "end"):
        day = parse_day(text)
        if day is None:
            ctx.reply(ctx._("Please type the day as day/month/year, e.g. 15/01/2027."))
            return
        await _after_day(ctx, day)
    elif ctx.step in ("item_vi", "item_en"):
        await _item_text(ctx, text)
    elif ctx.step and ctx.step.startswith("ip_"):
        await _individual_input(ctx, text)
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
    Command(
        "individualpledge",
        "camketcabiet",
        individual,
        OFFICERS,
        Where.PRIVATE,
        N_("Record an individual pledge (cam kết cá biệt)"),
    ),
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
    "plga": Action(on_campaign, roles=OFFICERS),
    "plgi": Action(on_item, roles=OFFICERS),
    "plgv": Action(on_individual, roles=OFFICERS),
    "plge": Action(pledge_export.on_export, roles=OFFICERS),
}
flows: dict[str, Handler] = {FLOW: on_input}
