"""The bot's own markup (bot/core/richtext.py): what translators write, what people typed shows
as typed, plain text for platforms without formatting, and splitting by a platform's limit."""

from __future__ import annotations

import random
import re

import pytest
from babel.messages.pofile import read_po

from bot.core.richtext import (
    BOLD,
    CODE,
    ITALIC,
    Span,
    escape,
    link,
    markup,
    parse,
    plain,
    split,
)
from bot.i18n import LOCALES_DIR, Translator

BOLD_, ITALIC_, CODE_ = frozenset({BOLD}), frozenset({ITALIC}), frozenset({CODE})
TYPED = "<b>*Tý*</b> & _Tèo_ `x` [a](https://e.org) \\ a*b_c"


def test_markers_make_styles_and_combine() -> None:
    assert parse("Mã: *ABCD-1234* và _ghi chú_") == [
        Span("Mã: "),
        Span("ABCD-1234", BOLD_),
        Span(" và "),
        Span("ghi chú", ITALIC_),
    ]
    assert parse("*Tổ 3: _đạt_*") == [Span("Tổ 3: ", BOLD_), Span("đạt", BOLD_ | ITALIC_)]
    assert parse("[bản đồ](https://maps.example/?q=1,2)") == [
        Span("bản đồ", url="https://maps.example/?q=1,2")
    ]


def test_code_shows_its_content_literally() -> None:
    assert parse("ví dụ `0 7 * * 1` hoặc `_x_`") == [
        Span("ví dụ "),
        Span("0 7 * * 1", CODE_),
        Span(" hoặc "),
        Span("_x_", CODE_),
    ]


def test_a_marker_never_closed_is_text() -> None:
    assert parse("5 * 3 = 15") == [Span("5 * 3 = 15")]
    assert parse("*đậm* và * lẻ") == [Span("đậm", BOLD_), Span(" và * lẻ")]
    assert parse("`mở mà không đóng *đậm*") == [Span("`mở mà không đóng "), Span("đậm", BOLD_)]
    assert parse("[không phải liên kết] (x)") == [Span("[không phải liên kết] (x)")]


def test_escaped_user_text_shows_exactly_as_typed() -> None:
    assert parse(escape(TYPED)) == [Span(TYPED)]
    assert plain(f"*Tên:* {escape(TYPED)}") == f"Tên: {TYPED}"
    odd = "a`b\\"
    assert parse("`" + escape(odd) + "`") == [Span(odd, CODE_)]
    assert escape("Nguyễn Văn An") == "Nguyễn Văn An"  # nothing to escape: unchanged


def test_translator_escapes_every_parameter() -> None:
    t = Translator("vi")
    text = t._("Report #{number} was sent by *{name}* ({area}).", number="1", name=TYPED, area="_")
    assert [s for s in parse(text) if s.styles] == [Span(TYPED, BOLD_)]
    assert TYPED in plain(text) and "(_)" in plain(text)


def test_plain_text_drops_styles_and_keeps_link_addresses() -> None:
    assert plain("*Chú ý*: _gọi_ `113`") == "Chú ý: gọi 113"
    assert plain(f"Vị trí: {link('xem *bản đồ*', 'https://m.example/?a=1')}.") == (
        "Vị trí: xem *bản đồ* (https://m.example/?a=1)."
    )
    assert plain(link("https://e.org", "https://e.org")) == "https://e.org"


@pytest.mark.parametrize("seed", range(20))
def test_markup_written_back_reads_the_same(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["*", "_", "`", "[", "](https://e.org/x)", "\\*", "a", " ", "\n", "ư", "😀", "]"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
    spans = parse(text)
    assert parse(markup(spans)) == spans


def test_a_short_text_stays_one_part_as_it_is() -> None:
    assert split("*ngắn*", 10) == ["*ngắn*"]
    assert split("  \n ", 10) == []


def test_split_prefers_line_breaks_and_never_loses_text() -> None:
    lines = [f"{n}. *Hộ {n}* · _Xóm {n % 7}_" for n in range(1, 300)]
    text = "\n".join(lines)
    parts = split(text, 500)
    assert len(parts) > 1
    assert all(len(plain(p)) <= 500 for p in parts)
    # Every part ends at the end of a line, so joining the parts gives every line back.
    assert "\n".join(parts) == text


def test_split_closes_and_reopens_a_style_cut_in_the_middle() -> None:
    text = "*" + "đậm " * 30 + "*"
    parts = split(text, 20)
    assert all(parse(p)[0].styles == BOLD_ and len(parse(p)) == 1 for p in parts)
    assert " ".join(plain(p) for p in parts).split() == ["đậm"] * 30


def test_split_keeps_a_styled_run_whole_when_a_plain_space_is_there() -> None:
    text = "Ghi chú ngắn *Nguyễn Văn An* và tiếp"
    parts = split(text, 24)
    assert parts[0] == "Ghi chú ngắn"
    assert parts[1].startswith("*Nguyễn Văn An*")


def test_split_counts_what_the_platform_counts() -> None:
    def utf16(text: str) -> int:
        return len(text.encode("utf-16-le")) // 2

    text = "😀" * 30
    assert [len(p) for p in split(text, 10, utf16)] == [5] * 6
    assert [len(p) for p in split(text, 10)] == [10] * 3


def test_plain_text_split_for_a_platform_without_formatting() -> None:
    text = "\n".join(f"*Tổ {n}*: {escape('a_b*c')} [xem](https://e.org/{n})" for n in range(200))
    parts = [plain(p) for p in split(escape(plain(text)), 2000)]
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == plain(text)
    assert "Tổ 7: a_b*c xem (https://e.org/7)" in parts[0]


_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def _catalog_texts(language: str) -> list[tuple[str, str, list[str]]]:
    """(file, msgid, its translations) of every entry of a language's catalogs."""
    found = []
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
                strings = (
                    message.string
                    if isinstance(message.string, tuple | list)
                    else (message.string,)
                )
                found.append((path.name, str(ids[0]), [str(s) for s in (*ids, *strings) if s]))
    return found


def _styles(text: str) -> set[str]:
    # Placeholders are filled before the markup is read ({user_id} is no italic marker).
    return {style for span in parse(_PLACEHOLDER.sub("x", text)) for style in span.styles}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalog_markup_is_closed_and_translations_keep_the_styles(language: str) -> None:
    """A marker left open shows as a stray "*" or "_" to every reader; a translation that drops
    or adds a style reads differently from the other language."""
    problems = []
    for name, msgid, texts in _catalog_texts(language):
        for text in texts:
            for span in parse(_PLACEHOLDER.sub("x", text)):
                if CODE not in span.styles and re.search(r"[*_`\[\]]", span.text):
                    problems.append((name, text, "marker left open"))
            if _styles(text) != _styles(msgid):
                problems.append((name, text, "styles differ from the msgid"))
    assert problems == []
