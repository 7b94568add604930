"""Catalog text as Zalo shows it: plain text (Zalo's sendMessage takes no markup), in parts of
at most 2,000 characters cut between lines (see bot/core/richtext.py)."""

from __future__ import annotations

from bot.core.richtext import escape, plain, split

__all__ = ["parts", "plain"]


def parts(text: str, limit: int) -> list[str]:
    """Plain ``text`` in parts that each fit ``limit`` (nothing to show: one space)."""
    return [plain(p) for p in split(escape(text), limit)] or [" "]
