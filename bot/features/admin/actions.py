"""The buttons of the admin screens, declared once: each screen makes its action strings from
these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions, Prefix


class Grant(StrEnum):
    """/grant step by step."""

    ROLE = "role"
    PICK = "pick"
    AREA = "area"
    COMMUNE = "commune"  # an officer's commune (0: the whole province)
    OK = "ok"
    NO = "no"


class Group(StrEnum):
    """/linkgroup."""

    LINK = "link"


class Areas(StrEnum):
    """/areas in a province."""

    COMMUNE = "c"  # one commune's areas


class Records(StrEnum):
    """/areas → import of areas and past ratings."""

    START = "start"
    TEMPLATE = "tpl"  # ":xlsx" or ":csv"


GRANT = Actions("grant", Grant)
GROUP = Actions("grp", Group)
AREAS = Actions("ar", Areas)
RECORDS = Actions("rec", Records)
# "<member>:<role>:<area or 0>[:<commune>]": the role taken back by /revoke.
REVOKE = Prefix("revoke")
