"""Reports: a resident tells the commune about a problem, privately, by name or anonymously,
and the handlers take it from there. This module declares the feature: its commands, buttons
and flows, and what /mydata shows and /forgetme deletes. The screens:

- screens_report.py: /report step by step (and a leader's report from a patrol observation);
  screens_send.py: sending it;
- screens_track.py: /track, following a report by its code;
- screens_list.py, screens_card.py, screens_triage.py, screens_status.py: a handler's list,
  card and buttons, and status changes;
- screens_mediation*.py: /mediation cases; screens_settings.py: /reportsettings.

The buttons are declared in actions.py, the flows' steps and states in states.py.

Anonymous means no link at all: the report row has no member, no chat and no user id, the audit
entry has no actor, and at the end the conversation and this flow's menus are deleted.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.permissions import EVERYONE, LEADERS, OFFICERS
from bot.core.registry import Action, Command, Feature, Job, Where
from bot.features.reports import actions, escalation, sealed, service, states
from bot.features.reports import screens_assign as reports_assign
from bot.features.reports import screens_deadlines as reports_deadlines
from bot.features.reports import screens_list as reports_list
from bot.features.reports import screens_mediation as reports_mediation
from bot.features.reports import screens_mediation_steps as reports_mediation_steps
from bot.features.reports import screens_outcome as reports_outcome
from bot.features.reports import screens_report as reports_report
from bot.features.reports import screens_settings as reports_settings
from bot.features.reports import screens_status as reports_status
from bot.features.reports import screens_thread as reports_thread
from bot.features.reports import screens_track as reports_track
from bot.features.reports import screens_transfer as reports_transfer
from bot.features.reports import screens_triage as reports_triage
from bot.features.reports.texts import category_label, status_label
from bot.i18n import N_
from bot.storage import mediation as mediation_repo
from bot.storage import report_limits, report_threads
from bot.storage import reports as repo
from bot.storage.db import Connection
from bot.storage.members import Member


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
    if await report_limits.is_blocked(ctx.conn, member.id):
        lines.append(ctx._("You are currently blocked from sending reports."))
    return lines


async def forget(conn: Connection, member: Member) -> None:
    await repo.forget_member(conn, member.id)
    await mediation_repo.forget_member(conn, member.id)
    await report_threads.forget_member(conn, member.id)


feature = Feature(
    name="reports",
    commands=[
        Command(
            "report",
            "baocao",
            reports_report.report,
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
        actions.REPORT.prefix: Action(reports_report.on_button),
        actions.TRIAGE.prefix: Action(reports_triage.on_triage, LEADERS),
        actions.FEEDBACK.prefix: Action(reports_triage.on_feedback),
        actions.LISTING.prefix: Action(reports_list.on_list, LEADERS),
        # Mediators who are not team leaders open their case from their notice: each case
        # button checks the case is in the person's care (reports_mediation._may_manage).
        actions.MEDIATION.prefix: Action(reports_mediation.on_button),
        actions.SETTINGS.prefix: Action(reports_settings.on_button, OFFICERS),
        # Assignment, transfer and deadlines: each handler says who may, to everyone who may not.
        actions.HANDLE.prefix: Action(reports_assign.on_button),
        actions.DEADLINES.prefix: Action(reports_deadlines.on_button),
        actions.THREAD.prefix: Action(reports_thread.on_thread, LEADERS),
        actions.ANSWER.prefix: Action(reports_thread.on_answer),
    },
    flows={
        states.REPORT: reports_report.on_input,
        states.TRACK: reports_track.on_input,
        states.NOTE: reports_triage.on_note_input,
        states.STATUS: reports_status.on_status_input,
        states.MEDIATION: reports_mediation_steps.on_input,
        states.TRANSFER: reports_transfer.on_note_input,
        states.HANDLER_WRITES: reports_thread.on_handler_input,
        states.REPORTER_WRITES: reports_thread.on_reporter_input,
        states.RATING_REASON: reports_outcome.on_reason_input,
    },
    data_sections=[data_section],
    forget_hooks=[forget],
    forget_steps=[sealed.forget_sealed],
    jobs=[
        Job("reports-escalation", 60, service.escalate_due),
        Job("reports-deadlines", 60, escalation.escalate_deadlines),
        Job("reports-contacts", 3600, sealed.wipe_ended),
    ],
)
