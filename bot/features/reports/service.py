"""Use cases of reports, as plain functions over a connection (no chat): sending a report,
telling the people who handle it, telling the reporter, and escalating what nobody picked up.

The screens (``screens*.py``) call these; tests call them directly. The reporter's identity is
never in a notification: the assigned handler or an officer asks for it with a button, and every
time it is shown is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.context import CoreConfig
from bot.core.events import Option, Reply
from bot.features.reports import reach, routing
from bot.features.reports.card_extras import Cards
from bot.features.reports.model import (
    Status,
    Target,
    default_routes,
    new_tracking_code,
    over_limit,
)
from bot.features.reports.texts import category_label, status_label
from bot.i18n import N_, Translator
from bot.storage import areas as areas_repo
from bot.storage import (
    audit,
    patrol_observations,
    report_handling,
    report_limits,
    report_settings,
    report_threads,
)
from bot.storage import members as members_repo
from bot.storage import reports as repo
from bot.storage import roles as roles_repo
from bot.storage.db import Connection, Database
from bot.storage.members import Member
from bot.storage.reports import Report


# Sending a report -------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    """What a person sends with /report (or a leader from a patrol observation)."""

    category: str
    area_id: int | None
    description: str
    anonymous: bool
    reporter_member_id: int  # kept on the report only when it is not anonymous
    rate_key: str  # counts anonymous reports against the hourly limit, not linked to anyone
    happening_now: bool = False
    media: list[dict[str, str]] = field(default_factory=list)
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    observation_id: int | None = None
    # An anonymous reporter's chat, sealed (bot.core.sealing), with its platform and language:
    # kept with the report so the handler can write to them and they get the outcome.
    sealed_contact: tuple[str, str, str | None] | None = None


@dataclass(frozen=True)
class Submitted:
    report: Report
    queued: int  # notices queued for the people who handle it
    observation_linked: bool = False  # the patrol observation it came from now points to it


@dataclass(frozen=True)
class AlreadyReported:
    """The patrol observation was already turned into a report: nothing new is sent."""

    code: str | None


@dataclass(frozen=True)
class Refusal:
    """Why a person may not send a report now."""

    blocked: bool  # blocked by an officer; otherwise over the hourly limit
    max_per_hour: int = 0


async def refusal(
    conn: Connection, member_id: int, rate_key: str, now: datetime, rate_limited: bool
) -> Refusal | None:
    """A blocked person may not send; nor anyone over the hourly limit (named and anonymous
    reports both count). A leader's report from a patrol observation is named and audited:
    the limit (against floods of tips) does not apply to it (``rate_limited=False``)."""
    if await report_limits.is_blocked(conn, member_id):
        return Refusal(blocked=True)
    if not rate_limited:
        return None
    settings = await report_settings.settings(conn)
    if over_limit(await report_limits.recent_count(conn, rate_key, member_id, now), settings):
        return Refusal(blocked=False, max_per_hour=settings.max_per_hour)
    return None


async def route(conn: Connection, category: str, area_id: int | None) -> Target:
    """Who handles a category in an area: the configured route, or the commune police when
    nobody leads that area yet."""
    target = (await report_settings.routes(conn, default_routes())).get(category, Target.OFFICERS)
    if target == Target.LEADERS and not (
        area_id and await roles_repo.holders(conn, "leader", area_id)
    ):
        return Target.OFFICERS
    return target


async def submit_report(
    conn: Connection, config: CoreConfig, sub: Submission, now: datetime
) -> Submitted | AlreadyReported:
    """Store a report with a new tracking code and its deadline, audit it (with no actor when
    anonymous), link the patrol observation it came from, and tell its handlers."""
    observation = (
        await patrol_observations.get_observation(conn, sub.observation_id)
        if sub.observation_id is not None
        else None
    )
    if observation is not None and observation.report_id is not None:
        earlier = await repo.get(conn, observation.report_id)
        return AlreadyReported(earlier.code if earlier else None)
    code = new_tracking_code()
    while await repo.code_exists(conn, code):
        code = new_tracking_code()
    new = repo.NewReport(
        category=sub.category,
        area_id=sub.area_id,
        description=sub.description,
        target=await route(conn, sub.category, sub.area_id),
        anonymous=sub.anonymous,
        reporter_member_id=None if sub.anonymous else sub.reporter_member_id,
        happening_now=sub.happening_now,
        media=list(sub.media),
        place=sub.place,
        latitude=sub.latitude,
        longitude=sub.longitude,
    )
    deadlines = await routing.deadlines_for(conn, sub.area_id, sub.category)
    created = await repo.create(conn, new, code, now, deadlines.ack_due(now, sub.happening_now))
    created = await routing.route_new(conn, created, deadlines, now)  # assignee, resolve deadline
    if sub.anonymous:
        await report_limits.count_anonymous(conn, sub.rate_key, now)
        if sub.sealed_contact is not None:
            platform, sealed, language = sub.sealed_contact
            await report_threads.keep_contact(conn, created.id, platform, sealed, language)
    actor = None if sub.anonymous else sub.reporter_member_id
    await audit.record(
        conn,
        now,
        actor,
        "report.submitted",
        "report",
        created.id,
        category=sub.category,
        anonymous=sub.anonymous,
    )
    if observation is not None:
        await patrol_observations.link_report(conn, observation.id, created.id)
        await audit.record(
            conn,
            now,
            actor,
            "patrol.observation_reported",
            "patrol",
            observation.patrol_id,
            report=created.id,
        )
    queued = await notify_new(conn, config, created, now)
    return Submitted(created, queued, observation_linked=observation is not None)


# Who hears about a report -----------------------------------------------------------------
async def _members(conn: Connection, ids: list[int]) -> list[Member]:
    found = await members_repo.by_ids(conn, ids)  # one statement
    return [found[i] for i in dict.fromkeys(ids) if i in found]


async def officers(conn: Connection, area_id: int | None) -> list[Member]:
    """The officers who act for the area: the whole deployment's and its commune's."""
    return await _members(conn, await roles_repo.officers_for(conn, area_id))


async def handlers_of(conn: Connection, report: Report) -> list[Member]:
    """The assigned handler when there is one (who may still be given the area's reports);
    else whoever the report is routed to."""
    assignee = report.assignee_member_id
    if assignee is not None and assignee in await report_handling.assignable(conn, report.area_id):
        assigned = await _members(conn, [assignee])
        if assigned:
            return assigned
    if report.target == Target.LEADERS and report.area_id is not None:
        leaders = await _members(conn, await roles_repo.holders(conn, "leader", report.area_id))
        if leaders:
            return leaders
    return await officers(conn, report.area_id)


async def area_name(conn: Connection, area_id: int | None) -> str | None:
    area = await areas_repo.get(conn, area_id) if area_id else None
    return area.name if area else None


async def send_card(
    conn: Connection,
    config: CoreConfig,
    member: Member,
    report: Report,
    now: datetime,
    headline: str,
    **params: object,
) -> int:
    """Queue the report card, under a headline message id, to one person in their language."""
    return await Cards(conn, config, report).send(member, now, headline, **params)


async def notify_new(conn: Connection, config: CoreConfig, report: Report, now: datetime) -> int:
    """Tell the handlers; for "happening now", every officer too, at once."""
    queued, told = 0, set()
    cards = Cards(conn, config, report)
    for member in await handlers_of(conn, report):
        headline = N_("🚨 Urgent: happening now") if report.happening_now else N_("🆕 New report")
        queued += await cards.send(member, now, headline)
        told.add(member.id)
    if report.happening_now:
        for member in await officers(conn, report.area_id):
            if member.id not in told:
                queued += await cards.send(member, now, N_("🚨 Urgent: happening now"))
    return queued


async def notify_reporter(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    now: datetime,
    reason: str | None = None,
) -> int:
    """The reporter hears of every status change, with the reason written for them (never an
    internal note): a named one as a member, an anonymous one through the sealed relay, and
    the reporters of reports merged into this one too. A resolved report brings its outcome
    with the buttons to rate it or reopen it (:mod:`bot.features.reports.outcome`)."""
    from bot.features.reports.outcome import outcome_options

    def build(t: Translator, staff: bool, own: Report) -> Reply:
        category, status = category_label(t, report.category), status_label(t, report.status)
        if staff:
            text = t._(
                "Update on report {code} ({category}): {status}.",
                code=report.code,
                category=category,
                status=status,
            )
        else:
            text = t._(
                "Update on your report {code} ({category}): {status}.",
                code=report.code,
                category=category,
                status=status,
            )
        if own.id != report.id:
            text += "\n" + t._("(Your report {code} was merged into this one.)", code=own.code)
        if reason:
            text += "\n" + t._("Reason: {reason}", reason=reason)
        options: list[list[Option]] = []
        if report.status == Status.RESOLVED:
            options = outcome_options(t, config, own)
            question = (
                N_(
                    "Is the outcome satisfactory? If the problem is not fixed, it can be "
                    "reopened once within {days} days."
                )
                if staff
                else N_(
                    "Are you satisfied with how it was handled? If the problem is not fixed, "
                    "you can reopen it once within {days} days."
                )
            )
            text += "\n\n" + t._(question, days=config.reopen_days)
        return Reply(text, options)

    return await reach.reach_all(conn, config, report, build, now)


# The escalation timer ---------------------------------------------------------------------
async def escalate_due(db: Database, config: CoreConfig, now: datetime) -> int:
    """Remind the handlers of reports nobody acknowledged in time, and tell the officers."""
    queued = 0
    async with db.unit() as conn:
        await report_limits.purge_rate(conn, now)
        for report in await repo.overdue(conn, now):
            told: set[int] = set()
            for member in await handlers_of(conn, report):
                queued += await send_card(
                    conn,
                    config,
                    member,
                    report,
                    now,
                    N_("⏰ Reminder: this report has not been acknowledged yet."),
                )
                told.add(member.id)
            for member in await officers(conn, report.area_id):
                if member.id not in told:
                    queued += await send_card(
                        conn,
                        config,
                        member,
                        report,
                        now,
                        N_("⏫ Escalated: nobody acknowledged this report in time."),
                    )
            await repo.mark_escalated(conn, report.id, now)
            await audit.record(conn, now, None, "report.escalated", "report", report.id)
    return queued


# Handling a report ----------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusChange:
    report: Report  # as it is now
    changed: bool  # False when it had changed meanwhile: nothing was written
    queued: int = 0  # messages queued for other people


async def change_status(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    to_status: Status,
    actor: Member,
    now: datetime,
    *,
    duplicate_of: int | None = None,
    reason: str | None = None,
) -> StatusChange:
    """A handler moves a report on (from the status it was read with): the first one to pick
    it up becomes its assignee, the change is audited, and the reporter is told (with the
    reason written for them, internal notes never)."""
    assignee = None
    if report.assignee_member_id is None and to_status in (
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
    ):
        assignee = actor.id
    changed = await repo.set_status(
        conn,
        report,
        to_status,
        actor.id,
        now,
        reason=reason,
        assignee_member_id=assignee,
        duplicate_of=duplicate_of,
    )
    updated = await repo.get(conn, report.id)
    assert updated is not None
    if not changed:
        return StatusChange(updated, False)
    details: dict[str, object] = {"from": report.status.value, "to": to_status.value}
    if reason is not None:
        details["reason"] = reason
    if duplicate_of is not None:
        details["duplicate_of"] = duplicate_of
    await audit.record(conn, now, actor.id, "report.status", "report", report.id, **details)
    queued = await notify_reporter(conn, config, updated, now, reason)
    return StatusChange(updated, True, queued)


async def reopen(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    actor: Member | None,
    now: datetime,
    *,
    note: str | None = None,
) -> StatusChange:
    """Reopen a closed report with a new deadline: by its reporter ("not fixed", no note), or
    by an officer with a note (then the reporter is told too, and the handlers other than that
    officer get the card again). False in ``changed``, nothing written, when the report moved
    on meanwhile."""
    actor_id = actor.id if actor is not None else None  # None: an anonymous reporter
    deadlines = await routing.deadlines_for(conn, report.area_id, report.category)  # afresh
    due = deadlines.ack_due(now, report.happening_now)
    if not await repo.set_status(
        conn, report, Status.REOPENED, actor_id, now, note=note, ack_due_at=due
    ):
        return StatusChange(report, False)
    await report_handling.set_resolve_due(conn, report.id, deadlines.resolve_due(now))
    by_reporter = note is None
    if by_reporter:
        await audit.record(
            conn, now, actor_id, "report.reopened", "report", report.id, by="reporter"
        )
    else:
        await audit.record(
            conn,
            now,
            actor_id,
            "report.reopened",
            "report",
            report.id,
            by="officer",
            note=note,
            **{"from": report.status.value},
        )
    reopened = await repo.get(conn, report.id)
    assert reopened is not None
    queued = 0 if by_reporter else await notify_reporter(conn, config, reopened, now)
    card = (
        N_("🔄 Reopened: the reporter says the problem is not fixed.")
        if by_reporter
        else N_("🔄 Reopened by a commune officer.")
    )
    for handler in await handlers_of(conn, reopened):
        if by_reporter or handler.id != actor_id:
            await send_card(conn, config, handler, reopened, now, card)
            queued += 1
    return StatusChange(reopened, True, queued)
