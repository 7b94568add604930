"""Use cases of handling a report (no chat): giving it to a named officer or leader, and
transferring it to another commune or another body. Each step is in the report's history and
the audit log; the person given it is told privately (a card that never names the reporter);
the reporter is told what happened and where it went, never who handles it (an anonymous one
through the sealed relay, :mod:`bot.features.reports.reach`), and sees the step with /track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.context import CoreConfig
from bot.core.events import Reply
from bot.features.reports import escalation, reach, routing
from bot.features.reports.handling import DESTINATIONS
from bot.features.reports.model import OPEN_STATUSES
from bot.features.reports.service import area_name, handlers_of, route, send_card
from bot.i18n import N_, Translator
from bot.storage import audit, report_handling
from bot.storage import communes as communes_repo
from bot.storage import members as members_repo
from bot.storage import reports as repo
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.reports import Report


@dataclass(frozen=True)
class Handled:
    report: Report  # as it is now
    done: bool  # False: the report changed meanwhile, or the choice is not allowed
    queued: int = 0


async def assignable(conn: Connection, report: Report) -> list[Member]:
    """Who a report may be given to: people of its commune (leaders of its areas, its
    officers) and the province's officers."""
    found = []
    for member_id in await report_handling.assignable(conn, report.area_id):
        member = await members_repo.get(conn, member_id)
        if member is not None:
            found.append(member)
    return found


async def assign(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    assignee_id: int,
    actor: Member,
    now: datetime,
) -> Handled:
    """Give an open report to a person of its commune: they get the card privately, a named
    reporter hears that a person in charge has it (not who, and not "acknowledged": it is not
    yet). A new report given by default or by a rule is not announced: its receipt said it
    went to the commune, and /track shows it."""
    candidates = {m.id: m for m in await assignable(conn, report)}
    assignee = candidates.get(assignee_id)
    if report.status not in OPEN_STATUSES or assignee is None:
        return Handled(report, False)
    if assignee.id == report.assignee_member_id:  # already theirs: nobody told twice
        return Handled(report, True)
    if not await report_handling.assign(conn, report, assignee.id, actor.id, now):
        return Handled(report, False)
    await audit.record(
        conn, now, actor.id, "report.assigned", "report", report.id, assignee=assignee.id
    )
    updated = await repo.get(conn, report.id)
    assert updated is not None
    queued = 0
    if assignee.id != actor.id:
        queued += await send_card(
            conn, config, assignee, updated, now, N_("📌 This report has been given to you.")
        )
    queued += await _tell_reporter(
        conn,
        config,
        updated,
        now,
        N_("Report {code} has been given to a person in charge."),
    )
    return Handled(updated, True, queued)


async def toggle_rule(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    member_id: int,
    actor: Member,
    now: datetime,
) -> Handled:
    """The routing rule of the report's category and area: set to ``member_id`` (who is given
    this report too, if not already), or removed when it already named them. ``done`` False
    when that person may not be given the area's reports."""
    if report.area_id is None or member_id not in {m.id for m in await assignable(conn, report)}:
        return Handled(report, False)
    current = await report_handling.rule_for(conn, report.area_id, report.category)
    chosen = None if current == member_id else member_id
    await report_handling.set_rule(conn, report.area_id, report.category, chosen, actor.id, now)
    await audit.record(
        conn,
        now,
        actor.id,
        "report.route_rule",
        "area",
        report.area_id,
        category=report.category,
        member=chosen,
    )
    if chosen is None or report.assignee_member_id == chosen:
        return Handled(report, True)
    return await assign(conn, config, report, chosen, actor, now)


async def transfer_to_body(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    destination: str,
    note: str,
    actor: Member,
    now: datetime,
) -> Handled:
    """Hand a report to the provincial police or another body (114, the People's Committee,
    115): it leaves the commune's open reports; a named reporter is told where it went. The
    province's officers, where the deployment has them, get the card with the note (they can
    reopen it to handle it)."""
    if destination not in DESTINATIONS or report.status not in OPEN_STATUSES:
        return Handled(report, False)
    if not await report_handling.transfer_out(conn, report, destination, note, actor.id, now):
        return Handled(report, False)
    await audit.record(
        conn, now, actor.id, "report.transferred", "report", report.id, to=destination
    )
    updated = await repo.get(conn, report.id)
    assert updated is not None
    label = DESTINATIONS[destination]
    queued = 0
    if destination == "province":
        # The province's officers, where communes have their own (else they are this one's).
        for member in await _members(conn, await escalation.next_people(conn, updated, 2)):
            if member.id != actor.id:
                queued += await send_card(
                    conn,
                    config,
                    member,
                    updated,
                    now,
                    N_("↪️ Transferred to the provincial police: {note}"),
                    note=note,
                )
    queued += await _tell_reporter(
        conn,
        config,
        updated,
        now,
        N_("Report {code} has been transferred to {where}, which will handle it."),
        where_key=label,
    )
    return Handled(updated, True, queued)


async def transfer_to_area(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    area_id: int,
    note: str,
    actor: Member,
    now: datetime,
) -> Handled:
    """Make a report another commune's (one of its areas): routed, given and deadlined as that
    commune's; its handlers get the card, a named reporter is told the commune's name."""
    if report.status not in OPEN_STATUSES:
        return Handled(report, False)
    commune_id = await report_handling.commune_of(conn, area_id)
    if commune_id is None or commune_id == await report_handling.commune_of(conn, report.area_id):
        return Handled(report, False)
    target = await route(conn, report.category, area_id)
    deadlines = await routing.deadlines_for(conn, area_id, report.category)
    assignee = await routing.assignee_for(conn, target, area_id, report.category)
    due = (deadlines.ack_due(now, report.happening_now), deadlines.resolve_due(now))
    if not await report_handling.move_to_area(
        conn, report, area_id, target, assignee, due, note, actor.id, now
    ):
        return Handled(report, False)
    await audit.record(
        conn, now, actor.id, "report.transferred", "report", report.id, to_area=area_id
    )
    updated = await repo.get(conn, report.id)
    assert updated is not None
    commune = await communes_repo.get(conn, commune_id)
    name = (commune.name if commune else "") or config.commune_name or "-"
    area = await area_name(conn, area_id)
    where = f"{name} ({area})" if area else name
    queued = 0
    for member in await handlers_of(conn, updated):
        queued += await send_card(
            conn,
            config,
            member,
            updated,
            now,
            N_("↪️ Transferred to your commune: {note}"),
            note=note,
        )
    queued += await _tell_reporter(
        conn,
        config,
        updated,
        now,
        N_("Report {code} has been transferred to {where}, which will handle it."),
        where=where,
    )
    return Handled(updated, True, queued)


async def _members(conn: Connection, ids: list[int]) -> list[Member]:
    found = [await members_repo.get(conn, member_id) for member_id in ids]
    return [m for m in found if m is not None]


async def _tell_reporter(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    now: datetime,
    message: str,
    *,
    where: str = "",
    where_key: str = "",
) -> int:
    """The reporter hears of the step, never who handles it: a named one as a member, an
    anonymous one through the sealed relay, and the reporters of reports merged into this one
    with their own code (:func:`reach.reach_all`)."""

    def build(t: Translator, staff: bool, own: Report) -> Reply:
        place = t.plain(where_key) if where_key else where
        return Reply(t._(message, code=own.code, where=place))

    return await reach.reach_all(conn, config, report, build, now)
