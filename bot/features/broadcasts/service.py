"""Broadcast runs: due schedules become runs, runs fan out into the outbox in batches, and the
officer sees progress (one message edited in place) and a final delivery report.

Everything is found in SQLite on every tick, so a restart loses nothing: a run that was half
fanned out continues from its cursor; a schedule missed while the bot was down is sent once
if it is within the grace window, otherwise recorded as skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import CoreConfig
from bot.features.broadcasts import library
from bot.features.broadcasts.rules import QuietHours, Rule, next_after
from bot.i18n import N_, Translator, escape
from bot.storage import areas as areas_repo
from bot.storage import broadcasts as repo
from bot.storage import communes as communes_repo
from bot.storage import kv, outbox
from bot.storage import members as members_repo
from bot.storage.db import Connection, Database

log = logging.getLogger(__name__)

BATCH = 500
PROGRESS_MIN = 20  # recipients from which the officer gets a progress message
QUIET_KEY = "broadcasts.quiet_hours"
GRACE_KEY = "broadcasts.grace_minutes"
DEFAULT_GRACE = timedelta(hours=6)
# Why messages of a broadcast could not be sent (outbox.FAILURE_KINDS), as officers read it.
FAILURE_TEXTS = {
    "no_rights": N_("the bot may not write in that chat"),
    "too_long": N_("the message is too long"),
    "format": N_("the platform refused the message's formatting"),
    "refused": N_("the platform refused the message"),
    "server": N_("the platform's servers kept failing"),
    "network": N_("no connection to the platform"),
    "other": N_("another error"),
}


@dataclass(frozen=True)
class Settings:
    quiet: QuietHours
    grace: timedelta


async def load_settings(conn: Connection) -> Settings:
    quiet_text, grace_text = await kv.get(conn, QUIET_KEY), await kv.get(conn, GRACE_KEY)
    quiet = QuietHours()
    if quiet_text:
        try:
            quiet = QuietHours.parse(quiet_text)
        except ValueError:
            log.warning("ignoring unreadable quiet hours %r", quiet_text)
    grace = DEFAULT_GRACE
    if grace_text and grace_text.isdigit():
        grace = timedelta(minutes=int(grace_text))
    return Settings(quiet, grace)


async def save_quiet_hours(conn: Connection, quiet: QuietHours) -> None:
    await kv.put(conn, QUIET_KEY, quiet.to_text())


# Content --------------------------------------------------------------------------------------
async def commune_named(conn: Connection, config: CoreConfig, area_ids: list[int]) -> str | None:
    """The name of the one commune these areas are in (no areas: every area of the
    deployment), or None when they span several communes or it has no name."""
    wanted = set(area_ids)
    found = {
        a.commune_id
        for a in await areas_repo.list_areas(conn)
        if a.commune_id is not None and (not wanted or a.id in wanted)
    }
    if len(found) != 1:
        return None
    commune = await communes_repo.get(conn, found.pop())
    return (commune.name if commune else "") or config.commune_name or None


def police_words(t: Translator, commune: str | None) -> str:
    """Whom a library message tells the reader to go to (markup): the commune's police by
    the commune's name, or a wording that fits every commune and ward."""
    if commune:
        return t._("the police of {commune}", commune=commune)
    return t._("the commune or ward police")


async def body(
    conn: Connection, message_ref: str, variant: int, t: Translator, commune: str | None
) -> tuple[str, str | None] | None:
    """The message's text (markup) in ``t``'s language and its photo, or None if it is gone;
    a library message names the police of ``commune`` (see :func:`police_words`)."""
    language = t.language
    police = police_words(t, commune)
    kind, _, value = message_ref.partition(":")
    if kind == "own" and value.isdigit():
        own = await repo.get_message(conn, int(value))
        return (escape(own.text), own.photo) if own else None
    if kind == "lib":
        if value in library.BY_KEY:
            return library.BY_KEY[value].text(language, police), None
        variants = library.of_topic(value)
        if variants:
            return variants[variant % len(variants)].text(language, police), None
    return None


def header(t: Translator, urgent: bool) -> str:
    if urgent:
        return t._("🚨 *URGENT: commune police alert*")
    return t._("📢 *Reminder from the commune police*")


async def render(
    conn: Connection,
    run: repo.Run,
    language: str,
    config: CoreConfig,
    *,
    private: bool,
    platform: str,
    commune: str | None,
) -> tuple[str, str | None] | None:
    """The run's message for readers on ``platform`` in ``language`` (and its photo), naming
    the police of ``commune`` (see :func:`commune_named`)."""
    t = config.translator(language, platform)
    found = await body(conn, run.message_ref, run.variant, t, commune)
    if found is None:
        return None
    text = f"{header(t, run.urgent)}\n\n{found[0]}"
    if private:
        note = t._("_You receive this because you subscribed. /unsubscribe stops it._")
        text += "\n\n" + note
    return text, found[1]


# Runs -----------------------------------------------------------------------------------------
async def start_run(
    conn: Connection,
    config: CoreConfig,
    *,
    topic: str,
    message_ref: str,
    target: str,
    area_ids: list[int],
    urgent: bool,
    now: datetime,
    due_at: datetime | None = None,
    schedule_id: int | None = None,
    variant: int = 0,
    requested_by: int | None = None,
    report: bool = True,
) -> int:
    """A run in state 'fanout'; non-urgent messages wait for the end of quiet hours."""
    settings = await load_settings(conn)
    hold = None if urgent else settings.quiet.hold_until(now, config.tz)
    return await repo.add_run(
        conn,
        schedule_id=schedule_id,
        due_at=due_at or now,
        now=now,
        status="fanout",
        topic=topic,
        message_ref=message_ref,
        target=target,
        area_ids=area_ids,
        urgent=urgent,
        variant=variant,
        not_before=hold,
        requested_by=requested_by,
        report=report,
    )


async def fan_out_step(
    conn: Connection, config: CoreConfig, run_id: int, now: datetime, limit: int = BATCH
) -> tuple[int, bool]:
    """Queue the next ``limit`` recipients of a run; returns (queued, finished)."""
    run = await repo.get_run(conn, run_id)
    if run is None or run.status != "fanout":
        return 0, True
    areas = run.area_ids if run.target == "areas" else None
    phase = run.cursor_kind or ("group" if run.target != "subscribers" else "people")
    if phase == "group" and run.target in ("commune", "areas", "groups"):
        found = await repo.group_recipients(conn, areas, run.cursor_id, limit)
        private = False
    elif phase in ("group", "people") and run.target in ("commune", "areas", "subscribers"):
        if phase == "group":
            phase, run = "people", await _reset_cursor(conn, run)
        found = await repo.subscriber_recipients(conn, run.topic, areas, run.cursor_id, limit)
        private = True
    else:
        found, private = [], True
    texts: dict[tuple[str, str], tuple[str, str | None] | None] = {}
    commune = await commune_named(conn, config, run.area_ids) if found else None
    priority = outbox.PRIORITY_URGENT if run.urgent else outbox.PRIORITY_BULK
    queued: list[outbox.NewMessage] = []
    for recipient in found:
        language = recipient.language or config.default_language
        key = (language, recipient.platform)
        if key not in texts:
            texts[key] = await render(
                conn,
                run,
                language,
                config,
                private=private,
                platform=recipient.platform,
                commune=commune,
            )
        content = texts[key]
        if content is None:
            break
        queued.append(
            outbox.NewMessage(recipient.platform, recipient.chat_id, content[0], content[1])
        )
    await outbox.enqueue_many(
        conn, queued, now, not_before=run.not_before, batch_id=run.id, priority=priority
    )
    if found:
        await repo.advance_cursor(conn, run.id, phase, found[-1].key, len(found))
    if len(found) == limit:
        return len(found), False
    if phase == "group" and run.target in ("commune", "areas"):
        await repo.advance_cursor(conn, run.id, "people", 0, 0)
        return len(found), False
    await _finish_fanout(conn, config, run.id, now)
    return len(found), True


async def _reset_cursor(conn: Connection, run: repo.Run) -> repo.Run:
    await repo.advance_cursor(conn, run.id, "people", 0, 0)
    fresh = await repo.get_run(conn, run.id)
    assert fresh is not None
    return fresh


async def _finish_fanout(conn: Connection, config: CoreConfig, run_id: int, now: datetime) -> None:
    await repo.set_run_status(conn, run_id, "sending", now)
    run = await repo.get_run(conn, run_id)
    if run is None or run.requested_by is None or run.recipients < PROGRESS_MIN:
        return
    officer = await members_repo.get(conn, run.requested_by)
    if officer is None:
        return
    t = config.translator(officer.language, officer.platform)
    text = progress_text(t, run, {})
    progress_id = await outbox.enqueue(
        conn,
        officer.platform,
        officer.user_id,
        text,
        [],
        now,
        priority=outbox.PRIORITY_URGENT,
    )
    await repo.set_progress(conn, run_id, progress_id, text)


async def fan_out(db: Database, config: CoreConfig, run_id: int, now: datetime) -> int:
    """Fan a run out completely, one batch per transaction (resumable after a crash)."""
    queued, finished = 0, False
    while not finished:
        async with db.unit() as conn:
            added, finished = await fan_out_step(conn, config, run_id, now)
        queued += added
    return queued


# The timers -----------------------------------------------------------------------------------
def _latest_due(rule: Rule, first_due: datetime, now: datetime, config: CoreConfig) -> datetime:
    """The last occurrence at or before ``now``, starting from ``first_due`` (a schedule that
    missed several runs while the bot was down sends only the latest one)."""
    latest, probe = first_due, first_due
    for _ in range(10_000):
        following = next_after(rule, probe, config.tz)
        if following is None or following > now:
            break
        latest = probe = following
    return latest


async def run_due(db: Database, config: CoreConfig, now: datetime) -> int:
    """The broadcast scheduler (a Job): due schedules become runs, runs are fanned out."""
    async with db.unit() as conn:
        settings = await load_settings(conn)
        for schedule in await repo.due_schedules(conn, now):
            assert schedule.next_run_at is not None
            rule = Rule.from_json(schedule.rule)
            due = _latest_due(rule, schedule.next_run_at, now, config)
            following = next_after(rule, now, config.tz)
            common = {
                "schedule_id": schedule.id,
                "topic": schedule.topic,
                "message_ref": schedule.message_ref,
                "target": schedule.target,
                "area_ids": schedule.area_ids,
                "urgent": schedule.urgent,
            }
            if now - due > settings.grace:
                await repo.add_run(
                    conn,
                    due_at=due,
                    now=now,
                    status="skipped",
                    variant=schedule.runs,
                    not_before=None,
                    requested_by=schedule.created_by,
                    report=False,
                    reason="missed",
                    **common,  # type: ignore[arg-type]
                )
                await repo.set_next_run(conn, schedule.id, following, now)
                log.info("broadcast schedule %d missed its run at %s: skipped", schedule.id, due)
                continue
            await start_run(
                conn,
                config,
                due_at=due,
                now=now,
                variant=schedule.runs,
                requested_by=schedule.created_by,
                report=not rule.recurring,
                **common,  # type: ignore[arg-type]
            )
            await repo.set_next_run(conn, schedule.id, following, now, ran=True)
        pending = await repo.runs_with_status(conn, "fanout")
    queued = 0
    for run in pending:
        queued += await fan_out(db, config, run.id, now)
    return queued


def progress_text(t: Translator, run: repo.Run, counts: dict[str, int]) -> str:
    done = counts.get("sent", 0) + counts.get("failed", 0) + counts.get("skipped", 0)
    return t._(
        "📤 Sending the broadcast: {done} of {total} chats done.",
        done=done,
        total=run.recipients,
    )


async def report_text(
    conn: Connection, t: Translator, run: repo.Run, counts: dict[str, int]
) -> str:
    lines = [
        t._("✅ *Broadcast delivered* ({total} chats)", total=run.recipients),
        t._("Delivered: {count}", count=counts.get("sent", 0)),
    ]
    failed = counts.get("failed", 0)
    if failed:
        lines.append(t._("Failed: {count}", count=failed))
        for kind, count in (await outbox.failure_reasons(conn, run.id)).items():
            lines.append(f"  • {t._(FAILURE_TEXTS[kind])}: {t.number(count)}")
    skipped = counts.get("skipped", 0)
    if skipped:
        lines.append(t._("Skipped (chats that blocked or removed the bot): {count}", count=skipped))
    return "\n".join(lines)


async def progress_tick(db: Database, config: CoreConfig, now: datetime) -> int:
    """Update the officer's progress message in place; send the report when a run is done."""
    queued = 0
    async with db.unit() as conn:
        for run in await repo.runs_with_status(conn, "sending"):
            counts = await outbox.counts(conn, run.id)
            left = counts.get("pending", 0) + counts.get("sending", 0)
            officer = await members_repo.get(conn, run.requested_by) if run.requested_by else None
            t = config.translator(
                officer.language if officer else None,
                officer.platform if officer else "",
            )
            if left == 0:
                await repo.set_run_status(conn, run.id, "done", now)
                trouble = counts.get("failed", 0) + counts.get("skipped", 0)
                if officer is not None and (run.report or trouble):
                    text = await report_text(conn, t, run, counts)
                    queued += await _show(conn, officer, run, text, now, final=True)
                continue
            if officer is None or run.progress_outbox is None:
                continue
            text = progress_text(t, run, counts)
            if text != run.progress_text:
                queued += await _show(conn, officer, run, text, now)
    return queued


async def _show(
    conn: Connection,
    officer: members_repo.Member,
    run: repo.Run,
    text: str,
    now: datetime,
    *,
    final: bool = False,
) -> int:
    """Edit the progress message in place once it is out; otherwise send a new message."""
    edit_of = None
    if run.progress_outbox is not None:
        status = await outbox.status_of(conn, run.progress_outbox)
        if status == "sent":
            edit_of = run.progress_outbox
            await outbox.supersede_edits(conn, edit_of)
        elif not final:
            return 0  # the progress message is not out yet: nothing to edit
        elif status == "pending":
            await outbox.mark_final(conn, run.progress_outbox, "skipped", "superseded")
    await outbox.enqueue(
        conn,
        officer.platform,
        officer.user_id,
        text,
        [],
        now,
        priority=outbox.PRIORITY_URGENT,
        edit_of=edit_of,
    )
    await repo.set_progress(conn, run.id, None, text)
    return 1
