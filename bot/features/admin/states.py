"""The conversations of the admin screens: each flow's steps and the state it keeps between
them, validated when read back from the database (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Flow, NoState, State
from bot.core.permissions import Role


class GrantStep(StrEnum):
    ROLE = "role"  # admins choose which role
    WHO = "who"
    AREA = "area"
    CONFIRM = "confirm"


class GrantState(State):
    role: Role | None = None
    member_id: int | None = None
    area_id: int | None = None
    commune_id: int | None = None  # an officer's commune (None: the whole province)


GRANT = Flow("grant", GrantStep, GrantState)


class RevokeStep(StrEnum):
    PICK = "pick"


REVOKE = Flow("revoke", RevokeStep, NoState)


class RecordsStep(StrEnum):
    FILE = "file"  # waiting for the file of areas and past ratings


RECORDS = Flow("records", RecordsStep, NoState)
