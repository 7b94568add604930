"""``xomantoan households``: the household register from the command line: the import template
(XLSX or CSV, by the file's extension) and the import of a filled-in file into an area.

The import is the one the chat does (bot/features/pledges/households.py): every line is
checked first, bad lines
are listed with their line and reason, and nothing is written unless all are right (one
transaction); a second run of the same file changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.dispatcher import utc_now
from bot.core.richtext import plain
from bot.features.pledges import service
from bot.features.pledges.households import (
    problem_line,
    template,
)
from bot.i18n import Translator
from bot.storage import areas
from bot.storage.db import Database

COMMAND = "households"


class HouseholdsCliError(Exception):
    """A one-line answer for the person at the terminal."""


def add_parser(sub: Any, parents: list[Any] | None = None) -> None:
    parents = parents or []
    parser = sub.add_parser(
        COMMAND, parents=parents, help="the household register: import template, import"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    template = actions.add_parser(
        "template", parents=parents, help="write the import template (.xlsx or .csv)"
    )
    template.add_argument("path", type=Path)
    template.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")
    load = actions.add_parser(
        "import", parents=parents, help="import a filled-in register (.xlsx or .csv)"
    )
    load.add_argument("path", type=Path)
    load.add_argument("--area", required=True, help="area code, e.g. DONG")
    load.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")


def write_template(settings: Settings, args: argparse.Namespace) -> None:
    t = Translator(args.lang or settings.default_language)
    kind = "csv" if args.path.suffix.lower() == ".csv" else "xlsx"
    args.path.write_bytes(template(t, kind)[1])
    print(t.plain("Template written to {path}.", path=str(args.path)))


async def import_file(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    """Every line printed is in the run's language (``--lang``, else the bot's)."""
    t = Translator(args.lang or settings.default_language)
    try:
        data = args.path.read_bytes()
    except FileNotFoundError as exc:
        raise HouseholdsCliError(t.plain("{path}: no such file.", path=str(args.path))) from exc
    except OSError as exc:
        raise HouseholdsCliError(
            t.plain("{path} cannot be read (permissions?).", path=str(args.path))
        ) from exc
    now = utc_now()
    async with db.unit() as conn:
        area = await areas.by_code(conn, args.area)
        if area is None:
            raise HouseholdsCliError(
                t.plain("No area has the code {code} (see: xomantoan areas list).", code=args.area)
            )
        result = await service.import_register(
            conn, area, data, args.path.name, actor=None, now=now, source="cli"
        )
        if isinstance(result, list):
            lines = [plain(problem_line(t, p.line, p.reason, p.other_line)) for p in result]
            head = t._n(
                "Nothing imported: {count} line needs fixing",
                "Nothing imported: {count} lines need fixing",
                len(result),
            )
            raise HouseholdsCliError(plain(head) + "\n  " + "\n  ".join(lines))
    summary = t._n(
        "{area}: {added} added, {updated} updated, {unchanged} unchanged; the register now "
        "has {count} household.",
        "{area}: {added} added, {updated} updated, {unchanged} unchanged; the register now "
        "has {count} households.",
        result.total,
        area=area.code,
        added=result.added,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    print(plain(summary))
