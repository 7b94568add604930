"""Patrols logged after the fact from a notebook: one line per patrol, many days at once.

A line reads ``date start-end; participants; observations``, for example::

    12/11 19:00-21:30; 5; quá giờ 3, lấn chiếm 2, rác 1
    13/11 19h-21h; An, Bình, Chi; rác 2

Participants are a number or names separated by commas; observations (optional) are kinds
with a count (1 when left out). An end time earlier than the start time is on the next day
(a night patrol ``26/11 22:00-01:00`` lasts three hours); a patrol lasts at most
:data:`MAX_HOURS` hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.features.patrols.kinds import match_kind
from bot.features.patrols.observing import MAX_COUNT
from bot.shared.periods import parse_date, parse_time
from bot.shared.text import TextProblem, check_name

MAX_LINES = 62  # patrols in one list waiting to be saved (a month of nightly patrols, twice)
MAX_HOURS = 12
TEXT = 120  # characters of a typed line shown back with its problem
MAX_HEADCOUNT = 200
HEAD = re.compile(r"^(\S+)\s+(\S+?)\s*[-–—]\s*(\S+)$")
NUMBER = re.compile(r"\d+")


class Problem(StrEnum):
    FORMAT = "format"
    DATE = "date"
    FUTURE = "future"
    TIME = "time"
    ORDER = "order"
    NOBODY = "nobody"
    NAME = "name"
    COUNT = "count"
    KIND = "kind"
    TOO_MANY = "too_many"
    LONG = "long"
    TWICE = "twice"  # the same date and start time as a line already in the list


@dataclass
class Entry:
    line: int
    day: date
    start: time
    end: time
    names: list[str] = field(default_factory=list)
    headcount: int = 0  # when participants were given as a number
    observations: dict[str, int] = field(default_factory=dict)
    text: str = ""  # the line as typed (not kept once it is in the list)

    @property
    def participants(self) -> int:
        return len(self.names) or self.headcount

    def started_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.day, self.start, tz)

    @property
    def overnight(self) -> bool:
        """The end time is on the next day (``22:00-01:00``)."""
        return self.end <= self.start

    def ended_at(self, tz: ZoneInfo) -> datetime:
        day = self.day + timedelta(days=1) if self.overnight else self.day
        return datetime.combine(day, self.end, tz)

    @property
    def key(self) -> tuple[date, time]:
        """Two lines with the same key are the same patrol."""
        return self.day, self.start


@dataclass(frozen=True)
class LineProblem:
    line: int
    problem: Problem
    detail: str = ""
    text: str = ""  # the line as it was typed, to show it back


def parse(text: str, now: datetime, tz: ZoneInfo) -> tuple[list[Entry], list[LineProblem]]:
    local_now = now.astimezone(tz)
    lines = [(i, raw.strip()) for i, raw in enumerate(text.splitlines(), 1) if raw.strip()]
    if len(lines) > MAX_LINES:
        return [], [LineProblem(0, Problem.TOO_MANY, str(MAX_LINES))]
    entries: list[Entry] = []
    problems: list[LineProblem] = []
    for number, line in lines:
        found = parse_line(number, line, local_now, tz)
        if isinstance(found, LineProblem):
            problems.append(LineProblem(found.line, found.problem, found.detail, line[:TEXT]))
        else:
            found.text = line[:TEXT]
            entries.append(found)
    return entries, problems


def parse_line(number: int, line: str, local_now: datetime, tz: ZoneInfo) -> Entry | LineProblem:
    parts = [p.strip() for p in line.split(";")]
    if len(parts) < 2 or len(parts) > 3:
        return LineProblem(number, Problem.FORMAT)
    head = HEAD.match(parts[0])
    if not head:
        return LineProblem(number, Problem.FORMAT)
    day = parse_date(head.group(1), local_now.date(), past=True)
    if day is None:
        return LineProblem(number, Problem.DATE, head.group(1))
    start, end = parse_time(head.group(2)), parse_time(head.group(3))
    if start is None or end is None:
        return LineProblem(number, Problem.TIME)
    if end == start:
        return LineProblem(number, Problem.ORDER)
    entry = Entry(number, day, start, end)
    if entry.ended_at(tz) - entry.started_at(tz) > timedelta(hours=MAX_HOURS):
        return LineProblem(number, Problem.LONG, str(MAX_HOURS))
    if entry.ended_at(tz) > local_now:
        return LineProblem(number, Problem.FUTURE)
    who = parts[1]
    if who.isdigit():
        entry.headcount = int(who)
        if not 1 <= entry.headcount <= MAX_HEADCOUNT:
            return LineProblem(number, Problem.NOBODY if entry.headcount == 0 else Problem.COUNT)
    else:
        for raw in who.split(","):
            if not raw.strip():
                continue
            name = check_name(raw)
            if isinstance(name, TextProblem):
                return LineProblem(number, Problem.NAME, raw.strip()[:40])
            entry.names.append(name)
        if not entry.names:
            return LineProblem(number, Problem.NOBODY)
    if len(parts) == 3 and parts[2]:
        for item in parts[2].split(","):
            if not item.strip():
                continue
            found = parse_observation(item)
            if isinstance(found, LineProblem):
                return LineProblem(number, found.problem, found.detail)
            code, count = found
            entry.observations[code] = entry.observations.get(code, 0) + count
            if entry.observations[code] > MAX_COUNT:
                return LineProblem(number, Problem.COUNT, item.strip()[:40])
    return entry


def parse_observation(item: str) -> tuple[str, int] | LineProblem:
    numbers = NUMBER.findall(item)
    if len(numbers) > 1:
        return LineProblem(0, Problem.KIND, item.strip()[:40])
    count = int(numbers[0]) if numbers else 1
    if not 1 <= count <= MAX_COUNT:
        return LineProblem(0, Problem.COUNT, item.strip()[:40])
    found = match_kind(NUMBER.sub(" ", item))
    if found is None:
        return LineProblem(0, Problem.KIND, item.strip()[:40])
    return found.code, count


def add_to_list(pending: list[Entry], new: list[Entry]) -> tuple[list[Entry], list[LineProblem]]:
    """Lines of one more message added to those waiting to be saved. A line for a patrol
    already in the list (same date and start) is not added and comes back as a problem.
    The caller keeps the list within :data:`MAX_LINES`."""
    merged = list(pending)
    keys = {e.key for e in pending}
    repeated: list[LineProblem] = []
    for entry in new:
        if entry.key in keys:
            repeated.append(LineProblem(entry.line, Problem.TWICE, text=entry.text))
            continue
        merged.append(entry)
        keys.add(entry.key)
    return merged, repeated
