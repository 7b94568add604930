"""/broadcast (/thongbao): officers pick a message (library or their own), a target and when it
goes out; the scheduler and the outbox do the rest (bot/features/broadcasts/service.py)."""

from __future__ import annotations

import re

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.flows import StateRefused
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Feature, Job, Where
from bot.features.broadcasts import library
from bot.features.broadcasts import screens_schedules as schedules
from bot.features.broadcasts.actions import BROADCAST as BUTTONS
from bot.features.broadcasts.actions import SCHEDULES, Bc, Schedule
from bot.features.broadcasts.rules import QuietHours, Rule, next_after
from bot.features.broadcasts.screens_when import (
    ask_for,
    coming,
    describe,
    offset_options,
    parse_rule,
    quiet_text,
    weekday_options,
    when_options,
)
from bot.features.broadcasts.service import (
    body,
    commune_named,
    fan_out_step,
    load_settings,
    progress_tick,
    run_due,
    save_quiet_hours,
    start_run,
)
from bot.features.broadcasts.states import BROADCAST, BroadcastDraft, BroadcastStep
from bot.features.broadcasts.topics import TOPICS, topic
from bot.i18n import N_
from bot.shared.pickers import areas_in_scope, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import broadcasts as repo

TARGETS = {
    "commune": N_("🏘 The whole commune (groups and subscribers)"),
    "areas": N_("📍 Chosen areas"),
    "groups": N_("👥 All linked village groups"),
    "subscribers": N_("🔔 Residents subscribed to the topic"),
}
DEPLOYMENT_WIDE = N_(
    "These settings apply to every commune: only the province's officers change them."
)
COMMUNE_TARGETS = ("commune", "areas")  # a commune officer's: of their communes' areas
INLINE_FANOUT_BATCHES = 5
TAGS = re.compile(r"<[^>]+>")


def _first_line(text: str, limit: int = 48) -> str:
    line = TAGS.sub("", text.strip().splitlines()[0] if text.strip() else "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


async def broadcast(ctx: Context) -> None:
    BROADCAST.begin(ctx, BroadcastStep.MENU, BroadcastDraft())
    settings = await load_settings(ctx.conn)
    ctx.reply(
        ctx._(
            "📣 *Awareness broadcasts*\nWhat would you like to do?\n"
            "Quiet hours now: {quiet} (non-urgent messages wait until morning).",
            quiet=quiet_text(ctx.t, settings.quiet),
        ),
        [
            [Option(ctx.t.plain("📣 New broadcast"), action=BUTTONS(Bc.NEW))],
            [Option(ctx.t.plain("🗓 Schedules"), action=SCHEDULES(Schedule.LIST))],
            [Option(ctx.t.plain("✍️ Add my own message"), action=BUTTONS(Bc.OWN))],
            [Option(ctx.t.plain("🌙 Quiet hours"), action=BUTTONS(Bc.QUIET))],
        ],
    )


def _topic_options(ctx: Context, verb: Bc) -> list[list[Option]]:
    buttons = [
        Option(f"{t.emoji} {ctx.t.plain(t.label)}", action=BUTTONS(verb, t.key)) for t in TOPICS
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = BUTTONS.read(argument)
    if not BROADCAST.is_open(ctx):
        stale(ctx)
        return
    step, draft = BROADCAST.step(ctx), BROADCAST.state(ctx)
    if verb == Bc.NEW:
        ctx.goto(BroadcastStep.TOPIC)
        ctx.reply(ctx._("Which topic?"), _topic_options(ctx, Bc.TOPIC), edit=True)
    elif verb == Bc.TOPIC:
        await _pick_message(ctx, value)
    elif verb == Bc.MESSAGE:
        await _pick_target(ctx, value)
    elif verb == Bc.TARGET and value in TARGETS:
        if not ctx.roles.sees_every_commune:
            # A commune officer's broadcast reaches their communes' areas, never beyond.
            if value not in COMMUNE_TARGETS:
                stale(ctx)
                return
            if value == "commune":
                _ask_when(ctx, target="areas", areas=sorted(ctx.roles.area_ids))
                return
        if value == "areas":
            draft.target, draft.areas = "areas", []
            ctx.goto(BroadcastStep.AREAS)
            await _show_areas(ctx)
        else:
            _ask_when(ctx, target=value, areas=[])
    elif verb == Bc.AREA and value.isdigit() and step == BroadcastStep.AREAS:
        if not ctx.roles.covers(int(value)):
            stale(ctx)
            return
        draft.areas = sorted(set(draft.areas) ^ {int(value)})
        await _show_areas(ctx)
    elif verb == Bc.AREAS_DONE and step == BroadcastStep.AREAS:
        if not draft.areas:
            ctx.toast(ctx._("Please choose at least one area."))
            return
        _ask_when(ctx, target="areas", areas=list(draft.areas))
    elif verb == Bc.WHEN:
        await _when(ctx, value)
    elif verb == Bc.WEEKDAY and value.isdigit():
        draft.kind, draft.weekday = "weekly", int(value)
        ctx.goto(BroadcastStep.TYPE)
        ask_for(ctx, "weekly")
    elif verb == Bc.OFFSET and step == BroadcastStep.OFFSET and draft.rule:
        rule = Rule.from_json(draft.rule)
        offset = int(value) if re.fullmatch(r"-?\d+", value) else 0
        await _confirm(ctx, Rule(**{**rule.__dict__, "offset": offset}))
    elif verb == Bc.OK and step == BroadcastStep.CONFIRM:
        await _apply(ctx)
    elif verb == Bc.OWN:
        ctx.goto(BroadcastStep.OWN_TOPIC)
        ctx.reply(ctx._("Your message is about which topic?"), _topic_options(ctx, Bc.OWN_TOPIC))
    elif verb == Bc.OWN_TOPIC:
        draft.topic = topic(value).key
        ctx.goto(BroadcastStep.OWN_TEXT)
        ctx.reply(
            ctx._(
                "Please type the message as residents should read it (short and concrete), "
                "or send a photo with the text as its caption."
            )
        )
    elif verb == Bc.QUIET and not ctx.roles.sees_every_commune:
        ctx.toast(ctx._(DEPLOYMENT_WIDE))
    elif verb == Bc.QUIET:
        ctx.goto(BroadcastStep.QUIET)
        ctx.reply(
            ctx._(
                "Please type the quiet hours, for example `21:00-06:00`, or "
                "`off` to send at any hour."
            )
        )
    else:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)


async def _pick_message(ctx: Context, topic_key: str) -> None:
    key = topic(topic_key).key
    variants = library.of_topic(key)
    own = await repo.list_messages(ctx.conn, key)
    BROADCAST.state(ctx).topic = key
    ctx.goto(BroadcastStep.MESSAGE)
    rows: list[list[Option]] = []
    if len(variants) > 1:
        rows.append(
            [
                Option(
                    ctx.t.plain("🔀 Take turns ({count} library messages)", count=len(variants)),
                    action=BUTTONS(Bc.MESSAGE, "lib", key),
                )
            ]
        )
    language = ctx.t.language
    rows += [
        [Option(_first_line(v.text(language, "")), action=BUTTONS(Bc.MESSAGE, "lib", v.key))]
        for v in variants
    ]
    rows += [
        [Option("✍️ " + _first_line(m.text), action=BUTTONS(Bc.MESSAGE, "own", m.id))]
        for m in own[:10]
    ]
    if not rows:
        ctx.reply(ctx._("There is no message on this topic yet. Add your own first."))
        ctx.end()
        return
    ctx.reply(ctx._("Which message?"), rows, edit=True)


async def _pick_target(ctx: Context, ref: str) -> None:
    scope = [] if ctx.roles.sees_every_commune else sorted(ctx.roles.area_ids)
    found = await body(ctx.conn, ref, 0, ctx.t, await commune_named(ctx.conn, ctx.config, scope))
    if found is None:
        stale(ctx)
        return
    BROADCAST.state(ctx).ref = ref
    ctx.goto(BroadcastStep.TARGET)
    ctx.reply(
        found[0] + "\n\n" + ctx._("Who should receive it?"),
        [
            [Option(ctx.t.plain(label), action=BUTTONS(Bc.TARGET, key))]
            for key, label in TARGETS.items()
            if ctx.roles.sees_every_commune or key in COMMUNE_TARGETS
        ],
    )


async def _show_areas(ctx: Context) -> None:
    chosen = set(BROADCAST.state(ctx).areas)
    rows = [
        [Option(("✅ " if a.id in chosen else "⬜ ") + a.name, action=BUTTONS(Bc.AREA, a.id))]
        for a in await areas_in_scope(ctx)
    ]
    rows.append([Option(ctx.t.plain("Done"), action=BUTTONS(Bc.AREAS_DONE))])
    ctx.reply(ctx._("Which areas? Press to choose, then Done."), rows, edit=True)


def _ask_when(ctx: Context, *, target: str, areas: list[int]) -> None:
    draft = BROADCAST.state(ctx)
    draft.target, draft.areas = target, areas
    ctx.goto(BroadcastStep.WHEN)
    ctx.reply(ctx._("When should it go out?"), when_options(ctx, allow_now=True), edit=True)


async def _when(ctx: Context, kind: str) -> None:
    draft = BROADCAST.state(ctx)
    if kind in ("now", "urgent"):
        draft.rule, draft.urgent = None, kind == "urgent"
        ctx.goto(BroadcastStep.CONFIRM)
        await _summary(ctx, None)
    elif kind == "weekly":
        ctx.goto(BroadcastStep.WEEKDAY)
        ctx.reply(ctx._("On which day of the week?"), weekday_options(ctx.t))
    elif kind in ("once", "daily", "monthly", "solar", "lunar", "cron"):
        draft.kind = kind
        ctx.goto(BroadcastStep.TYPE)
        ask_for(ctx, kind)


async def on_input(ctx: Context) -> None:
    text = ctx.event.text.strip()
    step = BROADCAST.step(ctx)
    if step == BroadcastStep.OWN_TEXT:
        await _save_own(ctx)
        return
    if ctx.event.kind != EventKind.TEXT or not text:
        ctx.reply(ctx._("Please type your answer as text."))
        return
    if step == BroadcastStep.QUIET:
        try:
            quiet = QuietHours.parse(text)
        except ValueError:
            ctx.reply(ctx._("Please type two times such as `21:00-06:00`."))
            return
        await save_quiet_hours(ctx.conn, quiet)
        await ctx.audit("broadcast.quiet_hours", quiet=quiet.to_text())
        ctx.end()
        ctx.reply(ctx._("Quiet hours are now {quiet}.", quiet=quiet_text(ctx.t, quiet)))
        return
    if step != BroadcastStep.TYPE:
        ctx.reply(ctx._("Please use the buttons above."))
        return
    draft = BROADCAST.state(ctx)
    kind = str(draft.kind)
    rule = parse_rule(ctx, kind, text, weekday=draft.weekday)
    if rule is None:
        return
    if kind == "lunar":
        draft.rule = rule.to_json()
        ctx.goto(BroadcastStep.OFFSET)
        ctx.reply(
            ctx._("On the lunar day itself, or some days before it (e.g. 15 days before Tết)?"),
            offset_options(ctx.t),
        )
        return
    await _confirm(ctx, rule)


async def _confirm(ctx: Context, rule: Rule) -> None:
    draft = BROADCAST.state(ctx)
    draft.rule, draft.urgent = rule.to_json(), False
    ctx.goto(BroadcastStep.CONFIRM)
    await _summary(ctx, rule)


async def _summary(ctx: Context, rule: Rule | None) -> None:
    draft = BROADCAST.state(ctx)
    if draft.edit:
        text = ctx._("New time: {when}.", when=describe(ctx.t, rule)) if rule else ""
        text += "\n" + coming(ctx, rule) if rule else ""
    else:
        target = str(draft.target)
        when = (
            describe(ctx.t, rule)
            if rule
            else (ctx._("now, as an urgent alert") if draft.urgent else ctx._("now"))
        )
        text = ctx._(
            "Please check:\n• Topic: {topic}\n• To: {target}\n• When: {when}",
            topic=ctx.t.plain(topic(str(draft.topic)).label),
            target=ctx.t.plain(TARGETS.get(target, target)),
            when=when,
        )
        if rule:
            text += "\n\n" + coming(ctx, rule)
    ctx.reply(
        text,
        [
            [
                Option(ctx.t.plain("✅ Confirm"), action=BUTTONS(Bc.OK)),
                Option(ctx.t.plain("Cancel"), action=BUTTONS(Bc.NO)),
            ]
        ],
    )


async def _apply(ctx: Context) -> None:
    draft = BROADCAST.state(ctx)
    ctx.end()
    rule = Rule.from_json(draft.rule) if draft.rule else None
    if draft.edit:
        await schedules.apply_edit(ctx, draft.edit, rule)
        return
    if draft.topic is None or draft.ref is None or draft.target is None:
        raise StateRefused(end=True)
    member_id = ctx.member.id if ctx.member else None
    common = {
        "topic": draft.topic,
        "message_ref": draft.ref,
        "target": draft.target,
        "area_ids": draft.areas,
        "urgent": draft.urgent,
    }
    if rule is None:
        run_id = await start_run(
            ctx.conn,
            ctx.config,
            now=ctx.now,
            requested_by=member_id,
            **common,  # type: ignore[arg-type]
        )
        for _ in range(INLINE_FANOUT_BATCHES):
            _, finished = await fan_out_step(ctx.conn, ctx.config, run_id, ctx.now)
            if finished:
                break
        ctx.outbox_written = True
        run = await repo.get_run(ctx.conn, run_id)
        await ctx.audit("broadcast.sent", "broadcast_run", run_id, target=common["target"])
        count = run.recipients if run else 0
        text = ctx._n(
            "The broadcast is on its way to {count} chat. I will send you a report.",
            "The broadcast is on its way to {count} chats. I will send you a report.",
            count,
        )
        if run and run.not_before:
            text += "\n" + ctx._(
                "It is quiet hours now, so it goes out at {when}.", when=run.not_before
            )
        ctx.reply(text, edit=True)
        return
    schedule_id = await repo.add_schedule(
        ctx.conn,
        rule=rule.to_json(),
        next_run_at=next_after(rule, ctx.now, ctx.config.tz),
        created_by=member_id,
        now=ctx.now,
        **common,  # type: ignore[arg-type]
    )
    await ctx.audit("broadcast.scheduled", "broadcast_schedule", schedule_id, kind=rule.kind)
    ctx.reply(
        ctx._("Scheduled: {when}. See /broadcast → Schedules.", when=describe(ctx.t, rule)),
        edit=True,
    )


async def _save_own(ctx: Context) -> None:
    photo = ctx.event.file_ids[0] if ctx.event.kind == EventKind.PHOTO else None
    if ctx.event.kind not in (EventKind.TEXT, EventKind.PHOTO):
        ctx.reply(ctx._("Please type the text or send a photo with a caption."))
        return
    cleaned = check_free_text(ctx.event.text, maximum=1000 if photo else 3500)
    if isinstance(cleaned, TextProblem):
        if cleaned == TextProblem.TOO_LONG:
            ctx.reply(ctx._("That is too long for one message. Please shorten it."))
        else:
            ctx.reply(ctx._("The message needs some text. Please type it."))
        return
    topic_key = str(BROADCAST.state(ctx).topic)
    message_id = await repo.add_message(
        ctx.conn, topic_key, cleaned, photo, ctx.member.id if ctx.member else None, ctx.now
    )
    await ctx.audit("broadcast.message_added", "broadcast_message", message_id, topic=topic_key)
    ctx.end()
    ctx.reply(
        ctx._(
            "Your message is saved in the library under “{topic}”. Use /broadcast to send it.",
            topic=ctx.t.plain(topic(topic_key).label),
        )
    )


feature = Feature(
    name="broadcasts",
    commands=[
        Command(
            "broadcast",
            "thongbao",
            broadcast,
            OFFICERS,
            Where.PRIVATE,
            N_("Send or schedule awareness reminders"),
        )
    ],
    actions={
        BUTTONS.prefix: Action(on_button, roles=OFFICERS),
        SCHEDULES.prefix: Action(schedules.on_button, roles=OFFICERS),
    },
    flows={BROADCAST: on_input},
    jobs=[
        Job("broadcasts.schedules", 30, run_due),
        Job("broadcasts.progress", 5, progress_tick),
    ],
)
