"""What the bot sends to Telegram is HTML that Telegram accepts: catalog text, what people typed
(shown as typed), splitting by Telegram's limits on what Telegram shows."""

from __future__ import annotations

import random

import pytest

from bot.core.richtext import escape, link, plain
from bot.i18n import LANGUAGES, load_catalog
from bot.transports.telegram_text import fit_caption, split_text, telegram_html
from tests.fakebotapi import parse_html, utf16_length


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_text_is_html_telegram_accepts(language: str) -> None:
    """Every catalog message, rendered, is accepted by Telegram and shows what the markup means
    (the hint about "<" and ">" in names was once refused by Telegram, so nobody got an
    answer)."""
    refused = []
    for key, value in load_catalog(language).items():
        texts = [
            *(key if isinstance(key, tuple) else (key,)),
            *([value] if isinstance(value, str) else value),
        ]
        for text in texts:
            shown, problem = parse_html(telegram_html(text))
            if problem is not None or shown != plain(text):
                refused.append((text, problem))
    assert refused == []


def test_styles_become_tags_and_typed_text_shows_as_typed() -> None:
    typed = "a < b > c & d <script> </i> <b>open *x* _y_ `z` [l](u)"
    sent = telegram_html(
        f"*Tên:* {escape(typed)} _ghi chú_ `m\\*ã` {link('xem', 'https://e.org/?a=1&b=2')}"
    )
    assert sent == (
        "<b>Tên:</b> a &lt; b &gt; c &amp; d &lt;script&gt; &lt;/i&gt; &lt;b&gt;open *x* _y_ `z` "
        '[l](u) <i>ghi chú</i> <code>m*ã</code> <a href="https://e.org/?a=1&amp;b=2">xem</a>'
    )
    rendered, problem = parse_html(sent)
    assert problem is None
    assert rendered.startswith(f"Tên: {typed} ghi chú m*ã xem")


def test_styles_nest_as_telegram_accepts() -> None:
    assert telegram_html("*a _b_ c*") == "<b>a <i>b</i> c</b>"
    assert telegram_html("*a _b* c_") == "<b>a <i>b</i></b><i> c</i>"
    assert telegram_html("*đậm `mã` đậm*") == "<b>đậm </b><code>mã</code><b> đậm</b>"
    for text in ("*a [b _c_](https://e.org) d*", "_[x *y*](https://e.org)_ z"):
        assert parse_html(telegram_html(text))[1] is None


def _pieces(rng: random.Random) -> str:
    words = ["xóm", "an", "toàn", "&", "<", "&amp;", "😀", "<3", "a&b", "\n", escape("*_`[]\\")]
    chunks: list[str] = []
    for _ in range(rng.randint(200, 900)):
        roll = rng.random()
        if roll < 0.08:
            marker = rng.choice(["*", "_", "`"])
            inner = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
            chunks.append(f"{marker}{inner}{marker}")
        elif roll < 0.1:
            inner = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            chunks.append(f"[{inner}](https://example.org/?a=1&b=2)")
        else:
            chunks.append(rng.choice(words))
    return " ".join(chunks)


@pytest.mark.parametrize("seed", range(25))
def test_split_parts_parse_fit_and_keep_every_character(seed: int) -> None:
    rng = random.Random(seed)
    text = _pieces(rng)
    limit = rng.choice([64, 200, 1024])
    parts = split_text(text, limit)
    rendered_parts = []
    for part in parts:
        rendered, problem = parse_html(telegram_html(part))
        assert problem is None, (part, problem)
        assert 0 < utf16_length(rendered) <= limit
        rendered_parts.append(rendered)
    whole = parse_html(telegram_html(text))[0]
    # Parts break at a line break or a space, which is not sent: nothing else is lost.
    assert "".join(rendered_parts).replace(" ", "").replace("\n", "") == whole.replace(
        " ", ""
    ).replace("\n", "")


def test_split_never_cuts_an_entity_and_reopens_tags() -> None:
    text = "*" + "&" * 30 + "*"
    parts = [telegram_html(p) for p in split_text(text, 10)]
    assert parts == ["<b>" + "&amp;" * 10 + "</b>"] * 3


def test_short_text_that_fits_stays_one_message_even_when_long_in_html() -> None:
    text = "<" * 3000  # 12,000 characters of HTML, 3,000 shown
    assert split_text(text) == [text]
    assert telegram_html(text) == "&lt;" * 3000


def test_caption_is_cut_on_the_rendered_text() -> None:
    caption = fit_caption("*Biểu đồ* " + "&" * 2000)
    assert caption is not None
    rendered, problem = parse_html(caption)
    assert problem is None and len(rendered) <= 1024
    assert rendered.startswith("Biểu đồ &&")  # not cut after the heading alone
    assert fit_caption("") is None
