"""A mediation case's card (parties, mediator, session, outcome) and who may manage a case:
shared by the lists of /mediation and the steps that change a case."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import LEADERS
from bot.features.reports.actions import MEDIATION, Med
from bot.i18n import N_, Translator
from bot.storage import areas as areas_repo
from bot.storage import mediation as repo
from bot.storage import members as members_repo
from bot.storage.mediation import Case

OUTCOME_LABELS = {
    "success": N_("✅ Mediated successfully"),
    "failed": N_("❌ Not successful"),
    "transferred": N_("🏛 Transferred to the authorities"),
}


def outcome_label(t: Translator, outcome: str) -> str:
    return t.plain(OUTCOME_LABELS[outcome])


def today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.tz).date()


def as_staff(ctx: Context) -> bool:
    """Whether the reader is addressed as staff ("đồng chí": leaders and officers) or as a
    resident ("anh/chị": a member of the mediation team who is neither)."""
    return ctx.roles.may(LEADERS)


def not_in_care(ctx: Context) -> str:
    """A case the reader may not act on, in the reader's register."""
    if as_staff(ctx):
        return ctx._("This case is not in your care.")
    return ctx._("This case is not one you mediate.")


def may_manage(ctx: Context, case: Case) -> bool:
    member = ctx.member
    return ctx.roles.leads(case.area_id) or (
        member is not None and case.mediator_member_id == member.id
    )


async def case_text(ctx: Context, t: Translator, case: Case) -> str:
    area = await areas_repo.get(ctx.conn, case.area_id) if case.area_id else None
    mediator = (
        await members_repo.get(ctx.conn, case.mediator_member_id)
        if case.mediator_member_id
        else None
    )
    lines = [
        t._("*Mediation case #{number}*", number=str(case.id)),
        t._("Hamlet or ward: {area}", area=area.name if area else "-"),
        t._("Parties: {names}", names=", ".join(case.parties)),
        t._("Mediator: {name}", name=mediator.display_name if mediator else "-"),
        t._("Session: {day}", day=case.session_on if case.session_on else "-"),
    ]
    if case.report_id:
        lines.append(t._("From report #{number}", number=str(case.report_id)))
    if case.outcome:
        lines.append(t._("Outcome: {outcome}", outcome=t.plain(OUTCOME_LABELS[case.outcome])))
        if case.note:
            lines.append(t._("Note: {note}", note=case.note))
    return "\n".join(lines)


async def show_case(ctx: Context, case: Case, *, note: str = "", edit: bool = False) -> None:
    text = await case_text(ctx, ctx.t, case)
    if note:
        text = note + "\n\n" + text
    options: list[list[Option]] = []
    if case.is_open and not case.outcome_due(today(ctx)):
        text += "\n\n" + not_yet_text(ctx, case)
    if case.is_open:
        options = [
            [Option(outcome_label(ctx.t, outcome), action=MEDIATION(Med.OUTCOME, case.id, outcome))]
            for outcome in repo.OUTCOMES
            if case.may_record(outcome, today(ctx))
        ]
        row = [Option(ctx.t.plain("📅 Session day"), action=MEDIATION(Med.SET_DAY, case.id))]
        if ctx.roles.leads(case.area_id):  # not the mediator's own to hand on
            row.append(
                Option(ctx.t.plain("👤 Mediator"), action=MEDIATION(Med.SET_MEDIATOR, case.id))
            )
        options.append(row)
    ctx.reply(text, options, edit=edit)


def not_yet_text(ctx: Context, case: Case) -> str:
    return ctx._(
        "The session is on {day}: whether it succeeded can be recorded from that day; a "
        "transfer to the authorities, at any time.",
        day=case.session_on or "-",
    )
