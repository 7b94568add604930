"""Chat pieces every feature shares: the stale-menu answer, localized text problems, the area
picker and the period picker (named periods or two typed dates)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.flows import STALE_MENU
from bot.i18n import N_
from bot.shared.periods import PERIOD_CODES, Period, parse_two_dates
from bot.shared.text import TextProblem, search_key
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
        TextProblem.MARKUP: ctx._("Please do not use the characters &lt; and &gt; in names."),
    }
    return messages[problem]


def area_options(areas: list[Area], action: str, *, columns: int = 2) -> list[list[Option]]:
    """Area buttons, ``columns`` per row, each pressing ``<action>:<area id>``."""
    buttons = [Option(a.name, action=f"{action}:{a.id}") for a in areas]
    return [buttons[i : i + columns] for i in range(0, len(buttons), columns)]


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
