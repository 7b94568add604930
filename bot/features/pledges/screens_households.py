"""/households (/danhsachho): the household register of an area, kept by its team leaders (and
by officers for any area): list with pages, add, edit, remove, search without diacritics, and
import from a CSV or XLSX file (the template is downloadable here and from the command line).

The register is what pledges point to (one household, one pledge, however it is spelled) and
what "Not signed yet" lists in /pledgestatus.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.permissions import LEADERS
from bot.core.registry import Action, Command, Handler, Where
from bot.features.pledges import screens_households_file as register_file
from bot.features.pledges.households import (
    check_note,
    check_number,
    place_label,
    template_labels,
)
from bot.features.pledges.model import check_address
from bot.i18n import N_, escape
from bot.shared.pickers import area_picker, problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_name
from bot.storage import areas as areas_repo
from bot.storage import households as repo
from bot.storage.areas import Area
from bot.storage.folding import fold, match_key

FLOW = "households"
PAGE = 10
FIELDS = ("number", "head", "address", "note")
FIELD_LABELS = {
    "number": N_("Household number"),
    "head": N_("Head of household"),
    "address": N_("Address"),
    "note": N_("Note"),
}


# Screens ------------------------------------------------------------------------------------
async def households(ctx: Context) -> None:
    areas = [a for a in await areas_repo.list_areas(ctx.conn) if ctx.roles.leads(a.id)]
    if not areas:
        ctx.reply(ctx._("You do not lead any area yet."))
        return
    if len(areas) == 1:
        await _page(ctx, areas[0], 0)
        return
    ctx.reply(
        ctx._("The household register of which area?"), await area_picker(ctx, areas, "hh:area")
    )


def _line(n: int, household: repo.Household) -> str:
    return f"{n}. {escape(household.head_name)} · {escape(place_label(household))}"


async def _page(ctx: Context, area: Area, page: int, *, edit: bool = False) -> None:
    total = await repo.count(ctx.conn, area.id)
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 0), pages - 1)
    found = await repo.page(ctx.conn, area.id, offset=page * PAGE, limit=PAGE)
    lines = [
        ctx._(
            "*Household register of {area}*: {count} households (households declared "
            "for the area: {declared})",
            area=area.name,
            count=total,
            declared=str(area.households) if area.households is not None else "-",
        )
    ]
    if not found:
        lines.append(
            ctx._(
                "The register is empty. Add households one by one, or import them all from a "
                "CSV or XLSX file (download the template first)."
            )
        )
    lines += [_line(page * PAGE + n, h) for n, h in enumerate(found, 1)]
    if pages > 1:
        lines.append(ctx._("Page {page} of {pages}", page=page + 1, pages=pages))
    rows = _open_buttons(found, first=page * PAGE + 1)
    nav = []
    if page > 0:
        nav.append(Option("◀️", action=f"hh:page:{area.id}:{page - 1}"))
    if page < pages - 1:
        nav.append(Option("▶️", action=f"hh:page:{area.id}:{page + 1}"))
    if nav:
        rows.append(nav)
    rows += _menu_rows(ctx, area)
    ctx.reply("\n".join(lines), rows, edit=edit)


def _open_buttons(found: list[repo.Household], *, first: int) -> list[list[Option]]:
    buttons = [Option(str(first + i), action=f"hh:open:{h.id}") for i, h in enumerate(found)]
    return [buttons[i : i + 5] for i in range(0, len(buttons), 5)]


def _menu_rows(ctx: Context, area: Area) -> list[list[Option]]:
    return [
        [
            Option(ctx._("➕ Add a household"), action=f"hh:add:{area.id}"),
            Option(ctx._("🔍 Search"), action=f"hh:find:{area.id}"),
        ],
        [
            Option(ctx._("📥 Import a file"), action=f"hh:import:{area.id}"),
            Option(ctx._("📄 Template (XLSX)"), action=f"hh:tpl:{area.id}:xlsx"),
            Option(ctx._("📄 Template (CSV)"), action=f"hh:tpl:{area.id}:csv"),
        ],
    ]


async def _card(ctx: Context, household: repo.Household, *, edit: bool = False) -> None:
    pledges = await repo.pledge_count(ctx.conn, household.id)
    lines = [
        ctx._("*Household {number}*", number=household.number or "-"),
        ctx._("Head of household: {name}", name=household.head_name),
        ctx._("Address: {address}", address=household.address),
        ctx._("Note: {note}", note=household.note or "-"),
        ctx._("Pledges on record: {count}", count=pledges),
    ]
    edits = [
        Option(
            ctx.t.plain("✏️ {field}", field=ctx.t.plain(FIELD_LABELS[f])),
            action=f"hh:edit:{household.id}:{f}",
        )
        for f in FIELDS
    ]
    ctx.reply(
        "\n".join(lines),
        [
            edits[:2],
            edits[2:],
            [
                Option(ctx._("🗑 Remove"), action=f"hh:rm:{household.id}"),
                Option(ctx._("↩️ Back to the list"), action=f"hh:area:{household.area_id}"),
            ],
        ],
        edit=edit,
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
    verb, _, rest = argument.partition(":")
    value, _, extra = rest.partition(":")
    if verb in ("open", "edit", "rm", "rmok"):
        household = await _household(ctx, value)
        if household is None:
            return
        if verb == "open":
            await _card(ctx, household)
        elif verb == "edit" and extra in FIELDS:
            _ask_edit(ctx, household, extra)
        elif verb == "rm":
            await _ask_remove(ctx, household)
        elif verb == "rmok":
            await _remove(ctx, household)
        return
    if verb in ("skip", "clear") and ctx.flow == FLOW:
        await _on_text(ctx, "")
        return
    area = await _area(ctx, value)
    if area is None:
        return
    if verb == "area":
        ctx.end()
        await _page(ctx, area, 0)
    elif verb == "page" and extra.isdigit():
        await _page(ctx, area, int(extra), edit=True)
    elif verb == "add":
        ctx.begin(FLOW, "add_number", area_id=area.id)
        ctx.reply(
            ctx._(
                "Adding a household to {area}. Please type its *household number* (số hộ "
                "or house number, as you use it), or press the button if it has none.",
                area=area.name,
            ),
            [[Option(ctx._("No number"), action=f"hh:skip:{area.id}")]],
        )
    elif verb == "find":
        ctx.begin(FLOW, "search", area_id=area.id)
        ctx.reply(
            ctx._(
                "Please type part of the head's name, the number or the address (diacritics "
                "are not needed: _tran van_ finds _Trần Văn_)."
            )
        )
    elif verb == "import":
        ctx.begin(FLOW, "import", area_id=area.id)
        ctx.reply(
            ctx._(
                "Please send the household register of {area} here as a *CSV or XLSX "
                "file* (as a document, at most 2 MB), with the columns of the template: "
                "{columns}. Every line is checked first: nothing is saved unless every line is "
                "right, and households already on the register are updated, never added twice.",
                area=area.name,
                columns=", ".join(template_labels(ctx.t)),
            ),
            [[Option(ctx._("📄 Template (XLSX)"), action=f"hh:tpl:{area.id}:xlsx")]],
        )
    elif verb == "tpl":
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


# Add and edit -------------------------------------------------------------------------------
def _ask_edit(ctx: Context, household: repo.Household, field: str) -> None:
    ctx.begin(FLOW, f"edit_{field}", area_id=household.area_id, household_id=household.id)
    current = {
        "number": household.number,
        "head": household.head_name,
        "address": household.address,
        "note": household.note,
    }[field]
    options = []
    if field in ("number", "note"):
        options = [[Option(ctx._("Clear it"), action=f"hh:clear:{household.area_id}")]]
    ctx.reply(
        ctx._(
            "{field} now: _{current}_\nPlease type the new value.",
            field=ctx.t.plain(FIELD_LABELS[field]),
            current=current or "-",
        ),
        options,
    )


def _checked(ctx: Context, field: str, text: str) -> str | None:
    """The typed value of a field, cleaned, or None after saying what is wrong."""
    checked: str | TextProblem
    maximum = 100
    if field == "number":
        checked, maximum = check_number(text), 20
    elif field == "head":
        checked = check_name(text)
    elif field == "address":
        checked, maximum = check_address(text), 150
    else:
        checked, maximum = check_note(text), 200
    if isinstance(checked, TextProblem):
        ctx.reply(problem_text(ctx, checked, maximum=maximum))
        return None
    return checked


async def _conflict(
    ctx: Context, area_id: int, number: str, head: str, address: str, own_id: int | None
) -> bool:
    """True (after saying so) when another household already has this number or identity."""
    numbered = await repo.by_number(ctx.conn, area_id, number) if number else None
    same = await repo.by_key(ctx.conn, area_id, match_key(number, head, address))
    other = next((h for h in (numbered, same) if h is not None and h.id != own_id), None)
    if other is None:
        return False
    ctx.reply(
        ctx._(
            "This is already on the register: {name} · {place}. Nothing was saved; please "
            "type another value, or /cancel.",
            name=other.head_name,
            place=place_label(other),
        ),
        [[Option(ctx._("Open that household"), action=f"hh:open:{other.id}")]],
    )
    return True


async def _on_text(ctx: Context, text: str) -> None:
    step = ctx.step or ""
    area = await areas_repo.get(ctx.conn, int(ctx.data.get("area_id", 0)))
    if area is None or not ctx.roles.leads(area.id):
        ctx.end()
        stale_reply(ctx)
        return
    if step == "search":
        await _search(ctx, area, text)
    elif step.startswith("add_"):
        await _add_step(ctx, area, step[4:], text)
    elif step.startswith("edit_"):
        await _edit(ctx, area, step[5:], text)
    else:
        ctx.reply(ctx._("Please send the file as a document, or /cancel."))


async def _add_step(ctx: Context, area: Area, field: str, text: str) -> None:
    if field in ("head", "address") and not text:
        stale(ctx)
        return
    value = _checked(ctx, field, text)
    if value is None:
        return
    if field == "number":
        if value and await repo.by_number(ctx.conn, area.id, value):
            await _conflict(ctx, area.id, value, "", "", None)
            return
        ctx.goto("add_head", number=value)
        ctx.reply(ctx._("The name of the *head of household*?"))
    elif field == "head":
        ctx.goto("add_address", head=value)
        ctx.reply(ctx._("The household's *address* (hamlet, lane, street)?"))
    elif field == "address":
        number, head = str(ctx.data.get("number", "")), str(ctx.data.get("head", ""))
        if await _conflict(ctx, area.id, number, head, value, None):
            return
        ctx.goto("add_note", address=value)
        ctx.reply(
            ctx._("A note (optional, e.g. rented, away)? Type it, or press the button."),
            [[Option(ctx._("No note"), action=f"hh:skip:{area.id}")]],
        )
    else:
        number, head = str(ctx.data.get("number", "")), str(ctx.data.get("head", ""))
        address = str(ctx.data.get("address", ""))
        if await _conflict(ctx, area.id, number, head, address, None):
            return
        new_id = await repo.add(
            ctx.conn,
            area.id,
            number=number,
            head_name=head,
            address=address,
            note=value,
            now=ctx.now,
        )
        await ctx.audit("household.added", "household", new_id, area=area.code)
        ctx.end()
        added = await repo.get(ctx.conn, new_id)
        assert added is not None
        ctx.reply(
            ctx._(
                "Saved: {name} · {place} is on the register of {area}.",
                name=head,
                place=place_label(added),
                area=area.name,
            )
        )
        await _page(ctx, area, 0)


async def _edit(ctx: Context, area: Area, field: str, text: str) -> None:
    household = await repo.get(ctx.conn, int(ctx.data.get("household_id", 0)))
    if household is None or household.removed or household.area_id != area.id:
        ctx.end()
        stale_reply(ctx)
        return
    if field in ("head", "address") and not text:
        stale(ctx)
        return
    value = _checked(ctx, field, text)
    if value is None:
        return
    values = {
        "number": household.number,
        "head": household.head_name,
        "address": household.address,
        "note": household.note,
    }
    values[field] = value
    if await _conflict(
        ctx, area.id, values["number"], values["head"], values["address"], household.id
    ):
        return
    await repo.update(
        ctx.conn,
        household.id,
        number=values["number"],
        head_name=values["head"],
        address=values["address"],
        note=values["note"],
        now=ctx.now,
    )
    await ctx.audit("household.edited", "household", household.id, field=field)
    ctx.end()
    updated = await repo.get(ctx.conn, household.id)
    assert updated is not None
    ctx.reply(ctx._("Saved: {name} · {place}.", name=updated.head_name, place=place_label(updated)))
    await _card(ctx, updated)


# Remove -------------------------------------------------------------------------------------
async def _ask_remove(ctx: Context, household: repo.Household) -> None:
    pledges = await repo.pledge_count(ctx.conn, household.id)
    if pledges:
        text = ctx._(
            "Remove {name} · {place} from the register? The household has pledges on record "
            "({count}): they stay on record and keep counting for their campaigns. The "
            "household will no longer be listed (nor as not signed), and residents can no "
            "longer pick it when they sign.",
            name=household.head_name,
            place=place_label(household),
            count=pledges,
        )
    else:
        text = ctx._(
            "Remove {name} · {place} from the register? It has no pledge, so it is deleted.",
            name=household.head_name,
            place=place_label(household),
        )
    ctx.reply(
        text,
        [
            [
                Option(ctx._("🗑 Yes, remove"), action=f"hh:rmok:{household.id}"),
                Option(ctx._("Keep it"), action=f"hh:open:{household.id}"),
            ]
        ],
    )


async def _remove(ctx: Context, household: repo.Household) -> None:
    deleted = await repo.remove(ctx.conn, household.id, ctx.now)
    await ctx.audit("household.removed", "household", household.id, deleted=deleted)
    if deleted:
        text = ctx._("Deleted from the register: {name}.", name=household.head_name)
    else:
        text = ctx._(
            "Taken off the register: {name}. Its pledges stay on record.",
            name=household.head_name,
        )
    ctx.reply(text, edit=True)
    area = await areas_repo.get(ctx.conn, household.area_id)
    if area is not None:
        await _page(ctx, area, 0)


# Search -------------------------------------------------------------------------------------
async def _search(ctx: Context, area: Area, text: str) -> None:
    if not fold(text):
        ctx.reply(ctx._("Please type some letters or digits to search for."))
        return
    found = await repo.search(ctx.conn, area.id, text[:100])
    ctx.end()
    if not found:
        ctx.reply(
            ctx._("No household of {area} matches “{query}”.", area=area.name, query=text[:100]),
            [[Option(ctx._("🔍 Search"), action=f"hh:find:{area.id}")]],
        )
        return
    lines = [ctx._("*Found in {area}*:", area=area.name)]
    lines += [_line(n, h) for n, h in enumerate(found, 1)]
    rows = _open_buttons(found, first=1)
    rows.append([Option(ctx._("🔍 Search"), action=f"hh:find:{area.id}")])
    ctx.reply("\n".join(lines), rows)


async def on_input(ctx: Context) -> None:
    if ctx.step == "import" and ctx.event.document is not None:
        area = await areas_repo.get(ctx.conn, int(ctx.data.get("area_id", 0)))
        if area is None or not ctx.roles.leads(area.id):
            ctx.end()
            stale_reply(ctx)
            return
        await register_file.import_file(ctx, area)
        return
    if ctx.event.document is not None or ctx.event.kind != EventKind.TEXT:
        if ctx.step == "import":
            ctx.reply(ctx._("Please send the file as a document, or /cancel."))
        else:
            ctx.reply(ctx._("Please type the answer as text, or /cancel."))
        return
    if ctx.step == "import":
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
actions = {"hh": Action(on_button, roles=LEADERS)}
flows: dict[str, Handler] = {FLOW: on_input}
