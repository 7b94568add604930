"""Zalo, outwards: replies (with their toasts), outbox messages and files, as plain text in
parts of at most 2,000 characters with the options as numbered lines.

Replies and the outbox share one :class:`Pacer` with Zalo's own limits. A 429 is waited out
(with the retry time it gives, else a back-off that doubles while 429s repeat); an error that
proves nothing was sent (5xx, no connection, an answer that is not the Bot API's JSON) is
retried with back-off; a send that got no answer in time may have arrived and is never sent
again. Files cannot be sent on Zalo: they become signed download links (see links.py), or a
line saying where to get them when the bot has no public address. Photos (a chart, a
broadcast's photo, also one sent on Telegram: fetched from there when both run in one process)
are sent with sendPhoto, which takes a URL: a media link to the bot's own HTTP server; without
a public address, a line says the photo is on Telegram. A photo is never dropped silently.
The options last shown in a chat are remembered (in SQLite too) so that a typed number chooses
among them, also after a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.dispatcher import Dispatcher
from bot.core.events import Button, Event, Outcome, Outgoing
from bot.i18n import N_, Translator
from bot.storage import kv, outbox
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage
from bot.transports.numbered import numbered_text
from bot.transports.pacing import Pacer
from bot.transports.send_results import UNCONFIRMED, SendResult
from bot.transports.zalo.client import (
    TEXT_LIMIT,
    Flood,
    NotDone,
    Refused,
    TokenRefused,
    Unanswered,
    ZaloClient,
    ZaloError,
)
from bot.transports.zalo.links import Link, Links
from bot.transports.zalo.render import parts as plain_parts
from bot.transports.zalo.render import plain

log = logging.getLogger(__name__)

PLATFORM = "zalo"
REPLY_ATTEMPTS = 5
BACKOFF_START, BACKOFF_MAX = 1.0, 60.0
FLOOD_DEFAULT = 2.0  # a 429 without a retry time: wait this long, doubled while they repeat
MEDIA_MARGIN = timedelta(minutes=30)  # a photo's link is made again this long before it expires

# Fetches a photo sent on another platform (its file id) from that platform.
PhotoFetcher = Callable[[str], Awaitable[bytes]]

FILE_LINK = N_("📎 {filename}: {url}\nThe link works once, until {time}.")
NO_PHOTO = N_(
    "📷 This message came with a photo that cannot be shown on Zalo: it can be seen on "
    "Telegram, or ask the commune police for it."
)
NO_VOICE = N_(
    "🎤 This message came with a voice message that cannot be played on Zalo: you can reply "
    "and ask for it in writing."
)
NO_FILES = N_(
    "📎 {filename}: files cannot be sent on Zalo. Download it on Telegram, or ask the "
    "administrator for it (command line: xomantoan export)."
)


class ZaloSender:
    platform = PLATFORM

    def __init__(
        self,
        client: ZaloClient,
        dispatcher: Dispatcher,
        db: Database,
        *,
        pacer: Pacer | None = None,
        links: Links | None = None,
        fetch_photo: PhotoFetcher | None = None,
    ) -> None:
        self.client = client
        self.dispatcher = dispatcher
        self.db = db
        self.pacer = pacer
        self.links = links
        self.fetch_photo = fetch_photo
        self._media: dict[str, Link] = {}  # a photo's media link, by its file id
        self.translator = Translator(dispatcher.config.default_language, dispatcher.config.tz)
        self._options: dict[str, list[Button]] = {}
        self._parts_sent: dict[int, int] = {}
        self._flood_wait = FLOOD_DEFAULT

    def options(self, chat_id: str) -> list[Button]:
        """The options last shown in the chat (after :meth:`load_options`)."""
        return self._options.get(chat_id, [])

    async def render(self, event: Event, outcome: Outcome) -> None:
        messages = list(outcome.messages)
        if outcome.toast:  # no pop-ups on Zalo: a short message instead
            messages.insert(0, Outgoing(event.chat.id, outcome.toast))
        for message in messages:
            try:
                await self.send(message)
            except ZaloError as exc:
                log.warning("reply to Zalo update %s failed: %s", event.update_id, exc)
        # Numbers choose among the options of the latest answer that has some. After an answer
        # without options (a question), a typed number is text, never an older option.
        for chat_id in {m.chat_id for m in messages}:
            shown = [m for m in messages if m.chat_id == chat_id and any(m.buttons)]
            buttons = [b for row in shown[-1].buttons for b in row] if shown else []
            await self._remember_options(chat_id, buttons)

    async def compose(self, message: Outgoing) -> tuple[str | None, list[str]]:
        """What ``message`` is on Zalo: a photo's URL (a chart), and its text (with a file's
        link, the request for an answer and the numbered options) in parts of at most 2,000
        characters."""
        text = plain(message.text)
        photo = None
        attachment = message.attachment
        if attachment is not None and attachment.kind == "photo" and self.links is not None:
            photo = await self._chart_url(message)
        if attachment is not None and photo is None:
            text = (text + "\n\n" + await self._file_line(message)).strip()
        if message.expects_reply is not None:
            text += "\n\n" + plain(message.expects_reply.prompt)
        flat = [b for row in message.buttons for b in row]
        return photo, plain_parts(numbered_text(text, flat), TEXT_LIMIT)

    async def _chart_url(self, message: Outgoing) -> str | None:
        """A photo made for this reply (a chart) behind a media link; None if it failed."""
        attachment = message.attachment
        assert attachment is not None and self.links is not None
        try:
            data = await attachment.content()
        except Exception:
            log.exception("could not make %s; not sent", attachment.filename)
            return None
        link = await self.links.make(
            PLATFORM, message.chat_id, attachment.filename, data, media=True
        )
        return link.url

    async def photo_url(self, photo: str) -> str | None:
        """A URL Zalo can fetch for an outbox message's photo: a URL as it is (a photo sent on
        Zalo), else a photo sent on another platform (its file id), fetched from there and
        served behind a media link (one per photo, for every recipient); None when that
        cannot be done (no public address, the other platform not running, the fetch
        failed)."""
        if photo.startswith(("https://", "http://")):
            return photo
        if self.links is None or self.fetch_photo is None:
            return None
        known = self._media.get(photo)
        if known is not None and known.expires_at - MEDIA_MARGIN > self.dispatcher.clock():
            return known.url
        try:
            data = await self.fetch_photo(photo)
        except Exception as exc:
            log.warning("could not fetch a photo to send it on Zalo (%s)", type(exc).__name__)
            return None
        link = await self.links.make(PLATFORM, "", "photo.jpg", data, media=True)
        self._media[photo] = link
        return link.url

    async def _file_line(self, message: Outgoing) -> str:
        attachment = message.attachment
        assert attachment is not None
        t = self.translator
        if self.links is None:
            return t.plain(NO_FILES, filename=attachment.filename)
        try:
            data = await attachment.content()
        except Exception:
            log.exception("could not make %s; not sent", attachment.filename)
            return ""
        link = await self.links.make(PLATFORM, message.chat_id, attachment.filename, data)
        return t.plain(
            FILE_LINK, filename=attachment.filename, url=link.url, time=t.when(link.expires_at)
        )

    async def load_options(self, chat_id: str) -> None:
        if chat_id in self._options:
            return
        async with self.db.read() as conn:
            stored = await kv.get(conn, kv.chat_options_key(PLATFORM, chat_id))
        rows = json.loads(stored) if stored else []
        self._options[chat_id] = [Button(**b) for b in rows]

    async def _remember_options(
        self, chat_id: str, buttons: list[Button], *, keep: bool = True
    ) -> None:
        """Numbers typed in ``chat_id`` now choose among ``buttons``; kept across restarts,
        unless ``keep`` is False (a message to a sealed chat, an anonymous reporter's: its
        buttons' menu is also in the message's outbox row, which names the report, so keeping
        them under the chat in the clear would tie the two; they live in memory only)."""
        await self.load_options(chat_id)
        if not keep or not buttons:  # no options: nothing kept under the chat either
            self._options[chat_id] = buttons
            async with self.db.unit() as conn:
                await kv.delete(conn, kv.chat_options_key(PLATFORM, chat_id))
            return
        if buttons == self._options.get(chat_id):
            return
        self._options[chat_id] = buttons
        async with self.db.unit() as conn:
            await kv.put(
                conn,
                kv.chat_options_key(PLATFORM, chat_id),
                json.dumps([b.__dict__ for b in buttons], ensure_ascii=False),
            )

    async def send(self, message: Outgoing) -> None:
        photo, parts = await self.compose(message)
        if photo is not None:
            # A short text is the photo's caption; a longer one follows it.
            caption = parts[0] if len(parts) == 1 and parts[0].strip() else ""
            try:
                await self._paced(message.chat_id, caption, photo=photo)
                parts = parts if not caption else []
            except ZaloError as exc:  # its link instead (it opens in a browser too)
                parts[0] = (parts[0] + "\n\n" + photo).strip()
                log.warning("a Zalo photo was refused (%s); its link is sent instead", exc)
        for index, part in enumerate(parts):
            try:
                await self._paced(message.chat_id, part)
            except (Flood, NotDone) as exc:
                # Refused on every attempt: the rest goes to the durable outbox, first in line.
                rest = "\n".join(parts[index:])
                await self._queue_unsent(message.chat_id, rest)
                log.warning(
                    "a Zalo reply was refused on every attempt (%s); handed to the outbox", exc
                )
                break

    async def _queue_unsent(self, chat_id: str, text: str) -> None:
        async with self.db.unit() as conn:
            await outbox.enqueue(
                conn,
                PLATFORM,
                chat_id,
                text,
                [],
                self.dispatcher.clock(),
                priority=outbox.PRIORITY_URGENT,
            )
        self.dispatcher.outbox_signal.set()

    async def _paced(self, chat_id: str, text: str, *, photo: str | None = None) -> None:
        """One part of a reply in the chat's turn: 429s waited out (the chat is held for the
        outbox too), errors that prove nothing was sent retried with back-off, and a part that
        got no answer in time not sent again."""
        delay = BACKOFF_START
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            if self.pacer is not None:
                await self.pacer.turn(chat_id, reply=True)
            sent, hold = False, 0.0
            try:
                if photo is not None:
                    await self.client.send_photo(chat_id, photo, text or None)
                else:
                    await self.client.send_message(chat_id, text)
                sent = True
                self._flood_wait = FLOOD_DEFAULT
                return
            except Flood as exc:
                hold = self.flood_hold(exc)
                log.warning("Zalo asked to slow down (429); this chat waits %.0fs", hold)
                if attempt == REPLY_ATTEMPTS:
                    raise
                if self.pacer is None:
                    await asyncio.sleep(hold)
            except NotDone as exc:
                log.warning("a Zalo reply failed (%s); retrying in %.0fs", exc, delay)
                if attempt == REPLY_ATTEMPTS:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            except Unanswered:
                sent = True  # it may have reached the chat: it counts, and is not resent
                log.warning("a Zalo reply got no answer; %s", UNCONFIRMED)
                return
            finally:
                if self.pacer is not None:
                    self.pacer.done(chat_id, sent=sent, hold=hold)

    async def _send_photo(self, chat_id: str, url: str) -> None:
        """An outbox message's photo. One Zalo refuses (it could not fetch it) is not lost
        silently: a line says a photo came with the message; the text goes on."""
        try:
            await self.client.send_photo(chat_id, url, None)
        except Refused as exc:
            lowered = exc.description.lower()
            if exc.code in (403, 404) or "not found" in lowered or "block" in lowered:
                raise  # the chat is gone: the whole message is
            log.warning("Zalo refused a photo (%s); a line says so instead", exc)
            await self.client.send_message(chat_id, self.translator.plain(NO_PHOTO))

    def flood_hold(self, exc: Flood) -> float:
        if exc.retry_after is not None:
            return max(exc.retry_after, 0.1)
        hold = self._flood_wait
        self._flood_wait = min(self._flood_wait * 2, BACKOFF_MAX)
        return hold

    # Outbox sender ------------------------------------------------------------------------
    async def deliver(self, item: OutboxMessage) -> SendResult:
        """One attempt; the outbox worker paces, retries and honours 429s. A long message goes
        in parts; a retry starts at the part that was refused."""
        buttons = [[Button(**b) for b in row] for row in item.buttons]
        flat = [b for row in buttons for b in row]
        text = plain(item.text)
        photo = await self.photo_url(item.photo) if item.photo else None
        if item.photo and photo is None:  # never dropped silently
            text = (text + "\n\n" + self.translator.plain(NO_PHOTO)).strip()
        if item.voice:  # Zalo's Bot API sends no audio: never dropped silently either
            text = (text + "\n\n" + self.translator.plain(NO_VOICE)).strip()
        # The photo first (sendPhoto), then the text; a retry starts where it was refused.
        parts: list[tuple[str | None, str]] = [(photo, "")] if photo else []
        parts += [(None, p) for p in plain_parts(numbered_text(text, flat), TEXT_LIMIT)]
        try:
            for index, (picture, part) in enumerate(parts):
                if index < self._parts_sent.get(item.id, 0):
                    continue
                try:
                    if picture is not None:
                        await self._send_photo(item.chat_id, picture)
                    else:
                        await self.client.send_message(item.chat_id, part)
                except Unanswered:
                    if index == len(parts) - 1:
                        raise
                    log.warning(
                        "outbox: part %d of message %d got no answer; %s",
                        index + 1,
                        item.id,
                        UNCONFIRMED,
                    )
                self._parts_sent[item.id] = index + 1
        except Flood as exc:
            return SendResult("retry_after", retry_after=self.flood_hold(exc))
        except Unanswered as exc:
            self._parts_sent.pop(item.id, None)
            return SendResult("unconfirmed", reason=f"{UNCONFIRMED} ({exc})"[:200])
        except NotDone as exc:
            return SendResult("error", reason=str(exc)[:200])
        except TokenRefused as exc:
            return SendResult("error", reason=str(exc)[:200])
        except Refused as exc:
            self._parts_sent.pop(item.id, None)
            lowered = exc.description.lower()
            if exc.code in (403, 404) or "not found" in lowered or "block" in lowered:
                return SendResult("blocked", reason=str(exc)[:200])
            return SendResult("failed", reason=str(exc)[:200])
        self._parts_sent.pop(item.id, None)
        self._flood_wait = FLOOD_DEFAULT
        if flat:  # a notice with options (a report's card): numbers now choose among them
            await self._remember_options(item.chat_id, flat, keep=not item.opened)
        return SendResult.sent()
