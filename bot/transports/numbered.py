"""Options as numbered lines, for platforms without buttons (the console, Zalo).

A message's options are listed under it as ``[1] label``; the person answers with the number,
or types the option's words (without diacritics too: "dong y" for "✅ Đồng ý").
"""

from __future__ import annotations

from bot.core.events import Button
from bot.shared.text import search_key


def option_lines(
    buttons: list[Button], *, link_note: str = "", show_links: bool = False
) -> list[str]:
    """``[1] label`` per option; a link's option says so (``link_note``) or shows the link."""
    lines = []
    for number, button in enumerate(buttons, start=1):
        suffix = ""
        if button.url:
            suffix = f": {button.url}" if show_links else link_note
        lines.append(f"  [{number}] {button.label}{suffix}")
    return lines


def numbered_text(text: str, buttons: list[Button]) -> str:
    """The message with its options as numbered lines under it (links shown as they are)."""
    if not buttons:
        return text
    lines = option_lines(buttons, show_links=True)
    return (text.rstrip() + "\n\n" + "\n".join(lines)).strip()


def choice(text: str, buttons: list[Button]) -> Button | None:
    """The option a typed answer names: its number, or its words."""
    typed = text.strip()
    if not buttons or not typed:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return buttons[index] if 0 <= index < len(buttons) else None
    key = search_key(typed)
    if not key:
        return None
    found = [b for b in buttons if search_key(b.label) == key]
    return found[0] if len(found) == 1 else None
