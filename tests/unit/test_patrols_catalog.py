"""Every message id of the patrol feature has a Vietnamese translation with the same
placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *sorted((ROOT / "bot" / "features" / "patrols").glob("*.py")),
    ROOT / "bot" / "shared" / "periods.py",
]
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


def _ids() -> tuple[set[str], set[tuple[str, str]]]:
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            first = node.args[0]
            if name in ("_", "plain", "N_") and isinstance(first, ast.Constant):
                singles.add(str(first.value))
            elif name == "_n" and isinstance(node.args[1], ast.Constant):
                plurals.add((str(first.value), str(node.args[1].value)))  # type: ignore[attr-defined]
    return singles, plurals


def test_every_patrol_message_is_translated_to_vietnamese() -> None:
    translations: dict[object, object] = {}
    for po in sorted((ROOT / "locales" / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale="vi"):
                if message.id and message.string:
                    key = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
                    translations.setdefault(key, message.string)
    singles, plurals = _ids()
    missing = [s for s in singles if s not in translations]
    assert not missing
    for single in singles:
        assert set(PLACEHOLDER.findall(single)) == set(
            PLACEHOLDER.findall(str(translations[single]))
        )
    for plural in plurals:
        assert plural in translations
        forms = translations[plural]
        text = forms[0] if isinstance(forms, tuple | list) else str(forms)
        assert set(PLACEHOLDER.findall(plural[1])) == set(PLACEHOLDER.findall(str(text)))
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "patrols.po").open("rb") as handle:
        assert len(list(read_po(handle, locale="en"))) > 100
