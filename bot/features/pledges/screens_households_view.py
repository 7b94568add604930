"""The household register on screen: a page of an area's households and one household's card,
with their buttons (see screens_households.py)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.pledges.actions import REGISTER as BUTTONS
from bot.features.pledges.actions import Register
from bot.features.pledges.households import (
    place_label,
)
from bot.i18n import N_, escape
from bot.storage import households as repo
from bot.storage.areas import Area

PAGE = 10
FIELDS = ("number", "head", "address", "note")
FIELD_LABELS = {
    "number": N_("Household number"),
    "head": N_("Head of household"),
    "address": N_("Address"),
    "note": N_("Note"),
}


def line(n: int, household: repo.Household) -> str:
    return f"{n}. {escape(household.head_name)} · {escape(place_label(household))}"


async def page(ctx: Context, area: Area, page: int, *, edit: bool = False) -> None:
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
    lines += [line(page * PAGE + n, h) for n, h in enumerate(found, 1)]
    if pages > 1:
        lines.append(ctx._("Page {page} of {pages}", page=page + 1, pages=pages))
    rows = open_buttons(found, first=page * PAGE + 1)
    nav = []
    if page > 0:
        nav.append(Option("◀️", action=BUTTONS(Register.PAGE, area.id, page - 1)))
    if page < pages - 1:
        nav.append(Option("▶️", action=BUTTONS(Register.PAGE, area.id, page + 1)))
    if nav:
        rows.append(nav)
    rows += _menu_rows(ctx, area)
    ctx.reply("\n".join(lines), rows, edit=edit)


def open_buttons(found: list[repo.Household], *, first: int) -> list[list[Option]]:
    buttons = [
        Option(str(first + i), action=BUTTONS(Register.OPEN, h.id)) for i, h in enumerate(found)
    ]
    return [buttons[i : i + 5] for i in range(0, len(buttons), 5)]


def _menu_rows(ctx: Context, area: Area) -> list[list[Option]]:
    return [
        [
            Option(ctx._("➕ Add a household"), action=BUTTONS(Register.ADD, area.id)),
            Option(ctx._("🔍 Search"), action=BUTTONS(Register.FIND, area.id)),
        ],
        [
            Option(ctx._("📥 Import a file"), action=BUTTONS(Register.IMPORT, area.id)),
            Option(ctx._("📄 Template (XLSX)"), action=BUTTONS(Register.TEMPLATE, area.id, "xlsx")),
            Option(ctx._("📄 Template (CSV)"), action=BUTTONS(Register.TEMPLATE, area.id, "csv")),
        ],
    ]


async def card(ctx: Context, household: repo.Household, *, edit: bool = False) -> None:
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
            action=BUTTONS(Register.EDIT, household.id, f),
        )
        for f in FIELDS
    ]
    ctx.reply(
        "\n".join(lines),
        [
            edits[:2],
            edits[2:],
            [
                Option(ctx._("🗑 Remove"), action=BUTTONS(Register.REMOVE, household.id)),
                Option(
                    ctx._("↩️ Back to the list"), action=BUTTONS(Register.AREA, household.area_id)
                ),
            ],
        ],
        edit=edit,
    )
