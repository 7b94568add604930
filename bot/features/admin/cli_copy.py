"""``xomantoan copy --from FILE --to postgresql://...``: move a commune's SQLite database into
the province's PostgreSQL database (bot/storage/copying.py does the copy), with plain lines
for the officer at the terminal, in the bot's language or ``--lang``.

The sealed contacts of anonymous reporters are opened with the commune's seal key (its key
file, beside its database or given with ``--seal-key-file``; else ``XOMANTOAN_SEAL_KEY``,
when the commune used the same key) and sealed again with the province's
(``XOMANTOAN_SEAL_KEY``). Nothing is written when a key is missing or wrong.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.dispatcher import utc_now
from bot.core.sealing import Sealer, decode_key, is_sealed, key_file_of
from bot.i18n import N_, Translator
from bot.storage import postgres
from bot.storage.copy_tables import NOT_COPIED
from bot.storage.copying import CopyRefused, CopyUnverified, TableResult, copy_commune
from bot.storage.db import Database, latest_schema_version

COMMAND = "copy"

# What the officer reads about each table (the others are named as they are).
LABELS = {
    "communes": N_("communes"),
    "areas": N_("residential areas"),
    "members": N_("people"),
    "chats": N_("chats and groups"),
    "roles": N_("roles"),
    "households": N_("households"),
    "pledges": N_("pledges"),
    "reports": N_("reports and tips"),
    "report_events": N_("report history"),
    "report_messages": N_("report conversations"),
    "report_contacts": N_("contacts of anonymous reporters (sealed)"),
    "mediation_cases": N_("mediation cases"),
    "patrols": N_("patrols"),
    "patrol_observations": N_("cases seen on patrols"),
    "broadcast_messages": N_("awareness messages"),
    "broadcast_schedules": N_("broadcast schedules"),
    "broadcast_runs": N_("broadcasts sent"),
    "outbox": N_("messages waiting to be sent"),
    "area_ratings": N_("area ratings"),
    "audit_log": N_("audit log entries"),
}
REFUSALS = {
    "commune_taken": N_(
        "The province already has a commune {code} ({name}) that no earlier copy of this "
        "database made: give this commune its own code and name with --code CODE --name NAME."
    ),
    "no_name": N_(
        "The commune {code} has no name in its database (its bot showed the configured name): "
        "give it with --name, for example --name 'Xã An Bình'."
    ),
    "several_communes": N_(
        "This database holds several communes ({items}): --code and --name are only for a "
        "database of one commune."
    ),
    "areas_taken": N_(
        "The province already has areas with these codes: {items}. Area codes are unique in "
        "the province: nothing was copied."
    ),
    "reports_taken": N_(
        "These report codes are already used in the province: {items}. Nothing was copied."
    ),
    "pledges_taken": N_(
        "These pledge references are already used in the province: {items}. Nothing was copied."
    ),
    "still_sending": N_(
        "The commune's bot is still preparing {count} broadcast(s): let it finish, stop the "
        "bot, then copy again. Nothing was copied."
    ),
    "empty": N_("The database holds no commune: nothing to copy."),
    "schema": N_("The province database lacks columns ({items}): run xomantoan migrate on it."),
    "dangling": N_(
        "The commune's database has rows that point nowhere ({items}): nothing was copied."
    ),
}


class CopyCliError(Exception):
    """A one-line answer for the person at the terminal."""


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    copy = sub.add_parser(
        COMMAND,
        parents=list(parents),
        help="copy a commune's SQLite database into the province's PostgreSQL database",
    )
    copy.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE")
    copy.add_argument(
        "--to", dest="target", metavar="postgresql://...", help="default: XOMANTOAN_DATABASE"
    )
    copy.add_argument("--code", help="the commune's code in the province (default: its own)")
    copy.add_argument("--name", help="the commune's name in the province (default: its own)")
    copy.add_argument(
        "--seal-key-file",
        type=Path,
        metavar="FILE",
        help="the commune's seal key file (default: FILE.seal-key beside its database, else "
        "XOMANTOAN_SEAL_KEY)",
    )
    copy.add_argument("--lang", choices=("vi", "en"), help="default: the bot's language")


class _Seals:
    """Opens with the commune's key, seals with the province's (bot/storage/copying.Seals)."""

    def __init__(self, t: Translator, source: Sealer | None, target: Sealer | None, key_file: Path):
        self.t, self.source, self.target, self.key_file = t, source, target, key_file

    def prepare(self, values: Sequence[str]) -> None:
        sealed = [v for v in values if is_sealed(v)]
        if not sealed:
            return
        if self.target is None:
            raise CopyCliError(
                self.t.plain(
                    N_(
                        "The commune's database holds {count} sealed contact(s) of anonymous "
                        "reporters: set XOMANTOAN_SEAL_KEY to the province's seal key to copy "
                        "them. Nothing was copied."
                    ),
                    count=len(sealed),
                )
            )
        unopened = sum(1 for v in sealed if self.source is None or self.source.unseal(v) is None)
        if unopened:
            raise CopyCliError(
                self.t.plain(
                    N_(
                        "{count} sealed contact(s) of anonymous reporters cannot be opened with "
                        "the seal key given: give the commune's seal key file with "
                        "--seal-key-file FILE (its bot kept it beside its database, as {file}). "
                        "Nothing was copied."
                    ),
                    count=unopened,
                    file=str(self.key_file),
                )
            )

    def reseal(self, value: str) -> str:
        if not is_sealed(value):
            return value
        assert self.source is not None and self.target is not None  # checked by prepare
        address = self.source.unseal(value)
        assert address is not None
        return self.target.seal(address)

    def same(self, source: str, target: str) -> bool:
        if not is_sealed(source):
            return source == target
        if self.source is None or self.target is None:
            return False
        return self.source.unseal(source) == self.target.unseal(target)


def _sealer(text: str | None) -> Sealer | None:
    return Sealer(decode_key(text)) if text else None


def _seals(t: Translator, settings: Settings, args: argparse.Namespace) -> _Seals:
    target = _sealer(settings.seal_key.get_secret_value() if settings.seal_key else None)
    beside = key_file_of(args.source.expanduser())
    path = args.seal_key_file or (beside if beside.is_file() else None)
    source = target
    if path is not None:
        try:
            source = Sealer(decode_key(path.read_text(encoding="ascii")))
        except (OSError, ValueError) as exc:
            raise CopyCliError(
                t.plain(
                    N_("The seal key file {file} cannot be used: {reason}"),
                    file=str(path),
                    reason=str(exc),
                )
            ) from None
    return _Seals(t, source, target, path or beside)


def _line(t: Translator, done: TableResult) -> str | None:
    if not (done.copied or done.merged or done.already or done.left):
        return None
    label = t.plain(LABELS[done.table]) if done.table in LABELS else done.table
    parts = [t.plain(N_("{count} copied"), count=done.copied)]
    if done.merged:
        parts.append(
            t.plain(N_("{count} already in the province (the same one)"), count=done.merged)
        )
    if done.already:
        parts.append(t.plain(N_("{count} copied by an earlier run"), count=done.already))
    if done.left:
        parts.append(t.plain(N_("{count} left behind on purpose"), count=done.left))
    return f"  {label}: {', '.join(parts)}"


async def run(settings: Settings, args: argparse.Namespace) -> None:
    t = Translator(args.lang or settings.default_language)
    target_url = args.target or str(settings.database)
    if not postgres.is_postgresql(target_url):
        raise CopyCliError(
            t.plain(N_("--to must be the province's PostgreSQL database (postgresql://...)"))
        )
    if not args.source.is_file():
        raise CopyCliError(t.plain(N_("No database at {file}."), file=str(args.source)))
    seals = _seals(t, settings, args)
    print(t.plain(N_("Reading the commune's database {file}"), file=str(args.source)))
    with tempfile.TemporaryDirectory(prefix="xomantoan-copy-") as folder:
        source = await _snapshot(args.source, Path(folder))
        try:
            target = await Database.open(target_url)
            try:
                print(t.plain(N_("Copying into {database}"), database=target.path))
                async with source.read() as src, target.unit() as dst:
                    result = await copy_commune(
                        src,
                        dst,
                        seals=seals,
                        now=utc_now(),
                        code=args.code,
                        name=args.name,
                        progress=lambda done: _print(_line(t, done)),
                    )
            finally:
                await target.close()
        except CopyRefused as exc:
            params = {"items": ", ".join(exc.items), "count": exc.count}
            if exc.kind == "commune_taken":
                params.update(code=exc.items[0], name=exc.items[1])
            if exc.kind == "no_name":
                params.update(code=exc.items[0])
            raise CopyCliError(t.plain(REFUSALS[exc.kind], **params)) from None
        except CopyUnverified as exc:
            raise CopyCliError(
                t.plain(
                    N_("The copy did not check out and was undone (nothing was kept): {problems}"),
                    problems="; ".join(exc.problems[:10]),
                )
            ) from None
        finally:
            await source.close()
    checked = sum(d.checked for d in result.tables)
    for code, name in result.communes:
        print(
            t.plain(
                N_("Commune {code} ({name}) is in the province database."), code=code, name=name
            )
        )
    if result.copied == 0:
        print(
            t.plain(
                N_(
                    "Nothing new to copy: an earlier run copied all of it. Checked again, row by "
                    "row: {count} rows as they should be."
                ),
                count=checked,
            )
        )
    else:
        print(
            t.plain(
                N_(
                    "Done: {copied} rows copied, then checked row by row: {count} rows as they "
                    "should be."
                ),
                copied=result.copied,
                count=checked,
            )
        )
    if result.paused_schedules:
        print(
            t.plain(
                N_(
                    "{count} broadcast schedule(s) for every group or every subscriber were "
                    "paused: in the province they would reach every commune. Check them with "
                    "/broadcast."
                ),
                count=result.paused_schedules,
            )
        )
    print(
        t.plain(
            N_("Not copied (temporary, or the province's own): {tables}"),
            tables=", ".join(NOT_COPIED),
        )
    )


def _print(line: str | None) -> None:
    if line:
        print(line, flush=True)


async def _snapshot(path: Path, folder: Path) -> Database:
    """The commune's database, read in one snapshot; when it is older than this version, a
    copy of it (SQLite's backup) brought to this version's schema: the file is left as it is."""
    original = await Database.open_sqlite(path, migrate=False)
    if await original.schema_version() == latest_schema_version():
        return original
    copy = folder / "source.sqlite3"
    try:
        await original.backup(copy)
    finally:
        await original.close()
    return await Database.open_sqlite(copy)
