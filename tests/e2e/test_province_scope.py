"""What a commune officer or a team leader of a province may not reach: the pledge campaigns and
items every commune shares, people of another commune when choosing a mediator."""

from __future__ import annotations

from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_figures import craft_button
from tests.e2e.test_onboarding import register
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    ADMIN,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import FakeBotAPI

PROVINCE_WIDE = "Đợt cam kết và các mục cam kết áp dụng cho mọi xã"


async def execute(bot: RunningBot, sql: str, params: tuple[object, ...] = ()) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            await conn.execute(sql, params)
    finally:
        await db.close()


async def test_a_commune_officer_cannot_change_the_provinces_pledge_campaigns_or_items(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    admin = ChatUser(api, ADMIN, "Quản trị")
    await register(api, admin, "Thôn Sơn Một")
    officer = ChatUser(api, 3010, "Cán bộ Lương")
    await register(api, officer, "Thôn Sơn Hai")
    await make_officer(api, officer, "Toàn tỉnh")
    # A province officer begins a campaign, then is made an officer of one commune only.
    await settle(api, officer.send("/dotcamket"))
    asked = await settle(api, officer.press("Mở đợt cam kết mới"))
    assert "tên" in asked.text
    await execute(
        province,
        "UPDATE roles SET commune_id = (SELECT id FROM communes WHERE code = 'NGASON')"
        " WHERE role = 'officer' AND member_id = (SELECT id FROM members WHERE user_id = '3010')",
    )
    typed = await settle(api, officer.send("Cam kết năm 2027"))
    assert PROVINCE_WIDE in typed.text
    assert await rows(province, "SELECT * FROM pledge_campaigns") == []
    assert await rows(province, "SELECT * FROM conversations WHERE user_id = '3010'") == []

    # The campaigns are shown, without the button to open one.
    shown = await settle(api, officer.send("/dotcamket"))
    assert PROVINCE_WIDE in shown.text and not shown.labels
    refused = await craft_button(province, api, officer, "plga:new")
    assert PROVINCE_WIDE in refused.params["text"]
    # The items are shown to read, without the buttons to change them.
    await settle(api, officer.send("/mucamket"))
    listed = await settle(api, officer.press("Hộ gia đình"))
    assert "1. " in listed.text and PROVINCE_WIDE in listed.text
    assert not [label for label in listed.labels if label[0] in "✏⛔♻➕"]
    item = (await rows(province, "SELECT id FROM pledge_items ORDER BY id LIMIT 1"))[0]["id"]
    for action in (f"plgi:retire:{item}", f"plgi:edit:{item}", "plgi:add:household"):
        refused = await craft_button(province, api, officer, action)
        assert PROVINCE_WIDE in refused.params["text"]
    assert await rows(province, "SELECT * FROM pledge_items WHERE retired_at IS NOT NULL") == []
    assert await rows(province, "SELECT * FROM conversations WHERE user_id = '3010'") == []

    # The admin (every commune's) still opens campaigns and changes items.
    offered = await settle(api, admin.send("/dotcamket"))
    assert "➕ Mở đợt cam kết mới" in offered.labels
    await settle(api, admin.send("/mucamket"))
    editable = await settle(api, admin.press("Hộ gia đình"))
    assert "✏️ 1" in editable.labels
