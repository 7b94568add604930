"""What patrols observed: each observation with its notes, its photo and place, and the report
it was turned into.

Repository functions never commit: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db

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


def _observation(row: Row, notes: tuple[ObservationNote, ...] = ()) -> Observation:
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


async def _with_notes(conn: Connection, rows: list[Row]) -> list[Observation]:
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


# Observations ----------------------------------------------------------------------------
async def add_observation(
    conn: Connection,
    patrol_id: int,
    kind: str,
    *,
    count: int = 1,
    reminded: bool = True,
    created_by: int | None,
    now: datetime,
) -> int:
    new_id = await insert(
        conn,
        "INSERT INTO patrol_observations (patrol_id, kind, count, reminded, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (patrol_id, kind, count, int(reminded), created_by, to_db(now)),
    )
    return new_id


async def get_observation(conn: Connection, observation_id: int) -> Observation | None:
    async with conn.execute(
        "SELECT * FROM patrol_observations WHERE id = ?", (observation_id,)
    ) as cur:
        row = await cur.fetchone()
    return (await _with_notes(conn, [row]))[0] if row else None


OBSERVATION_FIELDS = {"count", "reminded", "photo", "for_report"}


async def update_observation(conn: Connection, observation_id: int, **values: object) -> None:
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


async def add_note(conn: Connection, observation_id: int, text: str, now: datetime) -> int:
    """Add one note after the observation's earlier ones."""
    new_id = await insert(
        conn,
        "INSERT INTO patrol_observation_notes (observation_id, text, created_at) VALUES (?, ?, ?)",
        (observation_id, text, to_db(now)),
    )
    return new_id


async def get_note(conn: Connection, note_id: int) -> ObservationNote | None:
    async with conn.execute(
        "SELECT id, observation_id, text FROM patrol_observation_notes WHERE id = ?", (note_id,)
    ) as cur:
        row = await cur.fetchone()
    return ObservationNote(row[0], row[1], row[2]) if row else None


async def remove_note(conn: Connection, note_id: int) -> bool:
    cur = await conn.execute("DELETE FROM patrol_observation_notes WHERE id = ?", (note_id,))
    return cur.rowcount > 0


async def link_report(conn: Connection, observation_id: int, report_id: int) -> bool:
    """Record that the observation became this report (it is then flagged for a report);
    False when it already had one (an observation is turned into a report only once)."""
    cur = await conn.execute(
        "UPDATE patrol_observations SET report_id = ?, for_report = 1"
        " WHERE id = ? AND report_id IS NULL",
        (report_id, observation_id),
    )
    return cur.rowcount > 0


async def delete_observation(conn: Connection, observation_id: int) -> None:
    await conn.execute("DELETE FROM patrol_observations WHERE id = ?", (observation_id,))


async def observations(conn: Connection, patrol_id: int) -> list[Observation]:
    async with conn.execute(
        "SELECT * FROM patrol_observations WHERE patrol_id = ? ORDER BY id", (patrol_id,)
    ) as cur:
        rows = list(await cur.fetchall())
    return await _with_notes(conn, rows)


# Figures ---------------------------------------------------------------------------------
async def observations_in_range(
    conn: Connection, area_id: int | None, begin: datetime, end: datetime
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
