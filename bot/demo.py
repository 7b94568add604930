"""The embedded demo: a commune with two areas, a team leader, an officer and a linked group."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.events import ChatInfo, Person
from bot.storage import areas, chats, members, roles
from bot.transports.console import PLATFORM, Identity

OFFICER = Identity(
    "officer",
    Person(9001, "Trần Văn Minh", None, "vi"),
    "officer (Cán bộ Công an xã Trần Văn Minh)",
)
LEADER = Identity(
    "leader", Person(9002, "Lê Thị Hoa", None, "vi"), "leader (Tổ trưởng Lê Thị Hoa, Thôn Đông)"
)
RESIDENT = Identity(
    "resident",
    Person(9003, "Nguyễn Văn An", None, "vi"),
    "resident (Nguyễn Văn An, not registered yet)",
)
IDENTITIES = [RESIDENT, LEADER, OFFICER]
GROUP = ChatInfo(-1009001, "group", "Nhóm Thôn Đông")


async def seed(conn: aiosqlite.Connection, now: datetime) -> bool:
    """Fill an empty database with the demo commune; False if it already has areas."""
    if await areas.list_areas(conn):
        return False
    east = await areas.add(conn, "DONG", "Thôn Đông", 120, now)
    await areas.add(conn, "TAY", "Thôn Tây", 95, now)
    for identity, area_id in ((OFFICER, east.id), (LEADER, east.id)):
        member = await members.ensure(conn, PLATFORM, identity.person.id, now)
        await members.complete_onboarding(
            conn,
            member.id,
            display_name=identity.person.first_name,
            area_id=area_id,
            language="vi",
            consent_version=1,
            now=now,
        )
    officer = await members.find(conn, PLATFORM, OFFICER.person.id)
    leader = await members.find(conn, PLATFORM, LEADER.person.id)
    assert officer is not None and leader is not None
    await roles.grant(conn, officer.id, "officer", None, None, now)
    await roles.grant(conn, leader.id, "leader", east.id, officer.id, now)
    group = await chats.upsert(conn, PLATFORM, GROUP.id, "group", GROUP.title, now)
    await chats.link_area(conn, group.id, east.id)
    return True
