"""Inline keyboards, and the forced reply a step waiting for typed input needs."""

from __future__ import annotations

import html

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.events import Button, ExpectedReply, Outgoing
from bot.transports.telegram_text import telegram_html


def keyboard(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.data)
            for b in row
        ]
        for row in buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


# A step waiting for typed input in a group --------------------------------------------------
# With privacy mode on (the default) a group's ordinary messages never reach the bot, only
# commands, replies to its messages and mentions: the answer must come back as a reply. A
# ForceReply opens the reply for the person (selective: only them, as the sender of the message
# it answers or mentioned in it). It cannot go with an inline keyboard, nor on an edit: then the
# request is a short message of its own after the step's message.
PLACEHOLDER_LIMIT = 64


def force_reply(request: ExpectedReply) -> ForceReply:
    placeholder = " ".join(request.placeholder.split())[:PLACEHOLDER_LIMIT]
    return ForceReply(selective=True, input_field_placeholder=placeholder or None)


def asks_in_place(message: Outgoing) -> bool:
    """Whether the message itself can carry the forced reply: a new text message without
    buttons that answers the person's own message (which makes them its target)."""
    request = message.expects_reply
    return (
        request is not None
        and request.reply_to_message_id is not None
        and not message.buttons
        and message.edit_message_id is None
        and message.attachment is None
    )


def reply_prompt(request: ExpectedReply) -> str:
    """The request as a message of its own: the person mentioned (the mention makes them the
    forced reply's only target), then what to send."""
    mention = f'<a href="tg://user?id={request.user_id}">{html.escape(request.name)}</a>'
    return f"{mention}: {telegram_html(request.prompt)}"
