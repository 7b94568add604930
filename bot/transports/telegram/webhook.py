"""Receiving updates by webhook: several bot processes behind one https:// address.

Any process may receive any update (the reverse proxy spreads Telegram's calls): the update is
kept in the inbox with its chat's key, in one transaction with its id among the messages seen
(Telegram repeats a call it got no 2xx for, perhaps to another process: the repeat is taken
once), and only then answered 200. Handling is by chat, across the processes: a process claims
the chats that have updates waiting and that nobody holds (bot/storage/inbox.py), handles each
chat's updates in order in that chat's lane, renews its leases while it runs, and lets a chat
go when nothing of it waits. A process killed holding chats stops renewing them: another takes
them over once their lease has passed. An update leaves the inbox in its own handling
transaction, only while its chat is still held: a crash may lose a reply, never handle an
update twice.

Telegram is told the address once (``setWebhook``), by whichever process starts first with
an address or secret that changed; going back to polling deletes the webhook (see .polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict

from bot.storage import inbox, kv, seen_messages
from bot.storage.connection import log_failure
from bot.transports.telegram.ids import PLATFORM
from bot.transports.telegram.lanes import Lanes, chat_key
from bot.transports.webhooks import MalformedUpdate, Webhook

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_KEY = "telegram.webhook"  # kv: a fingerprint of the webhook set (address, secret)
OFFSET_KEY = "telegram.offset"  # kv: the polling offset (see .polling)
SETTING_KEY = "telegram.webhook.setting"  # kv: a process telling Telegram now (and since when)
SETTING_FOR = timedelta(seconds=60)  # after this, another process takes over telling it
CLAIM_EVERY = 1.0  # seconds between looks for chats with updates nobody handles
CLAIM_LIMIT = 100  # chats claimed at most in one look
BATCH = 20  # a chat's updates read at once
FORGET_EVERY = 60.0  # seconds between clearing the claims of chats with nothing waiting
RETRY_START, RETRY_MAX = 1.0, 60.0


def wall_clock() -> datetime:
    """Leases are between processes: the real time, never a test's clock."""
    return datetime.now(UTC)


def fingerprint(url: str, secret: str, allowed: list[str]) -> str:
    return hashlib.sha256("\n".join([url, secret, *allowed]).encode()).hexdigest()


class WebhookReceiving(Lanes):
    def webhook(self, path: str, secret: str) -> Webhook:
        """What the bot's HTTP server serves for Telegram."""
        return Webhook("Telegram", path, SECRET_HEADER, secret, self.take_update)

    # Receiving ------------------------------------------------------------------------------
    async def take_update(self, body: Any) -> None:
        """Keep one update Telegram posted (returns once it is committed in the inbox)."""
        update_id = body.get("update_id") if isinstance(body, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise MalformedUpdate("the body is not a Telegram update (no update_id)")
        try:
            update = Update.de_json(body, self.bot)
        except Exception:
            log.warning("skipped update %s that could not be read", update_id, exc_info=True)
            return
        now = self.dispatcher.clock()
        async with self.db.unit() as conn:
            if not await seen_messages.first_time(conn, PLATFORM, f"update {update_id}", now):
                log.info("update %s came again; it was taken already", update_id)
                return
            keys = {update_id: chat_key(update)}
            await inbox.put_many(conn, PLATFORM, [(update_id, body)], now, keys=keys)
        self._claim_wake.set()

    # Handling, by chat, across the processes ------------------------------------------------
    async def serve_claims(self, stop: asyncio.Event, lease_seconds: float) -> None:
        """Claim chats with updates waiting and hand each to its lane, renewing the leases,
        until ``stop`` is set."""
        self.lease = timedelta(seconds=lease_seconds)
        if self.holder is None:
            self.holder = new_holder()
        try:
            await self._key_old_updates()
        except Exception:  # they wait (without a chat) until a start that can
            log_failure(log, "could not give the updates kept before their chats")
        renew_every = min(CLAIM_EVERY, lease_seconds / 4)
        renewed = forgotten = time.monotonic()
        while not stop.is_set():
            self._claim_wake.clear()
            try:
                now = wall_clock()
                if self._held and time.monotonic() - renewed >= renew_every:
                    async with self.db.unit() as conn:
                        await inbox.renew(conn, PLATFORM, self.holder, now + self.lease)
                    renewed = time.monotonic()
                async with self.db.unit() as conn:
                    keys = await inbox.claim(
                        conn, PLATFORM, self.holder, now, now + self.lease, CLAIM_LIMIT
                    )
                for key in keys:
                    if key not in self._held:
                        self._held.add(key)
                        self._claims.submit(key, key)
                if time.monotonic() - forgotten >= FORGET_EVERY:
                    async with self.db.unit() as conn:
                        await inbox.forget_idle(conn, PLATFORM, now)
                    forgotten = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("could not claim chats (%s: %s); trying again", type(exc).__name__, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._claim_wake.wait(), renew_every)

    async def _drain(self, key: str) -> None:
        """One claimed chat's lane: its waiting updates in order, until none waits (then the
        chat is let go) or it is held by another process."""
        assert self.holder is not None
        delay = RETRY_START
        first_seen: int | None = None
        try:
            while True:
                try:
                    async with self.db.read() as conn:
                        rows = await inbox.waiting_in(conn, PLATFORM, key, self.holder, BATCH)
                    if not rows:
                        async with self.db.unit() as conn:
                            if await inbox.release(conn, PLATFORM, key, self.holder):
                                return
                            if not await inbox.holds(conn, PLATFORM, key, self.holder):
                                return  # taken over (this process's lease had passed)
                        continue  # more came meanwhile
                    if rows[0][0] == first_seen:  # no headway: the database failing?
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, RETRY_MAX)
                    first_seen = rows[0][0]
                    for update_id, body in rows:
                        await self._handle_kept(update_id, body)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log_failure(log, "chat %s: could not go on with its updates; retrying", key)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX)
        finally:
            self._held.discard(key)

    async def _handle_kept(self, update_id: int, body: Any) -> None:
        self._inboxed.add(update_id)
        try:
            update = Update.de_json(body, self.bot)
        except Exception:
            log.warning("skipped update %s that could not be read", update_id, exc_info=True)
            await self._handled(update_id)
            return
        await self._handle_in_lane((update_id, update))

    async def _key_old_updates(self) -> None:
        """Updates kept by a version without claims get their chat's key."""
        async with self.db.read() as conn:
            old = await inbox.without_key(conn, PLATFORM)
        keys: dict[int, str] = {}
        for update_id, body in old:
            try:
                keys[update_id] = chat_key(Update.de_json(body, self.bot))
            except Exception:
                keys[update_id] = "0"
        if keys:
            async with self.db.unit() as conn:
                await inbox.set_keys(conn, PLATFORM, keys)

    async def stop_claims(self, grace: float = 5.0) -> None:
        """At a stop: the lanes finish (up to ``grace`` seconds), and the chats this process
        still holds are let go for the others to take at once."""
        await self._claims.stop(grace)
        if self.holder is None:
            return
        try:
            async with self.db.unit() as conn:
                await inbox.release_all(conn, PLATFORM, self.holder)
        except Exception:
            log.warning("could not let go of the chats held; others take them after the lease")

    # Telling Telegram -----------------------------------------------------------------------
    async def set_webhook(self, url: str, secret: str, allowed: list[str]) -> bool:
        """Have Telegram post updates to ``url`` with ``secret``; False when it already does.
        Of processes starting together one tells Telegram while the others wait for it (no
        transaction is held while Telegram is asked)."""
        mark = fingerprint(url, secret, allowed)
        me = self.holder or new_holder()
        while True:
            now = wall_clock()
            async with self.db.unit() as conn:
                await inbox.lock_for(conn, WEBHOOK_KEY)
                current = await kv.get(conn, WEBHOOK_KEY)
                offset = await kv.get(conn, OFFSET_KEY)
                setting = (await kv.get(conn, SETTING_KEY) or "").split(" ")
                busy = (
                    len(setting) == 3
                    and setting[0] == mark
                    and setting[1] != me
                    and now - datetime.fromisoformat(setting[2]) < SETTING_FOR
                )
                if current != mark and not busy:
                    await kv.put(conn, SETTING_KEY, f"{mark} {me} {now.isoformat()}")
            if busy:  # another process is telling Telegram right now
                await asyncio.sleep(1.0)
                continue
            if current == mark:
                info = await self.bot.get_webhook_info()
                if info.url == url:
                    return False
            elif current is None:
                await self._confirm_polled(offset)
            break
        await self.bot.set_webhook(
            url, allowed_updates=allowed, drop_pending_updates=False, secret_token=secret
        )
        async with self.db.unit() as conn:
            await kv.put(conn, WEBHOOK_KEY, mark)
            await kv.delete(conn, SETTING_KEY)
        return True

    async def _confirm_polled(self, offset: str | None) -> None:
        """Coming from polling: the updates last fetched (kept in the inbox) are confirmed,
        so Telegram does not post them again."""
        if not offset:
            return
        with contextlib.suppress(Conflict):  # a webhook is set: nothing is fetched any more
            await self.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": int(offset), "limit": 1, "timeout": 0}
            )

    async def delete_webhook(self) -> None:
        """Back to polling: Telegram refuses getUpdates while a webhook is set."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        async with self.db.unit() as conn:
            await kv.delete(conn, WEBHOOK_KEY)

    async def forget_webhook(self) -> None:
        """At a start in polling mode: delete the webhook this bot set, if any."""
        async with self.db.read() as conn:
            mark = await kv.get(conn, WEBHOOK_KEY)
        if mark is None:
            return
        try:
            await self.delete_webhook()
            log.info("deleted the webhook set before, to poll")
        except Exception as exc:  # polling deletes it when getUpdates is refused
            log.warning("could not delete the webhook (%s)", type(exc).__name__)


def new_holder() -> str:
    """This process's name in the claims: host, pid, and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
