"""/privacy, /mydata and /forgetme: what is stored and why, all of it, and deleting it."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.flows import NoState
from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.account.actions import FORGET, Forget
from bot.features.account.states import FORGET as FORGET_FLOW
from bot.features.account.states import ForgetStep
from bot.i18n import N_, escape
from bot.storage import areas as areas_repo
from bot.storage import audit, personal
from bot.storage import members as members_repo
from bot.storage import roles as roles_repo


async def privacy(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "*Your data in Xóm An Toàn*\n\n"
            "*What is stored:* your Telegram account number, the name you chose, "
            "your residential area, your language and when you agreed; your roles "
            "(team leader, officer); and what you yourself enter: your household's pledge, "
            "reports you make under your name, patrols you take part in, the topics you "
            "subscribe to.\n\n"
            "*Why:* only for the safety work of your area under the movement "
            "“Toàn dân bảo vệ an ninh Tổ quốc”. It is never sold or shared outside the commune "
            "police.\n\n"
            "*Who sees it:* your team leader and the commune police. A report you make "
            "is never shown in a group, and an anonymous report keeps no link to you at all."
            "\n\n"
            "*Your rights* (Nghị định 13/2023/NĐ-CP and the Personal Data Protection Law): "
            "see everything with /mydata; delete it with /forgetme. Records that others rely on "
            "(such as the history of a report) are kept without your name."
        )
    )


async def my_data(ctx: Context) -> None:
    member = ctx.member
    if member is None:
        ctx.reply(ctx._("I store nothing about you."))
        return
    area = await areas_repo.get(ctx.conn, member.area_id) if member.area_id else None
    lines = [ctx._("*Everything I store about you*")]
    lines.append(
        ctx._(
            "Account: {platform} {user_id}", platform=member.platform, user_id=str(member.user_id)
        )
    )
    lines.append(ctx._("Name: {name}", name=member.display_name or "-"))
    lines.append(ctx._("Area: {area}", area=area.name if area else "-"))
    lines.append(ctx._("Language: {language}", language=ctx.t.language_name(member.language)))
    if member.consent_at:
        lines.append(ctx._("Agreed to data use on: {date}", date=member.consent_at))
    grants = await roles_repo.of_member(ctx.conn, member.id)
    for grant in grants:
        if grant.role == "leader" and grant.area_id:
            led = await areas_repo.get(ctx.conn, grant.area_id)
            lines.append(ctx._("Role: team leader of {area}", area=led.name if led else "?"))
        elif grant.role == "officer":
            lines.append(ctx._("Role: commune police officer"))
        elif grant.role == "admin":
            lines.append(ctx._("Role: administrator"))
    for section in ctx.registry.data_sections:
        lines += await section(ctx, member)
    lines += await _footprint_lines(ctx, member)
    lines.append("\n" + ctx._("To delete all of this, use /forgetme."))
    ctx.reply("\n".join(lines))


async def _footprint_lines(ctx: Context, member: members_repo.Member) -> list[str]:
    found = await personal.footprint(ctx.conn, member.platform, member.user_id, member.id)
    lines = []
    if found.private_chat:
        lines.append(ctx._("Our private chat: its number, so that I can answer you"))
    if found.conversations:
        lines.append(
            ctx._(
                "Unfinished conversations and buttons under my messages: {count}",
                count=found.conversations,
            )
        )
    if found.outbox:
        lines.append(
            ctx._("Messages to you in my outbox (sent or waiting): {count}", count=found.outbox)
        )
    if found.audit:
        lines.append(
            ctx._("Entries by or about you in the activity log: {count}", count=found.audit)
        )
    if found.led_patrols:
        lines.append(ctx._("Patrols you led: {count}", count=found.led_patrols))
    if found.shifts:
        lines.append(ctx._("Patrol roster shifts you are on: {count}", count=found.shifts))
    if found.assigned_reports:
        lines.append(ctx._("Reports assigned to you: {count}", count=found.assigned_reports))
    if found.records:
        lines.append(
            ctx._(
                "Records you made for the commune (they stay without your name): {count}",
                count=found.records,
            )
        )
    return lines


async def forget_me(ctx: Context) -> None:
    if ctx.member is None:
        ctx.reply(ctx._("I store nothing about you."))
        return
    FORGET_FLOW.begin(ctx, ForgetStep.CONFIRM, NoState())
    ctx.reply(
        ctx._(
            "Do you really want me to delete everything about you? Your registration, roles "
            "and your own entries will be removed; shared records (such as a report's history) "
            "stay without your name. This cannot be undone."
        ),
        [
            [
                Option(ctx._("🗑 Yes, delete my data"), action=FORGET(Forget.YES)),
                Option(ctx._("Keep my data"), action=FORGET(Forget.NO)),
            ]
        ],
    )


async def on_confirm(ctx: Context, answer: str) -> None:
    ctx.end()
    member = ctx.member
    if answer != Forget.YES or member is None:
        ctx.reply(ctx._("Nothing was deleted."), edit=True)
        return
    await forget_member(ctx, member)
    ctx.reply(
        ctx._(
            "Everything about you has been deleted. Thank you for taking part. You "
            "can register again with /start at any time."
        ),
        edit=True,
    )


async def forget_member(ctx: Context, member: members_repo.Member) -> None:
    """Delete or anonymise everything /mydata shows; the pages that held it are overwritten
    (the database deletes securely) and the write-ahead log is emptied after the commit."""
    conn = ctx.conn
    for step in ctx.registry.forget_steps:
        await step(ctx, member)
    for hook in ctx.registry.forget_hooks:
        await hook(conn, member)
    await audit.forget_member(conn, member.id)
    await audit.record(conn, ctx.now, None, "member.forgotten")
    link = ctx.config.links.person_link(member.platform, member.user_id)
    await personal.erase_chat_traces(conn, member.platform, member.user_id, link)
    if member.display_name:
        await personal.scrub_words(conn, [member.display_name], escape=escape)
    await members_repo.delete(conn, member.id)
    ctx.member = None
    ctx.checkpoint_after = True


feature = Feature(
    name="privacy",
    commands=[
        Command(
            "privacy",
            "baomat",
            privacy,
            EVERYONE,
            Where.ANY,
            N_("What data I keep, and why"),
            needs_onboarding=False,
        ),
        Command(
            "mydata",
            "dulieucuatoi",
            my_data,
            EVERYONE,
            Where.PRIVATE,
            N_("See everything I store about you"),
            needs_onboarding=False,
        ),
        Command(
            "forgetme",
            "xoadulieu",
            forget_me,
            EVERYONE,
            Where.PRIVATE,
            N_("Delete everything I store about you"),
            needs_onboarding=False,
        ),
    ],
    actions={FORGET.prefix: Action(on_confirm, needs_onboarding=False)},
)
