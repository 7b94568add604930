"""Mediation cases (hòa giải): parties as given, a mediator, a session day and the outcome."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.storage.connection import insert
from bot.storage.db import Connection, Row
from bot.storage.timefmt import from_db, to_db

OUTCOMES = ("success", "failed", "transferred")


@dataclass(frozen=True)
class Case:
    id: int
    report_id: int | None
    area_id: int | None
    parties: list[str]
    mediator_member_id: int | None
    session_on: date | None
    outcome: str | None
    note: str | None
    created_by: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def outcome_due(self, today: date) -> bool:
        """An outcome is what happened at the session: it can be recorded once the session
        day has come (a case without a day, from before days were required, any time)."""
        return self.session_on is None or self.session_on <= today

    def may_record(self, outcome: str, today: date) -> bool:
        """Whether ``outcome`` can be recorded today. "Mediated" or "not successful" says what
        happened at the session, so only from its day; a case can be handed to the
        authorities at any time (a party goes to court, it turns out to be an offence)."""
        return outcome == "transferred" or self.outcome_due(today)


def _case(row: Row) -> Case:
    return Case(
        id=row["id"],
        report_id=row["report_id"],
        area_id=row["area_id"],
        parties=json.loads(row["parties"]),
        mediator_member_id=row["mediator_member_id"],
        session_on=date.fromisoformat(row["session_on"]) if row["session_on"] else None,
        outcome=row["outcome"],
        note=row["note"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
    )


async def create(
    conn: Connection,
    *,
    area_id: int | None,
    parties: list[str],
    created_by: int | None,
    now: datetime,
    report_id: int | None = None,
    mediator_member_id: int | None = None,
    session_on: date | None = None,
) -> Case:
    """A whole case in one statement: a new case's flow calls this only at its last step."""
    new_id = await insert(
        conn,
        "INSERT INTO mediation_cases (report_id, area_id, parties, mediator_member_id,"
        " session_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            report_id,
            area_id,
            json.dumps(parties, ensure_ascii=False),
            mediator_member_id,
            session_on.isoformat() if session_on else None,
            created_by,
            to_db(now),
        ),
    )
    case = await get(conn, new_id)
    assert case is not None
    return case


async def get(conn: Connection, case_id: int) -> Case | None:
    async with conn.execute("SELECT * FROM mediation_cases WHERE id = ?", (case_id,)) as cur:
        row = await cur.fetchone()
    return _case(row) if row else None


async def of_report(conn: Connection, report_id: int) -> Case | None:
    async with conn.execute(
        "SELECT * FROM mediation_cases WHERE report_id = ?", (report_id,)
    ) as cur:
        row = await cur.fetchone()
    return _case(row) if row else None


async def set_mediator(conn: Connection, case_id: int, member_id: int) -> None:
    await conn.execute(
        "UPDATE mediation_cases SET mediator_member_id = ? WHERE id = ?", (member_id, case_id)
    )


async def set_session(conn: Connection, case_id: int, day: date) -> None:
    await conn.execute(
        "UPDATE mediation_cases SET session_on = ? WHERE id = ?", (day.isoformat(), case_id)
    )


async def close(
    conn: Connection, case_id: int, outcome: str, note: str | None, now: datetime
) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    await conn.execute(
        "UPDATE mediation_cases SET outcome = ?, note = ?, closed_at = ? WHERE id = ?",
        (outcome, note, to_db(now), case_id),
    )


async def listing(
    conn: Connection,
    areas: frozenset[int] | None,
    *,
    open_only: bool = True,
    offset: int = 0,
    limit: int = 5,
) -> tuple[list[Case], int]:
    """Cases of the given areas (all areas when None), newest first, with the total count."""
    where, params = "1 = 1", []
    if areas is not None:
        where = f"area_id IN ({','.join('?' for _ in areas) or 'NULL'})"
        params = sorted(areas)
    if open_only:
        where += " AND outcome IS NULL"
    args: list[Any] = list(params)
    async with conn.execute(f"SELECT COUNT(*) FROM mediation_cases WHERE {where}", args) as cur:
        row = await cur.fetchone()
    total = int(row[0]) if row else 0
    async with conn.execute(
        f"SELECT * FROM mediation_cases WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ) as cur:
        return [_case(r) for r in await cur.fetchall()], total


async def of_mediator(conn: Connection, member_id: int, *, limit: int = 20) -> list[Case]:
    """The open cases a person mediates, oldest session first."""
    async with conn.execute(
        "SELECT * FROM mediation_cases WHERE mediator_member_id = ? AND outcome IS NULL"
        " ORDER BY session_on IS NULL, session_on, id LIMIT ?",
        (member_id, limit),
    ) as cur:
        return [_case(r) for r in await cur.fetchall()]


async def figures(
    conn: Connection, start: datetime, end: datetime, area_id: int | None = None
) -> dict[str, int]:
    """For the statistics: cases opened in [start, end) by outcome ("open" when not closed)."""
    where, params = "created_at >= ? AND created_at < ?", [to_db(start), to_db(end)]
    if area_id is not None:
        where += " AND area_id = ?"
        params.append(area_id)  # type: ignore[arg-type]
    async with conn.execute(
        f"SELECT COALESCE(outcome, 'open'), COUNT(*) FROM mediation_cases WHERE {where} GROUP BY 1",
        params,
    ) as cur:
        return {r[0]: int(r[1]) for r in await cur.fetchall()}


async def forget_member(conn: Connection, member_id: int) -> None:
    await conn.execute(
        "UPDATE mediation_cases SET mediator_member_id = NULL WHERE mediator_member_id = ?",
        (member_id,),
    )
    await conn.execute(
        "UPDATE mediation_cases SET created_by = NULL WHERE created_by = ?", (member_id,)
    )
