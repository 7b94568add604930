"""The buttons of patrols, declared once: each screen makes its action strings from these and
each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions


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


PATROL = Actions("ptl", Ptl)
