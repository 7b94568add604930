"""The ``xomantoan`` command line: run, console, migrate, backup, grant, revoke, areas (and
their import with past ratings), communes (see bot/features/admin/cli.py), the
figures (stats, export, summary, rating: see bot/features/figures/cli.py) and the household register
(template, import: see bot/features/pledges/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import (
    DEMO_DATABASE,
    Settings,
    SettingsError,
    check_database_path,
    database_setting,
    load_settings,
)
from bot.core.dispatcher import utc_now
from bot.features.admin import cli as cli_admin
from bot.features.admin import cli_copy
from bot.features.figures import cli as cli_figures
from bot.features.pledges import cli as cli_households
from bot.logging_setup import setup_logging
from bot.storage import areas, audit, communes, members, roles
from bot.storage.db import Database, DatabaseError, SchemaTooNewError
from bot.storage.lock import LockError
from bot.transports.platforms import telegram_person, zalo_person


def _parser() -> argparse.ArgumentParser:
    # --database is accepted before or after the command's name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database",
        type=database_setting,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="the SQLite file, or postgresql://... (default: XOMANTOAN_DATABASE, else "
        "./xomantoan.sqlite3; for run and console without a token: the demo database)",
    )
    parents = [common]
    parser = argparse.ArgumentParser(
        prog="xomantoan", description="Xóm An Toàn safety bot", parents=parents
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run", parents=parents, help="run on Telegram, or the console demo when no token is set"
    )
    sub.add_parser("console", parents=parents, help="chat with the bot in this terminal")
    sub.add_parser("migrate", parents=parents, help="bring the database schema up to date")
    backup = sub.add_parser("backup", parents=parents, help="copy the live database safely")
    backup.add_argument("path", type=Path)
    for name in ("grant", "revoke"):
        cmd = sub.add_parser(name, parents=parents, help=f"{name} a role for a Telegram user")
        who = cmd.add_mutually_exclusive_group(required=True)
        who.add_argument("--telegram-id", type=int, help="the person's Telegram user id")
        who.add_argument("--zalo-id", help="the person's Zalo id (as /dulieucuatoi shows it)")
        choices = ["officer", "leader", "admin"] + (["resident"] if name == "grant" else [])
        cmd.add_argument("--role", choices=choices, required=True)
        cmd.add_argument("--area", help="area code (for leader)")
        cmd.add_argument(
            "--commune", help="commune code (for an officer of one commune; default: all)"
        )
    area = sub.add_parser(
        "areas", parents=parents, help="list or add residential areas, import them with ratings"
    )
    area_sub = area.add_subparsers(dest="action")
    area_sub.add_parser("list", parents=parents)
    add = area_sub.add_parser("add", parents=parents)
    add.add_argument("code", help="short code, letters and digits, e.g. THON1")
    add.add_argument("name", help="e.g. 'Thôn Đông'")
    add.add_argument("--households", type=int, help="number of resident households")
    add.add_argument("--commune", help="commune code (needed once there are several)")
    setter = area_sub.add_parser("set", parents=parents)
    setter.add_argument("code")
    setter.add_argument("--households", type=int, required=True)
    cli_admin.add_area_actions(area_sub, parents)
    cli_admin.add_parser(sub, parents=parents)
    cli_copy.add_parser(sub, parents=parents)
    cli_figures.add_parsers(sub, parents=parents)
    cli_households.add_parser(sub, parents=parents)
    return parser


class CliError(Exception):
    """A one-line answer for the person at the terminal."""


def _person(args: argparse.Namespace) -> tuple[str, str]:
    if args.zalo_id is not None:
        if not args.zalo_id.strip() or not args.zalo_id.strip().isalnum():
            raise CliError("--zalo-id is the id /dulieucuatoi shows (letters and digits)")
        return zalo_person(args.zalo_id.strip())
    return telegram_person(args.telegram_id)


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[None]]) -> None:
    check_database_path(settings.database)
    db = await Database.open(settings.database)
    try:
        await work(db)
    finally:
        await db.close()


def existing_database(path: Path | str) -> Path | str:
    """A command that only reads never creates a database: say which file was looked for (and
    where the console demo's database is, if there is one) instead."""
    if not isinstance(path, Path) or path.is_file():
        return path
    where = path.expanduser().absolute()
    message = f"no database at {where}"
    demo = DEMO_DATABASE.absolute()
    if demo.is_file() and demo != where:
        message += f"; the console demo's database is {demo} (add: --database {DEMO_DATABASE})"
    else:
        message += " (set XOMANTOAN_DATABASE in .env, or add: --database FILE)"
    raise CliError(message)


async def _reading(settings: Settings, work: Callable[[Database], Awaitable[None]]) -> None:
    db = await Database.open(existing_database(settings.database))
    try:
        await work(db)
    finally:
        await db.close()


async def _migrate(db: Database) -> None:
    print(f"database {db.path} is at schema version {await db.schema_version()}")


async def _grant(
    db: Database,
    person: tuple[str, str],
    role: str,
    area_code: str | None,
    revoke: bool,
    commune_code: str | None = None,
) -> None:
    platform, user_id = person
    label = f"{platform.capitalize()} user {user_id}"
    now = utc_now()
    async with db.unit() as conn:
        commune = None
        if commune_code is not None:
            if role != "officer":
                raise CliError("--commune is for an officer of one commune")
            commune = await communes.by_code(conn, commune_code)
            if commune is None:
                raise CliError(f"no commune with code {commune_code} (see: xomantoan communes)")
        area = None
        if role == "leader":
            if not area_code:
                raise CliError("a leader needs --area CODE")
            area = await areas.by_code(conn, area_code)
            if area is None:
                raise CliError(f"no area with code {area_code} (see: xomantoan areas list)")
        member = await members.ensure(conn, platform, user_id, now)
        if role == "resident":  # back to a plain resident: every elevated role goes
            for held in await roles.of_member(conn, member.id):
                await roles.revoke(conn, member.id, held.role, held.area_id, held.commune_id)
                await audit.record(
                    conn, now, None, "role.revoked", "member", member.id, role=held.role, via="cli"
                )
            print(f"{label} is now a resident only")
            return
        area_id = area.id if area else None
        commune_id = commune.id if commune else None
        if revoke:
            changed = await roles.revoke(conn, member.id, role, area_id, commune_id)
        else:
            changed = await roles.grant(conn, member.id, role, area_id, None, now, commune_id)
        if changed:
            await audit.record(
                conn,
                now,
                None,
                "role.revoked" if revoke else "role.granted",
                "member",
                member.id,
                role=role,
                area=area.code if area else None,
                via="cli",
                **({"commune": commune.code} if commune else {}),
            )
    where = f" of {area.name}" if area else (f" of {commune.code}" if commune else "")
    verb = "no longer" if revoke else "now"
    note = "" if changed else " (no change)"
    print(f"{label} is {verb} {role}{where}{note}")


async def _areas(db: Database, args: argparse.Namespace) -> None:
    now = utc_now()
    async with db.unit() as conn:
        if args.action == "add":
            code = args.code.upper()
            if not code.isalnum() or len(code) > 20:
                raise CliError("the area code must be letters and digits, at most 20")
            if await areas.by_code(conn, code):
                raise CliError(f"area {code} exists already")
            if args.households is not None and args.households < 0:
                raise CliError("--households cannot be negative")
            commune_id = None
            if args.commune:
                commune = await communes.by_code(conn, args.commune)
                if commune is None:
                    raise CliError(f"no commune with code {args.commune} (see: xomantoan communes)")
                commune_id = commune.id
            elif await communes.count(conn) > 1:
                raise CliError("there are several communes: add --commune CODE")
            await areas.add(conn, code, args.name.strip(), args.households, now, commune_id)
            print(f"added area {code}: {args.name}")
        elif args.action == "set":
            area = await areas.by_code(conn, args.code)
            if area is None:
                raise CliError(f"no area with code {args.code}")
            if args.households < 0:
                raise CliError("--households cannot be negative")
            await areas.set_households(conn, area.id, args.households)
            print(f"{area.code}: {args.households} households")
        listed = await areas.list_areas(conn)
    if args.action in (None, "list"):
        if not listed:
            print("no areas yet: add one with  xomantoan areas add CODE 'Name' --households N")
        for item in listed:
            households = "-" if item.households is None else str(item.households)
            print(f"{item.code:<12} {households:>6}  {item.name}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.secrets)
        chosen: Path | str | None = getattr(args, "database", None)
        if chosen is not None:
            settings = settings.model_copy(update={"database": chosen})
        if args.command == "run" and (settings.token or settings.zalo):
            check_database_path(settings.database)
            from bot.app import run_bot

            asyncio.run(run_bot(settings))
        elif args.command in ("run", "console"):
            from bot.app import run_console

            if args.command == "run":
                print("No XOMANTOAN_TELEGRAM_TOKEN set: starting the console demo.")
            database = chosen or DEMO_DATABASE
            if not isinstance(database, Path):
                raise CliError("the console demo runs on a SQLite file: --database FILE")
            print(f"Database: {database.absolute()}")
            asyncio.run(run_console(database, settings))
        elif args.command == "migrate":
            asyncio.run(_with_db(settings, _migrate))
        elif args.command == "backup":

            async def backup(db: Database) -> None:
                await db.backup(args.path)
                print(f"backup of {db.path} written to {args.path}")

            asyncio.run(_reading(settings, backup))
        elif args.command in ("grant", "revoke"):
            asyncio.run(
                _with_db(
                    settings,
                    lambda db: _grant(
                        db,
                        _person(args),
                        args.role,
                        args.area,
                        args.command == "revoke",
                        args.commune,
                    ),
                )
            )
        elif args.command == cli_copy.COMMAND:
            asyncio.run(cli_copy.run(settings, args))
        elif args.command == "areas" and args.action == "template":
            cli_admin.write_template(settings, args)
        elif args.command == "areas" and args.action == "import":
            asyncio.run(_with_db(settings, lambda db: cli_admin.import_file(db, settings, args)))
        elif args.command == cli_admin.COMMAND:
            opener = _reading if args.action in (None, "list") else _with_db
            asyncio.run(opener(settings, lambda db: cli_admin.run_communes(db, args)))
        elif args.command == "areas":
            opener = _reading if args.action in (None, "list") else _with_db
            asyncio.run(opener(settings, lambda db: _areas(db, args)))
        elif args.command == cli_households.COMMAND and args.action == "template":
            cli_households.write_template(settings, args)
        elif args.command == cli_households.COMMAND:
            asyncio.run(
                _with_db(settings, lambda db: cli_households.import_file(db, settings, args))
            )
        elif args.command in cli_figures.COMMANDS:
            asyncio.run(_reading(settings, lambda db: cli_figures.run(db, settings, args)))
    except (
        SettingsError,
        CliError,
        SchemaTooNewError,
        LockError,
        cli_figures.FiguresCliError,
        cli_admin.AdminCliError,
        cli_copy.CopyCliError,
        cli_households.HouseholdsCliError,
    ) as exc:
        print(f"xomantoan: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"xomantoan: database error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
