"""The buttons of patrols and the house watch, declared once: each screen makes its action
strings from these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions, Prefix


class Ptl(StrEnum):
    """A patrol on foot: choosing who walks, the panel, observations."""

    OBSERVE = "obs"
    COUNT = "cnt"
    REMINDED = "rem"
    REPORT = "rep"  # turn an observation into a report
    DELETE = "del"
    REMOVE_NOTE = "rmn"
    PANEL = "panel"
    HOUSES = "hw"
    END = "end"
    POST = "post"
    TOGGLE = "tog"
    GO = "go"
    CLEAR = "clear"
    CANCEL = "cancel"


class Menu(StrEnum):
    """/patrol: what a leader can do for an area."""

    AREA = "area"
    START = "start"
    BACK = "back"  # log past patrols from the notebook
    ROSTER = "roster"
    RECENT = "recent"


class Confirm(StrEnum):
    """A participant confirms taking part."""

    YES = "yes"
    NO = "no"


class Edit(StrEnum):
    """Recent patrols: open, add or remove an observation, delete."""

    SHOW = "show"
    ADD = "add"
    REMOVE_LIST = "rmlist"
    REMOVE = "rm"
    DELETE = "del"
    DELETE_OK = "delok"


class Roster(StrEnum):
    """The weekly roster."""

    ADD = "add"
    REMOVE = "rm"
    DAY = "day"
    TOGGLE = "tog"
    NEXT = "next"
    LEAD = "lead"  # how long before the shift they are reminded


class Stats(StrEnum):
    """/patrolstats."""

    SCOPE = "scope"
    PERIOD = "period"
    CSV = "csv"


class Watch(StrEnum):
    """/housewatch."""

    NEW = "new"
    CANCEL = "cancel"
    OK = "ok"
    NO = "no"


PATROL = Actions("ptl", Ptl)
MENU = Actions("ptm", Menu)
CONFIRM = Actions("ptc", Confirm)
EDIT = Actions("pte", Edit)
ROSTER = Actions("ptr", Roster)
STATS = Actions("pts", Stats)
HOUSEWATCH = Actions("hw", Watch)
# "save" or "cancel": the list of past patrols typed from the notebook.
BACKFILL = Prefix("ptb")
SAVE = "save"
CANCEL = "cancel"
# "<shift>:<stamp>": a member cannot make it to a shift they were reminded of.
DECLINE = Prefix("ptx")
