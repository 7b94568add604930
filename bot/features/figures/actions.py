"""The buttons of /stats, declared once: each screen makes its action strings from these and
each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions


class Sts(StrEnum):
    """/stats step by step; "again" carries the scope (and the period) of an answer. A scope is
    ``0`` (every area), an area's id or ``c<commune id>``."""

    SCOPE = "scope"
    PERIOD = "period"
    AGAIN = "again"


class Download(StrEnum):
    """An officer's files of an answer: ``<kind>:<scope>:<first day>:<last day>``, the scope
    ``0`` (every area), an area's id or ``c<commune id>``."""

    XLSX = "xlsx"
    CSV = "csv"
    DOCX = "docx"


STATS = Actions("sts", Sts)
FILES = Actions("stf", Download)
