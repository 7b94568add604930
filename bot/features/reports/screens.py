"""/report: a resident tells the commune about a problem, privately, by name or anonymously;
/track (screens_track.py): follow a report by its code. The feature's wiring (triage, lists,
mediation) is here.

A team leader can also turn a patrol observation into a report: the same flow, started from a
:class:`Draft` at a review step, sent with the leader's name through the same :func:`submit`,
and the observation keeps the link to the report.

Anonymous means no link at all: the report row has no member, no chat and no user id, the audit
entry has no actor, and at the end the conversation and this flow's menus are deleted.
"""

from __future__ import annotations

import aiosqlite

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import EVERYONE, LEADERS, OFFICERS
from bot.core.registry import Action, Command, Feature, Job, Where
from bot.features.reports import screens_list as reports_list
from bot.features.reports import screens_mediation as reports_mediation
from bot.features.reports import screens_send as send
from bot.features.reports import screens_settings as reports_settings
from bot.features.reports import screens_track as reports_track
from bot.features.reports import screens_triage as reports_triage
from bot.features.reports import service
from bot.features.reports.model import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MAX_PLACE,
    Draft,
)
from bot.features.reports.texts import category_label, emergency_text, status_label
from bot.i18n import N_, escape
from bot.shared.pickers import area_picker, commune_of, problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import areas as areas_repo
from bot.storage import mediation as mediation_repo
from bot.storage import reports as repo
from bot.storage.members import Member

FLOW = "report"
MAX_VOICES = 3


# Starting ---------------------------------------------------------------------------------
async def report(ctx: Context) -> None:
    refusal = await send.refusal(ctx)
    if refusal:
        ctx.end()
        ctx.reply(refusal)
        return
    ctx.begin(FLOW, "category", text="", media=[])
    await ask(ctx)


async def begin_from_draft(ctx: Context, draft: Draft) -> None:
    """Open the report flow filled in from ``draft``, at the review step."""
    refusal = await send.refusal(ctx, rate_limited=False)
    if refusal:
        ctx.end()
        ctx.reply(refusal)
        return
    ctx.begin(
        FLOW,
        "review",
        category=draft.category,
        text=draft.description,
        media=[{"kind": kind, "file_id": file_id} for kind, file_id in draft.media],
        area_id=draft.area_id,
        place=None,
        lat=draft.latitude,
        lon=draft.longitude,
        now=False,
        observation_id=draft.observation_id,
        patrol_id=draft.patrol_id,
    )
    await ask(ctx)


async def _review(ctx: Context, cancel: list[Option], *, edit: bool) -> None:
    data = ctx.data
    area = await areas_repo.get(ctx.conn, int(data.get("area_id") or 0))
    lines = [
        ctx._("*Report from a patrol observation*"),
        ctx._("Category: {category}", category=category_label(ctx.t, str(data["category"]))),
        ctx._("Residential area: {area}", area=area.name if area else "?"),
    ]
    if data.get("lat") is not None:
        lines.append(ctx._("📍 Location attached."))
    photos = sum(1 for m in data.get("media", []) if m.get("kind") == "photo")
    if photos:
        lines.append(ctx._("📷 Photo attached."))
    lines += [
        ctx._("Description:"),
        str(escape(str(data.get("text", "")))),
        "",
        ctx._(
            "Check it, change what is needed, then send it. It is sent with your name as "
            "the reporter, to the handlers of this category."
        ),
    ]
    ctx.reply(
        "\n".join(lines),
        [
            [Option(ctx.t.plain("📤 Send with my name"), action="rep:send:named")],
            [
                Option(
                    ctx.t.plain(
                        "🚨 Happening right now: {answer}",
                        answer=ctx.t.plain("yes") if data.get("now") else ctx.t.plain("no"),
                    ),
                    action="rep:urgent",
                )
            ],
            [
                Option(ctx.t.plain("✏️ Change the category"), action="rep:recat"),
                Option(ctx.t.plain("✏️ Rewrite the description"), action="rep:rewrite"),
            ],
            cancel,
        ],
        edit=edit,
    )


async def ask(ctx: Context, *, edit: bool = False) -> None:
    """Ask the question of the current step (also used to ask again after odd input)."""
    step = ctx.step
    cancel = [Option(ctx.t.plain("✖️ Cancel"), action="rep:cancel")]
    if step == "review":
        await _review(ctx, cancel, edit=edit)
    elif step == "rewrite":
        ctx.reply(
            ctx._("Please type the new description. It replaces the one in the draft."),
            [cancel],
            edit=edit,
        )
    elif step == "category":
        buttons = [
            Option(category_label(ctx.t, c.key), action=f"rep:cat:{c.key}") for c in CATEGORIES
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        if ctx.data.get("observation_id") is not None:
            ctx.reply(ctx._("Which category fits best?"), [*rows, cancel], edit=edit)
            return
        ctx.reply(
            ctx._(
                "*Report a problem*\nWhat you send here is never shown in a group. "
                "You can choose to stay anonymous at the end.\n\nWhat is it about?"
            ),
            [*rows, cancel],
            edit=edit,
        )
    elif step == "describe":
        ctx.reply(
            ctx._(
                "Please describe what happened: type it, or send a voice message. You can add "
                "up to {photos} photos. Then press Continue.",
                photos=MAX_PHOTOS,
            ),
            [cancel],
            edit=edit,
        )
    elif step == "area":
        areas = await areas_repo.list_areas(ctx.conn)
        home = ctx.member.area_id if ctx.member else None
        areas.sort(key=lambda a: a.id != home)
        ctx.reply(
            ctx._("In which residential area is it?"),
            [
                *await area_picker(
                    ctx, areas, "rep:area", everyone=True, commune_id=commune_of(areas, home)
                ),
                cancel,
            ],
            edit=edit,
        )
    elif step == "place":
        ctx.reply(
            ctx._(
                "Where exactly? Type the place (for example: the alley behind the market), or "
                "share a location with 📎 → Location."
            ),
            [[Option(ctx.t.plain("🤐 I'd rather not say"), action="rep:noplace")], cancel],
            edit=edit,
        )
    elif step == "now":
        ctx.reply(
            ctx._("Is it happening right now?"),
            [
                [
                    Option(ctx.t.plain("🚨 Yes, right now"), action="rep:now:yes"),
                    Option(ctx.t.plain("No"), action="rep:now:no"),
                ],
                cancel,
            ],
            edit=edit,
        )
    elif step == "anon":
        ctx.reply(
            ctx._(
                "Last question: send it with your name, or anonymously?\n\n"
                "• *With your name*: only the handler and the commune police can see it, "
                "and I will tell you each time the report moves on.\n"
                "• *Anonymously*: nothing links the report to you, not even for me. You get "
                "a code to follow it with /track."
            ),
            [
                [Option(ctx.t.plain("👤 Send with my name"), action="rep:send:named")],
                [Option(ctx.t.plain("🕶 Send anonymously"), action="rep:send:anon")],
                cancel,
            ],
            edit=edit,
        )


# Buttons ----------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    if ctx.flow != FLOW:
        stale(ctx)
        return
    verb, _, value = argument.partition(":")
    step = ctx.step
    from_draft = ctx.data.get("observation_id") is not None
    if verb == "cancel":
        await send.close_flow(ctx)
        ctx.reply(ctx._("Cancelled. Nothing was sent or kept."), edit=True)
    elif verb == "cat" and step == "category" and value in CATEGORY_BY_KEY and from_draft:
        ctx.goto("review", category=value)
        await ask(ctx, edit=True)
    elif verb == "urgent" and step == "review":
        ctx.goto("review", now=not ctx.data.get("now"))
        await ask(ctx, edit=True)
    elif verb == "recat" and step == "review":
        ctx.goto("category")
        await ask(ctx, edit=True)
    elif verb == "rewrite" and step == "review":
        ctx.goto("rewrite")
        await ask(ctx, edit=True)
    elif verb == "cat" and step == "category" and value in CATEGORY_BY_KEY:
        ctx.goto("describe", category=value)
        ctx.reply(ctx._("Category: {category}", category=category_label(ctx.t, value)), edit=True)
        await ask(ctx)
    elif verb == "done" and step == "describe":
        if not ctx.data.get("text") and not ctx.data.get("media"):
            ctx.toast(ctx._("Please describe it first: type it or send a voice message."))
            return
        await _after_description(ctx)
    elif verb == "area" and step == "area" and value.isdigit():
        area = await areas_repo.get(ctx.conn, int(value))
        if area is None:
            await ask(ctx)
            return
        ctx.goto("place", area_id=area.id)
        ctx.reply(ctx._("Hamlet or ward: {area}", area=area.name), edit=True)
        await ask(ctx)
    elif verb == "noplace" and step == "place":
        ctx.goto("now", place=None, lat=None, lon=None)
        ctx.reply(ctx._("Place: not given"), edit=True)
        await ask(ctx)
    elif verb == "now" and step == "now":
        happening = value == "yes"
        ctx.goto("anon", now=happening)
        if happening:
            ctx.reply(emergency_text(ctx.t), edit=True)
        await ask(ctx)
    elif verb == "send" and step == "anon" and value in ("named", "anon"):
        await send.submit(ctx, anonymous=value == "anon")
    elif verb == "send" and step == "review" and value == "named":
        await send.submit(ctx, anonymous=False)
    else:
        ctx.toast(ctx._("Please use the buttons of the latest message."))


async def _after_description(ctx: Context) -> None:
    areas = await areas_repo.list_areas(ctx.conn)
    if len(areas) == 1:
        ctx.goto("place", area_id=areas[0].id)
    else:
        ctx.goto("area")
    await ask(ctx)


# Typed input, photos, voice, location -------------------------------------------------------
async def on_input(ctx: Context) -> None:
    step, kind = ctx.step, ctx.event.kind
    if step == "describe":
        await _describe_input(ctx)
    elif step == "rewrite":
        if kind != EventKind.TEXT:
            ctx.reply(ctx._("Please type the new description as text."))
            return
        text = check_free_text(ctx.event.text, maximum=MAX_DESCRIPTION)
        if isinstance(text, TextProblem):
            ctx.reply(problem_text(ctx, text, maximum=MAX_DESCRIPTION))
            return
        ctx.goto("review", text=text)
        await ask(ctx)
    elif step == "place":
        if kind == EventKind.LOCATION and ctx.event.location is not None:
            lat, lon = ctx.event.location
            ctx.goto("now", place=None, lat=lat, lon=lon)
            ctx.reply(ctx._("Location received."))
            await ask(ctx)
        elif kind == EventKind.TEXT:
            place = check_free_text(ctx.event.text, maximum=MAX_PLACE)
            if isinstance(place, TextProblem):
                ctx.reply(problem_text(ctx, place, maximum=MAX_PLACE))
                return
            ctx.goto("now", place=place, lat=None, lon=None)
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


async def _describe_input(ctx: Context) -> None:
    event, data = ctx.event, ctx.data
    text: str = str(data.get("text", ""))
    media: list[dict[str, str]] = list(data.get("media", []))
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
        if sum(1 for m in media if m["kind"] == "photo") >= MAX_PHOTOS:
            ctx.reply(
                ctx._("That is already {photos} photos, the most I can keep.", photos=MAX_PHOTOS)
            )
            return
        media += [{"kind": "photo", "file_id": f} for f in event.file_ids]
        added = ctx._("Photo received.")
    elif event.kind == EventKind.VOICE:
        if sum(1 for m in media if m["kind"] == "voice") >= MAX_VOICES:
            ctx.reply(ctx._("That is already enough voice messages. Please press Continue."))
            return
        media += [{"kind": "voice", "file_id": f} for f in event.file_ids]
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
    ctx.update(text=text, media=media)
    ctx.reply(
        added + " " + ctx._("Add more, or press Continue."),
        [
            [Option(ctx.t.plain("➡️ Continue"), action="rep:done")],
            [Option(ctx.t.plain("✖️ Cancel"), action="rep:cancel")],
        ],
        bind_to_conversation=True,
    )


# /mydata and /forgetme ----------------------------------------------------------------------
async def data_section(ctx: Context, member: Member) -> list[str]:
    mine = await repo.of_reporter(ctx.conn, member.id)
    lines = [
        ctx._(
            "Reports you sent with your name: {count} (anonymous reports are not linked to you "
            "and cannot be listed).",
            count=len(mine),
        )
    ]
    lines += [
        f"• {r.code} · {category_label(ctx.t, r.category)} · {status_label(ctx.t, r.status)}"
        for r in mine
    ]
    if await repo.is_blocked(ctx.conn, member.id):
        lines.append(ctx._("You are currently blocked from sending reports."))
    return lines


async def forget(conn: aiosqlite.Connection, member: Member) -> None:
    await repo.forget_member(conn, member.id)
    await mediation_repo.forget_member(conn, member.id)


feature = Feature(
    name="reports",
    commands=[
        Command(
            "report",
            "baocao",
            report,
            EVERYONE,
            Where.PRIVATE,
            N_("Report a problem or a tip, anonymously if you wish"),
        ),
        Command(
            "track",
            "theodoi",
            reports_track.track,
            EVERYONE,
            Where.PRIVATE,
            N_("Follow a report with its code"),
            needs_onboarding=False,
        ),
        Command(
            "reports",
            "dsbaocao",
            reports_list.list_reports,
            LEADERS,
            Where.PRIVATE,
            N_("Reports in your care"),
        ),
        Command(
            "mediation",
            "hoagiai",
            reports_mediation.list_cases,
            LEADERS,
            Where.PRIVATE,
            N_("Mediation cases (hòa giải)"),
        ),
        Command(
            "mediator",
            "hoagiaivien",
            reports_mediation.my_cases,
            EVERYONE,
            Where.PRIVATE,
            N_("The mediation cases you mediate"),
            in_menu=False,  # named in the mediator's notice; leaders use /mediation
        ),
        Command(
            "reportsettings",
            "caidatbaocao",
            reports_settings.show,
            OFFICERS,
            Where.PRIVATE,
            N_("Routing and limits of reports"),
        ),
    ],
    actions={
        "rep": Action(on_button),
        "rt": Action(reports_triage.on_triage, LEADERS),
        "rfb": Action(reports_triage.on_feedback),
        "rl": Action(reports_list.on_list, LEADERS),
        # Mediators who are not team leaders open their case from their notice: each case
        # button checks the case is in the person's care (reports_mediation._may_manage).
        "med": Action(reports_mediation.on_button),
        "rcfg": Action(reports_settings.on_button, OFFICERS),
    },
    flows={
        FLOW: on_input,
        reports_track.FLOW: reports_track.on_input,
        reports_triage.NOTE_FLOW: reports_triage.on_note_input,
        reports_triage.STATUS_FLOW: reports_triage.on_status_input,
        reports_mediation.FLOW: reports_mediation.on_input,
    },
    data_sections=[data_section],
    forget_hooks=[forget],
    jobs=[Job("reports-escalation", 60, service.escalate_due)],
)
