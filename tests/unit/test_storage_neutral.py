"""No feature knows the database: only bot/storage talks to an engine's driver."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = ("aiosqlite", "sqlite3", "psycopg", "psycopg_pool")


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append(node.module or "")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return found


def test_only_storage_imports_a_database_driver() -> None:
    storage = ROOT / "bot" / "storage"
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for folder in (ROOT / "bot", ROOT / "scheduler")
        for path in sorted(folder.rglob("*.py"))
        if storage not in path.parents
        for name in _imports(path)
        if name.split(".")[0] in DRIVERS
    ]
    assert offenders == []
