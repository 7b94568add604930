"""Signed download links for files a platform cannot take as documents (Zalo).

A link is ``<root>/files/<id>.<expires>.<signature>``: a random id, the expiry (Unix seconds)
and an HMAC-SHA256 of both with a key kept in the database (made at first use). A link that
is forged, altered or past its time is refused before the database is asked; a good one
gives its file once (the content is then dropped), until it expires.

A photo sent to a Zalo chat (``sendPhoto`` takes a URL, which Zalo fetches) is a media link,
``<root>/media/<id>.<expires>.<signature>``: signed apart (a file's link is no media link, so
it cannot be fetched without using it up), and fetched as often as needed until it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.storage import downloads, kv
from bot.storage.db import Database

KEY_NAME = "downloads.key"
MEDIA = "media:"  # signed before a media link's payload


class Refusal(StrEnum):
    INVALID = "invalid"  # not a link this bot made (or altered)
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class File:
    filename: str
    content: bytes


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Links:
    def __init__(
        self,
        db: Database,
        root_url: str,
        hours: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.root_url = root_url.rstrip("/")
        self.lifetime = timedelta(hours=hours)
        self.clock = clock
        self._key: bytes | None = None

    async def _load_key(self) -> bytes:
        if self._key is None:
            async with self.db.unit() as conn:
                stored = await kv.get(conn, KEY_NAME)
                if stored is None:
                    stored = secrets.token_hex(32)
                    await kv.put(conn, KEY_NAME, stored)
            self._key = bytes.fromhex(stored)
        return self._key

    async def make(
        self,
        platform: str,
        person_id: str,
        filename: str,
        content: bytes,
        *,
        media: bool = False,
    ) -> Link:
        """A link to ``content`` for ``person_id`` (the chat, for a media link)."""
        key = await self._load_key()
        now = self.clock()
        expires = now + self.lifetime
        download_id = secrets.token_urlsafe(12)
        stamp = int(expires.timestamp())
        payload = f"{download_id}.{stamp}"
        async with self.db.unit() as conn:
            await downloads.purge(conn, now)
            await downloads.create(
                conn, download_id, platform, person_id, filename, content, now, expires
            )
        if media:
            return Link(f"{self.root_url}/media/{payload}.{_sign(key, MEDIA + payload)}", expires)
        return Link(f"{self.root_url}/files/{payload}.{_sign(key, payload)}", expires)

    async def check(self, token: str, *, media: bool = False) -> str | Refusal:
        """The download's id when ``token`` is signed (as a media link or a file's) and not
        past its time (the database is not asked), else why not."""
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return Refusal.INVALID
        download_id, stamp, signature = parts
        key = await self._load_key()
        signed = (MEDIA if media else "") + f"{download_id}.{stamp}"
        if not hmac.compare_digest(_sign(key, signed), signature):
            return Refusal.INVALID
        if datetime.fromtimestamp(int(stamp), UTC) <= self.clock():
            return Refusal.EXPIRED
        return download_id

    async def take(self, token: str) -> File | Refusal:
        """The file, once."""
        checked = await self.check(token)
        if isinstance(checked, Refusal):
            return checked
        async with self.db.unit() as conn:
            found = await downloads.take(conn, checked, self.clock())
            if found is None:
                row = await downloads.get(conn, checked)
        if found is not None:
            return File(*found)
        if row is None:
            return Refusal.EXPIRED  # purged after its time
        return Refusal.USED if row.used_at is not None else Refusal.EXPIRED

    async def media(self, token: str) -> File | Refusal:
        """A media link's photo, as often as it is fetched until it expires."""
        checked = await self.check(token, media=True)
        if isinstance(checked, Refusal):
            return checked
        async with self.db.read() as conn:
            found = await downloads.peek(conn, checked, self.clock())
        return File(*found) if found is not None else Refusal.EXPIRED
