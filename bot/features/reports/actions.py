"""The buttons of reports and mediation, declared once: each screen makes its action strings
from these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions, Prefix


class Rep(StrEnum):
    """/report, step by step."""

    CANCEL = "cancel"
    CATEGORY = "cat"
    URGENT = "urgent"  # the draft from a patrol: toggle "happening right now"
    RECATEGORY = "recat"
    REWRITE = "rewrite"
    DONE = "done"  # the description is complete
    AREA = "area"
    NO_PLACE = "noplace"
    NOW = "now"
    SEND = "send"


class Triage(StrEnum):
    """A handler's buttons on a report card (each with the report's number)."""

    VIEW = "view"
    STATUS = "st"
    NOTE = "note"
    WHO = "who"
    HISTORY = "hist"
    CONFIRM = "ok"
    CANCEL = "no"
    REOPEN = "reopen"
    BLOCK = "block"
    MEDIATION = "med"
    PHOTOS = "photos"  # the report's photos, sent to the handler's chat
    VOICES = "voices"  # the report's voice notes, sent to the handler's chat


class Med(StrEnum):
    """/mediation: lists, a new case, and a case's buttons."""

    LIST = "list"
    NEW = "new"
    AREA = "area"
    ME = "me"
    PICK = "pick"
    DAY = "day"
    SKIP = "skip"
    VIEW = "view"
    OUTCOME = "out"
    SET_DAY = "setday"
    SET_MEDIATOR = "setmed"


class Settings(StrEnum):
    """/reportsettings."""

    ROUTE = "route"
    MAX = "max"
    ACK = "ack"
    NOW = "now"


REPORT = Actions("rep", Rep)
TRIAGE = Actions("rt", Triage)
MEDIATION = Actions("med", Med)
SETTINGS = Actions("rcfg", Settings)
# "<report>:<answer>": the reporter's answer after "resolved".
FEEDBACK = Prefix("rfb")
FIXED, NOT_FIXED = "fixed", "notfixed"
# "<status>:<area>:<category>:<page>": the filter of /reports.
LISTING = Prefix("rl")


# Giving a report to someone and transferring it (issue 16) --------------------------------------
class Handle(StrEnum):
    """An officer's buttons for who handles a report (each with the report's number)."""

    PICK = "pick"  # the "give to..." picker
    TO = "to"  # <report>:<member>
    RULE = "rule"  # <report>:<member>: give it, and every new one of its category and area
    TRANSFER = "xfer"  # where it can go
    BODY = "body"  # <report>:<destination>
    COMMUNE = "com"  # <report>:<commune>: its areas
    AREA = "area"  # <report>:<area>


class Deadline(StrEnum):
    """The deadlines of a commune's reports (each with the commune's id)."""

    COMMUNE = "c"
    ACK_NOW = "now"
    ACK = "ack"
    RESOLVE = "res"
    # By category (screens_category_deadlines): the list with the commune's id; the others
    # with "<commune>:<category>".
    CATEGORIES = "cats"
    CATEGORY = "cat"
    CAT_ACK = "cack"
    CAT_RESOLVE = "cres"
    CAT_RESET = "crst"


HANDLE = Actions("rh", Handle)
DEADLINES = Actions("rdl", Deadline)


class Thread(StrEnum):
    """A handler's buttons of the thread with the reporter and of merging duplicates (each
    with the report's number)."""

    WRITE = "write"  # write to the reporter
    MERGE = "merge"  # "<report>:<original>": merge into the original (asks to confirm)
    MERGE_OK = "mergeok"  # "<report>:<original>": confirmed
    MERGE_NO = "mergeno"


class Answer(StrEnum):
    """The reporter's buttons, each with a sealed reference to the report (never its number:
    a menu kept in the reporter's chat must not tell which report it is about)."""

    WRITE = "write"  # write to the handler
    GOOD = "good"  # satisfied with the outcome
    BAD = "bad"  # not satisfied: then a reason, picked or typed
    WHY = "why"  # "<ref>:<reason key>"
    WHY_TYPED = "whytyped"
    REOPEN = "reopen"  # reopen it, once, within the set time


THREAD = Actions("rth", Thread)
ANSWER = Actions("rrp", Answer)
