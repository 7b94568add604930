"""/help lists exactly the commands this person may use in this chat."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.permissions import EVERYONE
from bot.core.registry import Command, Feature, Where
from bot.i18n import N_


def command_line(ctx: Context, command: Command) -> str:
    return ctx._(
        "/{command}: {description}",
        command=command.typed_in(ctx.t.language),
        description=ctx._(command.description),
    )


async def show_help(ctx: Context) -> None:
    private = ctx.event.chat.is_private
    onboarded = ctx.member is not None and ctx.member.onboarded
    commands = ctx.registry.visible_to(ctx.roles, private=private, onboarded=onboarded)
    lines = [ctx._("*What I can do for you here*")]
    lines += ["• " + command_line(ctx, c) for c in commands]
    if private and not onboarded:
        lines.append("\n" + ctx._("Register with /start to see everything residents can use."))
    if not private:
        lines.append(
            "\n"
            + ctx._(
                "In groups I only answer commands. Anything personal (the "
                "pledge, reports, your data) is done in a private chat with "
                "me."
            )
        )
    lines.append("\n" + ctx._("Emergency: 113 police, 114 fire and rescue, 115 ambulance."))
    ctx.reply("\n".join(lines))


feature = Feature(
    name="help",
    commands=[
        Command(
            "help",
            "trogiup",
            show_help,
            EVERYONE,
            Where.ANY,
            N_("What I can do for you"),
            needs_onboarding=False,
        )
    ],
)
