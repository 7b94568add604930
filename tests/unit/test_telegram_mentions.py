"""Text addressed to the bot in a group by a leading mention (privacy mode lets it through)."""

from __future__ import annotations

import pytest

from bot.transports.telegram.events import without_mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@xomantoan_bot 3", "3"),
        ("@XomAnToan_Bot, Quán nước đầu ngõ", "Quán nước đầu ngõ"),
        ("@xomantoan_bot:\n+2", "+2"),
        ("@xomantoan_bot", ""),
        ("@xomantoan_botx 3", "@xomantoan_botx 3"),  # another account
        ("@xomantoan_bot_2 3", "@xomantoan_bot_2 3"),
        ("3 @xomantoan_bot", "3 @xomantoan_bot"),  # only a leading mention addresses the bot
        ("Phạm Văn Ba", "Phạm Văn Ba"),
    ],
)
def test_a_leading_mention_of_the_bot_is_not_part_of_the_text(text: str, expected: str) -> None:
    assert without_mention(text, "xomantoan_bot") == expected


def test_without_a_known_username_the_text_is_kept() -> None:
    assert without_mention("@xomantoan_bot 3", None) == "@xomantoan_bot 3"
