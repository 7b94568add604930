"""Group chats: the bot's introduction, linking a group to an area, and following the group
(title changes, removal, migration to a supergroup)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.admin.actions import GROUP, Group
from bot.i18n import N_
from bot.shared.pickers import area_picker, areas_in_scope, stale
from bot.storage import areas as areas_repo
from bot.storage import chats, outbox


async def on_added(ctx: Context) -> None:
    extra, options = ctx.private_chat(ctx._("Open private chat"), "start")
    ctx.reply(
        ctx._(
            "Hello, neighbours! I am *Xóm An Toàn*, the safety assistant of the commune "
            "police. In this group I post safety reminders and answer commands such as /help. "
            "Anything personal (registering, the household pledge, reporting an incident) is "
            "done in a private chat with me, so nothing about you is shown here.\n\n"
            "Commune police: please link this group to its area with /linkgroup."
        )
        + extra,
        options,
    )
    await ctx.audit("group.added", "chat", ctx.chat.id)


async def on_removed(ctx: Context) -> None:
    await chats.set_active(ctx.conn, ctx.event.platform, ctx.event.chat.id, False, ctx.now)
    await outbox.skip_chat(ctx.conn, ctx.event.platform, ctx.event.chat.id, "bot removed from chat")
    await ctx.audit("group.removed", "chat", ctx.chat.id)


async def on_migrated(ctx: Context) -> None:
    new_id = ctx.event.new_chat_id
    if new_id is None:
        return
    if await chats.migrate(ctx.conn, ctx.event.platform, ctx.event.chat.id, new_id, ctx.now):
        await ctx.audit("group.migrated", "chat", ctx.chat.id)


async def on_title(ctx: Context) -> None:
    if ctx.event.chat.title:
        await chats.set_title(
            ctx.conn, ctx.event.platform, ctx.event.chat.id, ctx.event.chat.title, ctx.now
        )


async def link_group(ctx: Context) -> None:
    areas = await areas_in_scope(ctx)
    if not areas:
        ctx.reply(ctx._("There are no areas yet. Add them first (xomantoan areas add)."))
        return
    ctx.reply(
        ctx._("Which area does this group belong to?"),
        await area_picker(ctx, areas, GROUP(Group.LINK)),
    )


async def on_link(ctx: Context, argument: str) -> None:
    verb, value = GROUP.read(argument)
    area = await areas_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    linked_elsewhere = ctx.chat.area_id is not None and not ctx.roles.covers(ctx.chat.area_id)
    if verb != Group.LINK or area is None or not ctx.roles.covers(area.id) or linked_elsewhere:
        stale(ctx)  # a commune officer links only their communes' groups to their areas
        return
    await chats.link_area(ctx.conn, ctx.chat.id, area.id)
    await ctx.audit("group.linked", "chat", ctx.chat.id, area=area.code)
    extra, options = ctx.private_chat(ctx._("Register in a private chat"), area.code)
    ctx.reply(
        ctx._(
            "This group is now the group of *{area}*. Residents can register "
            "with the button below.",
            area=area.name,
        )
        + extra,
        options,
        edit=True,
    )


feature = Feature(
    name="groups",
    commands=[
        Command(
            "linkgroup",
            "lienketnhom",
            link_group,
            OFFICERS,
            Where.GROUP,
            N_("Link this group to its residential area"),
        )
    ],
    actions={GROUP.prefix: Action(on_link, roles=OFFICERS)},
    events={
        EventKind.BOT_ADDED: on_added,
        EventKind.BOT_REMOVED: on_removed,
        EventKind.CHAT_MIGRATED: on_migrated,
        EventKind.TITLE_CHANGED: on_title,
    },
)
