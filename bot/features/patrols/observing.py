"""How typed input during a live observation is read: a count or a note, never both.

The rule, stated once: a message that is only a number, possibly with a sign, is about the
number of cases; any message with a word in it is a note.

* ``3`` (or ``x3``, ``×3``) sets the number of cases to 3;
* ``+2`` adds two cases, ``-1`` (or ``−1``, ``–1``) takes one away;
* ``1.000`` / ``1,000`` are the same number with a thousands separator;
* ``Tiệm net Minh Anh``, ``3 quán nước`` are notes, added after the earlier ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

MAX_COUNT = 1000  # cases of one kind in one observation (the schema's limit too)
# Notes on one observation, and characters in one: all of them fit in one chat message and
# in the description of the report the observation may become.
MAX_NOTES = 10
MAX_NOTE = 250

COUNT = re.compile(r"^(?P<sign>[+\-−–]|[x×*])?\s*(?P<number>\d{1,3}(?:[.,]\d{3})+|\d+)$")


class Change(IntEnum):
    SET = 0
    ADD = 1
    SUBTRACT = -1


@dataclass(frozen=True)
class CountInput:
    change: Change
    value: int

    def apply(self, current: int) -> int:
        """The number of cases after this input (may be out of range: the caller checks)."""
        if self.change == Change.SET:
            return self.value
        return current + int(self.change) * self.value


def read_count(text: str) -> CountInput | None:
    """The count a message types, or None when the message is a note."""
    match = COUNT.match(text.strip())
    if match is None:
        return None
    value = int(re.sub(r"[.,]", "", match.group("number")))
    sign = match.group("sign") or ""
    if sign == "+":
        return CountInput(Change.ADD, value)
    if sign in ("-", "−", "–"):
        return CountInput(Change.SUBTRACT, value)
    return CountInput(Change.SET, value)


def count_in_range(count: int) -> bool:
    return 1 <= count <= MAX_COUNT
