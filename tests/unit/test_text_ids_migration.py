"""Migration 0015 (ids as text) on a database made by the release before it: every row kept,
only the id columns' type changed, every index, UNIQUE constraint and foreign key kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.storage import db as storage_db
from bot.storage.db import Database, IntegrityError

pytestmark = pytest.mark.sqlite_only(reason="SQLite's table rebuilds of migration 0015")

RELEASE_DB = Path(__file__).parent.parent / "fixtures" / "release_0014.sqlite3"
# Columns that keep a platform's id of a person or a chat: INTEGER before, TEXT after.
ID_COLUMNS = {
    ("members", "user_id"),
    ("chats", "chat_id"),
    ("conversations", "chat_id"),
    ("conversations", "user_id"),
    ("menus", "chat_id"),
    ("menus", "user_id"),
    ("outbox", "chat_id"),
    ("chat_migrations", "old_chat_id"),
    ("chat_migrations", "new_chat_id"),
    ("pledge_boards", "chat_id"),
}


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]


def _shape(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every table's columns (types aside), indexes with their columns and conditions, and
    foreign keys."""
    shape: dict[str, Any] = {}
    for table in _tables(conn):
        columns = [
            (name, notnull, default, pk)
            for _, name, _, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})")
        ]
        indexes = []
        for _, name, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
            cols = [r[2] for r in conn.execute(f"PRAGMA index_info('{name}')")]
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            where = sql[0].partition(" WHERE ")[2] if sql and sql[0] else ""
            label = name if origin == "c" else origin  # automatic indexes: by what made them
            indexes.append((label, unique, cols, partial, where))
        keys = sorted(tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({table})"))
        shape[table] = (columns, sorted(indexes), keys)
    return shape


def _types(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    return {
        (table, r[1]): r[2]
        for table in _tables(conn)
        for r in conn.execute(f"PRAGMA table_info({table})")
    }


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table in _tables(conn):
        names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        found[table] = sorted(
            (
                tuple(str(v) if v is not None else None for v in row)
                for row in conn.execute(f"SELECT {', '.join(names)} FROM {table}")
            ),
            key=repr,
        )
    return found


@pytest.fixture(autouse=True)
def _only_up_to_0015(monkeypatch: pytest.MonkeyPatch) -> None:
    """Later migrations may change these tables again: here the upgrade stops at 0015."""
    shipped = storage_db.migrations()
    monkeypatch.setattr(storage_db, "migrations", lambda: [m for m in shipped if m[0] <= 15])


async def _upgrade(path: Path) -> None:
    db = await Database.open(path)
    assert await db.schema_version() == 15
    await db.close()


async def test_upgrade_keeps_every_row_index_and_key_and_changes_only_id_types(
    tmp_path: Path,
) -> None:
    path = tmp_path / "release.sqlite3"
    shutil.copyfile(RELEASE_DB, path)
    raw = sqlite3.connect(path)
    shape, types, rows = _shape(raw), _types(raw), _rows(raw)
    raw.close()
    assert all(types[c] == "INTEGER" for c in ID_COLUMNS)

    await _upgrade(path)

    raw = sqlite3.connect(path)
    try:
        upgraded = _shape(raw)
        assert {t: upgraded[t] for t in shape} == shape
        after = _types(raw)
        assert {c for c in types if after[c] != types[c]} == ID_COLUMNS
        assert all(after[c] == "TEXT" for c in ID_COLUMNS)
        assert {t: v for t, v in _rows(raw).items() if t in rows} == rows  # ids as text
        for table, column in ID_COLUMNS:
            kinds = raw.execute(f"SELECT DISTINCT typeof({column}) FROM {table}").fetchall()
            assert set(kinds) <= {("text",), ("null",)}, (table, column)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        raw.close()


async def test_upgrade_that_would_leave_rows_pointing_nowhere_is_not_applied(
    tmp_path: Path,
) -> None:
    path = tmp_path / "broken.sqlite3"
    shutil.copyfile(RELEASE_DB, path)
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO roles (member_id, role, granted_at) VALUES (999, 'officer', '')")
    raw.commit()
    raw.close()
    with pytest.raises(IntegrityError, match="point nowhere"):
        await _upgrade(path)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 14
        assert raw.execute("SELECT typeof(user_id) FROM members LIMIT 1").fetchone() == ("integer",)
    finally:
        raw.close()
