"""/pledge (cam kết): a household signs the year's safety commitment in a private chat, sees it,
and may withdraw it (the withdrawal is recorded with its time, never erased).

One pledge per household per campaign and area: the household is recognised by the head's name
and the address (see :func:`bot.features.pledges.model.household_key`). A second member of
the same household is
told who signed and when, and is linked to that pledge so leaders do not remind them.

What a resident sees of their pledge, withdrawing it and /mydata, /forgetme: screens_mine.py.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.pledges import screens_admin as pledges_admin
from bot.features.pledges import screens_board as pledges_board
from bot.features.pledges import screens_households as households
from bot.features.pledges import screens_mine as mine
from bot.features.pledges import service
from bot.features.pledges.households import Match, masked_name, matches, place_label
from bot.features.pledges.model import AUDIENCES, check_address, household_key
from bot.features.pledges.screens_common import (
    FLOW,
    audience_label,
    items_options,
    items_text,
    next_campaign,
    open_campaign,
)
from bot.i18n import N_
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_name
from bot.storage import areas as areas_repo
from bot.storage import households as households_repo
from bot.storage import members as members_repo
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
    ctx.begin(FLOW, "audience", campaign_id=campaign.id)
    ctx.reply(
        ctx._(
            "*{title}*\nOpen until {end}.\n\nWho is making this pledge?",
            title=campaign.title,
            end=campaign.ends_on,
        ),
        [[Option(audience_label(ctx.t, a), action=f"plg:aud:{a}")] for a in AUDIENCES]
        + [[Option(ctx._("Cancel"), action="plg:cancel")]],
    )


async def _current_items(ctx: Context) -> list[repo.Item]:
    return await repo.items_by_id(ctx.conn, [int(i) for i in ctx.data.get("item_ids", [])])


async def on_button(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    member = ctx.member
    assert member is not None
    if verb == "wd" and value.isdigit():
        await mine.ask_withdraw(ctx, int(value))
        return
    if verb == "cancel" or ctx.flow != FLOW:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)
        return
    campaign = await repo.campaign(ctx.conn, int(ctx.data.get("campaign_id", 0)))
    if campaign is None:
        stale(ctx)
        return
    if verb == "aud" and value in AUDIENCES and ctx.step == "audience":
        items = await repo.items(ctx.conn, value)
        if not items:
            ctx.reply(
                ctx._("There are no pledge items for this type yet. Please ask the commune police.")
            )
            return
        ctx.goto("items", audience=value, item_ids=[i.id for i in items], left_out=[])
        ctx.reply(items_text(ctx, campaign.title, value, items), items_options(ctx, items))
    elif verb == "tog" and value.isdigit() and ctx.step == "items":
        left_out = set(ctx.data.get("left_out", []))
        left_out ^= {int(value)}
        ctx.update(left_out=sorted(left_out))
        items = await _current_items(ctx)
        audience = str(ctx.data.get("audience"))
        ctx.reply(
            items_text(ctx, campaign.title, audience, items),
            items_options(ctx, items),
            edit=True,
        )
    elif verb == "items" and ctx.step == "items":
        items = await _current_items(ctx)
        if len(set(ctx.data.get("left_out", []))) >= len(items):
            ctx.toast(ctx._("Please keep at least one item in the pledge."))
            return
        ctx.goto("head")
        _ask_head(ctx, member)
    elif verb == "head" and ctx.step == "head":
        await _after_head(ctx, member.display_name or "")
    elif verb == "hh" and ctx.step == "household" and value.isdigit():
        await _picked_household(ctx, member, campaign, int(value))
    elif verb == "pub" and ctx.step == "public":
        ctx.goto("confirm", public=value == "yes")
        await _confirm(ctx, campaign)
    elif verb == "sign" and ctx.step == "confirm":
        await _sign(ctx, member, campaign)
    else:
        ctx.toast(ctx._("Please use the buttons of the latest message."))


async def _picked_household(
    ctx: Context, member: Member, campaign: repo.Campaign, household_id: int
) -> None:
    address = str(ctx.data.get("address", ""))
    if household_id == 0:
        ctx.update(new_household=True)
        _ask_public(ctx, address=address, household_id=None)
        return
    household = await households_repo.get(ctx.conn, household_id)
    if (
        household is None
        or household.removed
        or household.area_id != member.area_id
        or household_id not in ctx.data.get("choices", [])
    ):
        stale(ctx)
        return
    # Picked from the masked list: the household's names stay masked in the answer too.
    await _after_household(ctx, member, campaign.id, household, address=address, masked=True)


def _ask_head(ctx: Context, member: Member) -> None:
    options = []
    if member.display_name:
        options = [
            [Option(ctx.t.plain("Use “{name}”", name=member.display_name), action="plg:head")]
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
    ctx.goto("address", head=name)
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
    head = str(ctx.data.get("head", ""))
    campaign_id = int(ctx.data.get("campaign_id", 0))
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
        await _already_signed(ctx, existing)
        return
    _ask_public(ctx, address=address, household_id=None)


def _uses_register(ctx: Context, member: Member) -> bool:
    """A household's pledge in an area points to a household of the area's register."""
    return member.area_id is not None and ctx.data.get("audience") == "household"


def _ask_household(ctx: Context, found: list[Match], address: str) -> None:
    """Close households of the register: the resident picks theirs, or registers a new one.
    Other households show the family name and initials only."""
    ctx.goto("household", address=address, choices=[m.household.id for m in found])
    rows = [
        [
            Option(
                ctx.t.plain(
                    "🏠 {name} · {place}",
                    name=masked_name(m.household.head_name),
                    place=place_label(m.household),
                ),
                action=f"plg:hh:{m.household.id}",
            )
        ]
        for m in found
    ]
    rows.append([Option(ctx._("➕ None of these: a new household"), action="plg:hh:0")])
    rows.append([Option(ctx._("Cancel"), action="plg:cancel")])
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
        await _already_signed(ctx, existing, masked=masked)
        return
    _ask_public(ctx, address=address, household_id=household.id)


def _ask_public(ctx: Context, *, address: str, household_id: int | None) -> None:
    ctx.goto("public", address=address, household_id=household_id)
    ctx.reply(
        ctx._(
            "The signed households are listed in your area's group so neighbours can hold each "
            "other to the pledge (only the name of the head of household, never the address). "
            "May your household's name appear on that list?"
        ),
        [
            [
                Option(ctx._("Yes, list us"), action="plg:pub:yes"),
                Option(ctx._("No, keep it private"), action="plg:pub:no"),
            ]
        ],
    )


async def _already_signed(ctx: Context, existing: repo.Pledge, *, masked: bool = False) -> None:
    """The household has signed (the member is already noted as one of it). ``masked``: the
    person picked it from the register's masked list, without typing its head's name, so names
    are shown as the list showed them."""
    ctx.end()
    signer = await members_repo.get(ctx.conn, existing.member_id) if existing.member_id else None
    signer_name = signer.display_name if signer and signer.display_name else existing.head_name
    head = masked_name(existing.head_name) if masked else existing.head_name
    ctx.reply(
        ctx._(
            "The household of *{head}* ({address}) already signed this pledge on "
            "{date}: it was signed by {signer}, reference {reference}. One pledge per household "
            "is enough, so there is nothing more to do. I have noted you as a member of this "
            "household; /pledge shows the pledge.",
            head=head,
            address=existing.address,
            date=existing.signed_at,
            signer=masked_name(signer_name) if masked else signer_name,
            reference=existing.reference,
        )
    )


async def _confirm(ctx: Context, campaign: repo.Campaign) -> None:
    items = await _current_items(ctx)
    left_out = set(ctx.data.get("left_out", []))
    kept = [n for n, i in enumerate(items, 1) if i.id not in left_out]
    dropped = [str(n) for n, i in enumerate(items, 1) if i.id in left_out]
    area = (
        await areas_repo.get(ctx.conn, ctx.member.area_id)
        if ctx.member and ctx.member.area_id
        else None
    )
    head, address = str(ctx.data.get("head")), str(ctx.data.get("address"))
    household_id = ctx.data.get("household_id")
    household = await households_repo.get(ctx.conn, int(household_id)) if household_id else None
    if household is not None:
        head, address = household.head_name, place_label(household)
    lines = [
        ctx._("*Please check and confirm*"),
        ctx._("Campaign: {title}", title=campaign.title),
        ctx._("Type: {audience}", audience=audience_label(ctx.t, str(ctx.data.get("audience")))),
        ctx._("Head of household: {name}", name=head),
        ctx._("Address: {address}", address=address),
        ctx._("Area: {area}", area=area.name if area else "-"),
        ctx._("Items pledged: {kept} of {total}", kept=len(kept), total=len(items)),
    ]
    if dropped:
        lines.append(ctx._("Items left out: {numbers}", numbers=", ".join(dropped)))
    lines.append(
        ctx._("On the public board: yes")
        if ctx.data.get("public")
        else ctx._("On the public board: no")
    )
    ctx.reply(
        "\n".join(lines),
        [
            [
                Option(ctx._("✅ Sign the pledge"), action="plg:sign"),
                Option(ctx._("Cancel"), action="plg:cancel"),
            ]
        ],
    )


async def _sign(ctx: Context, member: Member, campaign: repo.Campaign) -> None:
    current = await open_campaign(ctx)
    if current is None or current.id != campaign.id:
        ctx.end()
        ctx.reply(ctx._("This pledge campaign has closed in the meantime, so nothing was saved."))
        return
    head, address = str(ctx.data.get("head")), str(ctx.data.get("address"))
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
            audience=str(ctx.data.get("audience")),
            head_name=head,
            address=address,
            items=await _current_items(ctx),
            left_out=set(ctx.data.get("left_out", [])),
            language=ctx.t.language,
            public=bool(ctx.data.get("public")),
            household=household,
        ),
        ctx.now,
    )
    if isinstance(result, service.AlreadySigned):
        await _already_signed(ctx, result.pledge)
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
    household_id = ctx.data.get("household_id")
    found = await service.household_for(
        ctx.conn,
        member.area_id,
        head,
        address,
        picked_id=int(household_id) if household_id else None,
        new_allowed=bool(ctx.data.get("new_household")),
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
    if ctx.step == "head":
        await _after_head(ctx, ctx.event.text)
    elif ctx.step == "address":
        await _after_address(ctx, ctx.event.text)
    else:
        ctx.reply(ctx._("Please answer with the buttons above, or /cancel."))


feature = Feature(
    name="pledges",
    commands=[
        Command(
            "pledge",
            "camket",
            pledge,
            EVERYONE,
            Where.PRIVATE,
            N_("Sign your household's yearly safety pledge, or see it"),
        ),
        *pledges_board.commands,
        *households.commands,
        *pledges_admin.commands,
    ],
    actions={
        "plg": Action(on_button),
        "plgw": Action(mine.on_withdraw),
        **pledges_board.actions,
        **households.actions,
        **pledges_admin.actions,
    },
    flows={
        FLOW: on_input,
        **pledges_board.flows,
        **households.flows,
        **pledges_admin.flows,
    },
    data_sections=[mine.data_section],
    forget_hooks=[mine.forget_member],
    forget_steps=[mine.forget_step],
)
