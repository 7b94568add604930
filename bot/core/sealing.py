"""Sealed addresses: a chat address kept encrypted with a key that is not in the database.

An anonymous reporter stays reachable (the handler can write to them, they get the outcome)
while nothing in the database says who they are: the report keeps their chat address only
sealed (AES-256-GCM, ``cryptography``), the outbox holds that same sealed text as the message's
chat, and the delivery worker unseals it only for the one request that sends it. A copy of the
database without the key (``XOMANTOAN_SEAL_KEY``, or the key file beside the database) cannot
tell the chat; every seal has its own random nonce, so two seals of one address differ and
cannot be matched to each other either.

A sealed value is text, ``~s1.`` then URL-safe base64 of the nonce and the ciphertext, so it
fits the text columns where chat ids live (and never looks like a platform's id).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

PREFIX = "~s1."
_ASSOCIATED = b"xomantoan sealed address v1"
_NONCE = 12
KEY_BYTES = 32


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """A key as written in the setting (URL-safe base64 of 32 bytes); ValueError otherwise."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("is not URL-safe base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"must be {KEY_BYTES} bytes (44 characters of URL-safe base64)")
    return key


class Sealer:
    """Seals and unseals addresses with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a seal key has {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    @classmethod
    def random(cls) -> Sealer:
        """A key that lives only in this process (tests, and a config built without one)."""
        return cls(secrets.token_bytes(KEY_BYTES))

    def seal(self, address: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._aead.encrypt(nonce, address.encode("utf-8"), _ASSOCIATED)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, value: str) -> str | None:
        """The address, or None when ``value`` is not sealed with this key (or was changed)."""
        if not is_sealed(value):
            return None
        try:
            raw = base64.urlsafe_b64decode(value[len(PREFIX) :].encode("ascii"))
            opened = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], _ASSOCIATED)
        except (binascii.Error, InvalidTag, ValueError, UnicodeEncodeError):
            return None
        return opened.decode("utf-8")

    def names(self, value: str, address: str) -> bool:
        """Does ``value``, an address in clear or sealed with this key, name ``address``?"""
        return (self.unseal(value) if is_sealed(value) else value) == address

    def __repr__(self) -> str:  # never the key, in a log or a traceback
        return "Sealer(<key hidden>)"


def key_file_of(database: Path) -> Path:
    """Where the key is kept when no key is set: beside the database, readable by its owner."""
    return database.with_name(database.name + ".seal-key")


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``, made (mode 0600) on the first run. ValueError when the file does
    not hold a key, OSError when it cannot be read or made."""
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning(
                "the seal key file %s can be read by others (mode %o): run chmod 600 on it",
                path,
                mode,
            )
        return decode_key(path.read_text(encoding="ascii"))
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(encode_key(key) + "\n")
    log.info(
        "made a new seal key in %s: back it up, apart from the database's backups (without it,"
        " anonymous reporters can no longer be reached)",
        path,
    )
    return key
