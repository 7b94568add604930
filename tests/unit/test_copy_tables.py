"""Every table of the schema is either copied by ``xomantoan copy`` or left behind on purpose
(bot/storage/copy_tables.py): a new table cannot be forgotten by the copy."""

from __future__ import annotations

from pathlib import Path

from bot.storage.copy_tables import NOT_COPIED, TABLES
from bot.storage.db import Database


async def test_every_table_is_copied_or_left_behind_on_purpose(tmp_path: Path) -> None:
    db = await Database.open_sqlite(tmp_path / "x.sqlite3")
    async with db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    await db.close()
    decided = {t.name for t in TABLES} | set(NOT_COPIED)
    assert {r[0] for r in rows} - {"schema_version"} <= decided
    assert {r[0] for r in rows} | {"schema_version"} >= decided
