"""Messages kept from before the bot's own markup (Telegram HTML) rewritten in that markup, for
migration 0022: a plain function with no imports from the bot, registered as an SQL function.

The markup (``bot/core/richtext.py``): ``*bold*``, ``_italic_``, ```code```, ``[label](url)``,
a backslash before ``\\ * _ ` [ ]`` (and ``)`` in an address) shows the character itself.
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"[\\*_`\[\]]")
_LINK = re.compile(r'<a\s+href="(?P<href>[^"]*)"\s*>(?P<label>.*?)</a>', re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(r"</?(b|strong|i|em|code)>", re.IGNORECASE)
_MARKERS = {"b": "*", "strong": "*", "i": "_", "em": "_", "code": "`"}


def _text(raw: str) -> str:
    return _SPECIAL.sub(r"\\\g<0>", html.unescape(raw))


def _styled(raw: str) -> str:
    out: list[str] = []
    position = 0
    for match in _STYLE.finditer(raw):
        out.append(_text(raw[position : match.start()]))
        out.append(_MARKERS[match.group(1).lower()])
        position = match.end()
    out.append(_text(raw[position:]))
    return "".join(out)


def to_markup(text: str | None) -> str | None:
    """Telegram HTML as the bot wrote it (escaped text, b/i/code tags, links) as markup that
    shows the same; any other "<" was escaped by the bot and stays text."""
    if text is None:
        return None
    out: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        out.append(_styled(text[position : match.start()]))
        href = "".join(f"\\{ch}" if ch in "\\*_`[])" else ch for ch in html.unescape(match["href"]))
        out.append(f"[{_styled(match['label'])}]({href})")
        position = match.end()
    out.append(_styled(text[position:]))
    return "".join(out)
