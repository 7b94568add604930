"""Text checks, and the catalogs: every message has Vietnamese, and placeholders survive."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from bot.core.richtext import plain
from bot.i18n import (
    LOCALES_DIR,
    TYPED,
    Safe,
    Translator,
    escape,
    load_catalog,
    pick_language,
)
from bot.shared.text import TextProblem, check_free_text, check_name, fold_key

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_n": (1, 2), "plain": None}
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


def code_messages() -> list[str | tuple[str, str]]:
    found: list[str | tuple[str, str]] = []
    for folder in ("bot", "scheduler"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            key = tuple(message) if isinstance(message, tuple | list) else message
            if key and key not in found:
                found.append(key)  # type: ignore[arg-type]
    return found


def test_every_message_has_a_vietnamese_translation() -> None:
    catalog = load_catalog("vi")
    missing = [m for m in code_messages() if m not in catalog]
    assert missing == [], f"{len(missing)} messages without Vietnamese: {missing[:10]}"


def test_translations_keep_their_placeholders() -> None:
    broken = []
    for message, translated in load_catalog("vi").items():
        sources = message if isinstance(message, tuple) else (message,)
        targets = translated if isinstance(translated, tuple) else (translated,)
        wanted = set(PLACEHOLDER.findall(sources[0])) - {"count"}
        for target in targets:
            if set(PLACEHOLDER.findall(target)) - {"count"} != wanted:
                broken.append(message)
    assert broken == []


def test_every_catalog_file_exists_in_both_languages() -> None:
    vi = {p.name for p in (LOCALES_DIR / "vi" / "LC_MESSAGES").glob("*.po")}
    en = {p.name for p in (LOCALES_DIR / "en" / "LC_MESSAGES").glob("*.po")}
    assert vi == en and "messages.po" in vi


def test_parameters_are_escaped_but_safe_text_is_not() -> None:
    t = Translator("en")
    typed = "<b>*Tý*</b> & _Tèo_ `x` [a](b) \\"
    assert t._("Name: {name}", name=typed) == f"Name: {escape(typed)}"
    assert plain(t._("*Name*: {name}", name=typed)) == f"Name: {typed}"
    assert t._("Name: {name}", name=Safe("*Tý*")) == "Name: *Tý*"
    assert t.plain("Use “{name}”", name="A & B") == "Use “A & B”"


def test_numbers_and_dates_follow_the_locale() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert vi.number(12345) == "12.345" and en.number(12345) == "12,345"
    assert vi.day(date(2027, 2, 6)) == "06/02/2027"
    assert en.day(date(2027, 2, 6)) == "Feb 6, 2027"
    evening_utc = datetime(2026, 11, 21, 13, 30, tzinfo=UTC)  # 20:30 in Hà Nội
    assert vi.when(evening_utc) == "20:30 21/11/2026"


def test_language_of_a_new_person() -> None:
    assert pick_language(None) == "vi"
    assert pick_language("vi-VN") == "vi"
    assert pick_language("en") == "en" and pick_language("fr") == "en"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn   Văn  An ", "Nguyễn Văn An"),
        ("Le\u0302 Thi\u0323 Chi", "Lê Thị Chi"),
        ("", TextProblem.EMPTY),
        ("A", TextProblem.TOO_SHORT),
        ("x" * 101, TextProblem.TOO_LONG),
        ("😀😀", TextProblem.NO_LETTERS),
        ("<b>An</b>", TextProblem.MARKUP),
        ("An\u0007", TextProblem.CONTROL),
    ],
)
def test_names(raw: str, expected: str | TextProblem) -> None:
    assert check_name(raw) == expected


def test_free_text_and_keys() -> None:
    assert check_free_text("   ") == TextProblem.EMPTY
    assert check_free_text("x" * 5000, maximum=4000) == TextProblem.TOO_LONG
    assert fold_key(" NGUYỄN  Văn An ") == fold_key("nguyễn văn an")


def test_a_platform_with_its_own_words_gets_them_and_the_others_the_usual_ones() -> None:
    location = (
        "Where exactly? Type the place (for example: the alley behind the market), or share "
        "a location with 📎 → Location."
    )
    telegram, zalo = Translator("vi"), Translator("vi", wording=TYPED)
    assert "📎 → Vị trí" in telegram._(location)
    assert "📎" not in zalo._(location) and "gõ địa điểm" in zalo._(location)
    # A message without words of its own reads the same on both.
    assert zalo._("Location received.") == telegram._("Location received.")
    topics = (
        "Saved: you receive {count} topic. /unsubscribe stops them all.",
        "Saved: you receive {count} topics. /unsubscribe stops them all.",
    )
    assert "Type /unsubscribe" in Translator("en", wording=TYPED)._n(*topics, 2)
    assert "2 topics" in Translator("en", wording=TYPED)._n(*topics, 2)
    assert "gõ /ngungnhantin" in zalo._n(*topics, 1)
    assert "bấm /ngungnhantin" in telegram._n(*topics, 1)
