"""/subscribe and /unsubscribe: residents choose the awareness topics they receive in private.
Groups receive what their area is targeted with, whatever anyone subscribed to."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.broadcasts.actions import SUBSCRIBE, Sub
from bot.features.broadcasts.states import SUBSCRIBE as SUBSCRIBE_FLOW
from bot.features.broadcasts.states import SubscribeState, SubscribeStep
from bot.features.broadcasts.topics import BY_KEY, TOPICS
from bot.i18n import N_
from bot.storage import broadcasts as repo
from bot.storage.db import Connection
from bot.storage.members import Member


async def subscribe(ctx: Context) -> None:
    SUBSCRIBE_FLOW.begin(ctx, SubscribeStep.TOPICS, SubscribeState())
    await _show(ctx, edit=False)


async def _show(ctx: Context, *, edit: bool) -> None:
    assert ctx.member is not None
    chosen = await repo.topics_of(ctx.conn, ctx.member.id)
    rows = [
        [
            Option(
                ("✅ " if t.key in chosen else "⬜ ") + f"{t.emoji} " + ctx.t.plain(t.label),
                action=SUBSCRIBE(Sub.TOGGLE, t.key),
            )
        ]
        for t in TOPICS
    ]
    rows.append([Option(ctx.t.plain("Done"), action=SUBSCRIBE(Sub.DONE))])
    ctx.reply(
        ctx._(
            "🔔 Choose the reminders you want to receive here in private. Press a topic to "
            "turn it on or off. Your village group gets the commune's reminders anyway."
        ),
        rows,
        edit=edit,
    )


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = SUBSCRIBE.read(argument)
    if ctx.member is None:
        return
    if verb == Sub.TOGGLE and value in BY_KEY and SUBSCRIBE_FLOW.is_open(ctx):
        if value in await repo.topics_of(ctx.conn, ctx.member.id):
            await repo.unsubscribe(ctx.conn, ctx.member.id, value)
        else:
            await repo.subscribe(ctx.conn, ctx.member.id, value, ctx.now)
        SUBSCRIBE_FLOW.state(ctx).changed = True
        await _show(ctx, edit=True)
    elif verb == Sub.DONE:
        ctx.end()
        count = len(await repo.topics_of(ctx.conn, ctx.member.id))
        ctx.reply(
            ctx._n(
                "Saved: you receive {count} topic. /unsubscribe stops them all.",
                "Saved: you receive {count} topics. /unsubscribe stops them all.",
                count,
            )
            if count
            else ctx._("Saved: you receive no reminders in private."),
            edit=True,
        )
    elif verb == Sub.ALL:
        removed = await repo.unsubscribe(ctx.conn, ctx.member.id)
        ctx.end()
        ctx.reply(
            ctx._("Done: you will not receive reminders in private any more.")
            if removed
            else ctx._("You were not receiving any reminders in private."),
            edit=True,
        )


async def unsubscribe(ctx: Context) -> None:
    assert ctx.member is not None
    removed = await repo.unsubscribe(ctx.conn, ctx.member.id)
    if removed:
        await ctx.audit("subscriptions.stopped", "member", ctx.member.id, topics=removed)
    ctx.reply(
        ctx._(
            "Done: you will not receive reminders in private any more. "
            "/subscribe turns them on again."
        )
        if removed
        else ctx._("You were not receiving any reminders in private. /subscribe turns them on.")
    )


async def data_section(ctx: Context, member: Member) -> list[str]:
    chosen = await repo.topics_of(ctx.conn, member.id)
    if not chosen:
        return []
    labels = ", ".join(ctx.t.plain(t.label) for t in TOPICS if t.key in chosen)
    return [ctx._("Reminder topics you receive: {topics}", topics=labels)]


async def forget(conn: Connection, member: Member) -> None:
    await repo.unsubscribe(conn, member.id)


feature = Feature(
    name="subscriptions",
    commands=[
        Command(
            "subscribe",
            "nhantin",
            subscribe,
            EVERYONE,
            Where.PRIVATE,
            N_("Choose the safety reminders you receive"),
        ),
        Command(
            "unsubscribe",
            "ngungnhantin",
            unsubscribe,
            EVERYONE,
            Where.PRIVATE,
            N_("Stop the reminders you receive in private"),
        ),
    ],
    actions={SUBSCRIBE.prefix: Action(on_button)},
    data_sections=[data_section],
    forget_hooks=[forget],
)
