"""How reports and their parts read: labels, the report card, emergency numbers.

Builders take a :class:`Translator` (not a Context) so timers and notifications to other people
use them in the reader's own language.
"""

from __future__ import annotations

from bot.core import richtext
from bot.core.events import Option
from bot.features.reports.actions import HANDLE, TRIAGE, Handle, Triage
from bot.features.reports.model import (
    CATEGORY_BY_KEY,
    CLOSED_STATUSES,
    MEDIATION_CATEGORY,
    STATUS_LABELS,
    Status,
    Target,
    handler_moves,
)
from bot.i18n import N_, Safe, Translator, escape
from bot.storage.reports import Report

MOVE_LABELS: dict[Status, str] = {
    Status.ACKNOWLEDGED: N_("✅ Acknowledge"),
    Status.IN_PROGRESS: N_("🔧 In progress"),
    Status.RESOLVED: N_("✔️ Resolved"),
    Status.NOT_OURS: N_("↪️ Not our matter"),
    Status.DUPLICATE: N_("🔁 Duplicate"),
}


def category_label(t: Translator, key: str) -> str:
    category = CATEGORY_BY_KEY.get(key)
    if category is None:
        return key
    return f"{category.icon} {t.plain(category.label)}"


def status_label(t: Translator, status: Status) -> str:
    return t.plain(STATUS_LABELS[status])


def target_label(t: Translator, target: Target) -> str:
    if target == Target.LEADERS:
        return t.plain("Team leaders of the area")
    return t.plain("Commune police officers")


def emergency_text(t: Translator) -> str:
    return t._(
        "🚨 *If anyone is in danger, call now:*\n"
        "📞 *113*: police\n"
        "📞 *114*: fire and rescue\n"
        "📞 *115*: ambulance"
    )


def map_link(latitude: float, longitude: float) -> str:
    return f"https://maps.google.com/?q={latitude:.6f},{longitude:.6f}"


def card_text(
    t: Translator, report: Report, area_name: str | None, *, reason: str | None = None
) -> str:
    """The report as a handler reads it. Never the reporter's name: that is shown on request.
    ``reason``: what the reporter was told with the current status."""
    lines = [
        t._(
            "*Report #{number}* · {code}",
            number=str(report.id),
            code=report.code,
        )
    ]
    if report.happening_now:
        lines.append(t._("🚨 *Happening now*"))
    lines.append(t._("Category: {category}", category=category_label(t, report.category)))
    lines.append(t._("Hamlet or ward: {area}", area=area_name or "-"))
    lines.append(t._("Status: {status}", status=status_label(t, report.status)))
    if reason:
        lines.append(t._("Reason for the reporter: {reason}", reason=reason))
    lines.append(t._("Sent: {when}", when=report.created_at))
    if report.latitude is not None and report.longitude is not None:
        link = map_link(report.latitude, report.longitude)
        lines.append(
            t._("Place: {link}", link=Safe(richtext.link(t.plain("shared location"), link)))
        )
    elif report.place:
        lines.append(t._("Place: {place}", place=report.place))
    else:
        lines.append(t._("Place: not given"))
    photos, voices = report.media_count("photo"), report.media_count("voice")
    if photos or voices:
        lines.append(
            t._("Attached: {photos} photo(s), {voices} voice note(s)", photos=photos, voices=voices)
        )
    if report.anonymous:
        lines.append(t._("Reporter: anonymous"))
    elif report.reporter_member_id is None:
        lines.append(t._("Reporter: no longer registered"))
    else:
        lines.append(t._("Reporter: named (shown only to the handler and officers, on request)"))
    if report.duplicate_of:
        lines.append(t._("Duplicate of report #{number}", number=str(report.duplicate_of)))
    lines.append("")
    lines.append(t._("*Description:*"))
    lines.append(escape(report.description or "-"))
    return "\n".join(lines)


def card_options(t: Translator, report: Report, *, officer: bool) -> list[list[Option]]:
    moves = handler_moves(report.status)
    buttons = [
        Option(t.plain(MOVE_LABELS[m]), action=TRIAGE(Triage.STATUS, report.id, m.value))
        for m in moves
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    extra = [Option(t.plain("📝 Add note"), action=TRIAGE(Triage.NOTE, report.id))]
    if not report.anonymous and report.reporter_member_id is not None:
        extra.append(Option(t.plain("👤 Show reporter"), action=TRIAGE(Triage.WHO, report.id)))
    rows.append(extra)
    more = [Option(t.plain("🕘 History"), action=TRIAGE(Triage.HISTORY, report.id))]
    if report.media_count("photo"):
        more.append(Option(t.plain("🖼 Photos"), action=TRIAGE(Triage.PHOTOS, report.id)))
    if report.media_count("voice") and not t.typed:  # typed: the card says where
        more.append(Option(t.plain("🔊 Voice notes"), action=TRIAGE(Triage.VOICES, report.id)))
    if report.category == MEDIATION_CATEGORY:
        more.append(Option(t.plain("⚖️ Mediation case"), action=TRIAGE(Triage.MEDIATION, report.id)))
    rows.append(more)
    if officer and report.is_open:  # who handles it, where it goes (screens_assign.py)
        rows.append(
            [
                Option(t.plain("👮 Give to..."), action=HANDLE(Handle.PICK, report.id)),
                Option(t.plain("↗️ Transfer..."), action=HANDLE(Handle.TRANSFER, report.id)),
            ]
        )
    if officer and report.status in CLOSED_STATUSES:
        rows.append([Option(t.plain("🔄 Reopen"), action=TRIAGE(Triage.REOPEN, report.id))])
    if officer and not report.anonymous and report.reporter_member_id is not None:
        rows.append(
            [Option(t.plain("🚫 Block/unblock reporter"), action=TRIAGE(Triage.BLOCK, report.id))]
        )
    return rows
