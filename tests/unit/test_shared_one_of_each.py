"""One of each (#13 point 5): a message, a writer or a list that every feature shares is
written once, in bot/shared/ (or the core), and the features use that one."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.shared.periods import WEEKDAYS
from bot.storage import menus
from bot.storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "bot").rglob("*.py"))
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _where(text: str) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in SOURCES if text in _string_constants(p)]


def test_the_stale_menu_message_is_written_once() -> None:
    assert _where("This menu is no longer active. Please start again from /help.") == [
        "bot/core/flows.py"
    ]


def test_the_period_picker_and_the_weekday_names_are_written_once() -> None:
    assert _where("For which period?") == ["bot/shared/pickers.py"]
    assert _where("This quarter") == ["bot/shared/pickers.py"]
    assert _where("Wednesday") == ["bot/shared/periods.py"]
    assert len(WEEKDAYS) == 7


def test_only_the_shared_cells_module_writes_csv() -> None:
    writers = [
        str(p.relative_to(ROOT)) for p in SOURCES if "csv.writer(" in p.read_text(encoding="utf-8")
    ]
    assert writers == ["bot/shared/cells.py"]


async def test_a_finished_flow_drops_only_its_own_menus(db: Database) -> None:
    later = NOW + timedelta(hours=1)
    async with db.unit() as conn:
        mine = await menus.create(
            conn, "telegram", "5", "7", ["rep:cat:1", "rep:cancel"], None, NOW, later
        )
        other_flow = await menus.create(conn, "telegram", "5", "7", ["ptl:rep:1"], None, NOW, later)
        other_person = await menus.create(
            conn, "telegram", "5", "8", ["rep:cat:1"], None, NOW, later
        )
        other_chat = await menus.create(conn, "telegram", "6", "7", ["rep:cat:1"], None, NOW, later)
        assert await menus.drop_for_flow(conn, "telegram", "5", "7", "rep:") == 1
        assert await menus.get(conn, mine) is None
        for kept in (other_flow, other_person, other_chat):
            assert await menus.get(conn, kept) is not None


def test_storage_imports_nothing_above_it() -> None:
    """Repositories import only the standard library, aiosqlite and other repositories: not a
    feature's model, not the shared chat pieces, not the core or a transport."""
    above = []
    for path in sorted((ROOT / "bot" / "storage").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            above += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith("bot") and not n.startswith("bot.storage")
            ]
    assert above == []
