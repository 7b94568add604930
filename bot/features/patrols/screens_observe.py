"""Observations during a patrol: one tap per kind, then an optional count, notes (they add
up, each can be removed), a photo, the location, whether a reminder was given, and turning
it into a report. How typed input is read (a count or a note) is in
bot/features/patrols/observing.py."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, InputRequest, Option, Reply
from bot.features.patrols.actions import PATROL, Ptl
from bot.features.patrols.kinds import BY_CODE
from bot.features.patrols.observing import (
    MAX_COUNT,
    MAX_NOTE,
    MAX_NOTES,
    Change,
    count_in_range,
    read_count,
)
from bot.features.patrols.screens_common import kind_label
from bot.features.patrols.screens_live import patrol_for, show_panel
from bot.features.patrols.states import PATROL as PATROL_FLOW
from bot.features.patrols.states import PatrolState, PatrolStep
from bot.features.patrols.to_report import report_category
from bot.features.reports import screens_report as reports
from bot.features.reports.model import MAX_DESCRIPTION, Draft
from bot.shared.pickers import problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import patrol_observations
from bot.storage import patrols as repo
from bot.storage import reports as reports_repo
from bot.storage.areas import Area
from bot.storage.patrol_observations import Observation
from bot.storage.patrols import Patrol

QUICK_COUNTS = (2, 3, 5, 10)
NOTE_LABEL = 24  # characters of a note shown on its remove button


# Observations ----------------------------------------------------------------------------
async def on_observe(ctx: Context, value: str) -> None:
    patrol_raw, _, code = value.partition(":")
    found = await patrol_for(ctx, patrol_raw, open_only=False)
    if found is None or code not in BY_CODE:
        if found is not None:
            stale(ctx)
        return
    patrol, _area = found
    me = ctx.member.id if ctx.member else None
    observation_id = await patrol_observations.add_observation(
        ctx.conn, patrol.id, code, created_by=me, now=ctx.now
    )
    await repo.touch(ctx.conn, patrol.id, ctx.now)
    await ctx.audit("patrol.observation_added", "patrol", patrol.id, kind=code, count=1)
    PATROL_FLOW.begin(
        ctx,
        PatrolStep.OBSERVATION,
        PatrolState(observation_id=observation_id, patrol_id=patrol.id),
    )
    observation = await patrol_observations.get_observation(ctx.conn, observation_id)
    assert observation is not None
    show_observation(ctx, observation)


def show_observation(ctx: Context, o: Observation, *, edit: bool = False) -> None:
    lines = [
        ctx._(
            "Recorded: {kind} × {count}. Reminder given: {answer}.",
            kind=kind_label(ctx.t, o.kind),
            count=o.count,
            answer=ctx._("yes") if o.reminded else ctx._("no"),
        )
    ]
    if o.notes:
        lines.append(ctx._("Notes ({count}):", count=len(o.notes)))
        lines += [
            ctx._("{number}. {note}", number=i, note=n.text) for i, n in enumerate(o.notes, 1)
        ]
    if o.photo:
        lines.append(ctx._("📷 Photo attached."))
    if o.latitude is not None:
        lines.append(ctx._("📍 Location attached."))
    if o.report_id is not None:
        lines.append(ctx._("📝 Turned into a report."))
    lines.append(
        ctx._(
            "To add details, type the number of cases (x3 sets it to 3, +2 adds two, -1 takes "
            "one away), or a note (each note is added to the earlier ones), or send a photo or "
            "your location."
        )
    )
    # Typed on a chat without buttons, a bare number presses an option: the harmless ones
    # come first, the ones that remove something last; there a quick count says in words what
    # it does, so "[1] ×2" is not read as the number to type.
    typed = ctx.t.typed
    rows = [
        [
            Option(
                ctx.t.plain("Set to {count} cases", count=n) if typed else f"×{n}",
                action=PATROL(Ptl.COUNT, o.id, n),
            )
            for n in QUICK_COUNTS
        ],
        [
            Option(
                ctx.t.plain("🔁 No reminder given")
                if o.reminded
                else ctx.t.plain("🔁 Reminder was given"),
                action=PATROL(Ptl.REMINDED, o.id),
            ),
            Option(ctx.t.plain("📝 Turn into a report"), action=PATROL(Ptl.REPORT, o.id)),
        ],
        [Option(ctx.t.plain("✔️ Back to the patrol"), action=PATROL(Ptl.PANEL, o.patrol_id))],
    ]
    rows += [
        [
            Option(
                ctx.t.plain("🗑 Remove note {number}: {note}", number=i, note=_short(n.text)),
                action=PATROL(Ptl.REMOVE_NOTE, n.id),
            )
        ]
        for i, n in enumerate(o.notes, 1)
    ]
    rows.append([Option(ctx.t.plain("↩️ Undo"), action=PATROL(Ptl.DELETE, o.id))])
    ask = InputRequest(
        ctx._("Reply to this message with the number of cases or a note, or a photo or location."),
        ctx.t.plain("Number of cases or a note"),
    )
    ctx.reply("\n".join(lines), rows, edit=edit, bind_to_conversation=False, ask=ask)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NOTE_LABEL else flat[: NOTE_LABEL - 1] + "…"


async def _observation_for(ctx: Context, value: str) -> Observation | None:
    observation = (
        await patrol_observations.get_observation(ctx.conn, int(value)) if value.isdigit() else None
    )
    if observation is None:
        stale(ctx)
        return None
    if await patrol_for(ctx, str(observation.patrol_id), open_only=False) is None:
        return None
    return observation


async def on_count(ctx: Context, value: str) -> None:
    raw_id, _, raw_count = value.partition(":")
    observation = await _observation_for(ctx, raw_id)
    if observation is None or not raw_count.isdigit():
        return
    await _set_count(ctx, observation, int(raw_count), edit=True)


async def _set_count(ctx: Context, o: Observation, count: int, *, edit: bool) -> None:
    if not count_in_range(count):
        ctx.reply(ctx._("The number of cases must be from 1 to {limit}.", limit=MAX_COUNT))
        return
    await patrol_observations.update_observation(ctx.conn, o.id, count=count)
    await ctx.audit("patrol.observation_changed", "patrol", o.patrol_id, field="count", count=count)
    changed = await patrol_observations.get_observation(ctx.conn, o.id)
    assert changed is not None
    show_observation(ctx, changed, edit=edit)


async def on_remove_note(ctx: Context, value: str) -> None:
    note = await patrol_observations.get_note(ctx.conn, int(value)) if value.isdigit() else None
    if note is None:
        stale(ctx)
        return
    observation = await _observation_for(ctx, str(note.observation_id))
    if observation is None:
        return
    await patrol_observations.remove_note(ctx.conn, note.id)
    await ctx.audit("patrol.observation_changed", "patrol", observation.patrol_id, field="note")
    changed = await patrol_observations.get_observation(ctx.conn, observation.id)
    assert changed is not None
    show_observation(ctx, changed, edit=True)


async def on_reminded(ctx: Context, value: str) -> None:
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    await patrol_observations.update_observation(
        ctx.conn, observation.id, reminded=not observation.reminded
    )
    await ctx.audit(
        "patrol.observation_changed",
        "patrol",
        observation.patrol_id,
        field="reminded",
        reminded=not observation.reminded,
    )
    changed = await patrol_observations.get_observation(ctx.conn, observation.id)
    assert changed is not None
    show_observation(ctx, changed, edit=True)


async def on_report(ctx: Context, value: str) -> None:
    """Open a report filled in from the observation (the reports flow reviews and sends it
    with the leader's name); in a group the draft goes to the leader's private chat, so
    nothing of the report shows in the group."""
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    if observation.report_id is not None:
        report = await reports_repo.get(ctx.conn, observation.report_id)
        ctx.toast(
            ctx._(
                "This observation was already turned into report {code}.",
                code=report.code if report else "?",
            )
        )
        return
    if ctx.member is None:  # reports are sent by a registered person
        stale(ctx)
        return
    if not ctx.event.chat.is_private:
        code = observation.kind
        await ctx.notify(
            ctx.member,
            lambda t: Reply(
                t._(
                    "Turn this patrol observation into a report: {kind}?",
                    kind=kind_label(t, code),
                ),
                [
                    [
                        Option(
                            t.plain("📝 Turn into a report"),
                            action=PATROL(Ptl.REPORT, observation.id),
                        )
                    ]
                ],
            ),
        )
        ctx.toast(ctx._("The draft report has been sent to your private chat."))
        return
    found = await patrol_for(ctx, str(observation.patrol_id), open_only=False)
    if found is None:
        return
    patrol, area = found
    await reports.begin_from_draft(ctx, report_draft(ctx, observation, patrol, area))


def report_draft(ctx: Context, o: Observation, patrol: Patrol, area: Area) -> Draft:
    """The report an observation becomes: its kind mapped to a category, what was seen and
    when as the description with the notes after it, the patrol's area, photo and location."""
    lines = [  # plain text: the report flow stores and escapes it itself
        ctx.t.plain(
            "Seen during the patrol of {area} at {time}: {kind} × {count}. "
            "Reminder given: {answer}.",
            area=area.name,
            time=o.created_at,
            kind=kind_label(ctx.t, o.kind),
            count=o.count,
            answer=ctx.t.plain("yes") if o.reminded else ctx.t.plain("no"),
        )
    ]
    lines += [n.text for n in o.notes]
    description = "\n".join(lines)
    return Draft(
        category=report_category(o.kind),
        area_id=area.id,
        description=description[:MAX_DESCRIPTION],
        media=(("photo", o.photo),) if o.photo else (),
        latitude=o.latitude,
        longitude=o.longitude,
        observation_id=o.id,
        patrol_id=patrol.id,
    )


async def on_delete(ctx: Context, value: str) -> None:
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    await patrol_observations.delete_observation(ctx.conn, observation.id)
    await ctx.audit(
        "patrol.observation_removed", "patrol", observation.patrol_id, kind=observation.kind
    )
    if PATROL_FLOW.is_open(ctx):
        ctx.end()
    ctx.toast(ctx._("Removed."))
    found = await patrol_for(ctx, str(observation.patrol_id), open_only=False)
    if found is not None:
        await show_panel(ctx, *found, edit=True)


async def on_observation_input(ctx: Context) -> None:
    state = PATROL_FLOW.state(ctx)
    observation = await patrol_observations.get_observation(ctx.conn, state.observation_id or 0)
    if observation is None:
        ctx.end()
        stale(ctx)
        return
    if await patrol_for(ctx, str(observation.patrol_id), open_only=False) is None:
        ctx.end()
        return
    kind_of = ctx.event.kind
    typed = read_count(ctx.event.text) if kind_of == EventKind.TEXT else None
    if typed is not None:
        count = typed.apply(observation.count)
        if not count_in_range(count):
            ctx.reply(
                ctx._(
                    "That would make {count} cases: the number must be from 1 to {limit}. "
                    "To remove the whole observation, press Undo.",
                    count=count,
                    limit=MAX_COUNT,
                )
                if typed.change != Change.SET
                else ctx._("The number of cases must be from 1 to {limit}.", limit=MAX_COUNT)
            )
            return
        # Answering the request to reply (a group): the card is changed in place, not sent
        # again; elsewhere a new card follows the typed answer.
        await _set_count(ctx, observation, count, edit=ctx.event.answers_message_id is not None)
        return
    if kind_of == EventKind.TEXT or (kind_of == EventKind.PHOTO and ctx.event.text.strip()):
        note = check_free_text(ctx.event.text, maximum=MAX_NOTE)
        if isinstance(note, TextProblem):
            ctx.reply(problem_text(ctx, note, maximum=MAX_NOTE))
            return
        if len(observation.notes) >= MAX_NOTES:
            ctx.reply(
                ctx._(
                    "This observation already has {limit} notes, the most it can keep. "
                    "Remove one first.",
                    limit=MAX_NOTES,
                )
            )
            return
        await patrol_observations.add_note(ctx.conn, observation.id, note, ctx.now)
    if kind_of == EventKind.PHOTO and ctx.event.file_ids:
        await patrol_observations.update_observation(
            ctx.conn, observation.id, photo=ctx.event.file_ids[0]
        )
    elif kind_of == EventKind.LOCATION and ctx.event.location:
        await patrol_observations.update_observation(
            ctx.conn, observation.id, location=ctx.event.location
        )
    elif kind_of not in (EventKind.TEXT, EventKind.PHOTO):
        ctx.reply(ctx._("Please type a number or a note, or send a photo or a location."))
        return
    await ctx.audit(
        "patrol.observation_changed", "patrol", observation.patrol_id, field=kind_of.value
    )
    changed = await patrol_observations.get_observation(ctx.conn, observation.id)
    assert changed is not None
    show_observation(ctx, changed, edit=ctx.event.answers_message_id is not None)
