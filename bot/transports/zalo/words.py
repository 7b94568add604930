"""Reading what people type on a platform without command menus or buttons.

Commands are typed as the Vietnamese words people would use, with or without diacritics,
with or without a slash: "cam kết", "camket", "/camket", "Báo cáo", "trợ giúp", "menu". The
registry holds each command's English name and its Vietnamese alias without diacritics; a
message that is only such a word (one to five words, spaces and diacritics ignored) is that
command. With a slash, words may follow (``/theodoi AB12CD``). Anything longer without a slash
is ordinary text (a report's description that begins with "báo cáo" stays a description).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.events import parse_command
from bot.shared.text import search_key

# Words a person types for help where the registry has no alias (a Zalo habit: "menu").
EXTRA_WORDS = {"menu": "help", "help": "help", "lenh": "help", "danh sach lenh": "help"}
MAX_WORDS = 5


def typed_command(text: str, known: Callable[[str], bool]) -> tuple[str, str] | None:
    """(command name as typed, args) when ``text`` is a command; ``known(name)`` says whether
    the registry has a command of that name or alias."""
    text = text.strip()
    if text.startswith("/"):
        parsed = parse_command(text, None)
        if parsed is None:
            return None
        name, args = parsed
        folded = search_key(name).replace(" ", "")
        if known(folded):
            return folded, args
        return name, args  # unknown: the core says so
    words = search_key(text)
    if not words or len(words.split()) > MAX_WORDS or len(text) > 40:
        return None
    if words in EXTRA_WORDS:
        return EXTRA_WORDS[words], ""
    joined = words.replace(" ", "")
    if known(joined):
        return joined, ""
    return None
