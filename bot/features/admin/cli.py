"""``xomantoan communes`` (add, list) and the import of what communes already have:
``xomantoan areas template|import`` (areas with household counts and past years' ratings; the
same use case as the chat's, bot/features/admin/records_service.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.dispatcher import utc_now
from bot.core.richtext import plain
from bot.features.admin import records
from bot.features.admin.records_service import import_records
from bot.i18n import Translator
from bot.shared.text import check_label
from bot.storage import communes
from bot.storage.db import Database

COMMAND = "communes"


class AdminCliError(Exception):
    """A one-line answer for the person at the terminal."""


def add_parser(sub: Any, parents: list[Any] | None = None) -> None:
    parents = parents or []
    parser = sub.add_parser(
        COMMAND, parents=parents, help="the communes of a province-wide deployment: add, list"
    )
    actions = parser.add_subparsers(dest="action")
    actions.add_parser("list", parents=parents)
    add = actions.add_parser("add", parents=parents)
    add.add_argument("code", help="short code, letters and digits, e.g. NGASON")
    add.add_argument("name", help="e.g. 'Xã Nga Sơn'")
    rename = actions.add_parser("rename", parents=parents)
    rename.add_argument("code")
    rename.add_argument("name")


def add_area_actions(area_sub: Any, parents: list[Any]) -> None:
    """``areas template PATH`` and ``areas import PATH``, beside ``areas add|set|list``."""
    template = area_sub.add_parser(
        "template",
        parents=parents,
        help="write the template of areas and past ratings to import (.xlsx or .csv)",
    )
    template.add_argument("path", type=Path)
    template.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")
    load = area_sub.add_parser(
        "import", parents=parents, help="import areas, households and past ratings (.xlsx/.csv)"
    )
    load.add_argument("path", type=Path)
    load.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")


def _this_year(settings: Settings) -> int:
    return utc_now().astimezone(settings.tz).year


async def run_communes(db: Database, args: argparse.Namespace) -> None:
    now = utc_now()
    async with db.unit() as conn:
        if args.action in ("add", "rename"):
            code = records.check_code(args.code)
            if code is None:
                raise AdminCliError("the commune code must be letters and digits, at most 20")
            name = check_label(args.name, minimum=2, maximum=80, digits_count=True)
            if not isinstance(name, str):
                raise AdminCliError("the commune's name must be 2 to 80 characters")
            found = await communes.by_code(conn, code)
            if args.action == "add":
                if found is not None:
                    raise AdminCliError(f"commune {code} exists already")
                await communes.add(conn, code, name, now)
                print(f"added commune {code}: {name}")
            else:
                if found is None:
                    raise AdminCliError(f"no commune with code {code} (see: xomantoan communes)")
                await communes.rename(conn, found.id, name)
                print(f"{code} is now named {name}")
        listed = await communes.with_counts(conn)
    if args.action in (None, "list"):
        if not listed:
            print("no communes yet: add one with  xomantoan communes add CODE 'Name'")
        for item in listed:
            households = "-" if item.households is None else str(item.households)
            name = item.commune.name or "(the deployment's commune)"
            print(
                f"{item.commune.code:<12} {item.areas:>5} areas {households:>8} households  {name}"
            )


def write_template(settings: Settings, args: argparse.Namespace) -> None:
    t = Translator(args.lang or settings.default_language)
    kind = "csv" if args.path.suffix.lower() == ".csv" else "xlsx"
    args.path.write_bytes(records.template(t, kind, _this_year(settings))[1])
    print(t.plain("Template written to {path}.", path=str(args.path)))


async def import_file(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    """Every line printed is in the run's language (``--lang``, else the bot's)."""
    t = Translator(args.lang or settings.default_language)
    try:
        data = args.path.read_bytes()
    except FileNotFoundError as exc:
        raise AdminCliError(t.plain("{path}: no such file.", path=str(args.path))) from exc
    except OSError as exc:
        raise AdminCliError(
            t.plain("{path} cannot be read (permissions?).", path=str(args.path))
        ) from exc
    async with db.unit() as conn:
        result = await import_records(
            conn,
            data,
            args.path.name,
            this_year=_this_year(settings),
            actor=None,
            now=utc_now(),
            source="cli",
        )
        if isinstance(result, list):
            lines = [plain(records.problem_line(t, p)) for p in result]
            head = t._n(
                "Nothing imported: {count} line needs fixing",
                "Nothing imported: {count} lines need fixing",
                len(result),
            )
            raise AdminCliError(plain(head) + "\n  " + "\n  ".join(lines))
    years = f" ({result.years[0]}-{result.years[-1]})" if result.years else ""
    print(
        t.plain(
            "Communes added: {communes}. Areas: {added} added, {updated} updated, {unchanged} "
            "unchanged. Ratings{years}: {recorded} recorded, {kept} already there.",
            communes=result.communes_added,
            added=result.areas_added,
            updated=result.areas_updated,
            unchanged=result.areas_unchanged,
            years=years,
            recorded=result.results_added,
            kept=result.results_unchanged,
        )
    )
