"""The household register as a file: the template to fill in (XLSX or CSV, in the reader's
language) and importing a filled-in file into an area. What an import does is the use case
:func:`bot.features.pledges.service.import_register` (the CLI runs the same one)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Attachment
from bot.features.pledges import service
from bot.features.pledges.households import problem_line, template
from bot.i18n import Translator
from bot.storage.areas import Area

SHOWN_PROBLEMS = 30


def template_attachment(t: Translator, kind: str) -> Attachment:
    filename, data = template(t, kind)
    return Attachment("document", filename, data)


async def import_file(ctx: Context, area: Area) -> None:
    document = ctx.event.document
    assert document is not None
    if document.data is None:
        ctx.reply(
            ctx._(
                "The file could not be downloaded (it may be larger than 2 MB). Please send a "
                "smaller CSV or XLSX file, or /cancel."
            )
        )
        return
    result = await service.import_register(
        ctx.conn,
        area,
        document.data,
        document.file_name,
        actor=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    if isinstance(result, list):
        lines = [
            ctx._(
                "Nothing was imported. Lines to fix: {count}. Please correct them and send "
                "the file again (or /cancel).",
                count=len(result),
            )
        ]
        lines += [
            problem_line(ctx.t, p.line, p.reason, p.other_line) for p in result[:SHOWN_PROBLEMS]
        ]
        if len(result) > SHOWN_PROBLEMS:
            lines.append(ctx._("… and {count} more.", count=len(result) - SHOWN_PROBLEMS))
        ctx.reply("\n".join(lines))
        return
    ctx.end()
    ctx.reply(
        ctx._(
            "Imported into the register of {area}: {added} added, {updated} updated, "
            "{unchanged} unchanged. The register now has {count} households.",
            area=area.name,
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            count=result.total,
        )
    )
