"""The conversations of patrols and the house watch: each flow's steps and the state it keeps
between them, validated when read back from the database (see bot.core.flows). The keys are
those the release before typed states stored, so a conversation open over an upgrade goes on.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import BaseModel, Field

from bot.core.flows import Flow, State


# A patrol on foot: who takes part, then an observation's count or note ------------------------
class PatrolStep(StrEnum):
    PICK = "pick"
    OBSERVATION = "obs"


class PatrolState(State):
    area_id: int | None = None
    picked: list[int] = Field(default_factory=list)  # members who take part
    names: list[str] = Field(default_factory=list)  # typed names of people without the bot
    observation_id: int | None = None
    patrol_id: int | None = None


PATROL = Flow("patrol", PatrolStep, PatrolState)


# Past patrols typed from the notebook ---------------------------------------------------------
class BackfillStep(StrEnum):
    LINES = "lines"


class PendingPatrol(BaseModel):
    """A line read and checked, waiting for "Save"."""

    line: int
    day: date
    start: time
    end: time
    names: list[str] = Field(default_factory=list)
    headcount: int = 0
    observations: dict[str, int] = Field(default_factory=dict)


class BackfillState(State):
    area_id: int
    entries: list[PendingPatrol] = Field(default_factory=list)


BACKFILL = Flow("patrol_back", BackfillStep, BackfillState)


# A shift added to the weekly roster -----------------------------------------------------------
class RosterStep(StrEnum):
    DAY = "day"
    TIME = "time"
    WHO = "who"
    LEAD = "lead"


class RosterState(State):
    area_id: int
    weekday: int | None = Field(default=None, ge=0, le=6)
    start: str | None = None  # "19:30"
    picked: list[int] = Field(default_factory=list)


ROSTER = Flow("patrol_roster", RosterStep, RosterState)


# /patrolstats ---------------------------------------------------------------------------------
class StatsStep(StrEnum):
    SCOPE = "scope"
    PERIOD = "period"
    DATES = "dates"


class StatsState(State):
    area_id: int = 0  # 0: the whole commune


STATS = Flow("patrol_stats", StatsStep, StatsState)


# /housewatch ----------------------------------------------------------------------------------
class WatchStep(StrEnum):
    ADDRESS = "address"
    DATES = "dates"
    CONFIRM = "confirm"


class WatchState(State):
    address: str = ""
    away_from: date | None = None
    back_on: date | None = None


HOUSEWATCH = Flow("housewatch", WatchStep, WatchState)
