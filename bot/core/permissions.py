"""Roles, and the one place where they are checked.

Roles come from the database (and ``XOMANTOAN_ADMINS``), never from who is a Telegram group admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.members import Member


class Role(StrEnum):
    RESIDENT = "resident"
    LEADER = "leader"
    OFFICER = "officer"
    ADMIN = "admin"


EVERYONE = frozenset(Role)
LEADERS = frozenset({Role.LEADER, Role.OFFICER, Role.ADMIN})
OFFICERS = frozenset({Role.OFFICER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class RoleSet:
    """What a person may do. An officer acts for every area of the deployment (the province, or
    the one commune) unless every officer grant they hold names a commune: then ``communes`` are
    those communes and ``commune_areas`` their areas, and nothing outside them is theirs to see."""

    roles: frozenset[Role]
    leader_areas: frozenset[int] = frozenset()
    communes: frozenset[int] | None = None
    commune_areas: frozenset[int] = frozenset()

    def may(self, allowed: Iterable[Role]) -> bool:
        wanted = frozenset(allowed)
        return wanted == EVERYONE or bool(self.roles & wanted)

    @property
    def is_officer(self) -> bool:
        return self.may(OFFICERS)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def sees_every_commune(self) -> bool:
        """An admin, or an officer of the whole deployment (a province officer)."""
        return self.is_admin or (self.is_officer and self.communes is None)

    @property
    def officer_areas(self) -> frozenset[int] | None:
        """The areas an officer's screens show: None for every area (and for non-officers,
        whose screens are scoped by their own area or leadership instead)."""
        return None if self.sees_every_commune or not self.is_officer else self.commune_areas

    @property
    def area_ids(self) -> frozenset[int]:
        """The areas someone short of every commune acts for: those they lead and, for a
        commune officer, their communes' areas."""
        return self.leader_areas | (self.commune_areas if self.is_officer else frozenset())

    def sees(self, area_ids: Iterable[int]) -> list[int]:
        """Those of ``area_ids`` this person acts for (all of them for every commune's)."""
        return [a for a in area_ids if self.sees_every_commune or a in self.area_ids]

    def covers(self, area_id: int | None) -> bool:
        """An officer who acts for that area (any area, or one of their communes')."""
        if not self.is_officer:
            return False
        scope = self.officer_areas
        return scope is None or (area_id is not None and area_id in scope)

    def leads(self, area_id: int | None) -> bool:
        """Leader of that area, or an officer who acts for it."""
        return self.covers(area_id) or (area_id is not None and area_id in self.leader_areas)


NOBODY = RoleSet(frozenset())


async def load_roles(
    conn: Connection,
    member: Member | None,
    platform: str,
    user_id: str,
    admins: Iterable[tuple[str, str]],
) -> RoleSet:
    found: set[Role] = set()
    if (platform, user_id) in set(admins):
        found.add(Role.ADMIN)
    leader_areas: set[int] = set()
    communes: set[int] = set()
    wide = False  # an officer grant without a commune: the whole deployment
    commune_areas: frozenset[int] = frozenset()
    if member is not None:
        if member.onboarded:
            found.add(Role.RESIDENT)
        scoped = await roles_repo.of_member_scoped(conn, member.id)
        commune_areas = scoped.area_ids
        for grant in scoped.grants:
            found.add(Role(grant.role))
            if grant.role == Role.LEADER and grant.area_id is not None:
                leader_areas.add(grant.area_id)
            if grant.role == Role.OFFICER:
                if grant.commune_id is None:
                    wide = True
                else:
                    communes.add(grant.commune_id)
    if wide or not communes:
        return RoleSet(frozenset(found), frozenset(leader_areas))
    return RoleSet(frozenset(found), frozenset(leader_areas), frozenset(communes), commune_areas)


def refusal(_: Callable[..., str], allowed: frozenset[Role]) -> str:
    """A polite refusal that says who may do this, never why the person is not one of them."""
    if allowed <= ADMINS:
        who = _("the deployment administrators")
    elif allowed <= OFFICERS:
        who = _("commune police officers")
    elif allowed <= LEADERS:
        who = _("team leaders and commune police officers")
    else:
        who = _("registered residents")
    return _(
        "Sorry, only {who} can use this. If you think you should have access, please "
        "ask your commune police officer.",
        who=who,
    )
