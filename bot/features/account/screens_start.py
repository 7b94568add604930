"""/start: consent, display name and area; /cancel ends any conversation.

The member row is created only when the person has agreed and finished: until then nothing
but the conversation step (which expires) is stored.
"""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.account.actions import ONBOARDING as BUTTONS
from bot.features.account.actions import Onb
from bot.features.account.states import ONBOARDING as ONBOARDING_FLOW
from bot.features.account.states import Onboarding, OnboardingStep
from bot.i18n import N_
from bot.shared.pickers import area_picker, match_areas, problem_text
from bot.shared.text import TextProblem, check_name
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo

CONSENT_VERSION = 1
AREA_CODE = re.compile(r"^[A-Z0-9]{1,20}$")


def parse_payload(payload: str) -> tuple[str | None, str | None]:
    """A deep-link payload is an area code (``THON1``) or ``go-<command>``."""
    payload = payload.strip()
    if payload.startswith("go-"):
        return None, payload[3:].lower() or None
    if AREA_CODE.match(payload.upper()):
        return payload.upper(), None
    return None, None


def _typed(ctx: Context, name: str) -> str:
    """A command named in a deep link, as the reader types it (/baocao in Vietnamese)."""
    command = ctx.registry.find(name)
    return command.typed_in(ctx.t.language) if command else name


async def start(ctx: Context) -> None:
    if not ctx.event.chat.is_private:
        await _start_in_group(ctx)
        return
    area_code, next_command = parse_payload(ctx.event.args)
    member = ctx.member
    if member is not None and member.onboarded:
        ctx.end()
        if next_command:
            ctx.reply(
                ctx._(
                    "You are registered. Please continue with /{command}.",
                    command=_typed(ctx, next_command),
                )
            )
        else:
            ctx.reply(welcome_text(ctx, member.display_name or ""))
        return
    area = await areas_repo.by_code(ctx.conn, area_code) if area_code else None
    ONBOARDING_FLOW.begin(
        ctx,
        OnboardingStep.CONSENT,
        Onboarding(area_id=area.id if area else None, next=next_command, lang=ctx.t.language),
    )
    _ask_consent(ctx)


async def _start_in_group(ctx: Context) -> None:
    area = await areas_repo.get(ctx.conn, ctx.chat.area_id) if ctx.chat.area_id else None
    extra, options = ctx.private_chat(ctx._("Open private chat"), area.code if area else "start")
    ctx.reply(
        ctx._(
            "Hello! I am Xóm An Toàn, the safety assistant of this area. To register, sign "
            "the pledge or report something privately, open a private chat with me."
        )
        + extra,
        options,
    )


def _ask_consent(ctx: Context, *, edit: bool = False) -> None:
    other = "en" if ctx.t.language == "vi" else "vi"
    ctx.reply(
        ctx._(
            "*Welcome to Xóm An Toàn*, the safety assistant of your commune.\n\n"
            "To take part I need to store a little about you:\n"
            "• your Telegram account number, so I can answer you;\n"
            "• the name you choose to show;\n"
            "• your residential area (thôn, xóm, tổ dân phố);\n"
            "• your language.\n\n"
            "This is used only for the safety work of your area (pledges, reports, reminders) "
            "and is seen by your team leader and the commune police. You can see it with "
            "/mydata and delete it with /forgetme at any time. Details: /privacy.\n\n"
            "Do you agree?"
        ),
        [
            [
                Option(ctx._("✅ I agree"), action=BUTTONS(Onb.AGREE)),
                Option(ctx._("✖️ No, thank you"), action=BUTTONS(Onb.DECLINE)),
            ],
            [Option("English" if other == "en" else "Tiếng Việt", action=BUTTONS(Onb.LANG, other))],
        ],
        edit=edit,
    )


def _ask_name(ctx: Context) -> None:
    suggested = check_name(ctx.event.user.full_name if ctx.event.user else "")
    options: list[list[Option]] = []
    if not isinstance(suggested, TextProblem):
        ONBOARDING_FLOW.state(ctx).suggested = suggested
        options = [[Option(ctx.t.plain("Use “{name}”", name=suggested), action=BUTTONS(Onb.NAME))]]
    ctx.reply(
        ctx._(
            "Thank you. What name should your neighbours and team leader see? Please type "
            "your name (2 to 100 characters), for example _Nguyễn Văn An_."
        ),
        options,
    )


async def _ask_area(ctx: Context) -> None:
    areas = await areas_repo.list_areas(ctx.conn)
    if not areas:
        ctx.end()
        ctx.reply(
            ctx._(
                "The commune has not set up its residential areas yet, so I cannot "
                "register you now. Please ask your commune police officer, then press "
                "/start again."
            )
        )
        return
    ctx.reply(
        ctx._("Which residential area (thôn, xóm, tổ dân phố) do you live in?"),
        await area_picker(ctx, areas, BUTTONS(Onb.AREA), everyone=True),
    )


async def _finish(ctx: Context, area_id: int) -> None:
    user = ctx.event.user
    assert user is not None
    area = await areas_repo.get(ctx.conn, area_id)
    if area is None:
        await _ask_area(ctx)
        return
    state = ONBOARDING_FLOW.state(ctx)
    name, language, next_command = state.name, state.lang or ctx.t.language, state.next
    member = await members_repo.ensure(ctx.conn, ctx.event.platform, user.id, ctx.now)
    await members_repo.complete_onboarding(
        ctx.conn,
        member.id,
        display_name=name,
        area_id=area.id,
        language=language,
        consent_version=CONSENT_VERSION,
        now=ctx.now,
    )
    ctx.member = await members_repo.get(ctx.conn, member.id)
    await ctx.audit("member.registered", "member", member.id, area=area.code)
    ctx.end()
    text = ctx._("You are registered in *{area}*. Thank you!", area=area.name)
    text += "\n\n" + welcome_text(ctx, name)
    if next_command:
        text += "\n\n" + ctx._(
            "Please continue with /{command}.", command=_typed(ctx, next_command)
        )
    ctx.reply(text)


def welcome_text(ctx: Context, name: str) -> str:
    return ctx._(
        "Hello {name}! Here is what you can do:\n"
        "• /help: every command you can use\n"
        "• /language: Tiếng Việt or English\n"
        "• /mydata: what I store about you; /forgetme: delete it\n\n"
        "In an emergency call 113 (police), 114 (fire and rescue) or 115 (ambulance).",
        name=name,
    )


# Buttons ---------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    if not ONBOARDING_FLOW.is_open(ctx):
        return
    verb, value = BUTTONS.read(argument)
    step, state = ONBOARDING_FLOW.step(ctx), ONBOARDING_FLOW.state(ctx)
    if verb == Onb.LANG and value in ("vi", "en"):
        state.lang = value
        ctx.t = ctx.config.translator(value, ctx.event.platform)
        _ask_consent(ctx, edit=True)
    elif verb == Onb.AGREE and step == OnboardingStep.CONSENT:
        ctx.goto(OnboardingStep.NAME)
        _ask_name(ctx)
    elif verb == Onb.DECLINE:
        ctx.end()
        ctx.reply(
            ctx._(
                "No problem: nothing about you has been stored. You can press /start "
                "whenever you change your mind."
            )
        )
    elif verb == Onb.NAME and step == OnboardingStep.NAME and state.suggested:
        await _after_name(ctx, state.suggested)
    elif verb == Onb.AREA and step == OnboardingStep.AREA and value.isdigit():
        await _finish(ctx, int(value))
    else:
        ctx.toast(ctx._("Please use the buttons of the latest message."))


async def _after_name(ctx: Context, name: str) -> None:
    state = ONBOARDING_FLOW.state(ctx)
    state.name = name
    ctx.goto(OnboardingStep.AREA)
    if state.area_id:
        await _finish(ctx, state.area_id)
    else:
        await _ask_area(ctx)


async def on_input(ctx: Context) -> None:
    """Typed input during onboarding."""
    step = ONBOARDING_FLOW.step(ctx)
    if step == OnboardingStep.NAME:
        if ctx.event.kind != EventKind.TEXT:
            ctx.reply(ctx._("Please type your name as text."))
            return
        name = check_name(ctx.event.text)
        if isinstance(name, TextProblem):
            ctx.reply(problem_text(ctx, name))
            return
        await _after_name(ctx, name)
    elif step == OnboardingStep.AREA:
        areas = await areas_repo.list_areas(ctx.conn)
        match = match_areas(areas, ctx.event.text)
        if len(match) == 1:
            await _finish(ctx, match[0].id)
        else:
            ctx.reply(
                ctx._("Please choose your area with one of the buttons."),
                await area_picker(ctx, areas, BUTTONS(Onb.AREA), everyone=True),
                bind_to_conversation=True,
            )
    else:
        ctx.reply(ctx._("Please answer with the buttons above: do you agree?"))


async def cancel(ctx: Context) -> None:
    if ctx.conversation is None:
        ctx.reply(ctx._("There is nothing to cancel."))
        return
    ctx.end()
    ctx.reply(ctx._("Cancelled. Nothing from that step was saved."))


feature = Feature(
    name="start",
    commands=[
        Command(
            "start",
            "batdau",
            start,
            EVERYONE,
            Where.ANY,
            N_("Register, or see what you can do"),
            needs_onboarding=False,
        ),
        Command(
            "cancel",
            "huy",
            cancel,
            EVERYONE,
            Where.ANY,
            N_("Stop what you are doing now"),
            needs_onboarding=False,
        ),
    ],
    actions={BUTTONS.prefix: Action(on_button, needs_onboarding=False)},
    flows={ONBOARDING_FLOW: on_input},
)
