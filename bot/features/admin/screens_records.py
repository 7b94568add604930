"""/areas → 📥 Import: what communes already have (their areas with household counts and past
years' ratings) from a CSV or XLSX file; the template is downloadable here and from the CLI
(``xomantoan areas template``). For officers of the whole deployment and admins."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Attachment, EventKind, Option, Reply
from bot.core.flows import NoState
from bot.features.admin import records
from bot.features.admin.actions import RECORDS, Records
from bot.features.admin.records_service import import_records
from bot.features.admin.states import RECORDS as RECORDS_FLOW
from bot.features.admin.states import RecordsStep
from bot.shared.pickers import stale

SHOWN_PROBLEMS = 30


def import_button(ctx: Context) -> list[Option]:
    return [Option(ctx.t.plain("📥 Import areas and past ratings"), action=RECORDS(Records.START))]


def _this_year(ctx: Context) -> int:
    return ctx.now.astimezone(ctx.config.tz).year


async def on_button(ctx: Context, argument: str) -> None:
    if not ctx.roles.sees_every_commune:
        ctx.toast(ctx._("Only the officers of the whole province can import areas."))
        return
    verb, value = RECORDS.read(argument)
    if verb == Records.START:
        RECORDS_FLOW.begin(ctx, RecordsStep.FILE, NoState())
        ctx.reply(
            ctx._(
                "Please send the areas here as a *CSV or XLSX file* (as a document, at "
                "most 2 MB), one area per line with the columns of the template: {columns}. "
                "Each year column holds the result of that year: x (met), 0 (not met) or "
                "nothing (not rated). Every line is checked first: nothing is saved unless "
                "every line is right, and sending the same file again changes nothing.",
                columns=", ".join(records.template_labels(ctx.t, _this_year(ctx))),
            ),
            [
                [
                    Option(
                        ctx.t.plain("📄 Template (XLSX)"), action=RECORDS(Records.TEMPLATE, "xlsx")
                    ),
                    Option(
                        ctx.t.plain("📄 Template (CSV)"), action=RECORDS(Records.TEMPLATE, "csv")
                    ),
                ]
            ],
        )
    elif verb == Records.TEMPLATE and value in ("xlsx", "csv"):
        filename, data = records.template(ctx.t, value, _this_year(ctx))
        await ctx.audit("records.template_downloaded")
        ctx.replies.append(
            Reply(
                ctx._("The template: fill in one area per line, then send the file back here."),
                attachment=Attachment("document", filename, data),
            )
        )
    else:
        stale(ctx)


async def on_input(ctx: Context) -> None:
    document = ctx.event.document
    if document is None or ctx.event.kind == EventKind.TEXT:
        ctx.reply(ctx._("Please send the file as a document, or /cancel."))
        return
    if not ctx.roles.sees_every_commune:
        ctx.end()
        ctx.reply(ctx._("Only the officers of the whole province can import areas."))
        return
    if document.data is None:
        ctx.reply(
            ctx._(
                "The file could not be downloaded (it may be larger than 2 MB). Please send a "
                "smaller CSV or XLSX file, or /cancel."
            )
        )
        return
    result = await import_records(
        ctx.conn,
        document.data,
        document.file_name,
        this_year=_this_year(ctx),
        actor=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    if isinstance(result, list):
        lines = [
            ctx._(
                "No area was imported. Lines to fix: {count}. Please correct them and send "
                "the file again (or /cancel).",
                count=len(result),
            )
        ]
        lines += [records.problem_line(ctx.t, p) for p in result[:SHOWN_PROBLEMS]]
        if len(result) > SHOWN_PROBLEMS:
            lines.append(ctx._("… and {count} more.", count=len(result) - SHOWN_PROBLEMS))
        ctx.reply("\n".join(lines))
        return
    ctx.end()
    ctx.reply(
        ctx._(
            "Imported: {communes} communes added; areas: {added} added, {updated} updated, "
            "{unchanged} unchanged; past ratings: {results} recorded, {kept} already there.",
            communes=result.communes_added,
            added=result.areas_added,
            updated=result.areas_updated,
            unchanged=result.areas_unchanged,
            results=result.results_added,
            kept=result.results_unchanged,
        )
    )
