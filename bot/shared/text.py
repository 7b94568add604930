"""Checks and clean-up of text people type: names, free text, keys that compare households."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.core.events import nfc

WHITESPACE = re.compile(r"\s+")


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTROL = "control"
    NO_LETTERS = "no_letters"
    MARKUP = "markup"


def collapse(text: str) -> str:
    return WHITESPACE.sub(" ", nfc(text)).strip()


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" for ch in text)


def check_label(
    text: str, *, minimum: int, maximum: int, digits_count: bool = False
) -> str | TextProblem:
    """A short label typed by a person (a name, an address): NFC, single spaces, within the
    length, some letters (or digits, with ``digits_count``), no control characters, no
    HTML-like markup. Returns the clean text or the problem."""
    if has_control(text):
        return TextProblem.CONTROL
    cleaned = collapse(text)
    if not cleaned:
        return TextProblem.EMPTY
    if "<" in cleaned or ">" in cleaned:
        return TextProblem.MARKUP
    meaningful = str.isalnum if digits_count else str.isalpha
    if not any(meaningful(ch) for ch in cleaned):
        return TextProblem.NO_LETTERS
    if len(cleaned) < minimum:
        return TextProblem.TOO_SHORT
    if len(cleaned) > maximum:
        return TextProblem.TOO_LONG
    return cleaned


def check_name(text: str, *, minimum: int = 2, maximum: int = 100) -> str | TextProblem:
    """A person's or household's name: 2-100 characters with some letters (see check_label)."""
    return check_label(text, minimum=minimum, maximum=maximum)


def check_free_text(text: str, *, maximum: int = 3000) -> str | TextProblem:
    """Free text (descriptions, notes): NFC, trimmed, not empty, within ``maximum``."""
    cleaned = nfc(text).strip()
    if not cleaned:
        return TextProblem.EMPTY
    if len(cleaned) > maximum:
        return TextProblem.TOO_LONG
    return "".join(ch for ch in cleaned if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def fold_key(text: str) -> str:
    """A comparison key: NFC, case-folded, whitespace collapsed."""
    return collapse(text).casefold()


_NOT_WORD = re.compile(r"[\W_]+")


def search_key(text: str) -> str:
    """Text folded for searching, so people can type without diacritics: NFC, case-folded,
    combining marks stripped and đ → d, punctuation and runs of spaces made one space.
    ``"Trần  Văn-Ba"`` → ``"tran van ba"``, ``"Thôn Đông"`` → ``"thon dong"``."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def check_words(text: str, *, maximum: int) -> str | TextProblem:
    """Free text that must say something (a reason for a reporter, a required note): as
    :func:`check_free_text`, and ``NO_LETTERS`` when it has no letter at all, such as a number
    typed at the wrong step ("12") or a lone sign."""
    checked = check_free_text(text, maximum=maximum)
    if isinstance(checked, TextProblem):
        return checked
    if not has_letters(checked):
        return TextProblem.NO_LETTERS
    return checked


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
