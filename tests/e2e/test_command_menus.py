"""Command menus at start-up: the shared menus first, then one private menu per leader,
officer and admin, spread out in the background, so people are answered meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import areas, members, roles
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot
from tests.fakebotapi import FakeBotAPI

LEADERS = 30


async def seed_leaders(database: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    db = await Database.open(database)
    async with db.unit() as conn:
        area = await areas.by_code(conn, "DONG")
        assert area is not None
        for n in range(LEADERS + 1):
            member = await members.ensure(conn, "telegram", str(5000 + n), now)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=f"Tổ trưởng {n}",
                area_id=area.id,
                language="en" if n == 0 else "vi",
                consent_version=1,
                now=now,
            )
            if n == LEADERS:
                await roles.grant(conn, member.id, "officer", None, None, now)
            else:
                await roles.grant(conn, member.id, "leader", area.id, None, now)
    await db.close()


async def test_member_menus_are_spread_out_after_polling_starts(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "menus.sqlite3"
    await seed_areas(database)
    await seed_leaders(database)
    resident = ChatUser(api, 4242, "Nguyễn Văn An")
    await resident.send_only("/help")
    bot = RunningBot(api, database)
    await bot.start()
    try:
        await api.wait_for(
            lambda c: (
                c.method == "setMyCommands"
                and (c.params.get("scope") or {}).get("chat_id") == 5000 + LEADERS
            ),
            timeout=20,
        )
    finally:
        await bot.stop()
    menus = [c for c in api.calls if c.method == "setMyCommands"]
    per_chat = {
        c.params["scope"]["chat_id"]: c
        for c in menus
        if (c.params.get("scope") or {}).get("type") == "chat"
    }
    assert set(per_chat) == {5000 + n for n in range(LEADERS + 1)}
    assert len(menus) == len(per_chat) + 6  # 2 languages x (private, groups, default)
    names = {
        chat: {entry["command"] for entry in call.params["commands"]}
        for chat, call in per_chat.items()
    }
    assert "tuantra" in names[5001] and "patrol" in names[5000]  # each in their language
    assert "capquyen" in names[5000 + LEADERS]  # the officer's menu has the officers' commands
    assert "capquyen" not in names[5001]

    # The resident was answered before the last private menu was sent.
    answer = next(i for i, c in enumerate(api.calls) if c.chat_id == resident.id)
    last_menu = max(i for i, c in enumerate(api.calls) if c.method == "setMyCommands")
    assert answer < last_menu
