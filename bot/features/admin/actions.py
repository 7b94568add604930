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
    OK = "ok"
    NO = "no"


class Group(StrEnum):
    """/linkgroup."""

    LINK = "link"


GRANT = Actions("grant", Grant)
GROUP = Actions("grp", Group)
# "<member>:<role>:<area or 0>": the role taken back by /revoke.
REVOKE = Prefix("revoke")
