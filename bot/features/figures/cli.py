"""The figures on the command line: ``stats`` (text or JSON), ``export`` (XLSX or CSV),
``summary`` (the draft DOCX report) and ``rating`` (the commune table of the yearly rating).

Each takes the same scope and period options: ``--area CODE`` (default: the whole commune),
``--period month|last_month|quarter|year|last_year`` (default: this year), or ``--from DATE
--to DATE`` (``2026-01-01`` or ``1/1/2026``), and ``--lang vi|en`` for the reader's language.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.core.dispatcher import utc_now
from bot.core.richtext import plain
from bot.features.figures.figures import Figures, as_json, collect
from bot.i18n import Translator
from bot.shared.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    PERIOD_CODES,
    Period,
    named_period,
    parse_date,
)
from bot.storage import areas
from bot.storage.db import Database

if TYPE_CHECKING:
    from bot.features.rating.model import CommuneTable

MAX_YEARS = 10
COMMANDS = ("stats", "export", "summary", "rating")


class FiguresCliError(Exception):
    """A one-line answer for the person at the terminal."""


def _scope_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--area", help="area code (default: the whole commune or province)")
    where.add_argument(
        "--commune-code", dest="commune_code", help="a commune's code (in a province)"
    )
    parser.add_argument("--period", choices=PERIOD_CODES, help="default: this year")
    parser.add_argument("--from", dest="start", help="first day, e.g. 2026-01-01 or 1/1/2026")
    parser.add_argument("--to", dest="end", help="last day, e.g. 2026-12-31 or 31/12/2026")
    parser.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")


def add_parsers(sub: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """The figures' commands; ``parents`` carries the options every command takes."""
    common = list(parents)
    stats = sub.add_parser(
        "stats", parents=common, help="the commune's figures for a period, as text or JSON"
    )
    _scope_options(stats)
    stats.add_argument("--json", action="store_true", help="print the documented JSON")
    export = sub.add_parser(
        "export", parents=common, help="the figures' rows as an XLSX workbook or CSV files"
    )
    _scope_options(export)
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--xlsx", type=Path, metavar="FILE", help="write one workbook")
    target.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV per kind")
    summary = sub.add_parser(
        "summary", parents=common, help="the draft periodic summary report (DOCX)"
    )
    _scope_options(summary)
    summary.add_argument("path", type=Path, nargs="?", help="default: a name in this folder")
    summary.add_argument("--commune", help="the commune's name for the header, e.g. 'Xã An Bình'")
    rating = sub.add_parser(
        "rating", parents=common, help="the yearly rating: each area, met or not, per year"
    )
    rating.add_argument("--year", type=int, help="the last year shown (default: this year)")
    rating.add_argument("--years", type=int, default=3, choices=range(1, 11), metavar="N")
    rating.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")


def _day(text: str, today: date) -> date:
    text = text.strip()
    found: date | None = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            found = date.fromisoformat(text)
        except ValueError:
            found = None
        if found is not None and not FIRST_YEAR <= found.year <= LAST_YEAR:
            found = None
    else:
        found = parse_date(text, today)
    if found is None:
        raise FiguresCliError(f"not a date: {text!r} (use 2026-01-31 or 31/1/2026)")
    return found


def resolve_period(args: argparse.Namespace, today: date) -> Period:
    if (args.start is None) != (args.end is None):
        raise FiguresCliError("give both --from and --to, or neither")
    if args.start is not None:
        if args.period:
            raise FiguresCliError("use either --period or --from/--to")
        period = Period(_day(args.start, today), _day(args.end, today))
        if period.end < period.start:
            raise FiguresCliError("--to is before --from")
        if (period.end - period.start).days > 366 * MAX_YEARS:
            raise FiguresCliError(f"a period can span at most {MAX_YEARS} years")
        return period
    found = named_period(args.period or "year", today)
    assert found is not None
    return found


async def _area_id(db: Database, code: str | None) -> int | None:
    if not code:
        return None
    async with db.read() as conn:
        area = await areas.by_code(conn, code)
    if area is None:
        raise FiguresCliError(f"no area with code {code} (see: xomantoan areas list)")
    return area.id


async def _commune_id(db: Database, args: argparse.Namespace) -> int | None:
    code = getattr(args, "commune_code", None)
    if not code:
        return None
    from bot.storage import communes

    async with db.read() as conn:
        commune = await communes.by_code(conn, code)
    if commune is None:
        raise FiguresCliError(f"no commune with code {code} (see: xomantoan communes list)")
    return commune.id


async def figures_for(
    db: Database, settings: Settings, args: argparse.Namespace, now: datetime
) -> Figures:
    period = resolve_period(args, now.astimezone(settings.tz).date())
    area_id = await _area_id(db, args.area)
    commune_id = await _commune_id(db, args)
    async with db.read() as conn:
        return await collect(conn, area_id, period, settings.tz, now, commune_id=commune_id)


def translator(settings: Settings, args: argparse.Namespace) -> Translator:
    return Translator(args.lang or settings.default_language)


async def run(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    now = utc_now()
    if args.command == "stats":
        figures = await figures_for(db, settings, args, now)
        print(as_json(figures) if args.json else _plain_text(settings, args, figures))
    elif args.command == "export":
        await _export(db, settings, args, now)
    elif args.command == "summary":
        await _summary(db, settings, args, now)
    elif args.command == "rating":
        await _rating(db, settings, args, now)


async def _export(
    db: Database, settings: Settings, args: argparse.Namespace, now: datetime
) -> None:
    from bot.features.figures.csvfiles import csv_files
    from bot.features.figures.tables import export_tables, scope_of
    from bot.features.figures.xlsx import write_workbook

    period = resolve_period(args, now.astimezone(settings.tz).date())
    area_id = await _area_id(db, args.area)
    commune_id = await _commune_id(db, args)
    t = translator(settings, args)
    async with db.read() as conn:
        if args.xlsx:
            # Streamed into the file as the rows are read: a province's year in bounded memory.
            figures = await collect(conn, area_id, period, settings.tz, now, commune_id=commune_id)
            _, scope = await scope_of(conn, area_id, commune_id)
            tables = await export_tables(conn, scope, period, settings.tz, t)
            try:
                args.xlsx.parent.mkdir(parents=True, exist_ok=True)
                with args.xlsx.open("wb") as target:
                    await write_workbook(conn, figures, tables, t, settings.tz, target)
            except OSError as exc:
                raise FiguresCliError(f"cannot write {args.xlsx}: {exc.strerror or exc}") from exc
            print(f"written {args.xlsx}")
            return
        files = [
            (args.csv / name, data)
            for name, data in await csv_files(
                conn, area_id, period, settings.tz, t, now, commune_id=commune_id
            )
        ]
    for path, data in files:
        write_file(path, data)
        print(f"written {path}")


async def _summary(
    db: Database, settings: Settings, args: argparse.Namespace, now: datetime
) -> None:
    from bot.features.figures.documents import summary_file

    period = resolve_period(args, now.astimezone(settings.tz).date())
    area_id = await _area_id(db, args.area)
    commune_id = await _commune_id(db, args)
    t = translator(settings, args)
    async with db.read() as conn:
        found = await summary_file(
            conn,
            area_id,
            period,
            settings.tz,
            t,
            now,
            args.commune or settings.commune_name,
            commune_id=commune_id,
        )
    path = args.path or Path(found.name)
    if path.is_dir():
        path = path / found.name
    write_file(path, found.render())
    print(f"written {path}")


async def _rating(
    db: Database, settings: Settings, args: argparse.Namespace, now: datetime
) -> None:
    from bot.features.rating.service import commune_table

    this_year = now.astimezone(settings.tz).year
    last = args.year or this_year
    years = list(range(last - args.years + 1, last + 1))
    async with db.read() as conn:
        table = await commune_table(conn, years)
    t = translator(settings, args)
    print(rating_table(t, years, table))


def rating_table(t: Translator, years: list[int], table: CommuneTable) -> str:
    """The commune table as plain text: one row per area (its name), a column per year."""
    marks = {True: "+", False: "-", None: "."}
    met_label = t.plain("Areas met")
    width = max([len(t.plain("Area")), len(met_label)] + [len(r.area.name) for r in table.rows])
    lines = [
        f"{t.plain('Area'):<{width}}" + "".join(f"{y:>6}" for y in years) + f"  {t.plain('Streak')}"
    ]
    for row in table.rows:
        cells = "".join(f"{marks[row.cells[y]]:>6}" for y in years)
        lines.append(f"{row.area.name:<{width}}{cells}  {row.streak:>6}")
    shares = []
    for y in years:
        share = table.shares[y]
        shares.append(f"{share.met}/{share.areas}" if share.areas else "-")
    lines.append(f"{met_label:<{width}}" + "".join(f"{s:>6}" for s in shares))
    lines.append(
        t.plain(
            "(+ met, - not met, . not rated; streak = consecutive years met up to the last year)"
        )
    )
    for row in table.rows:
        for o in row.overrides:
            lines.append(
                t.plain(
                    "! {area} {year}, criterion {criterion}: {verdict} against the records;"
                    " note: {note}",
                    area=row.area.name,
                    year=str(o.year),
                    criterion=o.criterion,
                    verdict=t.plain("Met") if o.met else t.plain("Not met"),
                    note=o.note or "-",
                )
            )
    return "\n".join(lines)


def _plain_text(settings: Settings, args: argparse.Namespace, figures: Figures) -> str:
    from bot.features.figures.texts import figures_text

    t = translator(settings, args)
    if figures.scope.area is not None:
        scope = figures.scope.area.name
    elif figures.scope.commune is not None:
        scope = figures.scope.commune.name or figures.scope.commune.code
    elif figures.scope.kind == "province":
        scope = t.plain("The whole province")
    else:
        scope = t.plain("the whole commune")
    return plain(figures_text(t, figures, scope))


def write_file(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise FiguresCliError(f"cannot write {path}: {exc.strerror or exc}") from exc
