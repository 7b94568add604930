"""The README's command table ("Commands in the chat") says what the registry does: every
command is listed once with its Vietnamese alias, who may use it and where."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.permissions import EVERYONE, LEADERS, OFFICERS, Role
from bot.core.registry import Where
from bot.features import build_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def _table() -> list[tuple[list[str], list[str], str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Commands in the chat", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`/"):
            continue
        names = re.findall(r"`/([a-z]+)", cells[0])
        aliases = re.findall(r"`/([a-z]+)", cells[1])
        rows.append((names, aliases, cells[2], cells[3]))
    return rows


def _who(text: str) -> frozenset[Role]:
    if text.startswith(("everyone", "anyone", "residents")):
        return EVERYONE
    if text.startswith("leaders"):
        return LEADERS
    if text.startswith("officers"):
        return OFFICERS
    raise AssertionError(f"who is {text!r}?")


def _where(text: str) -> Where:
    if text == "anywhere":
        return Where.ANY
    if text.startswith("private"):
        # "/start: private (in a group: a button ...)" and "private (a live patrol also in the
        # area's group)" are commands that answer in groups too.
        both = "also in" in text or text.startswith("private (in a group")
        return Where.ANY if both else Where.PRIVATE
    if "group" in text:
        return Where.GROUP
    raise AssertionError(f"where is {text!r}?")


def test_every_command_is_in_the_readme_as_the_registry_declares_it() -> None:
    rows = _table()
    registry = build_registry()
    listed: dict[str, tuple[str, frozenset[Role], Where]] = {}
    for names, aliases, who, where in rows:
        assert len(names) == len(aliases), (names, aliases)
        for name, alias in zip(names, aliases, strict=True):
            assert name not in listed, f"/{name} is listed twice"
            listed[name] = (alias, _who(who), _where(where))
    declared = {c.name: c for c in registry.commands}
    # Every command in the menus is listed; a hidden one (named in a notice) may be listed too.
    assert sorted(n for n, c in declared.items() if c.in_menu) == sorted(
        n for n in listed if declared[n].in_menu
    )
    assert set(listed) <= set(declared)
    for name, (alias, roles, where) in listed.items():
        command = declared[name]
        assert alias == command.alias, name
        assert roles == command.roles, (name, sorted(command.roles))
        assert where == command.where, (name, command.where)
