"""/households (/danhsachho): the household register of an area, kept by its team leaders (and
by officers for any area): list with pages, add, edit, remove, search without diacritics, and
import from a CSV or XLSX file (the template is downloadable here and from the command line).

Here: the command, the buttons and typed input; the list and the card are in
screens_households_view.py, adding, editing and removing in screens_households_edit.py, the
files in screens_households_file.py.

The register is what pledges point to (one household, one pledge, however it is spelled) and
what "Not signed yet" lists in /pledgestatus.
"""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.flows import Flow
from bot.core.permissions import LEADERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges import screens_households_edit as changes
from bot.features.pledges import screens_households_file as register_file
from bot.features.pledges import screens_households_view as view
from bot.features.pledges.actions import REGISTER as BUTTONS
from bot.features.pledges.actions import Register
from bot.features.pledges.households import (
    template_labels,
)
from bot.features.pledges.screens_households_view import FIELDS
from bot.features.pledges.states import REGISTER, RegisterState, RegisterStep
from bot.i18n import N_
from bot.shared.pickers import area_picker, stale, stale_reply
from bot.storage import areas as areas_repo
from bot.storage import households as repo
from bot.storage.areas import Area
from bot.storage.folding import fold


async def households(ctx: Context) -> None:
    areas = [a for a in await areas_repo.list_areas(ctx.conn) if ctx.roles.leads(a.id)]
    if not areas:
        ctx.reply(ctx._("You do not lead any area yet."))
        return
    if len(areas) == 1:
        await view.page(ctx, areas[0], 0)
        return
    ctx.reply(
        ctx._("The household register of which area?"),
        await area_picker(ctx, areas, BUTTONS(Register.AREA)),
    )


async def _household(ctx: Context, value: str) -> repo.Household | None:
    household = await repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if household is None or household.removed or not ctx.roles.leads(household.area_id):
        stale(ctx)
        return None
    return household


async def _area(ctx: Context, value: str) -> Area | None:
    area = await areas_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if area is None or not ctx.roles.leads(area.id):
        stale(ctx)
        return None
    return area


async def on_button(ctx: Context, argument: str) -> None:
    verb, rest = BUTTONS.read(argument)
    value, _, extra = rest.partition(":")
    if verb in (Register.OPEN, Register.EDIT, Register.REMOVE, Register.REMOVE_OK):
        household = await _household(ctx, value)
        if household is None:
            return
        if verb == Register.OPEN:
            await view.card(ctx, household)
        elif verb == Register.EDIT and extra in FIELDS:
            changes.ask_edit(ctx, household, extra)
        elif verb == Register.REMOVE:
            await changes.ask_remove(ctx, household)
        elif verb == Register.REMOVE_OK:
            await changes.remove(ctx, household)
        return
    if verb in (Register.SKIP, Register.CLEAR) and REGISTER.is_open(ctx):
        await _on_text(ctx, "")
        return
    area = await _area(ctx, value)
    if area is None:
        return
    if verb == Register.AREA:
        ctx.end()
        await view.page(ctx, area, 0)
    elif verb == Register.PAGE and extra.isdigit():
        await view.page(ctx, area, int(extra), edit=True)
    elif verb == Register.ADD:
        REGISTER.begin(ctx, RegisterStep.ADD_NUMBER, RegisterState(area_id=area.id))
        ctx.reply(
            ctx._(
                "Adding a household to {area}. Please type its *household number* (số hộ "
                "or house number, as you use it), or press the button if it has none.",
                area=area.name,
            ),
            [[Option(ctx._("No number"), action=BUTTONS(Register.SKIP, area.id))]],
        )
    elif verb == Register.FIND:
        REGISTER.begin(ctx, RegisterStep.SEARCH, RegisterState(area_id=area.id))
        ctx.reply(
            ctx._(
                "Please type part of the head's name, the number or the address (diacritics "
                "are not needed: _tran van_ finds _Trần Văn_)."
            )
        )
    elif verb == Register.IMPORT:
        REGISTER.begin(ctx, RegisterStep.IMPORT, RegisterState(area_id=area.id))
        ctx.reply(
            ctx._(
                "Please send the household register of {area} here as a *CSV or XLSX "
                "file* (as a document, at most 2 MB), with the columns of the template: "
                "{columns}. Every line is checked first: nothing is saved unless every line is "
                "right, and households already on the register are updated, never added twice.",
                area=area.name,
                columns=", ".join(template_labels(ctx.t)),
            ),
            [
                [
                    Option(
                        ctx._("📄 Template (XLSX)"),
                        action=BUTTONS(Register.TEMPLATE, area.id, "xlsx"),
                    )
                ]
            ],
        )
    elif verb == Register.TEMPLATE:
        await ctx.audit("household.template_downloaded", "area", area.id)
        ctx.replies.append(
            Reply(
                ctx._(
                    "The template of the household register: fill in one household per line, "
                    "then send the file back here with 📥 Import a file."
                ),
                attachment=register_file.template_attachment(
                    ctx.t, "csv" if extra == "csv" else "xlsx"
                ),
            )
        )
    else:
        stale(ctx)


async def _on_text(ctx: Context, text: str) -> None:
    step = REGISTER.step(ctx)
    area = await areas_repo.get(ctx.conn, REGISTER.state(ctx).area_id)
    if area is None or not ctx.roles.leads(area.id):
        ctx.end()
        stale_reply(ctx)
        return
    if step == RegisterStep.SEARCH:
        await search(ctx, area, text)
    elif step.startswith("add_"):
        await changes.add_step(ctx, area, step.field, text)
    elif step.startswith("edit_"):
        await changes.edit(ctx, area, step.field, text)
    else:
        ctx.reply(ctx._("Please send the file as a document, or /cancel."))


async def search(ctx: Context, area: Area, text: str) -> None:
    if not fold(text):
        ctx.reply(ctx._("Please type some letters or digits to search for."))
        return
    found = await repo.search(ctx.conn, area.id, text[:100])
    ctx.end()
    if not found:
        ctx.reply(
            ctx._("No household of {area} matches “{query}”.", area=area.name, query=text[:100]),
            [[Option(ctx._("🔍 Search"), action=BUTTONS(Register.FIND, area.id))]],
        )
        return
    lines = [ctx._("*Found in {area}*:", area=area.name)]
    lines += [view.line(n, h) for n, h in enumerate(found, 1)]
    rows = view.open_buttons(found, first=1)
    rows.append([Option(ctx._("🔍 Search"), action=BUTTONS(Register.FIND, area.id))])
    ctx.reply("\n".join(lines), rows)


async def on_input(ctx: Context) -> None:
    importing = REGISTER.step(ctx) == RegisterStep.IMPORT
    if importing and ctx.event.document is not None:
        area = await areas_repo.get(ctx.conn, REGISTER.state(ctx).area_id)
        if area is None or not ctx.roles.leads(area.id):
            ctx.end()
            stale_reply(ctx)
            return
        await register_file.import_file(ctx, area)
        return
    if ctx.event.document is not None or ctx.event.kind != EventKind.TEXT:
        if importing:
            ctx.reply(ctx._("Please send the file as a document, or /cancel."))
        else:
            ctx.reply(ctx._("Please type the answer as text, or /cancel."))
        return
    if importing:
        ctx.reply(ctx._("Please send the file as a document, or /cancel."))
        return
    await _on_text(ctx, ctx.event.text)


commands = [
    Command(
        "households",
        "danhsachho",
        households,
        LEADERS,
        Where.PRIVATE,
        N_("Your area's household register: list, add, edit, search, import"),
    ),
]
actions = {BUTTONS.prefix: Action(on_button, roles=LEADERS)}
flows: dict[Flow[Any, Any], Handler] = {REGISTER: on_input}
