"""Every SQLite migration past PostgreSQL's baseline has its PostgreSQL counterpart."""

from __future__ import annotations

from bot.storage import postgres
from bot.storage.db import migrations


def test_every_migration_has_its_postgresql_counterpart() -> None:
    pg = [n for n, _, _ in postgres.migrations()]
    baseline = pg[0]
    assert baseline == 22  # the schema of SQLite's 0001-0022 in one step
    missing = [name for n, name, _ in migrations() if n > baseline and n not in pg]
    assert missing == [], (
        f"write bot/storage/migrations/postgresql/NNNN_*.sql for {missing}"
        " (the same change in PostgreSQL's dialect)"
    )
    extra = [n for n in pg[1:] if n not in {n for n, _, _ in migrations()}]
    assert extra == []
