"""Pieces the patrol handlers share: which areas a person may log for, labels and summaries."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.events import Option
from bot.features.patrols.kinds import KINDS, kind
from bot.i18n import Translator
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import patrol_observations
from bot.storage import patrols as repo
from bot.storage.areas import Area
from bot.storage.db import Connection
from bot.storage.patrol_observations import Observation
from bot.storage.patrols import Participant, Patrol

EDIT_WINDOW = timedelta(days=7)


async def led_areas(ctx: Context) -> list[Area]:
    """Areas this person may log patrols for: their own as leader, their communes' as a commune
    officer, every area as an officer of the whole deployment."""
    areas = await areas_repo.list_areas(ctx.conn)
    if ctx.roles.sees_every_commune:
        return areas
    return [a for a in areas if a.id in ctx.roles.area_ids]


def not_your_area(ctx: Context) -> str:
    return ctx._("Only the team leaders of this area and the commune police can log its patrols.")


def editable(ctx: Context, patrol: Patrol) -> bool:
    """A patrol can be corrected by a leader of its area within a week."""
    if not ctx.roles.leads(patrol.area_id):
        return False
    last = max(patrol.ended_at or ctx.now, patrol.created_at)
    return ctx.now <= last + EDIT_WINDOW


def kind_label(t: Translator, code: str) -> str:
    found = kind(code)
    return f"{found.icon} {t.plain(found.label)}"


def kind_buttons(ctx: Context, action: str) -> list[list[Option]]:
    """One button per kind, two per row, each pressing ``<action>:<kind code>``."""
    buttons = [Option(kind_label(ctx.t, k.code), action=f"{action}:{k.code}") for k in KINDS]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def hhmm(t: Translator, moment: datetime) -> str:
    return moment.astimezone(t.tz).strftime("%H:%M")


def end_text(t: Translator, start: datetime, end: datetime) -> str:
    """When a patrol ended, said against its start: ``21:30``, ``01:00 the next day``, or
    the full date when it ended later still."""
    days = (end.astimezone(t.tz).date() - start.astimezone(t.tz).date()).days
    if days == 0:
        return hhmm(t, end)
    if days == 1:
        return t.plain("{time} the next day", time=hhmm(t, end))
    return t.when(end)


def span_text(t: Translator, patrol: Patrol) -> str:
    start = t.when(patrol.started_at)
    if patrol.ended_at is None:
        return t._("since {start}", start=start)
    return t._(
        "{start} to {end} ({duration})",
        start=start,
        end=end_text(t, patrol.started_at, patrol.ended_at),
        duration=t.duration(patrol.ended_at - patrol.started_at),
    )


async def participant_names(conn: Connection, people: list[Participant]) -> list[str]:
    names: list[str] = []
    for person in people:
        if person.declined:
            continue
        if person.member_id is not None:
            member = await members_repo.get(conn, person.member_id)
            names.append((member.display_name or "?") if member else "?")
        elif person.name:
            names.append(person.name)
    return names


def people_count(patrol: Patrol, people: list[Participant]) -> int:
    return patrol.headcount + sum(1 for p in people if not p.declined)


def observation_lines(t: Translator, observations: list[Observation]) -> list[str]:
    seen: Counter[str] = Counter()
    reminded: Counter[str] = Counter()
    for o in observations:
        seen[o.kind] += o.count
        if o.reminded:
            reminded[o.kind] += o.count
    return [
        t._(
            "• {kind}: {count} (reminded: {reminded})",
            kind=kind_label(t, k.code),
            count=seen[k.code],
            reminded=reminded[k.code],
        )
        for k in KINDS
        if seen[k.code]
    ]


async def summary_text(
    ctx: Context,
    t: Translator,
    patrol: Patrol,
    area: Area,
    *,
    with_names: bool,
    observations: list[Observation] | None = None,
) -> str:
    """What a patrol was: time span, participants, observations per kind (``observations``:
    the patrol's, when the caller has read them already). The group's version names nobody
    (only how many took part), and never shows notes."""
    people = await repo.participants(ctx.conn, patrol.id)
    if observations is None:
        observations = await patrol_observations.observations(ctx.conn, patrol.id)
    lines = [
        t._("*Patrol of {area}*", area=area.name),
        t._("Time: {span}", span=span_text(t, patrol)),
    ]
    count = people_count(patrol, people)
    if with_names:
        names = await participant_names(ctx.conn, people)
        extra = patrol.headcount
        listed = ", ".join(names)
        if extra:
            listed = (listed + ", " if listed else "") + t.plain("{count} more", count=extra)
        lines.append(t._("Participants ({count}): {names}", count=count, names=listed))
    else:
        lines.append(t._("Participants: {count}", count=count))
    found = observation_lines(t, observations)
    if found:
        lines.append(t._("Observations:"))
        lines += found
    else:
        lines.append(t._("No observations were recorded."))
    return "\n".join(lines)
