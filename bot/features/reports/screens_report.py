"""/report, step by step: the category, the description (text, photos, voice), the area and
the place, whether it is happening now, then sent with the person's name or anonymously. The
steps and the draft kept between them are :data:`bot.features.reports.states.REPORT`.

A team leader can also turn a patrol observation into a report: the same flow, started from a
:class:`Draft` at a review step, sent with the leader's name through the same
:func:`screens_send.submit`, and the observation keeps the link to the report.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.reports import screens_send as send
from bot.features.reports.actions import REPORT as BUTTONS
from bot.features.reports.actions import Rep
from bot.features.reports.model import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MAX_PLACE,
    Draft,
)
from bot.features.reports.states import REPORT, Media, ReportDraft, ReportStep
from bot.features.reports.texts import category_label, emergency_text
from bot.i18n import escape
from bot.shared.pickers import area_picker, commune_of, problem_text
from bot.shared.text import TextProblem, check_free_text
from bot.storage import areas as areas_repo

MAX_VOICES = 3


# Starting ---------------------------------------------------------------------------------
async def report(ctx: Context) -> None:
    refusal = await send.refusal(ctx)
    if refusal:
        ctx.end()
        ctx.reply(refusal)
        return
    REPORT.begin(ctx, ReportStep.CATEGORY, ReportDraft())
    await ask(ctx)


async def begin_from_draft(ctx: Context, draft: Draft) -> None:
    """Open the report flow filled in from ``draft``, at the review step."""
    refusal = await send.refusal(ctx)
    if refusal:
        ctx.end()
        ctx.reply(refusal)
        return
    REPORT.begin(
        ctx,
        ReportStep.REVIEW,
        ReportDraft(
            category=draft.category,
            text=draft.description,
            media=[
                Media.model_validate({"kind": kind, "file_id": file_id})
                for kind, file_id in draft.media
            ],
            area_id=draft.area_id,
            lat=draft.latitude,
            lon=draft.longitude,
            observation_id=draft.observation_id,
            patrol_id=draft.patrol_id,
        ),
    )
    await ask(ctx)


async def _review(ctx: Context, cancel: list[Option], *, edit: bool) -> None:
    draft = REPORT.state(ctx)
    area = await areas_repo.get(ctx.conn, draft.area_id or 0)
    lines = [
        ctx._("*Report from a patrol observation*"),
        ctx._("Category: {category}", category=category_label(ctx.t, draft.category or "")),
        ctx._("Residential area: {area}", area=area.name if area else "?"),
    ]
    if draft.lat is not None:
        lines.append(ctx._("📍 Location attached."))
    if draft.count("photo"):
        lines.append(ctx._("📷 Photo attached."))
    lines += [
        ctx._("Description:"),
        str(escape(draft.text)),
        "",
        ctx._(
            "Check it, change what is needed, then send it. It is sent with your name as "
            "the reporter, to the handlers of this category."
        ),
    ]
    ctx.reply(
        "\n".join(lines),
        [
            [Option(ctx.t.plain("📤 Send with my name"), action=BUTTONS(Rep.SEND, "named"))],
            [
                Option(
                    ctx.t.plain(
                        "🚨 Happening right now: {answer}",
                        answer=ctx.t.plain("yes") if draft.now else ctx.t.plain("no"),
                    ),
                    action=BUTTONS(Rep.URGENT),
                )
            ],
            [
                Option(ctx.t.plain("✏️ Change the category"), action=BUTTONS(Rep.RECATEGORY)),
                Option(ctx.t.plain("✏️ Rewrite the description"), action=BUTTONS(Rep.REWRITE)),
            ],
            cancel,
        ],
        edit=edit,
    )


async def ask(ctx: Context, *, edit: bool = False, lead: str | None = None) -> None:
    """Ask the question of the current step (also used to ask again after odd input). With
    ``lead`` (what the person just chose, said back), the question follows it in the same
    message: the pressed menu becomes both, one request instead of an edit and a message."""
    step = REPORT.step(ctx)
    cancel = [Option(ctx.t.plain("✖️ Cancel"), action=BUTTONS(Rep.CANCEL))]
    edit = edit or lead is not None

    def say(text: str, rows: list[list[Option]]) -> None:
        ctx.reply(f"{lead}\n\n{text}" if lead else text, rows, edit=edit)

    if step == ReportStep.REVIEW:
        await _review(ctx, cancel, edit=edit)
    elif step == ReportStep.REWRITE:
        say(ctx._("Please type the new description. It replaces the one in the draft."), [cancel])
    elif step == ReportStep.CATEGORY:
        buttons = [
            Option(category_label(ctx.t, c.key), action=BUTTONS(Rep.CATEGORY, c.key))
            for c in CATEGORIES
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        if REPORT.state(ctx).from_patrol:
            say(ctx._("Which category fits best?"), [*rows, cancel])
            return
        say(
            ctx._(
                "*Report a problem*\nWhat you send here is never shown in a group. "
                "You can choose to stay anonymous at the end.\n\nWhat is it about?"
            ),
            [*rows, cancel],
        )
    elif step == ReportStep.DESCRIBE:
        say(
            ctx._(
                "Please describe what happened: type it, or send a voice message. You can add "
                "up to {photos} photos. Then press Continue.",
                photos=MAX_PHOTOS,
            )
            if ctx.t.takes_media
            else ctx._("Please type what happened, then press Continue."),
            [cancel],
        )
    elif step == ReportStep.AREA:
        areas = await areas_repo.list_areas(ctx.conn)
        home = ctx.member.area_id if ctx.member else None
        areas.sort(key=lambda a: a.id != home)
        say(
            ctx._("In which residential area is it?"),
            [
                *await area_picker(
                    ctx,
                    areas,
                    BUTTONS(Rep.AREA),
                    everyone=True,
                    commune_id=commune_of(areas, home),
                ),
                cancel,
            ],
        )
    elif step == ReportStep.PLACE:
        say(
            ctx._(
                "Where exactly? Type the place (for example: the alley behind the market), or "
                "share a location with 📎 → Location."
            ),
            [[Option(ctx.t.plain("🤐 I'd rather not say"), action=BUTTONS(Rep.NO_PLACE))], cancel],
        )
    elif step == ReportStep.NOW:
        say(
            ctx._("Is it happening right now?"),
            [
                [
                    Option(ctx.t.plain("🚨 Yes, right now"), action=BUTTONS(Rep.NOW, "yes")),
                    Option(ctx.t.plain("No"), action=BUTTONS(Rep.NOW, "no")),
                ],
                cancel,
            ],
        )
    elif step == ReportStep.ANON:
        say(
            ctx._(
                "Last question: send it with your name, or anonymously?\n\n"
                "• *With your name*: only the handler and the commune police can see it, "
                "and I will tell you each time the report moves on.\n"
                "• *Anonymously*: nothing links the report to you, not even for me. You get "
                "a code to follow it with /track."
            ),
            [
                [Option(ctx.t.plain("👤 Send with my name"), action=BUTTONS(Rep.SEND, "named"))],
                [Option(ctx.t.plain("🕶 Send anonymously"), action=BUTTONS(Rep.SEND, "anon"))],
                cancel,
            ],
        )


# Buttons ----------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BUTTONS.read(argument)
    step, draft = REPORT.step(ctx), REPORT.state(ctx)
    if verb == Rep.CANCEL:
        await send.close_flow(ctx)
        ctx.reply(ctx._("Cancelled. Nothing was sent or kept."), edit=True)
    elif (
        verb == Rep.CATEGORY
        and step == ReportStep.CATEGORY
        and value in CATEGORY_BY_KEY
        and draft.from_patrol
    ):
        draft.category = value
        ctx.goto(ReportStep.REVIEW)
        await ask(ctx, edit=True)
    elif verb == Rep.URGENT and step == ReportStep.REVIEW:
        draft.now = not draft.now
        ctx.goto(ReportStep.REVIEW)
        await ask(ctx, edit=True)
    elif verb == Rep.RECATEGORY and step == ReportStep.REVIEW:
        ctx.goto(ReportStep.CATEGORY)
        await ask(ctx, edit=True)
    elif verb == Rep.REWRITE and step == ReportStep.REVIEW:
        ctx.goto(ReportStep.REWRITE)
        await ask(ctx, edit=True)
    elif verb == Rep.CATEGORY and step == ReportStep.CATEGORY and value in CATEGORY_BY_KEY:
        draft.category = value
        ctx.goto(ReportStep.DESCRIBE)
        await ask(ctx, lead=ctx._("Category: {category}", category=category_label(ctx.t, value)))
    elif verb == Rep.DONE and step == ReportStep.DESCRIBE:
        if not draft.text and not draft.media:
            ctx.toast(ctx._("Please describe it first: type it or send a voice message."))
            return
        await _after_description(ctx)
    elif verb == Rep.AREA and step == ReportStep.AREA and value.isdigit():
        area = await areas_repo.get(ctx.conn, int(value))
        if area is None:
            await ask(ctx)
            return
        draft.area_id = area.id
        ctx.goto(ReportStep.PLACE)
        await ask(ctx, lead=ctx._("Hamlet or ward: {area}", area=area.name))
    elif verb == Rep.NO_PLACE and step == ReportStep.PLACE:
        draft.place, draft.lat, draft.lon = None, None, None
        ctx.goto(ReportStep.NOW)
        # The question was asked under the area chosen (when there was a choice): that stays.
        chosen = draft.area_id and len(await areas_repo.list_areas(ctx.conn)) > 1
        area = await areas_repo.get(ctx.conn, draft.area_id) if chosen and draft.area_id else None
        said = ctx._("Place: not given")
        if area is not None:
            said = ctx._("Hamlet or ward: {area}", area=area.name) + "\n" + said
        ctx.reply(said, edit=True)
        await ask(ctx)
    elif verb == Rep.NOW and step == ReportStep.NOW:
        draft.now = value == "yes"
        ctx.goto(ReportStep.ANON)
        if draft.now:
            ctx.reply(emergency_text(ctx.t), edit=True)
        await ask(ctx)
    elif verb == Rep.SEND and step == ReportStep.ANON and value in ("named", "anon"):
        await send.submit(ctx, anonymous=value == "anon")
    elif verb == Rep.SEND and step == ReportStep.REVIEW and value == "named":
        await send.submit(ctx, anonymous=False)
    else:
        ctx.toast(ctx._("Please use the buttons of the latest message."))


async def _after_description(ctx: Context) -> None:
    areas = await areas_repo.list_areas(ctx.conn)
    if len(areas) == 1:
        REPORT.state(ctx).area_id = areas[0].id
        ctx.goto(ReportStep.PLACE)
    else:
        ctx.goto(ReportStep.AREA)
    await ask(ctx)


# Typed input, photos, voice, location -------------------------------------------------------
async def on_input(ctx: Context) -> None:
    step, kind, draft = REPORT.step(ctx), ctx.event.kind, REPORT.state(ctx)
    if step == ReportStep.DESCRIBE:
        await _describe_input(ctx, draft)
    elif step == ReportStep.REWRITE:
        if kind != EventKind.TEXT:
            ctx.reply(ctx._("Please type the new description as text."))
            return
        text = check_free_text(ctx.event.text, maximum=MAX_DESCRIPTION)
        if isinstance(text, TextProblem):
            ctx.reply(problem_text(ctx, text, maximum=MAX_DESCRIPTION))
            return
        draft.text = text
        ctx.goto(ReportStep.REVIEW)
        await ask(ctx)
    elif step == ReportStep.PLACE:
        if kind == EventKind.LOCATION and ctx.event.location is not None:
            lat, lon = ctx.event.location
            draft.place, draft.lat, draft.lon = None, lat, lon
            ctx.goto(ReportStep.NOW)
            ctx.reply(ctx._("Location received."))
            await ask(ctx)
        elif kind == EventKind.TEXT:
            place = check_free_text(ctx.event.text, maximum=MAX_PLACE)
            if isinstance(place, TextProblem):
                ctx.reply(problem_text(ctx, place, maximum=MAX_PLACE))
                return
            draft.place, draft.lat, draft.lon = place, None, None
            ctx.goto(ReportStep.NOW)
            await ask(ctx)
        else:
            ctx.reply(
                ctx._(
                    "Here I need the place as text or a shared location (📎 → Location). "
                    "Or press “I'd rather not say”."
                )
            )
            await ask(ctx)
    else:
        ctx.reply(ctx._("Please answer with the buttons."))
        await ask(ctx)


async def _describe_input(ctx: Context, draft: ReportDraft) -> None:
    event = ctx.event
    text = draft.text
    media = list(draft.media)
    added = ""
    if event.kind == EventKind.UNSUPPORTED:
        ctx.reply(
            ctx._(
                "Sorry, I cannot take this kind of file. I accept text, photos (up to {photos}) "
                "and voice messages.",
                photos=MAX_PHOTOS,
            )
        )
        return
    if event.kind == EventKind.LOCATION:
        ctx.reply(ctx._("Thank you: I will ask for the place in a moment. First the description."))
        return
    if event.kind == EventKind.PHOTO:
        if draft.count("photo") >= MAX_PHOTOS:
            ctx.reply(
                ctx._("That is already {photos} photos, the most I can keep.", photos=MAX_PHOTOS)
            )
            return
        media += [Media(kind="photo", file_id=f) for f in event.file_ids]
        added = ctx._("Photo received.")
    elif event.kind == EventKind.VOICE:
        if draft.count("voice") >= MAX_VOICES:
            ctx.reply(ctx._("That is already enough voice messages. Please press Continue."))
            return
        media += [Media(kind="voice", file_id=f) for f in event.file_ids]
        added = ctx._("Voice message received.")
    if event.text.strip():
        joined = f"{text}\n{event.text}" if text else event.text
        cleaned = check_free_text(joined, maximum=MAX_DESCRIPTION)
        if isinstance(cleaned, TextProblem):
            ctx.reply(problem_text(ctx, cleaned, maximum=MAX_DESCRIPTION))
            if not added:
                return
        else:
            text = cleaned
            added = added or ctx._("Description received.")
    elif event.kind == EventKind.TEXT:
        ctx.reply(problem_text(ctx, TextProblem.EMPTY))
        return
    draft.text, draft.media = text, media
    ctx.reply(
        added + " " + ctx._("Add more, or press Continue."),
        [
            [Option(ctx.t.plain("➡️ Continue"), action=BUTTONS(Rep.DONE))],
            [Option(ctx.t.plain("✖️ Cancel"), action=BUTTONS(Rep.CANCEL))],
        ],
        bind_to_conversation=True,
    )
