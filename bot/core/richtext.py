"""The bot's own small markup for formatted messages, the same on every chat platform.

Catalog messages and the texts features build are written in it; each transport renders it
(HTML on Telegram, plain text on the console and on platforms without formatting) and splits
what it renders by its own limit. No feature knows a platform's markup or text limit.

The markup, as a translator writes it::

    *bold*   _italic_   `code`   [label](https://example.org)

- A marker opens its style and the next same marker closes it; a marker never closed is shown
  as it is. Styles may be combined (``*Tổ 3: _đạt_*``); inside `` `code` `` only a backtick
  (or a backslash) means something, so ``` `0 7 * * 1` ``` shows the stars.
- A backslash before one of ``\\ * _ ` [ ]`` shows that character itself (``\\*``); before
  anything else it is an ordinary backslash.
- Text that comes from people (names, addresses, descriptions) goes through :func:`escape`
  before it is put into a message, so ``*Tý*`` or ``<b>Tý</b>`` shows exactly as typed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TypeAlias

SPECIAL = frozenset("\\*_`[]")
BOLD, ITALIC, CODE = "bold", "italic", "code"
_MARKERS = {"*": BOLD, "_": ITALIC, "`": CODE}
_SYMBOL = {style: marker for marker, style in _MARKERS.items()}
_NO_STYLE: frozenset[str] = frozenset()
Key: TypeAlias = tuple[frozenset[str], str | None]  # a span's styles and link
_SPECIAL = re.compile(r"[\\*_`\[\]]")
# One token of markup: an escaped character, a marker, the end of a link's label, or a run of
# ordinary text (a backslash before anything else is ordinary text).
_TOKEN = re.compile(r"\\[\\*_`\[\]]|[*_`\[]|\]\(|[^\\*_`\[\]]+|.", re.DOTALL)
_URL_ESCAPE = re.compile(r"\\([\\*_`\[\])])")


def escape(text: str) -> str:
    """``text`` as markup that shows exactly ``text``: every special character escaped."""
    return _SPECIAL.sub(r"\\\g<0>", text)


@dataclass(frozen=True)
class Span:
    """A run of text shown in one way: its styles (``BOLD``, ``ITALIC``, ``CODE``) and the
    address it links to, if any."""

    text: str
    styles: frozenset[str] = field(default_factory=frozenset)
    url: str | None = None

    @property
    def key(self) -> Key:
        return self.styles, self.url


@dataclass
class _Token:
    kind: str  # "text", a marker ("*", "_", "`"), "[" or "]" (a link's end, with its url)
    value: str  # the text shown, or the raw markup (shown when the marker is not paired)
    url: str | None = None
    paired: bool = False


def _tokens(text: str, literal_ticks: frozenset[int]) -> tuple[list[_Token], int | None]:
    """The text as tokens; the position of a backtick that opens code never closed, if any
    (the caller reads the text again with that backtick taken as text)."""
    tokens: list[_Token] = []
    in_code, code_start = False, 0
    position, n = 0, len(text)
    while position < n:
        match = _TOKEN.match(text, position)
        assert match is not None  # "." matches any character
        raw, at = match.group(0), position
        position = match.end()
        if raw[0] == "\\" and len(raw) == 2:
            tokens.append(_Token("text", raw[1]))
        elif raw == "`" and at not in literal_ticks:
            in_code, code_start = not in_code, at
            tokens.append(_Token("`", raw))
        elif in_code or raw == "`":
            tokens.append(_Token("text", raw))
        elif raw in ("*", "_", "["):
            tokens.append(_Token(raw, raw))
        elif raw == "](":
            end, url = _url(text, position)
            if end is None:
                tokens.append(_Token("text", "]"))
                position = at + 1
            else:
                tokens.append(_Token("]", text[at:end], url=url))
                position = end
        else:
            tokens.append(_Token("text", raw))
    return tokens, code_start if in_code else None


def _url(text: str, start: int) -> tuple[int | None, str]:
    """The address of a link starting at ``start`` (after "](") and where it ends (after ")"),
    or None when no ")" closes it before a space or a line break."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\*_`[])":
            i += 2
            continue
        if ch == ")":
            url = _URL_ESCAPE.sub(r"\1", text[start:i])
            return (i + 1, url) if url else (None, "")
        if ch.isspace():
            return None, ""
        i += 1
    return None, ""


def parse(text: str) -> list[Span]:
    """The markup as spans of text, each with its styles (adjacent spans differ)."""
    if _SPECIAL.search(text) is None:  # most messages: nothing to read
        return [Span(text)] if text else []
    literal_ticks: set[int] = set()
    while True:
        tokens, unclosed = _tokens(text, frozenset(literal_ticks))
        if unclosed is None:
            break
        literal_ticks.add(unclosed)
    _pair(tokens)
    spans: list[Span] = []
    pieces: list[str] = []
    styles: frozenset[str] = _NO_STYLE
    url: str | None = None

    def flush() -> None:
        if pieces:
            spans.append(Span("".join(pieces), styles, url))
            pieces.clear()

    for token in tokens:
        if not token.paired:
            pieces.append(token.value)
            continue
        flush()
        if token.kind in _MARKERS:
            styles = styles ^ {_MARKERS[token.kind]}
        else:
            url = token.url if token.kind == "[" else None
    flush()
    merged: list[Span] = []  # a style opened and closed on nothing leaves two spans alike
    for span in spans:
        if merged and merged[-1].key == span.key:
            merged[-1] = Span(merged[-1].text + span.text, span.styles, span.url)
        else:
            merged.append(span)
    return merged


def _pair(tokens: list[_Token]) -> None:
    """Mark the markers that open and close something; the others are shown as text."""
    opened: dict[str, _Token] = {}
    for token in tokens:
        if token.kind in _MARKERS:
            other = opened.pop(token.kind, None)
            if other is None:
                opened[token.kind] = token
            else:
                other.paired = token.paired = True
    link: _Token | None = None
    for token in tokens:
        if token.kind == "[":
            link = token  # an earlier "[" left open is text
        elif token.kind == "]" and link is not None:
            link.paired = token.paired = True
            link.url = token.url
            link = None


def markup(spans: Iterable[Span]) -> str:
    """Spans written back as markup (``parse(markup(spans))`` gives the same spans)."""
    out: list[str] = []
    styles: frozenset[str] = frozenset()
    url: str | None = None

    def close_code() -> None:
        nonlocal styles
        if CODE in styles:
            out.append("`")
            styles = styles - {CODE}

    for span in [*spans, Span("")]:
        if span.key == (styles, url):
            out.append(escape(span.text))
            continue
        close_code()
        if url is not None and span.url != url:
            out.append(f"]({_escape_url(url)})")
            url = None
        for style in (BOLD, ITALIC):
            if (style in styles) != (style in span.styles):
                out.append(_SYMBOL[style])
        styles = span.styles - {CODE}
        if span.url is not None and url is None:
            out.append("[")
            url = span.url
        if CODE in span.styles:
            out.append("`")
            styles = span.styles
        out.append(escape(span.text))
    return "".join(out)


def _escape_url(url: str) -> str:
    return "".join(f"\\{ch}" if ch in SPECIAL | {")"} else ch for ch in url)


def link(label: str, url: str) -> str:
    """A link as markup; ``label`` is text (escaped here), ``url`` the address."""
    return f"[{escape(label)}]({_escape_url(url)})"


# Plain text ----------------------------------------------------------------------------------
def plain(text: str) -> str:
    """The markup as plain text, for places that show no formatting (the console, a platform
    without formatting, a toast, a terminal): a link shows its address after its label."""
    out: list[str] = []
    label = ""  # the label of the link being written
    spans = parse(text)
    for index, span in enumerate(spans):
        out.append(span.text)
        if span.url is None:
            continue
        label += span.text
        if index + 1 == len(spans) or spans[index + 1].url != span.url:
            if label.strip() != span.url:
                out.append(f" ({span.url})")
            label = ""
    return "".join(out)


# Splitting -----------------------------------------------------------------------------------
def split(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split the markup into parts whose shown text (styles and link addresses not counted)
    each measures at most ``limit`` by ``size`` (a length: the size of a text is the sum of its
    characters' sizes); each part is markup of its own, its styles closed at its end and
    opened again in the next part.

    A part ends at the last line break that fits, else at the last space; a break inside a
    styled run or a link is taken only when there is no other, and none that would leave the
    part less than a quarter full. The line break or space where a part ends is not sent;
    nothing else is lost. Parts with nothing to show are left out.

    A platform without formatting, where a link's address is part of the text, splits the
    plain text: ``[plain(p) for p in split(escape(plain(text)), limit)]``."""
    spans = parse(text)
    shown = "".join(span.text for span in spans)
    if size(shown) <= limit:
        return [text] if shown.strip() else []
    layout = _Layout(spans, shown, size)
    parts: list[str] = []
    start, count = 0, len(shown)
    while start < count:
        end = max(layout.fits(start, limit), start + 1)
        skip = 0
        if end < count:
            cut = layout.best_cut(start, end)
            if cut is not None:
                end, skip = cut, 1  # the line break or space itself is not sent
            elif layout.inside(end) and (whole := layout.run_start(end)) > start:
                end = whole  # a styled run is cut only when it is longer than a whole part
        piece = layout.spans(start, end)
        if shown[start:end].strip():
            parts.append(markup(piece))
        start = end + skip
    return parts


class _Layout:
    """The shown text of some spans, with where each span starts and each character's size."""

    def __init__(self, spans: list[Span], shown: str, size: Callable[[str], int]) -> None:
        self.all = spans
        self.shown = shown
        self.starts = list(accumulate((len(s.text) for s in spans), initial=0))
        self.sizes = list(accumulate(map(size, shown), initial=0))

    def fits(self, start: int, limit: int) -> int:
        """The end of the longest text from ``start`` that measures at most ``limit``."""
        return bisect_right(self.sizes, self.sizes[start] + limit) - 1

    def owner(self, at: int) -> int:
        return bisect_right(self.starts, at) - 1

    def inside(self, at: int) -> bool:
        """Whether a cut before ``at`` falls inside a styled run or a link."""
        if at <= 0 or at >= len(self.shown):
            return False
        index = self.owner(at)
        return self.starts[index] < at and self.all[index].key != (_NO_STYLE, None)

    def run_start(self, at: int) -> int:
        return self.starts[self.owner(at)]

    def best_cut(self, start: int, end: int) -> int | None:
        """Where the part from ``start`` ends, given that it may go up to ``end`` (excluded):
        the last line break, else space, at or before ``end`` and not in the first quarter,
        outside a styled run if one is."""
        low = start + max(1, (end - start) // 4)
        found: dict[str, int | None] = {}
        for ch in "\n ":
            first_inside = None
            at = min(end + 1, len(self.shown))
            while (at := self.shown.rfind(ch, low, at)) >= 0:
                if not (self.inside(at) and self.inside(at + 1)):
                    found[ch] = at
                    break
                if first_inside is None:
                    first_inside = at
            found.setdefault(ch, None)
            found[ch + "inside"] = first_inside
        for choice in ("\n", " ", "\ninside", " inside"):
            if found[choice] is not None:
                return found[choice]
        return None

    def spans(self, start: int, end: int) -> list[Span]:
        """The spans of the shown text from ``start`` to ``end``."""
        pieces = []
        for index in range(self.owner(start), self.owner(end - 1) + 1):
            span, offset = self.all[index], self.starts[index]
            text = span.text[max(start - offset, 0) : end - offset]
            pieces.append(Span(text, span.styles, span.url))
        return pieces
