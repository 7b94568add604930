"""Sealed addresses: what is sealed opens only with the same key, every seal differs, and a
changed or foreign value opens to nothing. The key comes from the settings or from a key file
made once beside the database, readable only by its owner."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.core.sealing import Sealer, encode_key, is_sealed, key_file_of


def test_a_sealed_address_opens_with_its_key_only() -> None:
    sealer, other = Sealer.random(), Sealer.random()
    sealed = sealer.seal("7654321")
    assert is_sealed(sealed) and "7654321" not in sealed
    assert sealer.unseal(sealed) == "7654321"
    assert other.unseal(sealed) is None  # a wrong key opens nothing
    assert sealer.seal("7654321") != sealed  # a fresh nonce each time: seals cannot be matched


def test_a_changed_or_foreign_value_opens_to_nothing() -> None:
    sealer = Sealer.random()
    sealed = sealer.seal("7654321")
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    assert sealer.unseal(flipped) is None
    assert sealer.unseal("7654321") is None  # a plain chat id is not sealed
    assert sealer.unseal("~s1.not base64!") is None
    assert repr(sealer) == "Sealer(<key hidden>)"


def test_the_key_from_the_settings_or_a_private_file(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    key = bytes(range(32))
    settings = load_settings(database=database, seal_key=encode_key(key))
    assert Sealer(key).unseal(settings.sealer().seal("42")) == "42"
    assert encode_key(key) in settings.secrets  # never logged
    assert not key_file_of(database).exists()

    filed = load_settings(database=database)
    first = filed.sealer().seal("42")
    path = key_file_of(database)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert filed.sealer().unseal(first) == "42"  # the same key at the next start

    with pytest.raises(SettingsError, match="SEAL_KEY"):
        load_settings(database=database, seal_key="too-short")


def test_on_postgresql_the_key_must_be_set() -> None:
    """A PostgreSQL database has no file to keep the key beside (and every bot process on it
    needs the same key): without the setting the bot refuses to start, saying which."""
    url = "postgresql://bot@db.example/province"
    with pytest.raises(SettingsError, match=r"SEAL_KEY.*PostgreSQL"):
        load_settings(database=url).sealer()
    key = bytes(range(32))
    sealed = load_settings(database=url, seal_key=encode_key(key)).sealer().seal("42")
    assert Sealer(key).unseal(sealed) == "42"


def test_a_broken_or_open_key_file_is_said_clearly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.sqlite3"
    path = key_file_of(database)
    path.write_text("not a key\n", encoding="ascii")
    path.chmod(0o600)
    with pytest.raises(SettingsError, match=r"seal key file .*bot\.sqlite3\.seal-key"):
        load_settings(database=database).sealer()

    path.write_text(encode_key(bytes(range(32))) + "\n", encoding="ascii")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        sealer = load_settings(database=database).sealer()
    assert Sealer(bytes(range(32))).unseal(sealer.seal("42")) == "42"
    assert "can be read by others" in caplog.text
    assert encode_key(bytes(range(32))) not in caplog.text
