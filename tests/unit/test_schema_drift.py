"""The two migration sets build the same schema: a fresh SQLite database and a fresh PostgreSQL
one have the same tables, columns (names, nullability, defaults), keys, references (with what a
deletion does) and indexes (columns, unique, partial), but for the
few differences listed here on purpose. (Each SQLite migration past the baseline has its
PostgreSQL twin: tests/unit/test_postgresql_migrations.py; this checks that they agree.)"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.storage.db import Database
from tests.postgresql import Cluster

# Database.open before the PostgreSQL run points it at PostgreSQL (tests/postgresql.py).
open_sqlite = Database.open

# Intended differences, each with its reason.
ONLY_POSTGRESQL_TABLES = {
    "schema_version": "SQLite keeps the schema version in PRAGMA user_version",
}
ONLY_POSTGRESQL_COLUMNS = {
    ("menus", "rowid"): "SQLite's implicit rowid, made a column (insertion order)",
    ("conversations", "rowid"): "SQLite's implicit rowid, made a column (insertion order)",
    ("seen_messages", "rowid"): "SQLite's implicit rowid, made a column (the purge's windows)",
}
# (and those rowid columns are UNIQUE: SQLite's rowid is the table's own key)
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@pytest.fixture
def cluster(pg_cluster: Cluster | None) -> Iterator[Cluster]:
    """The PostgreSQL run's server, or one of this test's own on the SQLite run (so that the
    comparison runs in both)."""
    if pg_cluster is not None:
        yield pg_cluster
        return
    own = Cluster()
    try:
        own.start()
        yield own
    finally:
        own.stop()


def _default(text: str | None) -> str | None:
    """A column default as both engines can be compared: without PostgreSQL's casts and the
    brackets around it."""
    if text is None:
        return None
    value = re.sub(r"::[a-z ]+(\[\])?", "", text.strip())
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return value


Schema = dict[str, Any]


def sqlite_schema(path: Path) -> Schema:
    raw = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        columns, keys, indexes = {}, {}, {}
        for table in tables:
            for _, name, _, notnull, default, pk in raw.execute(f"PRAGMA table_info({table})"):
                columns[(table, name)] = (bool(notnull or pk), _default(default))
            primary = [
                r[1]
                for r in sorted(raw.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5])
                if r[5]
            ]
            keys[(table, "primary", tuple(primary))] = True
            for _, name, unique, origin, partial in raw.execute(f"PRAGMA index_list({table})"):
                cols = tuple(
                    r[2] if r[1] >= 0 else "<expr>"
                    for r in raw.execute(f"PRAGMA index_xinfo({name})")
                    if r[5]  # key columns only
                )
                if origin == "u":
                    keys[(table, "unique", cols)] = True
                elif origin == "c":
                    indexes[name] = (table, cols, bool(unique), bool(partial))
        references = {}
        for table in tables:
            found: dict[int, list[Any]] = {}
            for number, _, target, source, column, _, on_delete, _ in raw.execute(
                f"PRAGMA foreign_key_list({table})"
            ):
                found.setdefault(number, []).append((target, source, column, on_delete))
            for parts in found.values():
                target = parts[0][0]
                to = tuple(c or "id" for _, _, c, _ in parts)  # the target's key when unnamed
                source = tuple(s for _, s, _, _ in parts)
                references[(table, source, target, to, parts[0][3])] = True
        return {
            "tables": set(tables),
            "columns": columns,
            "keys": keys,
            "indexes": indexes,
            "references": references,
        }
    finally:
        raw.close()


def postgresql_schema(url: str) -> Schema:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        }
        columns = {
            (table, name): (nullable == "NO", _default(default))
            for table, name, nullable, default in conn.execute(
                "SELECT table_name, column_name, is_nullable, column_default"
                " FROM information_schema.columns WHERE table_schema = 'public'"
            )
        }
        keys = {
            (table, "primary" if kind == "p" else "unique", tuple(cols)): True
            for table, kind, cols in conn.execute(
                "SELECT t.relname, c.contype, ARRAY(SELECT a.attname FROM unnest(c.conkey)"
                "  WITH ORDINALITY AS k(n, i) JOIN pg_attribute a ON a.attrelid = t.oid"
                "  AND a.attnum = k.n ORDER BY k.i)"
                " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                " JOIN pg_namespace s ON s.oid = t.relnamespace"
                " WHERE s.nspname = 'public' AND c.contype IN ('p', 'u')"
            )
        }
        indexes = {
            name: (table, tuple(cols), unique, partial)
            for name, table, unique, partial, cols in conn.execute(
                "SELECT i.relname, t.relname, x.indisunique, x.indpred IS NOT NULL,"
                " ARRAY(SELECT CASE WHEN k.n = 0 THEN '<expr>' ELSE (SELECT a.attname"
                "   FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = k.n) END"
                "  FROM unnest(CAST(x.indkey AS int2[])) WITH ORDINALITY AS k(n, i) ORDER BY k.i)"
                " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_class t ON t.oid = x.indrelid"
                " JOIN pg_namespace s ON s.oid = t.relnamespace"
                " WHERE s.nspname = 'public' AND NOT EXISTS"
                "  (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            )
        }
        references = {
            (table, tuple(source), target, tuple(to), ON_DELETE[on_delete]): True
            for table, source, target, to, on_delete in conn.execute(
                "SELECT t.relname, ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY"
                "  AS k(n, i) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n"
                "  ORDER BY k.i), f.relname, ARRAY(SELECT a.attname FROM unnest(c.confkey)"
                "  WITH ORDINALITY AS k(n, i) JOIN pg_attribute a ON a.attrelid = f.oid"
                "  AND a.attnum = k.n ORDER BY k.i), c.confdeltype"
                " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                " JOIN pg_class f ON f.oid = c.confrelid"
                " JOIN pg_namespace s ON s.oid = t.relnamespace"
                " WHERE s.nspname = 'public' AND c.contype = 'f'"
            )
        }
    # A table without a primary key of its own has none on SQLite's side either.
    for table in tables:
        if not any(k[0] == table and k[1] == "primary" for k in keys):
            keys[(table, "primary", ())] = True
    return {
        "tables": tables,
        "columns": columns,
        "keys": keys,
        "indexes": indexes,
        "references": references,
    }


async def test_both_engines_build_the_same_schema(tmp_path: Path, cluster: Cluster) -> None:
    path = tmp_path / "fresh.sqlite3"
    db = await open_sqlite(path)  # type: ignore[call-arg]
    await db.close()
    lite = sqlite_schema(path)

    name = "drift"
    cluster.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    cluster.admin(f"CREATE DATABASE {name}")
    try:
        from bot.storage.pg_database import PostgresDatabase

        pg_db = await PostgresDatabase.open_postgresql(cluster.url(name))
        await pg_db.close()
        pg = postgresql_schema(cluster.url(name))
    finally:
        cluster.drop(name)

    assert sorted(pg["tables"] - lite["tables"]) == sorted(ONLY_POSTGRESQL_TABLES)
    assert sorted(lite["tables"] - pg["tables"]) == []

    pg_columns = {
        k: v
        for k, v in pg["columns"].items()
        if k not in ONLY_POSTGRESQL_COLUMNS and k[0] not in ONLY_POSTGRESQL_TABLES
    }
    assert sorted(set(pg_columns) - set(lite["columns"])) == []
    assert sorted(set(lite["columns"]) - set(pg_columns)) == []
    nullability = {
        column: (lite["columns"][column][0], pg_columns[column][0])
        for column in lite["columns"]
        if lite["columns"][column][0] != pg_columns[column][0]
    }
    assert nullability == {}, "NOT NULL on one engine only: (SQLite, PostgreSQL)"
    defaults = {
        column: (lite["columns"][column][1], pg_columns[column][1])
        for column in lite["columns"]
        if lite["columns"][column][1] != pg_columns[column][1]
    }
    assert defaults == {}, "a column's default differs: (SQLite, PostgreSQL)"

    pg_keys = {k for k in pg["keys"] if k[0] not in ONLY_POSTGRESQL_TABLES}
    pg_keys -= {(t, "unique", (c,)) for t, c in ONLY_POSTGRESQL_COLUMNS}
    assert sorted(pg_keys - set(lite["keys"])) == []
    assert sorted(set(lite["keys"]) - pg_keys) == []

    assert sorted(set(pg["references"]) - set(lite["references"])) == []
    assert sorted(set(lite["references"]) - set(pg["references"])) == []

    pg_indexes = pg["indexes"]
    assert sorted(set(pg_indexes) - set(lite["indexes"])) == []
    assert sorted(set(lite["indexes"]) - set(pg_indexes)) == []
    different = {
        index: (lite["indexes"][index], pg_indexes[index])
        for index in lite["indexes"]
        if lite["indexes"][index] != pg_indexes[index]
    }
    assert different == {}, "an index differs: (table, columns, unique, partial) per engine"
