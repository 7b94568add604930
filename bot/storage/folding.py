"""Keys that let two spellings of the same household meet: plain functions with no imports from
the bot, so storage (and its migrations, through SQLite functions) can use them.

``fold``: NFC, case-folded, diacritics stripped (đ → d), every run of punctuation and spaces
collapsed to one space. "Số 12, xóm 3" and "so 12   XOM 3" both give ``so 12 xom 3``.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# Words that only say "number" in an address: "Số 12", "SN 12", "nhà số 12" are all "12".
_FILLERS = frozenset({"so", "sn", "nha"})


def fold(text: str) -> str:
    composed = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", composed) if not unicodedata.combining(ch)
    )
    return _NOT_ALNUM.sub(" ", stripped).strip()


def place_key(number: str, address: str) -> str:
    """Where the household lives: its number and address folded, filler words left out, the
    number not repeated when the address already holds it ("12" + "Số 12, xóm 3" = "12 xom 3")."""
    place = " ".join(w for w in fold(address).split() if w not in _FILLERS)
    own = " ".join(w for w in fold(number).split() if w not in _FILLERS)
    if own and f" {own} " not in f" {place} ":
        place = f"{own} {place}".strip()
    return place


def match_key(number: str, head_name: str, address: str) -> str:
    """The household's identity in its area: the head's name and the place, folded."""
    return f"{fold(head_name)}|{place_key(number, address)}"


def search_key(number: str, head_name: str, address: str, note: str) -> str:
    """Everything a leader may search by, folded (so "tran van" finds "Trần Văn")."""
    return " ".join(p for p in (fold(number), fold(head_name), fold(address), fold(note)) if p)
