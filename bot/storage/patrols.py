"""Patrols, their participants and observations, weekly rosters and the reminders sent.

Repository functions never commit: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Patrol:
    id: int
    area_id: int
    leader_member_id: int | None
    status: str
    source: str
    started_at: datetime
    ended_at: datetime | None
    headcount: int
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Participant:
    id: int
    patrol_id: int
    member_id: int | None
    name: str | None
    confirmed: bool
    declined: bool


NOTE_SEPARATOR = "; "  # between the notes of one observation, in files


@dataclass(frozen=True)
class ObservationNote:
    id: int
    observation_id: int
    text: str


@dataclass(frozen=True)
class Observation:
    id: int
    patrol_id: int
    kind: str
    count: int
    reminded: bool
    photo: str | None
    latitude: float | None
    longitude: float | None
    for_report: bool
    created_at: datetime
    report_id: int | None = None  # the report this observation was turned into
    notes: tuple[ObservationNote, ...] = ()  # in the order they were typed

    @property
    def note(self) -> str | None:
        """The notes as one text (for files), or None when there are none."""
        return NOTE_SEPARATOR.join(n.text for n in self.notes) or None


def _patrol(row: aiosqlite.Row) -> Patrol:
    return Patrol(
        row["id"],
        row["area_id"],
        row["leader_member_id"],
        row["status"],
        row["source"],
        from_db(row["started_at"]),
        from_db(row["ended_at"]) if row["ended_at"] else None,
        row["headcount"],
        from_db(row["created_at"]),
    )


def _observation(row: aiosqlite.Row, notes: tuple[ObservationNote, ...] = ()) -> Observation:
    return Observation(
        row["id"],
        row["patrol_id"],
        row["kind"],
        row["count"],
        bool(row["reminded"]),
        row["photo"],
        row["latitude"],
        row["longitude"],
        bool(row["for_report"]),
        from_db(row["created_at"]),
        row["report_id"],
        notes,
    )


async def _with_notes(conn: aiosqlite.Connection, rows: list[aiosqlite.Row]) -> list[Observation]:
    """Observations of ``rows`` with their notes (read together, not one query each)."""
    ids = [int(r["id"]) for r in rows]
    notes: dict[int, list[ObservationNote]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):  # stay under SQLite's limit of bound parameters
        chunk = ids[start : start + 500]
        async with conn.execute(
            "SELECT id, observation_id, text FROM patrol_observation_notes"
            f" WHERE observation_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ) as cur:
            for r in await cur.fetchall():
                notes[int(r[1])].append(ObservationNote(r[0], r[1], r[2]))
    return [_observation(r, tuple(notes[int(r["id"])])) for r in rows]


# Patrols ---------------------------------------------------------------------------------
async def create(
    conn: aiosqlite.Connection,
    *,
    area_id: int,
    leader_member_id: int | None,
    source: str,
    started_at: datetime,
    ended_at: datetime | None,
    headcount: int,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO patrols (area_id, leader_member_id, status, source, started_at, ended_at,"
        " headcount, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            area_id,
            leader_member_id,
            "open" if ended_at is None else "closed",
            source,
            to_db(started_at),
            to_db(ended_at) if ended_at else None,
            headcount,
            to_db(now),
            to_db(now),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get(conn: aiosqlite.Connection, patrol_id: int) -> Patrol | None:
    async with conn.execute("SELECT * FROM patrols WHERE id = ?", (patrol_id,)) as cur:
        row = await cur.fetchone()
    return _patrol(row) if row else None


async def open_in_area(conn: aiosqlite.Connection, area_id: int) -> Patrol | None:
    async with conn.execute(
        "SELECT * FROM patrols WHERE area_id = ? AND status = 'open'", (area_id,)
    ) as cur:
        row = await cur.fetchone()
    return _patrol(row) if row else None


async def close(conn: aiosqlite.Connection, patrol_id: int, ended_at: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE patrols SET status = 'closed', ended_at = ?, updated_at = ?"
        " WHERE id = ? AND status = 'open'",
        (to_db(ended_at), to_db(ended_at), patrol_id),
    )
    return cur.rowcount > 0


async def touch(conn: aiosqlite.Connection, patrol_id: int, now: datetime) -> None:
    await conn.execute("UPDATE patrols SET updated_at = ? WHERE id = ?", (to_db(now), patrol_id))


async def delete(conn: aiosqlite.Connection, patrol_id: int) -> None:
    await conn.execute("DELETE FROM patrols WHERE id = ?", (patrol_id,))


async def recent(
    conn: aiosqlite.Connection, area_ids: list[int] | None, *, limit: int = 10
) -> list[Patrol]:
    """Latest patrols of these areas (all areas when None), newest first."""
    sql, params = "SELECT * FROM patrols", []
    if area_ids is not None:
        if not area_ids:
            return []
        sql += f" WHERE area_id IN ({', '.join('?' * len(area_ids))})"
        params = list(area_ids)
    sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
    async with conn.execute(sql, [*params, limit]) as cur:
        return [_patrol(r) for r in await cur.fetchall()]


async def in_range(
    conn: aiosqlite.Connection, area_id: int | None, begin: datetime, end: datetime
) -> list[Patrol]:
    sql = "SELECT * FROM patrols WHERE started_at >= ? AND started_at < ?"
    params: list[object] = [to_db(begin), to_db(end)]
    if area_id is not None:
        sql += " AND area_id = ?"
        params.append(area_id)
    async with conn.execute(sql + " ORDER BY started_at, id", params) as cur:
        return [_patrol(r) for r in await cur.fetchall()]


# Participants ----------------------------------------------------------------------------
async def add_participant(
    conn: aiosqlite.Connection,
    patrol_id: int,
    *,
    member_id: int | None = None,
    name: str | None = None,
    confirmed_at: datetime | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO patrol_participants (patrol_id, member_id, name, confirmed_at)"
        " VALUES (?, ?, ?, ?)",
        (patrol_id, member_id, name, to_db(confirmed_at) if confirmed_at else None),
    )


async def participants(conn: aiosqlite.Connection, patrol_id: int) -> list[Participant]:
    async with conn.execute(
        "SELECT * FROM patrol_participants WHERE patrol_id = ? ORDER BY id", (patrol_id,)
    ) as cur:
        rows = await cur.fetchall()
    return [
        Participant(
            r["id"],
            r["patrol_id"],
            r["member_id"],
            r["name"],
            r["confirmed_at"] is not None,
            r["declined_at"] is not None,
        )
        for r in rows
    ]


async def set_participation(
    conn: aiosqlite.Connection, patrol_id: int, member_id: int, took_part: bool, now: datetime
) -> bool:
    column, other = "confirmed_at", "declined_at"
    if not took_part:
        column, other = other, column
    cur = await conn.execute(
        f"UPDATE patrol_participants SET {column} = ?, {other} = NULL"
        " WHERE patrol_id = ? AND member_id = ?",
        (to_db(now), patrol_id, member_id),
    )
    return cur.rowcount > 0


async def is_participant(conn: aiosqlite.Connection, patrol_id: int, member_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM patrol_participants WHERE patrol_id = ? AND member_id = ?"
        " AND declined_at IS NULL",
        (patrol_id, member_id),
    ) as cur:
        return await cur.fetchone() is not None


async def participations_of(conn: aiosqlite.Connection, member_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM patrol_participants WHERE member_id = ? AND declined_at IS NULL",
        (member_id,),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def forget_typed_name(conn: aiosqlite.Connection, name: str) -> int:
    """A forgotten person's name typed as a participant (notebook entries): the participation
    stays counted, without the name."""
    cur = await conn.execute(
        "UPDATE patrol_participants SET name = NULL WHERE member_id IS NULL AND name = ?", (name,)
    )
    return cur.rowcount


# Observations ----------------------------------------------------------------------------
async def add_observation(
    conn: aiosqlite.Connection,
    patrol_id: int,
    kind: str,
    *,
    count: int = 1,
    reminded: bool = True,
    created_by: int | None,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO patrol_observations (patrol_id, kind, count, reminded, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (patrol_id, kind, count, int(reminded), created_by, to_db(now)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get_observation(conn: aiosqlite.Connection, observation_id: int) -> Observation | None:
    async with conn.execute(
        "SELECT * FROM patrol_observations WHERE id = ?", (observation_id,)
    ) as cur:
        row = await cur.fetchone()
    return (await _with_notes(conn, [row]))[0] if row else None


OBSERVATION_FIELDS = {"count", "reminded", "photo", "for_report"}


async def update_observation(
    conn: aiosqlite.Connection, observation_id: int, **values: object
) -> None:
    """Change fields of an observation (``count``, ``reminded``, ``photo``, ``for_report``,
    or ``location`` as a (latitude, longitude) pair). Notes are added and removed one by one
    (:func:`add_note`, :func:`remove_note`); the report link is set by :func:`link_report`."""
    sets: list[str] = []
    params: list[object] = []
    for key, value in values.items():
        if key == "location" and isinstance(value, tuple):
            sets += ["latitude = ?", "longitude = ?"]
            params += [value[0], value[1]]
        elif key in OBSERVATION_FIELDS:
            sets.append(f"{key} = ?")
            params.append(int(value) if isinstance(value, bool) else value)
        else:
            raise ValueError(f"unknown observation field {key}")
    if sets:
        await conn.execute(
            f"UPDATE patrol_observations SET {', '.join(sets)} WHERE id = ?",
            [*params, observation_id],
        )


async def add_note(
    conn: aiosqlite.Connection, observation_id: int, text: str, now: datetime
) -> int:
    """Add one note after the observation's earlier ones."""
    cur = await conn.execute(
        "INSERT INTO patrol_observation_notes (observation_id, text, created_at) VALUES (?, ?, ?)",
        (observation_id, text, to_db(now)),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get_note(conn: aiosqlite.Connection, note_id: int) -> ObservationNote | None:
    async with conn.execute(
        "SELECT id, observation_id, text FROM patrol_observation_notes WHERE id = ?", (note_id,)
    ) as cur:
        row = await cur.fetchone()
    return ObservationNote(row[0], row[1], row[2]) if row else None


async def remove_note(conn: aiosqlite.Connection, note_id: int) -> bool:
    cur = await conn.execute("DELETE FROM patrol_observation_notes WHERE id = ?", (note_id,))
    return cur.rowcount > 0


async def link_report(conn: aiosqlite.Connection, observation_id: int, report_id: int) -> bool:
    """Record that the observation became this report (it is then flagged for a report);
    False when it already had one (an observation is turned into a report only once)."""
    cur = await conn.execute(
        "UPDATE patrol_observations SET report_id = ?, for_report = 1"
        " WHERE id = ? AND report_id IS NULL",
        (report_id, observation_id),
    )
    return cur.rowcount > 0


async def delete_observation(conn: aiosqlite.Connection, observation_id: int) -> None:
    await conn.execute("DELETE FROM patrol_observations WHERE id = ?", (observation_id,))


async def observations(conn: aiosqlite.Connection, patrol_id: int) -> list[Observation]:
    async with conn.execute(
        "SELECT * FROM patrol_observations WHERE patrol_id = ? ORDER BY id", (patrol_id,)
    ) as cur:
        rows = list(await cur.fetchall())
    return await _with_notes(conn, rows)


# Figures ---------------------------------------------------------------------------------
async def observations_in_range(
    conn: aiosqlite.Connection, area_id: int | None, begin: datetime, end: datetime
) -> list[Observation]:
    sql = (
        "SELECT o.* FROM patrol_observations o JOIN patrols p ON p.id = o.patrol_id"
        " WHERE p.started_at >= ? AND p.started_at < ?"
    )
    params: list[object] = [to_db(begin), to_db(end)]
    if area_id is not None:
        sql += " AND p.area_id = ?"
        params.append(area_id)
    async with conn.execute(sql + " ORDER BY p.started_at, o.id", params) as cur:
        rows = list(await cur.fetchall())
    return await _with_notes(conn, rows)


# Rosters ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShiftRow:
    id: int
    area_id: int
    weekday: int
    start_time: str
    remind_minutes: int
    created_by: int | None
    members: tuple[int, ...]


async def add_shift(
    conn: aiosqlite.Connection,
    area_id: int,
    weekday: int,
    start_time: str,
    remind_minutes: int,
    member_ids: list[int],
    created_by: int | None,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO patrol_shifts (area_id, weekday, start_time, remind_minutes, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (area_id, weekday, start_time, remind_minutes, created_by, to_db(now)),
    )
    assert cur.lastrowid is not None
    await conn.executemany(
        "INSERT OR IGNORE INTO patrol_shift_members (shift_id, member_id) VALUES (?, ?)",
        [(cur.lastrowid, m) for m in member_ids],
    )
    return cur.lastrowid


async def delete_shift(conn: aiosqlite.Connection, shift_id: int) -> None:
    await conn.execute("DELETE FROM patrol_shifts WHERE id = ?", (shift_id,))


async def shifts(conn: aiosqlite.Connection, area_id: int | None = None) -> list[ShiftRow]:
    sql = (
        "SELECT s.*, (SELECT GROUP_CONCAT(member_id) FROM patrol_shift_members m"
        " WHERE m.shift_id = s.id) AS member_ids FROM patrol_shifts s"
    )
    params: tuple[object, ...] = ()
    if area_id is not None:
        sql += " WHERE s.area_id = ?"
        params = (area_id,)
    async with conn.execute(sql + " ORDER BY s.area_id, s.weekday, s.start_time", params) as cur:
        rows = await cur.fetchall()
    return [
        ShiftRow(
            r["id"],
            r["area_id"],
            r["weekday"],
            r["start_time"],
            r["remind_minutes"],
            r["created_by"],
            tuple(sorted(int(m) for m in (r["member_ids"] or "").split(",") if m)),
        )
        for r in rows
    ]


async def get_shift(conn: aiosqlite.Connection, shift_id: int) -> ShiftRow | None:
    return next((s for s in await shifts(conn) if s.id == shift_id), None)


async def mark_reminded(
    conn: aiosqlite.Connection, shift_id: int, member_id: int, shift_at: datetime, now: datetime
) -> bool:
    """Record a reminder; False when it had already been sent (nothing to do)."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO patrol_shift_reminders (shift_id, member_id, shift_at, sent_at)"
        " VALUES (?, ?, ?, ?)",
        (shift_id, member_id, to_db(shift_at), to_db(now)),
    )
    return cur.rowcount > 0


async def decline_shift(
    conn: aiosqlite.Connection, shift_id: int, member_id: int, shift_at: datetime, now: datetime
) -> bool:
    """Record "I can't make it"; False when already recorded or never reminded."""
    cur = await conn.execute(
        "UPDATE patrol_shift_reminders SET declined_at = ? WHERE shift_id = ? AND member_id = ?"
        " AND shift_at = ? AND declined_at IS NULL",
        (to_db(now), shift_id, member_id, to_db(shift_at)),
    )
    return cur.rowcount > 0
