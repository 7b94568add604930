"""Mapping out: replies sent, edited, in parts, following a group that moved."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.core.events import Event, Outcome, Outgoing
from bot.core.richtext import plain
from bot.storage import chats as chats_repo
from bot.storage import outbox
from bot.transports.send_results import UNCONFIRMED
from bot.transports.telegram.edits import shows, unchanged
from bot.transports.telegram.events import UpdateEvents
from bot.transports.telegram.ids import PLATFORM, tg_id
from bot.transports.telegram.markup import asks_in_place, force_reply, keyboard, reply_prompt
from bot.transports.telegram.retries import surely_not_done, with_retries
from bot.transports.telegram_text import fit_caption, split_text, telegram_html

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLY_ATTEMPTS = 5


class ReplyNotSent(Exception):
    """Telegram refused a reply on every attempt; ``rest`` is what was not sent."""

    def __init__(self, rest: Outgoing) -> None:
        super().__init__(f"reply to chat {rest.chat_id} not sent")
        self.rest = rest


def _seconds(wait: Any) -> float:
    return float(wait.total_seconds()) if hasattr(wait, "total_seconds") else float(wait)


class Replies(UpdateEvents):
    # Mapping out --------------------------------------------------------------------------
    async def render(self, event: Event, outcome: Outcome, query: CallbackQuery | None) -> None:
        answering: asyncio.Task[None] | None = None
        if query is not None:
            if outcome.toast or not outcome.messages:
                # A toast is shown as plain text: no formatting; before any message.
                await self._answer(query, plain(outcome.toast) if outcome.toast else None)
            else:
                # Only the button's spinner to stop: that request goes out beside the reply,
                # which does not wait for its answer.
                answering = asyncio.create_task(self._answer(query, None))
        shown = query.message if query is not None else None  # what the press was on
        try:
            await self._send_all(event, outcome, shown)
        finally:
            if answering is not None:
                await answering

    async def _send_all(self, event: Event, outcome: Outcome, shown: Any) -> None:
        for message in outcome.messages:
            try:
                sent_id = await self.send_following_migration(message, shown)
                card = event.answers_message_id
                if card is not None and sent_id is not None and asks_in_place(message):
                    # This answer asks again itself (a wrong answer): the answer to it still
                    # belongs to the message with the options.
                    self.prompts.put(message.chat_id, sent_id, card)
            except ReplyNotSent as unsent:
                await self._queue_unsent(event, unsent.rest)
            except Forbidden:
                log.info("chat %s blocked the bot; reply dropped", message.chat_id)
            except TelegramError as exc:
                log.warning("reply to update %s failed: %s", event.update_id, exc)

    async def _queue_unsent(self, event: Event, rest: Outgoing) -> None:
        """A reply that Telegram refused on every attempt goes to the outbox, first in line:
        the worker sends it when the chat may get messages again (a restart keeps it)."""
        buttons = [[b.__dict__ for b in row] for row in rest.buttons]
        async with self.db.unit() as conn:
            await outbox.enqueue(
                conn,
                PLATFORM,
                rest.chat_id,
                rest.text,
                buttons,
                self.dispatcher.clock(),
                priority=outbox.PRIORITY_URGENT,
            )
        self.dispatcher.outbox_signal.set()
        log.warning(
            "reply to update %s refused on every attempt; handed to the outbox", event.update_id
        )

    async def send_following_migration(self, message: Outgoing, shown: Any = None) -> int | None:
        """Send a reply to where its chat is now: a group that became a supergroup is followed,
        whether the move is known already or Telegram reports it on this reply (then recorded
        like the move announcement would, and the reply sent again to the new id)."""
        if message.chat_id in self.groups:
            if self._moves_known:  # read at this poll, and kept since by this process
                current = self.moved.get(message.chat_id, message.chat_id)
            else:  # a group moved since: the database says where (waits for the lock)
                async with self.db.read() as conn:
                    current = await chats_repo.current_id(conn, PLATFORM, message.chat_id)
            if current != message.chat_id:
                message = replace(message, chat_id=current)
        try:
            return await self.send(message, shown)
        except ChatMigrated as exc:
            new_id = str(exc.new_chat_id)
            log.info("group %s became supergroup %s; reply follows it", message.chat_id, new_id)
            async with self.db.unit() as conn:
                await chats_repo.migrate(
                    conn, PLATFORM, message.chat_id, new_id, self.dispatcher.clock()
                )
            self._moved_to(message.chat_id, new_id)
            self.groups.add(new_id)
            # A message of the old group cannot be edited in the new one: send it anew.
            return await self.send(replace(message, chat_id=new_id, edit_message_id=None))

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await with_retries(lambda: query.answer(text=text, show_alert=bool(text)), attempts=2)
        except TelegramError as exc:  # an old query cannot be answered any more; harmless
            log.debug("answering callback failed: %s", exc)

    async def send(self, message: Outgoing, shown: Any = None) -> int | None:
        """Send or edit a reply; the id of the (last) message sent, when known. ``shown``: the
        message a button was pressed on, as Telegram gave it (see bot.transports.telegram.edits
        for an edit Telegram refuses)."""
        request = message.expects_reply
        if request is not None and not asks_in_place(message):
            shown_id = await self.send(replace(message, expects_reply=None), shown)
            prompt = await self._paced(
                message.chat_id,
                lambda: self.bot.send_message(
                    tg_id(message.chat_id),
                    reply_prompt(request),
                    parse_mode=ParseMode.HTML,
                    reply_markup=force_reply(request),
                ),
            )
            if prompt is not None and shown_id is not None and message.buttons:
                self.prompts.put(message.chat_id, prompt.message_id, shown_id)
            return prompt.message_id if prompt is not None else None
        markup: InlineKeyboardMarkup | ForceReply | None = keyboard(message.buttons)
        answers: ReplyParameters | None = None
        if request is not None and request.reply_to_message_id is not None:  # asks in place
            markup = force_reply(request)
            answers = ReplyParameters(request.reply_to_message_id, allow_sending_without_reply=True)
        chat_id = message.chat_id
        if message.edit_message_id is not None and message.attachment is None:
            # A text too long for one message: its first part replaces the message, the rest
            # follows as new messages (the options go with the last).
            first, *rest = split_text(message.text)
            target = self.resent.target(chat_id, message.edit_message_id)
            try:
                await self._paced(
                    chat_id,
                    lambda: self.bot.edit_message_text(
                        telegram_html(first),
                        chat_id=tg_id(message.chat_id),
                        message_id=target,
                        parse_mode=ParseMode.HTML,
                        reply_markup=None if rest else markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    resend_if_unsure=True,  # an edit done twice shows the same text
                )
            except BadRequest as exc:
                if unchanged(exc):  # it shows this already: nothing to send, not even the rest
                    return target
                # Too old or not editable: sent once as a new message, which later edits of
                # this message go to; not when the message already shows it.
                if target == message.edit_message_id and shows(
                    shown if shown is not None and shown.message_id == target else None,
                    message.text,
                    message.buttons,
                ):
                    return target
                log.info("an edit was refused (%s); its content is sent anew, once", exc)
                new_id = await self.send(replace(message, edit_message_id=None))
                if new_id is not None:
                    self.resent.record(chat_id, message.edit_message_id, new_id)
                return new_id
            except (RetryAfter, NetworkError) as exc:
                # Refused on every attempt: the outbox sends it later, as a new message.
                raise ReplyNotSent(replace(message, edit_message_id=None)) from exc
            if rest:
                return await self.send(replace(message, text="\n".join(rest), edit_message_id=None))
            return target
        if message.attachment is not None:
            attachment = message.attachment
            try:
                data = await attachment.content()
            except Exception:  # a chart or file that cannot be made must not stop the bot
                log.exception("could not make %s; not sent", attachment.filename)
                return None
            if attachment.kind == "photo":
                sent = await self._paced(
                    chat_id,
                    lambda: self.bot.send_photo(
                        tg_id(message.chat_id),
                        data,
                        caption=fit_caption(message.text),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    ),
                )
            else:
                sent = await self._paced(
                    chat_id,
                    lambda: self.bot.send_document(
                        tg_id(message.chat_id),
                        data,
                        filename=attachment.filename,
                        caption=fit_caption(message.text),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    ),
                )
            return sent.message_id if sent is not None else None
        parts = split_text(message.text)
        sent_id: int | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                sent = await self._paced(
                    chat_id,
                    lambda part=part, last=last: self.bot.send_message(  # type: ignore[misc]
                        tg_id(message.chat_id),
                        telegram_html(part),
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                        reply_parameters=answers if last else None,
                    ),
                )
            except (RetryAfter, NetworkError) as exc:
                if isinstance(exc, BadRequest):
                    raise
                # Every attempt was refused (flood limits, server errors): what is left of
                # the reply goes to the durable outbox instead of being lost.
                raise ReplyNotSent(replace(message, text="\n".join(parts[index:]))) from exc
            sent_id = sent.message_id if sent is not None else None
        return sent_id

    async def _paced(
        self,
        chat_id: str,
        call: Callable[[], Awaitable[T]],
        *,
        resend_if_unsure: bool = False,
    ) -> T | None:
        """One request of a reply, in the chat's turn of the shared budget. A 429 is waited
        out (the chat is held for the outbox too), an error that proves nothing was done is
        retried with back-off, and a request that may have been done (no answer in time) is
        not made again: it returns None, logged, unless ``resend_if_unsure``."""
        delay = 1.0
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            if self.pacer is not None:
                await self.pacer.turn(chat_id, reply=True)
            sent, hold = False, 0.0
            try:
                result = await call()
                sent = True
                return result
            except RetryAfter as exc:
                hold = max(_seconds(exc.retry_after), 0.1)
                if attempt == REPLY_ATTEMPTS:
                    raise
                if self.pacer is None:
                    await asyncio.sleep(hold)
            except NetworkError as exc:  # TimedOut and BadRequest are NetworkErrors too
                if isinstance(exc, BadRequest):
                    raise
                if not resend_if_unsure and not surely_not_done(exc):
                    sent = True  # it may have reached the chat: it counts, and is not resent
                    log.warning("a reply to chat got no answer (%s); %s", exc, UNCONFIRMED)
                    return None
                if attempt == REPLY_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            finally:
                if self.pacer is not None:
                    self.pacer.done(chat_id, sent=sent, hold=hold)
        raise AssertionError("unreachable")
