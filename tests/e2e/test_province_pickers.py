"""The area picker of a province (communes, then pages of areas) works wherever it is shown, also
on screens that are no conversation step: /tuantra, /danhsachho, /lienketnhom."""

from __future__ import annotations

from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    ADMIN,
    START,
    province,
)
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import FakeBotAPI


async def add_thirty_areas(bot: RunningBot) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            son = await communes_repo.by_code(conn, "NGASON")
            assert son is not None
            for n in range(1, 31):
                await areas_repo.add(conn, f"NSX{n:02d}", f"Xóm Sơn {n:02d}", 40, START, son.id)
    finally:
        await db.close()


async def test_pickers_outside_a_conversation_go_by_commune_then_pages(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    admin = ChatUser(api, ADMIN, "Quản trị")
    await register(api, admin, "Thôn Sơn Một")
    await add_thirty_areas(province)
    for command, opened in (
        ("/tuantra", "Tuần tra Xóm Sơn 30"),
        ("/danhsachho", "Sổ theo dõi hộ của Xóm Sơn 30"),
    ):
        communes = await settle(api, admin.send(command))
        assert communes.labels == ["🏘 Xã Nga Hòa (1)", "🏘 Xã Nga Sơn (32)"]
        first = await settle(api, admin.press("Xã Nga Sơn"))
        assert first.method == "editMessageText" and first.text == communes.text
        assert "▶️ 2/2" in first.labels and "Xóm Sơn 30" not in first.labels
        second = await settle(api, admin.press("▶️ 2/2"))
        assert second.text == communes.text and "Xóm Sơn 30" in second.labels
        back = await settle(api, admin.press("◀️"))
        assert "Xóm Sơn 01" in back.labels
        again = await settle(api, admin.press("▶️ 2/2"))
        done = await settle(api, admin.press("Xóm Sơn 30", in_call=again))
        assert opened in done.text

    # In a group: the group is linked to the area chosen on the second page.
    group = group_chat(-100888, "Nhóm Xóm Sơn 30")
    communes = await settle(api, admin.send("/lienketnhom", group))
    await settle(api, admin.press("Xã Nga Sơn", group))
    await settle(api, admin.press("▶️ 2/2", group))
    await settle(api, admin.press("Xóm Sơn 30", group))
    linked = await rows(
        province,
        "SELECT a.code FROM chats c JOIN areas a ON a.id = c.area_id WHERE c.chat_id = '-100888'",
    )
    assert linked == [{"code": "NSX30"}]
