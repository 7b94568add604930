"""The buttons of broadcasts and subscriptions, declared once: each screen makes its action
strings from these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions


class Bc(StrEnum):
    """/broadcast, step by step."""

    NEW = "new"
    TOPIC = "topic"
    MESSAGE = "msg"  # "lib:<key>" or "own:<id>"
    TARGET = "tgt"
    AREA = "area"
    AREAS_DONE = "areasok"
    WHEN = "when"
    WEEKDAY = "wd"
    OFFSET = "off"  # days before a lunar date
    OK = "ok"
    NO = "no"
    OWN = "own"  # add my own message
    OWN_TOPIC = "ownt"
    QUIET = "quiet"


class Schedule(StrEnum):
    """/broadcast → Schedules."""

    LIST = "list"
    SHOW = "show"
    PAUSE = "pause"
    RESUME = "resume"
    DELETE = "delete"
    EDIT = "edit"


class Sub(StrEnum):
    """/subscribe."""

    TOGGLE = "toggle"
    DONE = "done"
    ALL = "all"  # stop them all (menus of earlier releases)


BROADCAST = Actions("bc", Bc)
SCHEDULES = Actions("bcs", Schedule)
SUBSCRIBE = Actions("sub", Sub)
