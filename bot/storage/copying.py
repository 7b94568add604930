"""Copy a commune's SQLite database into a province's PostgreSQL database (``xomantoan copy``).

Every table of bot/storage/copy_tables.py, row by row, in one transaction of the target: the
target gives each row its own id (``INSERT ... RETURNING id``, so its identities stay ahead of
every row), and the ids it points at are rewritten through the map of ids. The map is kept in
the target (``copied_rows``: the source's fingerprint, the table, the old id, the new one), so
a second run finds every row already there and copies nothing twice; a run that stops half-way
leaves nothing (its transaction is rolled back). A person or a chat the province has already
(the same platform and id) is merged: the province's row stays and everything of the commune
points at it. Once copied, every row is read back through the map and compared with what was
meant to arrive; any difference fails the run, and so undoes it.

The source's commune arrives as a commune of the province; the copy refuses (with nothing
written) when its code or name is taken by a commune that an earlier copy of this same source
did not make, when one of its area codes, report codes or pledge references is taken, or while
its bot is still fanning a broadcast out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.storage.connection import Connection
from bot.storage.copy_tables import TABLES, Table
from bot.storage.timefmt import to_db


class Seals(Protocol):
    """Sealed addresses, opened with the source's key and sealed again with the target's."""

    def prepare(self, values: Sequence[str]) -> None:
        """Raise (the caller's own error) when some of ``values`` cannot be carried over."""

    def reseal(self, value: str) -> str:
        """``value`` as the target keeps it (an address in clear stays as it is)."""

    def same(self, source: str, target: str) -> bool:
        """Do ``source`` (the source's) and ``target`` (the target's) name one address?"""


class CopyRefused(Exception):
    """The copy cannot be made as asked; nothing was written. ``kind`` says why."""

    def __init__(self, kind: str, items: Sequence[str] = (), count: int = 0) -> None:
        super().__init__(f"{kind}: {', '.join(items) or count}")
        self.kind = kind
        self.items = list(items)
        self.count = count


class CopyUnverified(Exception):
    """Rows read back differ from what was copied: the run was undone."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass
class TableResult:
    table: str
    copied: int = 0  # new rows in the target
    merged: int = 0  # rows the target had already (a person in two communes)
    already: int = 0  # copied by an earlier run of this same source
    left: int = 0  # left behind on purpose (see copy_tables)
    checked: int = 0  # rows read back and found as meant


@dataclass
class CopyResult:
    fingerprint: str
    communes: list[tuple[str, str]]  # (code, name) as they arrived
    tables: list[TableResult] = field(default_factory=list)
    paused_schedules: int = 0

    @property
    def copied(self) -> int:
        return sum(t.copied + t.merged for t in self.tables)


Progress = Callable[[TableResult], None]


async def _rows(conn: Connection, sql: str, params: Iterable[Any] = ()) -> list[Any]:
    return list(await conn.execute_fetchall(sql, list(params)))


async def fingerprint(source: Connection) -> str:
    """What tells this source from any other, whatever was added to it since: its communes,
    its first area and its first member (ids, codes and the moments they were made)."""
    parts: list[str] = []
    for sql in (
        "SELECT id, code, created_at FROM communes ORDER BY id",
        "SELECT id, code, created_at FROM areas ORDER BY id LIMIT 1",
        "SELECT id, platform, user_id, created_at FROM members ORDER BY id LIMIT 1",
    ):
        for row in await _rows(source, sql):
            parts.append("|".join(str(v) for v in row))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class _Map:
    """Old id -> new id per table, for this source (read from and written to the target)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.ids: dict[str, dict[int, int]] = {}
        self.merged: dict[str, set[int]] = {}
        self.only_commune: int | None = None
        self.source_areas: list[int] = []

    def new_id(self, table: str, old: int | None) -> int | None:
        if old is None:
            return None
        return self.ids.get(table, {}).get(int(old))

    async def load(self, target: Connection) -> None:
        for row in await _rows(
            target,
            "SELECT table_name, old_id, new_id, merged FROM copied_rows WHERE source = ?",
            (self.source,),
        ):
            self.ids.setdefault(row[0], {})[int(row[1])] = int(row[2])
            if row[3]:
                self.merged.setdefault(row[0], set()).add(int(row[1]))


async def _columns(source: Connection, target: Connection, table: str) -> list[str]:
    names = [
        r[0]
        for r in await _rows(
            target,
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    ]
    have = {r[1] for r in await _rows(source, f"PRAGMA table_info({table})")}
    missing = [n for n in names if n not in have]
    if missing:
        raise CopyRefused("schema", [f"{table}.{n}" for n in missing])
    return names


def _where(table: Table) -> str:
    return f" WHERE {table.where}" if table.where else ""


async def _source_rows(
    source: Connection, table: Table, columns: list[str]
) -> list[dict[str, Any]]:
    order = "id" if table.has_id else ", ".join(table.merge)  # some have no rowid
    sql = f"SELECT {', '.join(columns)} FROM {table.name}{_where(table)} ORDER BY {order}"
    return [dict(zip(columns, row, strict=True)) for row in await _rows(source, sql)]


def _meant(
    table: Table, row: dict[str, Any], ids: _Map, seals: Seals | None
) -> dict[str, Any] | None:
    """The row as it is meant to arrive (None: left behind on purpose)."""
    row = dict(row)
    if table.adjust is not None and not table.adjust(row, ids):
        return None
    for column, target in {**table.refs, **table.later}.items():
        if row[column] is None:
            continue
        new = ids.new_id(target, row[column])
        if new is None and column not in table.loose and column not in table.later:
            raise CopyRefused("dangling", [f"{table.name}.{column}={row[column]}"])
        row[column] = new
    if seals is not None:
        for column in table.sealed:
            if row[column] is not None:
                row[column] = seals.reseal(row[column])
    return row


def _match(columns: Sequence[str], values: Sequence[Any]) -> str:
    """A WHERE clause finding these values (an index can serve it: no IS NOT DISTINCT)."""
    return " AND ".join(
        f"{c} IS NULL" if v is None else f"{c} = ?" for c, v in zip(columns, values, strict=True)
    )


async def _find(target: Connection, table: Table, row: dict[str, Any]) -> Any | None:
    values = [row[c] for c in table.merge]
    found = await _rows(
        target,
        f"SELECT {'id' if table.has_id else '1'} FROM {table.name}"
        f" WHERE {_match(table.merge, values)} LIMIT 1",
        [v for v in values if v is not None],
    )
    return found[0][0] if found else None


async def _refuse_taken(
    source: Connection, target: Connection, ids: _Map, rename: dict[int, tuple[str, str]]
) -> None:
    """Refuse before writing anything when the province has a code of the commune's."""
    for old, (code, name) in rename.items():
        if not name.strip():
            raise CopyRefused("no_name", [code])
        mine = ids.new_id("communes", old)
        for row in await _rows(
            target, "SELECT id, code, name FROM communes WHERE code = ? OR name = ?", (code, name)
        ):
            if row[0] != mine:
                raise CopyRefused("commune_taken", [row[1], row[2]])
    for kind, table, column in (
        ("areas_taken", "areas", "code"),
        ("reports_taken", "reports", "code"),
        ("pledges_taken", "pledges", "reference"),
    ):
        taken: list[str] = []
        for row in await _rows(source, f"SELECT id, {column} FROM {table} ORDER BY id"):
            if ids.new_id(table, row[0]) is not None:
                continue
            hit = await _rows(target, f"SELECT 1 FROM {table} WHERE {column} = ?", (row[1],))
            if hit:
                taken.append(str(row[1]))
        if taken:
            raise CopyRefused(kind, taken)
    fanning = await _rows(source, "SELECT COUNT(*) FROM broadcast_runs WHERE status = 'fanout'")
    if fanning[0][0]:
        raise CopyRefused("still_sending", count=int(fanning[0][0]))


async def copy_commune(
    source: Connection,
    target: Connection,
    *,
    seals: Seals,
    now: Any,
    code: str | None = None,
    name: str | None = None,
    progress: Progress | None = None,
) -> CopyResult:
    """Copy ``source`` (a commune's SQLite database, read in one snapshot) into ``target`` (a
    PostgreSQL unit of work: the caller commits it when this returns, and rolls it back when
    this raises). ``code`` and ``name`` give the commune its code and name in the province
    (only when the source holds one commune)."""
    source_id = await fingerprint(source)
    ids = _Map(source_id)
    await ids.load(target)
    communes = await _rows(source, "SELECT id, code, name FROM communes ORDER BY id")
    if not communes:
        raise CopyRefused("empty")
    if (code or name) and len(communes) > 1:
        raise CopyRefused("several_communes", [c[1] for c in communes])
    rename = {
        int(c[0]): ((code or c[1]).strip().upper(), (name if name is not None else c[2]).strip())
        for c in communes
    }
    ids.only_commune = int(communes[0][0]) if len(communes) == 1 else None
    ids.source_areas = [int(r[0]) for r in await _rows(source, "SELECT id FROM areas ORDER BY id")]
    await _refuse_taken(source, target, ids, rename)
    sealed: list[str] = []
    columns: dict[str, list[str]] = {}
    for table in TABLES:
        columns[table.name] = await _columns(source, target, table.name)
        for column in table.sealed:
            sql = f"SELECT {column} FROM {table.name}{_where(table)}"
            sealed += [r[0] for r in await _rows(source, sql) if r[0] is not None]
    seals.prepare(sealed)

    result = CopyResult(source_id, list(rename.values()))
    later: list[tuple[Table, int, dict[str, Any]]] = []
    stamp = to_db(now)
    for table in TABLES:
        done = TableResult(table.name)
        mapped: list[tuple[int, int, int]] = []
        for row in await _source_rows(source, table, columns[table.name]):
            if table.has_id and ids.new_id(table.name, row["id"]) is not None:
                done.already += 1
                continue
            meant = _meant(table, row, ids, seals)
            if meant is None:
                done.left += 1
                continue
            if table.name == "communes":
                meant["code"], meant["name"] = rename[row["id"]]
            if table.name == "broadcast_schedules" and meant["paused"] and not row["paused"]:
                result.paused_schedules += 1
            existing = await _find(target, table, meant) if table.merge else None
            if not table.has_id:
                if existing is not None:
                    done.already += 1
                    continue
                await _insert(target, table, meant, columns[table.name])
                done.copied += 1
                continue
            if existing is not None:
                new_id, merged = int(existing), 1
                done.merged += 1
                if table.fill:
                    await target.execute(
                        f"UPDATE {table.name} SET "
                        + ", ".join(f"{c} = COALESCE({c}, ?)" for c in table.fill)
                        + " WHERE id = ?",
                        [*(meant[c] for c in table.fill), new_id],
                    )
            else:
                new_id, merged = await _insert(target, table, meant, columns[table.name]), 0
                done.copied += 1
                if any(row[c] is not None for c in table.later):
                    later.append((table, new_id, row))
            ids.ids.setdefault(table.name, {})[int(row["id"])] = new_id
            if merged:
                ids.merged.setdefault(table.name, set()).add(int(row["id"]))
            mapped.append((int(row["id"]), new_id, merged))
        if mapped:
            await target.executemany(
                "INSERT INTO copied_rows (source, table_name, old_id, new_id, merged, copied_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(source_id, table.name, old, new, m, stamp) for old, new, m in mapped],
            )
        result.tables.append(done)
        if progress is not None:
            progress(done)
    for table, new_id, row in later:  # ids of rows that came after the row pointing at them
        for column, other in table.later.items():
            if row[column] is not None:
                await target.execute(
                    f"UPDATE {table.name} SET {column} = ? WHERE id = ?",
                    (ids.new_id(other, row[column]), new_id),
                )
    await verify(source, target, ids, seals, columns, rename, result)
    return result


async def _insert(target: Connection, table: Table, row: dict[str, Any], columns: list[str]) -> int:
    names = [c for c in columns if not (table.has_id and c == "id")]
    values = [None if c in table.later else row[c] for c in names]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    if not table.has_id:
        await target.execute(sql, values)
        return 0
    found = await _rows(target, sql + " RETURNING id", values)
    return int(found[0][0])


def _differs(table: Table, meant: dict[str, Any], found: dict[str, Any], seals: Seals) -> list[str]:
    wrong = []
    for column, value in meant.items():
        if column == "id" and table.has_id:
            continue
        if column in table.sealed and value is not None and found[column] is not None:
            if not seals.same(value, found[column]):
                wrong.append(column)
        elif value != found[column]:
            wrong.append(column)
    return wrong


async def verify(
    source: Connection,
    target: Connection,
    ids: _Map,
    seals: Seals,
    columns: dict[str, list[str]],
    rename: dict[int, tuple[str, str]],
    result: CopyResult,
) -> None:
    """Read every copied row back through the map and compare it with the source's row as
    it was meant to arrive: the counts per table and each row's content."""
    problems: list[str] = []
    plain = _Plain()
    for table, done in zip(TABLES, result.tables, strict=True):
        names = columns[table.name]
        found = await _target_rows(target, table, names, ids.source)
        for row in await _source_rows(source, table, names):
            meant = _meant(table, row, ids, plain)
            if meant is None:
                continue
            if table.name == "communes":
                meant["code"], meant["name"] = rename[row["id"]]
            if table.has_id:
                got = found.get(int(row["id"]))
                merged = int(row["id"]) in ids.merged.get(table.name, set())
            else:
                got = found.get(tuple(meant[c] for c in table.merge))
                merged = table.keep_existing
            if got is None:
                problems.append(f"{table.name} {row.get('id', '')}: missing")
                continue
            wrong = [
                c for c in _differs(table, meant, got, seals) if not merged or c in table.merge
            ]
            if wrong:
                problems.append(f"{table.name} {row.get('id', '')}: {', '.join(wrong)} differ")
            done.checked += 1
    if problems:
        raise CopyUnverified(problems)


class _Plain:
    """Sealed values left as they are (the check compares them with Seals.same)."""

    def prepare(self, values: Sequence[str]) -> None:
        return None

    def reseal(self, value: str) -> str:
        return value

    def same(self, source: str, target: str) -> bool:
        return source == target


async def _target_rows(
    target: Connection, table: Table, names: list[str], source: str
) -> dict[Any, dict[str, Any]]:
    """The target's rows of this copy: by old id (through the map), or by key."""
    listed = ", ".join(f"t.{n}" for n in names)
    if table.has_id:
        rows = await _rows(
            target,
            f"SELECT m.old_id, {listed} FROM copied_rows m JOIN {table.name} t ON t.id = m.new_id"
            " WHERE m.source = ? AND m.table_name = ?",
            (source, table.name),
        )
        return {int(r[0]): dict(zip(names, list(r)[1:], strict=True)) for r in rows}
    if table.scope:
        parent = table.refs[table.scope]
        rows = await _rows(
            target,
            f"SELECT {listed} FROM {table.name} t WHERE t.{table.scope} IN"
            " (SELECT new_id FROM copied_rows WHERE source = ? AND table_name = ?)",
            (source, parent),
        )
    else:
        rows = await _rows(target, f"SELECT {listed} FROM {table.name} t")
    found: dict[Any, dict[str, Any]] = {}
    for r in rows:
        row = dict(zip(names, r, strict=True))
        found[tuple(row[c] for c in table.merge)] = row
    return found
