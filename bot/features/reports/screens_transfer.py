"""An officer transfers a report: to another commune (a deployment of several), to the
provincial police, or to another body (114, the commune People's Committee, 115), with a note.
The officer checks are in screens_assign.load_for_officer; the use cases in service_handling.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.reports import service_handling
from bot.features.reports.actions import HANDLE, TRIAGE, Handle, Triage
from bot.features.reports.handling import DESTINATIONS
from bot.features.reports.model import MAX_NOTE
from bot.features.reports.states import TRANSFER, TransferState, TransferStep
from bot.shared.pickers import area_options, problem_text, stale
from bot.shared.text import TextProblem, check_free_text
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import report_handling
from bot.storage import reports as repo
from bot.storage.reports import Report


async def on_transfer(ctx: Context, report: Report, verb: str, value: str) -> None:
    if verb == Handle.TRANSFER:
        await _destinations(ctx, report)
    elif verb == Handle.BODY and value in DESTINATIONS:
        _ask_note(ctx, report, value, None)
    elif verb == Handle.COMMUNE and value.isdigit():
        await _areas(ctx, report, int(value))
    elif verb == Handle.AREA and value.isdigit():
        area = await areas_repo.get(ctx.conn, int(value))
        here = await report_handling.commune_of(ctx.conn, report.area_id)
        if area is None or area.commune_id == here:
            stale(ctx)
            return
        _ask_note(ctx, report, "", area.id)
    else:
        stale(ctx)


async def _destinations(ctx: Context, report: Report) -> None:
    here = await report_handling.commune_of(ctx.conn, report.area_id)
    rows = [
        [Option("🏘 " + (c.name or c.code), action=HANDLE(Handle.COMMUNE, report.id, c.id))]
        for c in await communes_repo.list_communes(ctx.conn)
        if c.id != here
    ]
    rows += [
        [Option(ctx.t.plain(label), action=HANDLE(Handle.BODY, report.id, key))]
        for key, label in DESTINATIONS.items()
    ]
    rows.append([Option(ctx.t.plain("⬅️ Back"), action=TRIAGE(Triage.VIEW, report.id))])
    ctx.reply(ctx._("Report #{number}: transfer it where?", number=str(report.id)), rows, edit=True)


async def _areas(ctx: Context, report: Report, commune_id: int) -> None:
    here = await report_handling.commune_of(ctx.conn, report.area_id)
    areas = await areas_repo.list_areas(ctx.conn, commune_id) if commune_id != here else []
    if not areas:
        stale(ctx)
        return
    if len(areas) == 1:
        _ask_note(ctx, report, "", areas[0].id)
        return
    rows = area_options(areas, HANDLE(Handle.AREA, report.id))
    rows.append([Option(ctx.t.plain("⬅️ Back"), action=HANDLE(Handle.TRANSFER, report.id))])
    ctx.reply(ctx._("In which hamlet or ward of that commune?"), rows, edit=True)


def _ask_note(ctx: Context, report: Report, destination: str, area_id: int | None) -> None:
    TRANSFER.begin(
        ctx,
        TransferStep.NOTE,
        TransferState(report_id=report.id, destination=destination, area_id=area_id),
    )
    ctx.reply(
        ctx._(
            "Please type a note for those who receive report #{number} (what is known, "
            "what was done), or /cancel.",
            number=str(report.id),
        )
    )


async def on_note_input(ctx: Context) -> None:
    state = TRANSFER.state(ctx)
    report = await repo.get(ctx.conn, state.report_id)
    if report is None or not ctx.roles.covers(report.area_id):
        ctx.end()
        ctx.reply(
            ctx._("Only the commune police officers of this report can assign or transfer it.")
        )
        return
    if not report.is_open:
        ctx.end()
        ctx.reply(ctx._("This report is closed: it can no longer be assigned or transferred."))
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the note as text, or /cancel."))
        return
    note = check_free_text(ctx.event.text, maximum=MAX_NOTE)
    if isinstance(note, TextProblem):
        ctx.reply(problem_text(ctx, note, maximum=MAX_NOTE))
        return
    member = ctx.member
    assert member is not None
    if state.area_id is not None:
        result = await service_handling.transfer_to_area(
            ctx.conn, ctx.config, report, state.area_id, note, member, ctx.now
        )
    else:
        result = await service_handling.transfer_to_body(
            ctx.conn, ctx.config, report, state.destination, note, member, ctx.now
        )
    ctx.end()
    if not result.done:
        ctx.reply(ctx._("Nothing was changed: the report has changed meanwhile."))
        return
    if result.queued:
        ctx.outbox_written = True
    ctx.reply(
        ctx._(
            "Report #{number} was transferred. It has left your open reports.",
            number=str(report.id),
        )
    )
