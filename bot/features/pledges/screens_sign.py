"""/pledge, step by step: who pledges (a household, a business...), the items (each ticked, one
can be left out), the head of household and the address (matched against the area's household
register), whether the household may be listed publicly, then the signature. The steps and the
draft kept between them are :data:`bot.features.pledges.states.PLEDGE`.

One pledge per household per campaign and area: the household is recognised by the head's name
and the address (see :func:`bot.features.pledges.model.household_key`). A second member of
the same household is told who signed and when, and is linked to that pledge so leaders do not
remind them.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.pledges import screens_mine as mine
from bot.features.pledges import service
from bot.features.pledges.actions import PLEDGE as BUTTONS
from bot.features.pledges.actions import Plg
from bot.features.pledges.households import Match, masked_name, matches, place_label
from bot.features.pledges.model import AUDIENCES, check_address, household_key
from bot.features.pledges.screens_common import (
    audience_label,
    items_options,
    items_text,
    next_campaign,
    open_campaign,
)
from bot.features.pledges.states import PLEDGE, PledgeDraft, PledgeStep
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_name
from bot.storage import areas as areas_repo
from bot.storage import households as households_repo
from bot.storage import pledge_campaigns, pledge_items
from bot.storage import pledges as repo
from bot.storage.members import Member


async def pledge(ctx: Context) -> None:
    member = ctx.member
    assert member is not None
    campaign = await open_campaign(ctx)
    if campaign is None:
        upcoming = await next_campaign(ctx)
        if upcoming is None:
            ctx.reply(
                ctx._(
                    "No pledge campaign is open now and none is scheduled yet. The commune "
                    "police will announce the next one; you can sign then with /pledge."
                )
            )
        else:
            ctx.reply(
                ctx._(
                    "The pledge campaign is not open now. The next one, *{title}*, "
                    "opens on {start} and runs until {end}. Please come back then.",
                    title=upcoming.title,
                    start=upcoming.starts_on,
                    end=upcoming.ends_on,
                )
            )
        return
    existing = await repo.standing_for_member(ctx.conn, campaign.id, member.id)
    if existing is not None:
        ctx.end()
        await mine.show_pledge(ctx, existing, campaign)
        return
    PLEDGE.begin(ctx, PledgeStep.AUDIENCE, PledgeDraft(campaign_id=campaign.id))
    ctx.reply(
        ctx._(
            "*{title}*\nOpen until {end}.\n\nWho is making this pledge?",
            title=campaign.title,
            end=campaign.ends_on,
        ),
        [[Option(audience_label(ctx.t, a), action=BUTTONS(Plg.AUDIENCE, a))] for a in AUDIENCES]
        + [[Option(ctx._("Cancel"), action=BUTTONS(Plg.CANCEL))]],
    )


async def _current_items(ctx: Context) -> list[pledge_items.Item]:
    return await pledge_items.items_by_id(ctx.conn, PLEDGE.state(ctx).item_ids)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BUTTONS.read(argument)
    member = ctx.member
    assert member is not None
    if verb == Plg.WITHDRAW and value.isdigit():
        await mine.ask_withdraw(ctx, int(value))
        return
    if verb == Plg.CANCEL or not PLEDGE.is_open(ctx):
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)
        return
    step, draft = PLEDGE.step(ctx), PLEDGE.state(ctx)
    campaign = await pledge_campaigns.campaign(ctx.conn, draft.campaign_id or 0)
    if campaign is None:
        stale(ctx)
        return
    if verb == Plg.AUDIENCE and value in AUDIENCES and step == PledgeStep.AUDIENCE:
        items = await pledge_items.items(ctx.conn, value)
        if not items:
            ctx.reply(
                ctx._("There are no pledge items for this type yet. Please ask the commune police.")
            )
            return
        draft.audience, draft.item_ids, draft.left_out = value, [i.id for i in items], []
        ctx.goto(PledgeStep.ITEMS)
        ctx.reply(
            items_text(ctx, campaign.title, value, items, draft.left_out),
            items_options(ctx, items, draft.left_out),
        )
    elif verb == Plg.TOGGLE and value.isdigit() and step == PledgeStep.ITEMS:
        draft.left_out = sorted(set(draft.left_out) ^ {int(value)})
        items = await _current_items(ctx)
        ctx.reply(
            items_text(ctx, campaign.title, draft.audience or "", items, draft.left_out),
            items_options(ctx, items, draft.left_out),
            edit=True,
        )
    elif verb == Plg.ITEMS and step == PledgeStep.ITEMS:
        items = await _current_items(ctx)
        if len(set(draft.left_out)) >= len(items):
            ctx.toast(ctx._("Please keep at least one item in the pledge."))
            return
        ctx.goto(PledgeStep.HEAD)
        _ask_head(ctx, member)
    elif verb == Plg.HEAD and step == PledgeStep.HEAD:
        await _after_head(ctx, member.display_name or "")
    elif verb == Plg.HOUSEHOLD and step == PledgeStep.HOUSEHOLD and value.isdigit():
        await _picked_household(ctx, member, campaign, int(value))
    elif verb == Plg.PUBLIC and step == PledgeStep.PUBLIC:
        draft.public = value == "yes"
        ctx.goto(PledgeStep.CONFIRM)
        await _confirm(ctx, campaign)
    elif verb == Plg.SIGN and step == PledgeStep.CONFIRM:
        await _sign(ctx, member, campaign)
    else:
        ctx.toast(ctx._("Please use the buttons of the latest message."))


async def _picked_household(
    ctx: Context, member: Member, campaign: pledge_campaigns.Campaign, household_id: int
) -> None:
    draft = PLEDGE.state(ctx)
    address = draft.address
    if household_id == 0:
        draft.new_household = True
        _ask_public(ctx, address=address, household_id=None)
        return
    household = await households_repo.get(ctx.conn, household_id)
    if (
        household is None
        or household.removed
        or household.area_id != member.area_id
        or household_id not in draft.choices
    ):
        stale(ctx)
        return
    # Picked from the masked list: the household's names stay masked in the answer too.
    await _after_household(ctx, member, campaign.id, household, address=address, masked=True)


def _ask_head(ctx: Context, member: Member) -> None:
    options = []
    if member.display_name:
        options = [
            [
                Option(
                    ctx.t.plain("Use “{name}”", name=member.display_name), action=BUTTONS(Plg.HEAD)
                )
            ]
        ]
    ctx.reply(
        ctx._(
            "Please type the *name of the head of the household* (2 to 100 characters), "
            "for example _Nguyễn Văn An_."
        ),
        options,
    )


async def _after_head(ctx: Context, text: str) -> None:
    name = check_name(text)
    if isinstance(name, TextProblem):
        ctx.reply(problem_text(ctx, name))
        return
    PLEDGE.state(ctx).head = name
    ctx.goto(PledgeStep.ADDRESS)
    ctx.reply(
        ctx._(
            "Thank you. Now the household's *house number or address in the hamlet*, "
            "for example _Số 12, xóm 3_."
        )
    )


async def _after_address(ctx: Context, text: str) -> None:
    member = ctx.member
    assert member is not None
    address = check_address(text)
    if isinstance(address, TextProblem):
        ctx.reply(problem_text(ctx, address, maximum=150))
        return
    draft = PLEDGE.state(ctx)
    head, campaign_id = draft.head, draft.campaign_id or 0
    if _uses_register(ctx, member):
        assert member.area_id is not None
        found = matches(head, address, await households_repo.in_area(ctx.conn, member.area_id))
        if found and found[0].exact:
            await _after_household(ctx, member, campaign_id, found[0].household, address=address)
        elif found:
            _ask_household(ctx, found, address)
        else:
            _ask_public(ctx, address=address, household_id=None)
        return
    existing = await repo.standing_for_household(
        ctx.conn, campaign_id, member.area_id, household_key(head, address)
    )
    if existing is not None:
        await service.link_to_signed(ctx.conn, existing, member, ctx.now)
        await mine.already_signed(ctx, existing)
        return
    _ask_public(ctx, address=address, household_id=None)


def _uses_register(ctx: Context, member: Member) -> bool:
    """A household's pledge in an area points to a household of the area's register."""
    return member.area_id is not None and PLEDGE.state(ctx).audience == "household"


def _ask_household(ctx: Context, found: list[Match], address: str) -> None:
    """Close households of the register: the resident picks theirs, or registers a new one.
    Other households show the family name and initials only."""
    draft = PLEDGE.state(ctx)
    draft.address, draft.choices = address, [m.household.id for m in found]
    ctx.goto(PledgeStep.HOUSEHOLD)
    rows = [
        [
            Option(
                ctx.t.plain(
                    "🏠 {name} · {place}",
                    name=masked_name(m.household.head_name),
                    place=place_label(m.household),
                ),
                action=BUTTONS(Plg.HOUSEHOLD, m.household.id),
            )
        ]
        for m in found
    ]
    rows.append(
        [Option(ctx._("➕ None of these: a new household"), action=BUTTONS(Plg.HOUSEHOLD, 0))]
    )
    rows.append([Option(ctx._("Cancel"), action=BUTTONS(Plg.CANCEL))])
    ctx.reply(
        ctx._(
            "Your team leader's register of households has households close to what you "
            "typed. Is one of them yours? If so, please press it, so your household is "
            "counted once."
        ),
        rows,
    )


async def _after_household(
    ctx: Context,
    member: Member,
    campaign_id: int,
    household: households_repo.Household,
    *,
    address: str,
    masked: bool = False,
) -> None:
    existing = await repo.standing_for_household_id(ctx.conn, campaign_id, household.id)
    if existing is not None:
        await service.link_to_signed(ctx.conn, existing, member, ctx.now)
        await mine.already_signed(ctx, existing, masked=masked)
        return
    _ask_public(ctx, address=address, household_id=household.id)


def _ask_public(ctx: Context, *, address: str, household_id: int | None) -> None:
    draft = PLEDGE.state(ctx)
    draft.address, draft.household_id = address, household_id
    ctx.goto(PledgeStep.PUBLIC)
    ctx.reply(
        ctx._(
            "The signed households are listed in your area's group so neighbours can hold each "
            "other to the pledge (only the name of the head of household, never the address). "
            "May your household's name appear on that list?"
        ),
        [
            [
                Option(ctx._("Yes, list us"), action=BUTTONS(Plg.PUBLIC, "yes")),
                Option(ctx._("No, keep it private"), action=BUTTONS(Plg.PUBLIC, "no")),
            ]
        ],
    )


async def _confirm(ctx: Context, campaign: pledge_campaigns.Campaign) -> None:
    draft = PLEDGE.state(ctx)
    items = await _current_items(ctx)
    left_out = set(draft.left_out)
    kept = [n for n, i in enumerate(items, 1) if i.id not in left_out]
    dropped = [str(n) for n, i in enumerate(items, 1) if i.id in left_out]
    area = (
        await areas_repo.get(ctx.conn, ctx.member.area_id)
        if ctx.member and ctx.member.area_id
        else None
    )
    head, address = draft.head, draft.address
    household_id = draft.household_id
    household = await households_repo.get(ctx.conn, household_id) if household_id else None
    if household is not None:
        head, address = household.head_name, place_label(household)
    lines = [
        ctx._("*Please check and confirm*"),
        ctx._("Campaign: {title}", title=campaign.title),
        ctx._("Type: {audience}", audience=audience_label(ctx.t, draft.audience or "")),
        ctx._("Head of household: {name}", name=head),
        ctx._("Address: {address}", address=address),
        ctx._("Area: {area}", area=area.name if area else "-"),
        ctx._("Items pledged: {kept} of {total}", kept=len(kept), total=len(items)),
    ]
    if dropped:
        lines.append(ctx._("Items left out: {numbers}", numbers=", ".join(dropped)))
    lines.append(
        ctx._("On the public board: yes") if draft.public else ctx._("On the public board: no")
    )
    ctx.reply(
        "\n".join(lines),
        [
            [
                Option(ctx._("✅ Sign the pledge"), action=BUTTONS(Plg.SIGN)),
                Option(ctx._("Cancel"), action=BUTTONS(Plg.CANCEL)),
            ]
        ],
    )


async def _sign(ctx: Context, member: Member, campaign: pledge_campaigns.Campaign) -> None:
    current = await open_campaign(ctx)
    if current is None or current.id != campaign.id:
        ctx.end()
        ctx.reply(ctx._("This pledge campaign has closed in the meantime, so nothing was saved."))
        return
    draft = PLEDGE.state(ctx)
    head, address = draft.head, draft.address
    household = None
    if _uses_register(ctx, member):
        household = await _household_to_sign(ctx, member, head, address)
        if household is None:
            return
    result = await service.sign_pledge(
        ctx.conn,
        campaign,
        member,
        service.Signing(
            audience=draft.audience or "",
            head_name=head,
            address=address,
            items=await _current_items(ctx),
            left_out=set(draft.left_out),
            language=ctx.t.language,
            public=draft.public,
            household=household,
        ),
        ctx.now,
    )
    if isinstance(result, service.AlreadySigned):
        await mine.already_signed(ctx, result.pledge)
        return
    ref = result.reference
    ctx.end()
    ctx.reply(
        ctx._(
            "Thank you! Your household's pledge is recorded.\n"
            "Reference: *{reference}*\nDate: {date}\n\n"
            "You can see it again, or withdraw it, with /pledge.",
            reference=ref,
            date=ctx.now,
        ),
        edit=True,
    )


async def _household_to_sign(
    ctx: Context, member: Member, head: str, address: str
) -> households_repo.Household | None:
    """The register's household this pledge is for: the one picked, the one with the same
    identity, or a new one the resident registers (the leader sees it on the register)."""
    assert member.area_id is not None
    draft = PLEDGE.state(ctx)
    found = await service.household_for(
        ctx.conn,
        member.area_id,
        head,
        address,
        picked_id=draft.household_id or None,
        new_allowed=draft.new_household,
        actor=member.id,
        now=ctx.now,
    )
    if isinstance(found, service.Removed):
        ctx.end()
        ctx.reply(
            ctx._(
                "This household was taken off the register in the meantime, so nothing "
                "was saved. Please start again with /pledge."
            ),
            edit=True,
        )
        return None
    if isinstance(found, service.CloseMatches):
        # Registered since the address was typed (by the leader or a neighbour): offer it.
        _ask_household(ctx, found.found, address)
        return None
    return found


async def on_input(ctx: Context) -> None:
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the answer as text, or /cancel."))
        return
    step = PLEDGE.step(ctx)
    if step == PledgeStep.HEAD:
        await _after_head(ctx, ctx.event.text)
    elif step == PledgeStep.ADDRESS:
        await _after_address(ctx, ctx.event.text)
    else:
        ctx.reply(ctx._("Please answer with the buttons above, or /cancel."))
