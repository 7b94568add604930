"""Sending a report: whether this person may send one now (the reason when not), the
"send" step, and closing the flow so nothing of an anonymous report stays with the person.
What sending does is the use case :func:`bot.features.reports.service.submit_report`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import LEADERS
from bot.features.patrols.actions import PATROL, Ptl
from bot.features.reports import service
from bot.features.reports.actions import REPORT as BUTTONS
from bot.features.reports.model import rate_key
from bot.features.reports.states import REPORT
from bot.features.reports.texts import emergency_text
from bot.storage import menus as menus_repo
from bot.storage import report_limits, report_settings

# Team leaders and officers may send this many times a resident's reports an hour: a patrol
# night can bring several, named and audited; a loop or a stuck button must not flood.
STAFF_FACTOR = 5


async def refusal(ctx: Context) -> str | None:
    """Why this person may not send a report now, or None. A block applies to everyone; the
    hourly limit (against floods) too, a team leader's and an officer's :data:`STAFF_FACTOR`
    times a resident's, said to them in their own words."""
    member, user = ctx.member, ctx.event.user
    assert member is not None and user is not None
    key, staff = rate_key(ctx.event.platform, user.id), ctx.roles.may(LEADERS)
    found = await service.refusal(ctx.conn, member.id, key, ctx.now, not staff)
    if found is None and staff:
        limit = (await report_settings.settings(ctx.conn)).max_per_hour * STAFF_FACTOR
        recent = await report_limits.recent_count(ctx.conn, key, member.id, ctx.now)
        if recent >= limit:
            return ctx._(
                "You have sent {count} reports in the last hour, the most a team leader or "
                "officer can send in an hour (a guard against a report sent again and again). "
                "Please wait a little before the next one; patrol observations are kept and "
                "can be turned into reports later. In an emergency call 113.",
                count=limit,
            )
    if found is None:
        return None
    if found.blocked:
        return ctx._(
            "Sorry, you cannot send reports through the bot at the moment. If something is "
            "urgent, please call 113 or go to the commune police office."
        )
    return ctx._(
        "You have sent {count} reports in the last hour, the most I can take. Please "
        "wait a little before sending another. In an emergency call 113.",
        count=found.max_per_hour,
    )


async def submit(ctx: Context, *, anonymous: bool) -> None:
    member = ctx.member
    user = ctx.event.user
    assert member is not None and user is not None
    draft = REPORT.state(ctx)
    why_not = await refusal(ctx)
    if why_not:
        await close_flow(ctx)
        ctx.reply(why_not, edit=True)
        return
    area_id = draft.area_id or member.area_id
    result = await service.submit_report(
        ctx.conn,
        ctx.config,
        service.Submission(
            category=draft.category or "",
            area_id=area_id or None,
            description=draft.text,
            anonymous=anonymous,
            reporter_member_id=member.id,
            rate_key=rate_key(ctx.event.platform, user.id),
            happening_now=draft.now,
            media=[m.model_dump() for m in draft.media],
            place=draft.place,
            latitude=draft.lat,
            longitude=draft.lon,
            observation_id=draft.observation_id,
            sealed_contact=(
                (ctx.event.platform, ctx.config.sealer.seal(ctx.event.chat.id), ctx.t.language)
                if anonymous
                else None
            ),
        ),
        ctx.now,
    )
    if isinstance(result, service.AlreadyReported):
        await close_flow(ctx)
        ctx.reply(
            ctx._(
                "This observation was already turned into report {code}. Nothing new was sent.",
                code=result.code or "?",
            ),
            edit=True,
        )
        return
    if result.queued:
        ctx.outbox_written = True
    code = result.report.code
    happening = result.report.happening_now
    patrol_id = draft.patrol_id
    await close_flow(ctx)
    if anonymous:
        text = ctx._(
            "Thank you. Your report was sent *anonymously*: nothing links it to you.\n\n"
            "Your tracking code: `{code}`\nPlease write it down: it is the only way "
            "to follow the report (with /track {code}). I cannot look it up for you.",
            code=code,
        )
        text += "\n\n" + ctx._(
            "The handler can write to you here and you will get the outcome here, through the "
            "bot, without anyone learning who you are. /forgetme cuts this link too."
        )
    elif result.observation_linked:  # a leader's report from a patrol: a staff screen
        text = ctx._(
            "Report {code} was sent to its handler. You will be told here each time it moves on.",
            code=code,
        )
    else:
        text = ctx._(
            "Thank you. Your report {code} was sent. I will tell you here each time it moves on.",
            code=code,
        )
    if happening:
        text += (
            "\n\n"
            + ctx._("The commune police have been alerted now.")
            + "\n"
            + emergency_text(ctx.t)
        )
    ctx.reply(text, edit=True)
    if result.observation_linked and patrol_id is not None:
        ctx.reply(
            ctx._("The patrol observation is linked to report {code}.", code=code),
            [[Option(ctx.t.plain("✔️ Back to the patrol"), action=PATROL(Ptl.PANEL, patrol_id))]],
            bind_to_conversation=False,
        )


async def close_flow(ctx: Context) -> None:
    """End the flow and delete the menus it made, so nothing of it stays with the person."""
    user = ctx.event.user
    ctx.end()
    if user is not None:
        await menus_repo.drop_for_flow(
            ctx.conn, ctx.event.platform, ctx.event.chat.id, user.id, BUTTONS.prefix + ":"
        )
