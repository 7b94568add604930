"""Observations during a patrol: one tap per kind, then an optional count, note, photo,
location, whether a reminder was given, and a flag to turn it into a report."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.handlers.common import problem_text
from bot.handlers.patrols_common import kind_label, stale
from bot.handlers.patrols_live import FLOW, patrol_for, show_panel
from bot.patrols.backfill import MAX_COUNT
from bot.patrols.kinds import BY_CODE
from bot.storage import patrols as repo
from bot.storage.patrols import Observation
from bot.text import TextProblem, check_free_text

QUICK_COUNTS = (2, 3, 5, 10)


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
    observation_id = await repo.add_observation(
        ctx.conn, patrol.id, code, created_by=me, now=ctx.now
    )
    await repo.touch(ctx.conn, patrol.id, ctx.now)
    await ctx.audit("patrol.observation_added", "patrol", patrol.id, kind=code, count=1)
    ctx.begin(FLOW, "obs", observation_id=observation_id, patrol_id=patrol.id)
    observation = await repo.get_observation(ctx.conn, observation_id)
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
    if o.note:
        lines.append(ctx._("Note: {note}", note=o.note))
    if o.photo:
        lines.append(ctx._("📷 Photo attached."))
    if o.latitude is not None:
        lines.append(ctx._("📍 Location attached."))
    if o.for_report:
        lines.append(ctx._("📝 Flagged for a report."))
    lines.append(
        ctx._(
            "To add details, type the number of cases, or a note, or send a photo or your location."
        )
    )
    rows = [
        [Option(f"×{n}", action=f"ptl:cnt:{o.id}:{n}") for n in QUICK_COUNTS],
        [
            Option(
                ctx.t.plain("🔁 No reminder given")
                if o.reminded
                else ctx.t.plain("🔁 Reminder was given"),
                action=f"ptl:rem:{o.id}",
            ),
            Option(ctx.t.plain("📝 Turn into a report"), action=f"ptl:rep:{o.id}"),
        ],
        [
            Option(ctx.t.plain("↩️ Undo"), action=f"ptl:del:{o.id}"),
            Option(ctx.t.plain("✔️ Back to the patrol"), action=f"ptl:panel:{o.patrol_id}"),
        ],
    ]
    ctx.reply("\n".join(lines), rows, edit=edit, bind_to_conversation=False)


async def _observation_for(ctx: Context, value: str) -> Observation | None:
    observation = await repo.get_observation(ctx.conn, int(value)) if value.isdigit() else None
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
    if not 1 <= count <= MAX_COUNT:
        ctx.reply(ctx._("The number of cases must be from 1 to {limit}.", limit=MAX_COUNT))
        return
    await repo.update_observation(ctx.conn, o.id, count=count)
    await ctx.audit("patrol.observation_changed", "patrol", o.patrol_id, field="count", count=count)
    changed = await repo.get_observation(ctx.conn, o.id)
    assert changed is not None
    show_observation(ctx, changed, edit=edit)


async def on_reminded(ctx: Context, value: str) -> None:
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    await repo.update_observation(ctx.conn, observation.id, reminded=not observation.reminded)
    await ctx.audit(
        "patrol.observation_changed",
        "patrol",
        observation.patrol_id,
        field="reminded",
        reminded=not observation.reminded,
    )
    changed = await repo.get_observation(ctx.conn, observation.id)
    assert changed is not None
    show_observation(ctx, changed, edit=True)


async def on_report(ctx: Context, value: str) -> None:
    """Flag the observation for reporting and point the leader to /report (the reports
    feature files the report itself)."""
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    if not observation.for_report:
        await repo.update_observation(ctx.conn, observation.id, for_report=True)
        await ctx.audit("patrol.observation_flagged", "patrol", observation.patrol_id)
    ctx.reply(
        ctx._(
            "This observation is flagged for a report. To send the report to the commune "
            "police, please use /report in a private chat with me and describe what you saw."
        ),
        [[Option(ctx.t.plain("📝 Make the report"), url=ctx.deep_link("go-report"))]],
        bind_to_conversation=False,
    )


async def on_delete(ctx: Context, value: str) -> None:
    observation = await _observation_for(ctx, value)
    if observation is None:
        return
    await repo.delete_observation(ctx.conn, observation.id)
    await ctx.audit(
        "patrol.observation_removed", "patrol", observation.patrol_id, kind=observation.kind
    )
    if ctx.flow == FLOW:
        ctx.end()
    ctx.toast(ctx._("Removed."))
    found = await patrol_for(ctx, str(observation.patrol_id), open_only=False)
    if found is not None:
        await show_panel(ctx, *found, edit=True)


async def on_observation_input(ctx: Context) -> None:
    observation = await repo.get_observation(ctx.conn, int(ctx.data.get("observation_id", 0)))
    if observation is None:
        ctx.end()
        stale(ctx)
        return
    if await patrol_for(ctx, str(observation.patrol_id), open_only=False) is None:
        ctx.end()
        return
    kind_of = ctx.event.kind
    if kind_of == EventKind.TEXT and ctx.event.text.strip().replace(".", "").isdigit():
        await _set_count(ctx, observation, int(ctx.event.text.strip().replace(".", "")), edit=False)
        return
    if kind_of == EventKind.TEXT or (kind_of == EventKind.PHOTO and ctx.event.text.strip()):
        note = check_free_text(ctx.event.text, maximum=500)
        if isinstance(note, TextProblem):
            ctx.reply(problem_text(ctx, note, maximum=500))
            return
        await repo.update_observation(ctx.conn, observation.id, note=note)
    if kind_of == EventKind.PHOTO and ctx.event.file_ids:
        await repo.update_observation(ctx.conn, observation.id, photo=ctx.event.file_ids[0])
    elif kind_of == EventKind.LOCATION and ctx.event.location:
        await repo.update_observation(ctx.conn, observation.id, location=ctx.event.location)
    elif kind_of not in (EventKind.TEXT, EventKind.PHOTO):
        ctx.reply(ctx._("Please type a number or a note, or send a photo or a location."))
        return
    await ctx.audit(
        "patrol.observation_changed", "patrol", observation.patrol_id, field=kind_of.value
    )
    changed = await repo.get_observation(ctx.conn, observation.id)
    assert changed is not None
    show_observation(ctx, changed)
