"""/pledge for a resident who signed: their household's pledge (or the one a member of their
household signed), withdrawing it (recorded with its time, never erased), and their pledges in
/mydata and /forgetme.

Personal data (see :func:`forget_step` and :func:`forget_member`): /forgetme removes every link
between the member and pledges (who signed, who withdrew, household links, individual pledges
about them) and the head's name and address from the pledges the member signed; the household's
pledge itself stays, counted for its area for the yearly "safe residential area" rating, and
the public boards that listed it are edited. Individual pledges taken by an officer stay in the
officer's records without the person's name or link.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.pledges import screens_board_public as public_board
from bot.features.pledges import service
from bot.features.pledges.actions import PLEDGE, WITHDRAW, Plg, Withdraw
from bot.features.pledges.households import masked_name
from bot.features.pledges.screens_common import audience_label
from bot.features.pledges.states import PLEDGE as PLEDGE_FLOW
from bot.features.pledges.states import PledgeDraft, PledgeStep
from bot.i18n import Safe, escape
from bot.shared.pickers import stale
from bot.storage import households as households_repo
from bot.storage import individual_pledges, personal, pledge_campaigns
from bot.storage import members as members_repo
from bot.storage import pledges as repo
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.pledge_campaigns import Campaign


async def show_pledge(ctx: Context, pledge: repo.Pledge, campaign: Campaign) -> None:
    lines = [
        ctx._("*Your household's pledge: {title}*", title=campaign.title),
        ctx._("Reference: *{reference}*", reference=pledge.reference),
        ctx._("Signed on: {date}", date=pledge.signed_at),
        ctx._("Head of household: {name}", name=pledge.head_name),
        ctx._("Address: {address}", address=pledge.address),
        ctx._("Type: {audience}", audience=audience_label(ctx.t, pledge.audience)),
        ctx._("On the public board: yes") if pledge.public else ctx._("On the public board: no"),
        "",
    ]
    for line in await repo.lines(ctx.conn, pledge.id):
        mark = "⬜" if line.left_out else "✅"
        text = escape(line.text)
        lines.append(
            ctx._("{mark} {text} (left out)", mark=mark, text=text)
            if line.left_out
            else f"{mark} {text}"
        )
    ctx.reply(
        "\n".join(lines),
        [[Option(ctx._("↩️ Withdraw the pledge"), action=PLEDGE(Plg.WITHDRAW, pledge.id))]],
    )


async def ask_withdraw(ctx: Context, pledge_id: int) -> None:
    member = ctx.member
    assert member is not None
    pledge = await repo.get(ctx.conn, pledge_id)
    mine = pledge and await repo.standing_for_member(ctx.conn, pledge.campaign_id, member.id)
    if pledge is None or not mine or mine.id != pledge.id:
        stale(ctx)
        return
    PLEDGE_FLOW.begin(ctx, PledgeStep.WITHDRAW, PledgeDraft(pledge_id=pledge.id))
    ctx.reply(
        ctx._(
            "Do you really want to withdraw your household's pledge {reference}? The withdrawal "
            "is recorded with today's date and the household no longer counts as signed.",
            reference=pledge.reference,
        ),
        [
            [
                Option(ctx._("↩️ Yes, withdraw"), action=WITHDRAW(Withdraw.YES)),
                Option(ctx._("Keep the pledge"), action=WITHDRAW(Withdraw.NO)),
            ]
        ],
    )


async def on_withdraw(ctx: Context, answer: str) -> None:
    member = ctx.member
    assert member is not None
    pledge_id = PLEDGE_FLOW.state(ctx).pledge_id if PLEDGE_FLOW.is_open(ctx) else None
    ctx.end()
    if answer != Withdraw.YES or not pledge_id or await repo.get(ctx.conn, pledge_id) is None:
        ctx.reply(ctx._("Your pledge stays as it is."), edit=True)
        return
    pledge = await service.withdraw_pledge(ctx.conn, pledge_id, member, ctx.now)
    if pledge is None:
        ctx.reply(ctx._("This pledge had already been withdrawn."), edit=True)
        return
    if pledge.public:  # the boards posted no longer list it
        await public_board.refresh_posted(ctx, pledge.campaign_id, pledge.area_id)
    ctx.reply(
        ctx._(
            "The pledge {reference} is withdrawn as of {when}. You can sign again with "
            "/pledge while the campaign is open.",
            reference=pledge.reference,
            when=ctx.now,
        ),
        edit=True,
    )


async def already_signed(ctx: Context, existing: repo.Pledge, *, masked: bool = False) -> None:
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


async def data_section(ctx: Context, member: Member) -> list[str]:
    lines: list[str] = []
    for pledge in await repo.of_member(ctx.conn, member.id):
        campaign = await pledge_campaigns.campaign(ctx.conn, pledge.campaign_id)
        status = (
            ctx._("withdrawn on {date}", date=pledge.withdrawn_at)
            if pledge.withdrawn_at
            else ctx._("standing")
        )
        lines.append(
            ctx._(
                "Pledge {reference} ({title}): {head}, {address}, signed on {date}, {status}",
                reference=pledge.reference,
                title=campaign.title if campaign else "?",
                head=pledge.head_name,
                address=pledge.address,
                date=pledge.signed_at,
                status=Safe(status),
            )
        )
    for individual in await individual_pledges.individuals_of_member(ctx.conn, member.id):
        lines.append(
            ctx._(
                "Individual pledge taken on {date} by {by}: {content}",
                date=individual.taken_on,
                by=individual.taken_by,
                content=individual.content,
            )
        )
    return lines


async def forget_step(ctx: Context, member: Member) -> None:
    """The head's name and address leave the pledges the member signed (the household's pledge
    stays counted for its area), every board that listed them is edited, and the words are
    removed from messages to others."""
    before = await repo.anonymise_member(ctx.conn, member.id)
    households = {p.household_id for p in before if p.household_id is not None}
    forgotten = [h for h in [await households_repo.get(ctx.conn, i) for i in households] if h]
    await households_repo.forget(ctx.conn, households, ctx.now)
    for campaign_id, area_id in {(p.campaign_id, p.area_id) for p in before if p.public}:
        await public_board.refresh_posted(ctx, campaign_id, area_id)
    words = [w for p in before for w in (p.head_name, p.address)]
    words += [w for h in forgotten for w in (h.head_name, h.address)]
    await personal.scrub_words(ctx.conn, words, escape=escape)


async def forget_member(conn: Connection, member: Member) -> None:
    """Drop every link to the member; the household's signed pledge stays (see module doc)."""
    await repo.unlink_member(conn, member.id)
    await individual_pledges.unlink_member_individuals(conn, member.id)
