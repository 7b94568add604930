"""The Telegram transport's HTTP requests do not search sys.path for a module that is not
installed: httpcore tries `import sniffio` on every request."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
import bot.transports.telegram
from httpcore._synchronization import current_async_library

looked_up = []

class Recorder:
    def find_spec(self, name, path=None, target=None):
        looked_up.append(name)
        return None

sys.meta_path.insert(0, Recorder())
assert [current_async_library() for _ in range(3)] == ["asyncio"] * 3
print(looked_up.count("sniffio"))
"""


def test_requests_do_not_search_for_a_missing_module_again() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["0"]


# Only bot/transports knows a chat platform (issue #13) ----------------------------------------
BOT = Path(__file__).resolve().parents[2] / "bot"
TRANSPORTS = BOT / "transports"
CHAT_LIBRARIES = {"telegram", "aiogram", "pyrogram", "telethon", "zalo", "zlapi"}
PLATFORM_NAMES = {"telegram", "zalo"}  # named nowhere outside the transports
COMPARED_NAMES = PLATFORM_NAMES | {"console"}  # nothing is decided on the platform's name
PLATFORM_URLS = ("t.me/", "tg://", "telegram.me", "zalo.me")


def _modules(outside_transports: bool) -> list[Path]:
    return [
        p
        for p in sorted(BOT.rglob("*.py"))
        if not outside_transports or TRANSPORTS not in p.parents
    ]


def _is_platform_id(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name == "id" or name.endswith(("chat_id", "user_id"))


def test_no_module_outside_transports_knows_a_chat_platform() -> None:
    found: list[str] = []
    for path in _modules(outside_transports=True):
        where = path.relative_to(BOT.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            found += [
                f"{where}:{node.lineno} imports {n}"
                for n in names
                if n.split(".")[0] in CHAT_LIBRARIES
            ]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.lower() in PLATFORM_NAMES:
                    found.append(f"{where}:{node.lineno} names the platform {node.value!r}")
                if any(url in node.value for url in PLATFORM_URLS):
                    found.append(f"{where}:{node.lineno} builds a platform URL")
            if isinstance(node, ast.Compare) and "platform" in ast.unparse(node):
                found += [
                    f"{where}:{node.lineno} checks the platform {c.value!r}"
                    for side in (node.left, *node.comparators)
                    for c in ast.walk(side)
                    if isinstance(c, ast.Constant) and c.value in COMPARED_NAMES
                ]
    assert found == []


def test_no_module_tells_a_group_from_the_sign_of_an_id() -> None:
    found = []
    for path in _modules(outside_transports=False):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Compare)
                and _is_platform_id(node.left)
                and any(isinstance(op, ast.Lt | ast.Gt | ast.LtE | ast.GtE) for op in node.ops)
            ):
                found.append(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    assert found == []
