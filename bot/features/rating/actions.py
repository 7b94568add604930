"""The buttons of /rating, declared once: each screen makes its action strings from these and
the router in screens.py reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions


class Bx(StrEnum):
    YEAR = "year"  # "0" this year, "1" last year, "type" another
    TABLE = "table"
    BACK = "back"
    LIST = "list"
    AREA = "area"
    CRITERION = "crit"
    SET = "set"  # "<criterion>:1" met, "<criterion>:0" not met
    NOTE = "note"
    RESULT = "result"
    DECIDE = "decide"
    CLOSE = "close"
    REOPEN = "reopen"
    DONE = "done"


RATING = Actions("bx", Bx)
