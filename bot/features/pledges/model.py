"""Pure logic of pledges (cam kết): household keys, coverage, campaign windows, the progress
bar, splitting the public board, and the CSV the commune files in its records.

Nothing here touches the database or the chat: handlers and tests call these directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n import N_
from bot.shared import cells
from bot.shared.text import TextProblem, check_label, collapse, fold_key

AUDIENCES = ("household", "business", "religious", "institution")
AUDIENCE_LABELS = {
    "household": N_("Household"),
    "business": N_("Business"),
    "religious": N_("Religious establishment"),
    "institution": N_("School or agency"),
}
# A list (the public board, the households of an area) comes in parts of at most this many
# characters of markup: a posted board's parts are edited in place one by one later, so each
# part is one message of its own, whatever the transport's limit for a message.
BOARD_PART_LIMIT = 3800
DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)


# Households -------------------------------------------------------------------------------
def household_key(head_name: str, address: str) -> str:
    """The key that says two pledges are from the same household: the head's name and the
    address, each NFC-normalised, case-folded and with whitespace collapsed."""
    return f"{fold_key(head_name)}|{fold_key(address)}"


def check_address(text: str, *, minimum: int = 2, maximum: int = 150) -> str | TextProblem:
    """A house number or hamlet address: like a name, but digits count (``Số 12``, ``12/3``)."""
    return check_label(text, minimum=minimum, maximum=maximum, digits_count=True)


def reference(area_code: str | None, year: int, number: int) -> str:
    """A short reference a household can quote, e.g. ``DONG-2027-042``."""
    return f"{area_code or 'XA'}-{year}-{number:03d}"


# Coverage ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    signed: int
    households: int | None

    @property
    def fraction(self) -> float | None:
        """Signed / households (at most 1), or None when the total is unknown or zero."""
        if not self.households:
            return None
        return min(1.0, self.signed / self.households)

    @property
    def missing(self) -> int | None:
        if self.households is None:
            return None
        return max(0, self.households - self.signed)

    @property
    def complete(self) -> bool:
        return bool(self.households) and self.signed >= (self.households or 0)


def progress_bar(fraction: float | None, width: int = 10) -> str:
    """A bar in text that reads on any phone: ``▓▓▓▓░░░░░░``."""
    if fraction is None:
        return "░" * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    if fraction > 0 and filled == 0:
        filled = 1
    if fraction < 1 and filled == width:
        filled = width - 1
    return "▓" * filled + "░" * (width - filled)


def households_total_problem(total: int, signed: int) -> bool:
    """True when a household total cannot be accepted: below what has already signed."""
    return total < signed


# Campaign windows -------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    id: int
    title: str
    starts_on: date
    ends_on: date

    def open_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def current_window(windows: Iterable[Window], today: date) -> Window | None:
    """The campaign open today (the latest-starting one should two overlap)."""
    open_now = [w for w in windows if w.open_on(today)]
    return max(open_now, key=lambda w: (w.starts_on, w.id)) if open_now else None


def next_window(windows: Iterable[Window], today: date) -> Window | None:
    later = [w for w in windows if w.starts_on > today]
    return min(later, key=lambda w: (w.starts_on, w.id)) if later else None


def latest_window(windows: Iterable[Window], today: date) -> Window | None:
    """The campaign open today, else the most recent one that has started."""
    started = [w for w in windows if w.starts_on <= today]
    return current_window(started, today) or (
        max(started, key=lambda w: (w.ends_on, w.id)) if started else None
    )


def overlapping(windows: Iterable[Window], starts_on: date, ends_on: date) -> Window | None:
    for w in windows:
        if w.starts_on <= ends_on and starts_on <= w.ends_on:
            return w
    return None


def parse_day(text: str) -> date | None:
    """A day typed as 15/01/2027, 15.1.2027 or 2027-01-15."""
    cleaned = collapse(text)
    for pattern in DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


# The public board -------------------------------------------------------------------------
def split_lines(lines: Sequence[str], limit: int = BOARD_PART_LIMIT) -> list[str]:
    """Join lines into as few messages as fit within ``limit`` characters each, never cutting
    a line (a line longer than the limit is cut, which names never are)."""
    parts: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


# Export -----------------------------------------------------------------------------------
def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The pledge list as CSV, written by the one CSV writer (:mod:`bot.shared.cells`): UTF-8
    with a byte-order mark, free text on one line and never read as a formula."""
    return cells.csv_bytes([list(header), *([cells.cell(v) for v in row] for row in rows)])
