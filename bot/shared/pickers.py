"""Chat pieces every feature shares: the stale-menu answer, localized text problems, the area
picker and the period picker (named periods or two typed dates)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.flows import STALE_MENU, Prefix
from bot.i18n import N_
from bot.shared.periods import PERIOD_CODES, Period, parse_two_dates
from bot.shared.text import TextProblem, search_key
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import menus as menus_repo
from bot.storage.areas import Area

PERIOD_LABELS = {
    "month": N_("This month"),
    "last_month": N_("Last month"),
    "quarter": N_("This quarter"),
    "year": N_("This year"),
    "last_year": N_("Last year"),
}


def stale(ctx: Context) -> None:
    """A button of a menu that is no longer open was pressed: say so (one message for all)."""
    ctx.toast(ctx._(STALE_MENU))


def stale_reply(ctx: Context) -> None:
    """The same answer as :func:`stale`, as a message (for typed input that fits no open menu)."""
    ctx.reply(ctx._(STALE_MENU))


def ask_period(ctx: Context, action: str, *, edit: bool = False) -> None:
    """The period picker: the named periods two per row, then "two dates"; each button presses
    ``<action>:<code>`` (``<action>:dates`` for two typed dates, read by :func:`typed_period`)."""
    buttons = [
        Option(ctx.t.plain(PERIOD_LABELS[code]), action=f"{action}:{code}") for code in PERIOD_CODES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Option(ctx.t.plain("📅 Two dates"), action=f"{action}:dates")])
    ctx.reply(ctx._("For which period?"), rows, edit=edit)


def problem_text(ctx: Context, problem: TextProblem, *, maximum: int = 100) -> str:
    messages = {
        TextProblem.EMPTY: ctx._("The text is empty. Please type it again."),
        TextProblem.TOO_SHORT: ctx._("That is too short: please type at least 2 characters."),
        TextProblem.TOO_LONG: ctx._(
            "That is too long: please keep it under {limit} characters.", limit=maximum
        ),
        TextProblem.CONTROL: ctx._(
            "The text contains invisible control characters. Please type it again."
        ),
        TextProblem.NO_LETTERS: ctx._(
            "Please type a name with letters (not only emoji or symbols)."
        ),
        TextProblem.MARKUP: ctx._("Please do not use the characters < and > in names."),
    }
    return messages[problem]


def area_options(areas: list[Area], action: str, *, columns: int = 2) -> list[list[Option]]:
    """Area buttons, ``columns`` per row, each pressing ``<action>:<area id>``."""
    buttons = [Option(a.name, action=f"{action}:{a.id}") for a in areas]
    return [buttons[i : i + columns] for i in range(0, len(buttons), columns)]


# The area picker of a province: never hundreds of buttons in one message. Up to AREA_PAGE areas
# are buttons as before; beyond, the communes first (when the areas span several), then one
# commune's areas in pages. The pages are drawn by on_area_page ("ap:" buttons), which shows the
# same areas again: all of them (``everyone``) or those the person acts for (areas_in_scope),
# under the same text, which the menu keeps (its buttons ``redraws``), in a conversation or not.
AREA_PAGE = 24
PAGER = Prefix("ap")


def commune_of(areas: list[Area], area_id: int | None) -> int:
    """The commune of ``area_id`` among ``areas`` (0 when it is not there), where a picker
    opens on a person's own commune."""
    return next((a.commune_id or 0 for a in areas if a.id == area_id), 0)


async def area_picker(
    ctx: Context,
    areas: list[Area],
    action: str,
    *,
    everyone: bool = False,
    commune_id: int = 0,
    page: int = 0,
) -> list[list[Option]]:
    """The area buttons for ``areas`` (each pressing ``<action>:<area id>``), in pages by
    commune when there are more than AREA_PAGE. ``everyone``: ``areas`` is every area."""
    if len(areas) <= AREA_PAGE:
        return area_options(areas, action)
    scope = "a" if everyone else "s"
    communes = sorted({a.commune_id or 0 for a in areas})
    if not commune_id and len(communes) > 1:
        counts = {c: sum(1 for a in areas if (a.commune_id or 0) == c) for c in communes}
        found = [c for c in await communes_repo.list_communes(ctx.conn) if c.id in counts]
        buttons = [
            Option(
                f"🏘 {c.name or c.code} ({counts[c.id]})",
                action=PAGER.make(scope, c.id, 0, action),
                redraws=True,
            )
            for c in found
        ]
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    shown = [a for a in areas if not commune_id or a.commune_id == commune_id]
    pages = max(1, -(-len(shown) // AREA_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = area_options(shown[page * AREA_PAGE : (page + 1) * AREA_PAGE], action)
    nav: list[Option] = []
    if page > 0:
        nav.append(
            Option("◀️", action=PAGER.make(scope, commune_id, page - 1, action), redraws=True)
        )
    if len(communes) > 1:
        nav.append(Option("🏘 …", action=PAGER.make(scope, 0, 0, action), redraws=True))
    if page < pages - 1:
        nav.append(
            Option(
                f"▶️ {page + 2}/{pages}",
                action=PAGER.make(scope, commune_id, page + 1, action),
                redraws=True,
            )
        )
    return [*rows, nav] if nav else rows


async def on_area_page(ctx: Context, argument: str) -> None:
    """A commune or another page of the area picker: the same message, other buttons."""
    parts = argument.split(":", 3)
    if len(parts) != 4 or parts[0] not in ("a", "s") or not (parts[1] + parts[2]).isdigit():
        stale(ctx)
        return
    scope, commune_id, page, action = parts[0], int(parts[1]), int(parts[2]), parts[3]
    text = await menus_repo.shown_text(ctx.conn, ctx.event.menu_id) if ctx.event.menu_id else None
    if text is None:
        stale(ctx)
        return
    areas = await areas_repo.list_areas(ctx.conn) if scope == "a" else await areas_in_scope(ctx)
    rows = await area_picker(
        ctx, areas, action, everyone=scope == "a", commune_id=commune_id, page=page
    )
    ctx.reply(text, rows, edit=True)


async def areas_in_scope(ctx: Context) -> list[Area]:
    """The areas this person acts for: every area for officers of the whole deployment and
    admins, a commune officer's communes' areas, a leader's own areas."""
    found = await areas_repo.list_areas(ctx.conn)
    if ctx.roles.sees_every_commune:
        return found
    return [a for a in found if a.id in ctx.roles.area_ids]


def match_areas(areas: list[Area], typed: str) -> list[Area]:
    """The areas a typed word names, whatever its case, diacritics or punctuation: its code or
    whole name first ("DONG", "thon dong"), else the names that contain it ("đông" → Thôn Đông)."""
    key = search_key(typed)
    if not key:
        return []
    exact = [a for a in areas if key in (search_key(a.code), search_key(a.name))]
    return exact or [a for a in areas if key in search_key(a.name)]


def typed_period(ctx: Context) -> Period | None:
    """Two dates typed at the "dates" step of a figures flow, or None after telling the person
    what is wrong (the flow stays open so they can type again)."""
    if ctx.step != "dates" or ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please use the buttons above, or /cancel."))
        return None
    found = parse_two_dates(ctx.event.text, ctx.now.astimezone(ctx.config.tz).date())
    if found == "order":
        ctx.reply(ctx._("The last day is before the first day. Please type them again."))
        return None
    if not isinstance(found, Period):
        ctx.reply(ctx._("Please type two dates, for example 1/1/2026 31/3/2026, or /cancel."))
        return None
    return found
