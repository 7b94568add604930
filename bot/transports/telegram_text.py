"""The bot's markup (:mod:`bot.core.richtext`) as Telegram HTML, split by Telegram's limits.

Telegram counts a message's length on the text it shows (tags not counted) in UTF-16 units:
4,096 for a message, 1,024 for a caption. A long message is split by the core's splitter on
those counts, and every part is rendered on its own, so a part is always HTML Telegram accepts.
"""

from __future__ import annotations

import html

from bot.core import richtext
from bot.core.richtext import BOLD, CODE, ITALIC, Span

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAGS = {BOLD: "b", ITALIC: "i"}


def units(text: str) -> int:
    """The length of ``text`` as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _text(text: str) -> str:
    return html.escape(text, quote=False)


def render(spans: list[Span]) -> str:
    """Spans as Telegram HTML. Tags nest in one order (link, bold, italic); code shows alone,
    as Telegram puts no other style on code."""
    out: list[str] = []
    opened: list[tuple[str, str]] = []  # (tag, opening markup), outermost first
    for span in spans:
        if not opened and not span.styles and span.url is None:
            out.append(_text(span.text))
            continue
        wanted: list[tuple[str, str]] = []
        if CODE not in span.styles:
            if span.url is not None:
                wanted.append(("a", f'<a href="{html.escape(span.url, quote=True)}">'))
            wanted += [(_TAGS[s], f"<{_TAGS[s]}>") for s in (BOLD, ITALIC) if s in span.styles]
        keep = 0
        while keep < min(len(opened), len(wanted)) and opened[keep] == wanted[keep]:
            keep += 1
        out += [f"</{tag}>" for tag, _ in reversed(opened[keep:])]
        out += [markup for _, markup in wanted[keep:]]
        opened = wanted
        body = _text(span.text)
        out.append(f"<code>{body}</code>" if CODE in span.styles else body)
    out += [f"</{tag}>" for tag, _ in reversed(opened)]
    return "".join(out)


def telegram_html(text: str) -> str:
    """The bot's markup as HTML that Telegram accepts; whatever people typed shows as typed."""
    return render(richtext.parse(text))


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """The markup in parts (still markup) that each fit one Telegram message once rendered,
    cut on what Telegram shows (see :func:`bot.core.richtext.split`). Send each part as
    :func:`telegram_html`; what is left of a message can be joined again as markup."""
    return richtext.split(text, limit, units) or [text]


def fit_caption(text: str) -> str | None:
    """A photo's or file's caption as HTML: the first part that fits Telegram's caption limit."""
    if not text:
        return None
    return telegram_html(split_text(text, CAPTION_LIMIT)[0]) or None
