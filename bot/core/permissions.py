"""Roles, and the one place where they are checked.

Roles come from the database (and ``XOMANTOAN_ADMINS``), never from who is a Telegram group admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.storage import roles as roles_repo
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
    roles: frozenset[Role]
    leader_areas: frozenset[int] = frozenset()

    def may(self, allowed: Iterable[Role]) -> bool:
        wanted = frozenset(allowed)
        return wanted == EVERYONE or bool(self.roles & wanted)

    @property
    def is_officer(self) -> bool:
        return self.may(OFFICERS)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def leads(self, area_id: int | None) -> bool:
        """Leader of that area, or an officer (who may act for any area)."""
        return self.is_officer or (area_id is not None and area_id in self.leader_areas)


NOBODY = RoleSet(frozenset())


async def load_roles(
    conn: aiosqlite.Connection,
    member: Member | None,
    platform: str,
    user_id: str,
    admins: Iterable[tuple[str, str]],
) -> RoleSet:
    found: set[Role] = set()
    if (platform, user_id) in set(admins):
        found.add(Role.ADMIN)
    leader_areas: set[int] = set()
    if member is not None:
        if member.onboarded:
            found.add(Role.RESIDENT)
        for grant in await roles_repo.of_member(conn, member.id):
            found.add(Role(grant.role))
            if grant.role == Role.LEADER and grant.area_id is not None:
                leader_areas.add(grant.area_id)
    return RoleSet(frozenset(found), frozenset(leader_areas))
