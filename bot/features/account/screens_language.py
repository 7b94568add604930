"""/language: Tiếng Việt or English, for this person."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.account.actions import LANGUAGE
from bot.features.account.states import PREFERENCES, Preferences, PreferencesStep
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from bot.storage import members as members_repo

NAMES = LANGUAGE_NAMES


async def choose(ctx: Context) -> None:
    ctx.reply(
        ctx._("Please choose your language:"),
        [[Option(NAMES[code], action=LANGUAGE.make(code)) for code in LANGUAGES]],
    )


async def on_choice(ctx: Context, code: str) -> None:
    if code not in LANGUAGES:
        return
    if ctx.member is not None:
        await members_repo.set_language(ctx.conn, ctx.member.id, code, ctx.now)
    elif ctx.conversation is not None:
        # Whatever the flow, its conversation keeps the language of someone not registered
        # yet (the dispatcher reads it; typed states leave keys they do not know alone).
        ctx.update(lang=code)
    else:  # not registered: remember the choice (only) until they register or it expires
        PREFERENCES.begin(ctx, PreferencesStep.IDLE, Preferences(lang=code))
    ctx.t = ctx.config.translator(code, ctx.event.platform)
    ctx.reply(ctx._("I will write to you in English from now on."), edit=True)


feature = Feature(
    name="language",
    commands=[
        Command(
            "language",
            "ngonngu",
            choose,
            EVERYONE,
            Where.PRIVATE,
            N_("Choose Vietnamese or English"),
            needs_onboarding=False,
        )
    ],
    actions={LANGUAGE.prefix: Action(on_choice, needs_onboarding=False)},
)
