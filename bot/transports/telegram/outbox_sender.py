"""The outbox worker's sender: one attempt per queued message."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.events import Button
from bot.storage.outbox import OutboxMessage
from bot.transports.send_results import UNCONFIRMED, SendResult
from bot.transports.telegram.edits import unchanged
from bot.transports.telegram.events import UpdateEvents
from bot.transports.telegram.ids import tg_id
from bot.transports.telegram.markup import keyboard
from bot.transports.telegram.retries import failure_kind, surely_not_done
from bot.transports.telegram_text import fit_caption, split_text, telegram_html

log = logging.getLogger(__name__)


class OutboxSending(UpdateEvents):
    # Outbox sender ------------------------------------------------------------------------
    async def deliver(self, item: OutboxMessage) -> SendResult:
        """One attempt, no waiting here: the outbox worker paces, retries and honours 429s.
        Edits a message in place when the outbox row says so; sends a photo with a caption.
        A long text goes in parts; when a part is refused in a way the worker retries (a 429,
        an error that proves nothing was sent), the retry starts at that part."""
        result = await self._deliver(item)
        if result.kind not in ("retry_after", "error"):
            self._parts_sent.pop(item.id, None)
        return result

    async def _deliver(self, item: OutboxMessage) -> SendResult:
        buttons = [[Button(**b) for b in row] for row in item.buttons]
        markup = keyboard(buttons)
        sent_id: int | None = None
        try:
            if item.edit_message_id is not None:
                # An edit of a message sent anew (it could no longer be edited) goes to the
                # new one; "not modified" sends nothing; any other refusal (too old, deleted)
                # sends the new content once as a new message (see telegram/edits.py).
                target = self.resent.target(item.chat_id, item.edit_message_id)
                try:
                    await self.bot.edit_message_text(
                        telegram_html(item.text),
                        chat_id=tg_id(item.chat_id),
                        message_id=target,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                    return SendResult.sent(target)
                except BadRequest as exc:
                    reason = str(exc).lower()
                    if unchanged(exc):
                        return SendResult.sent(target)
                    if "chat not found" in reason or "user not found" in reason:
                        raise
                    log.info("outbox: message %d could not edit (%s); sent anew", item.id, exc)
            if item.photo:
                photo = await self.bot.send_photo(
                    tg_id(item.chat_id),
                    item.photo,
                    caption=fit_caption(item.text),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                sent_id = photo.message_id
            elif item.voice:
                voice = await self.bot.send_voice(
                    tg_id(item.chat_id),
                    item.voice,
                    caption=fit_caption(item.text) or None,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                sent_id = voice.message_id
            else:
                parts = split_text(item.text)
                for index, part in enumerate(parts):
                    if index < self._parts_sent.get(item.id, 0):
                        continue  # sent by an earlier attempt
                    last = index == len(parts) - 1
                    try:
                        sent = await self.bot.send_message(
                            tg_id(item.chat_id),
                            telegram_html(part),
                            parse_mode=ParseMode.HTML,
                            reply_markup=markup if last else None,
                            link_preview_options=LinkPreviewOptions(is_disabled=True),
                        )
                    except (TimedOut, NetworkError) as exc:
                        if last or isinstance(exc, BadRequest) or surely_not_done(exc):
                            raise
                        # This part may have arrived: it is not sent again, the rest follow.
                        log.warning(
                            "outbox: part %d of message %d got no answer; %s",
                            index + 1,
                            item.id,
                            UNCONFIRMED,
                        )
                    if not last:
                        self._parts_sent[item.id] = index + 1
                        continue
                    sent_id = sent.message_id
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            return SendResult("retry_after", retry_after=seconds)
        except ChatMigrated as exc:
            self._moved_to(item.chat_id, str(exc.new_chat_id))  # the worker records it
            return SendResult("migrated", new_chat_id=str(exc.new_chat_id))
        except Forbidden as exc:
            return SendResult("blocked", reason=str(exc)[:200])
        except BadRequest as exc:
            text = str(exc).lower()
            if "chat not found" in text or "user not found" in text:
                return SendResult("blocked", reason=str(exc)[:200])
            return SendResult("failed", reason=str(exc)[:200], failure=failure_kind(exc))
        except (TimedOut, NetworkError) as exc:
            if not surely_not_done(exc):  # Telegram may have it: never sent again
                return SendResult("unconfirmed", reason=f"{UNCONFIRMED} ({exc})"[:200])
            return SendResult("error", reason=f"network: {exc}"[:200], failure=failure_kind(exc))
        except TelegramError as exc:
            return SendResult("error", reason=str(exc)[:200])
        if item.edit_message_id is not None and sent_id is not None:
            self.resent.record(item.chat_id, item.edit_message_id, sent_id)
        return SendResult.sent(sent_id)
