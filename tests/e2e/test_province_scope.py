"""What a commune officer or a team leader of a province may not reach: the pledge campaigns and
items every commune shares, people of another commune when choosing a mediator."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import menus as menus_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot
from tests.e2e.test_figures import START, craft_button
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import make_leader
from tests.e2e.test_province import (  # noqa: F401 (the fixture)
    ADMIN,
    file_theft,
    make_officer,
    province,
    residents,
)
from tests.e2e.test_reports import rows, settle
from tests.fakebotapi import Call, FakeBotAPI

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


async def test_a_mediator_is_found_in_the_cases_commune_and_changed_by_its_leaders_only(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, _ = await residents(api)  # Mai Văn Sơn (Xã Nga Sơn); Đỗ Thị Hòa lives in Xã Nga Hòa
    leader = ChatUser(api, 3020, "Trưởng Thôn Một")
    await register(api, leader, "Thôn Sơn Một")
    await make_leader(province, leader.id, "NS1")
    await settle(api, leader.send("/hoagiai"))
    await settle(api, leader.press("Vụ mới"))
    await settle(api, leader.send("Ông A, Bà B"))
    nobody = await settle(api, leader.send("Hòa"))
    assert "Không có ai" in nobody.text and "Đỗ Thị Hòa" not in nobody.labels
    found = await settle(api, leader.send("Sơn"))
    assert "Mai Văn Sơn" in found.labels
    # A person of the other commune, pressed anyway, is not made the mediator.
    hoa_id = (await rows(province, "SELECT id FROM members WHERE user_id = '3002'"))[0]["id"]
    refused = await craft_button(province, api, leader, f"med:pick:{hoa_id}")
    assert "không thuộc phạm vi" in refused.params["text"]
    before = len(api.calls)
    await settle(api, leader.press("Mai Văn Sơn", in_call=found))
    card = await settle(api, leader.press("Hôm nay"))
    assert "Hòa giải viên: Mai Văn Sơn" in card.text and "👤 Hòa giải viên" in card.labels
    case = (await rows(province, "SELECT id, mediator_member_id FROM mediation_cases"))[0]

    # The mediator (a resident) records the outcome, but does not choose another mediator.
    notice = await api.wait_for(
        lambda c: c.chat_id == son.id and "hòa giải viên" in c.text, after=before
    )
    seen = await settle(api, son.press("Xem vụ hòa giải", in_call=notice))
    assert "Ông A, Bà B" in seen.text and "👤 Hòa giải viên" not in seen.labels
    refused = await craft_button(province, api, son, f"med:setmed:{case['id']}")
    assert "không do anh/chị phụ trách" in refused.params["text"]  # a resident's words
    assert await rows(province, "SELECT * FROM conversations WHERE user_id = '3001'") == []

    # The leader changes the mediator, again among the case's commune only.
    await settle(api, leader.press("👤 Hòa giải viên", in_call=card))
    nobody = await settle(api, leader.send("Hòa"))
    assert "Không có ai" in nobody.text
    refused = await craft_button(province, api, leader, f"med:pick:{hoa_id}")
    assert "không thuộc phạm vi" in refused.params["text"]
    saved = await rows(province, "SELECT mediator_member_id FROM mediation_cases")
    assert saved == [{"mediator_member_id": case["mediator_member_id"]}]
    mine = await settle(api, leader.press("Tôi"))
    assert "Hòa giải viên: Trưởng Thôn Một" in mine.text


# Assignment, transfer, deadlines and the list filters (issue 16): every role that lacks them
async def craft_in_group(bot: RunningBot, api: FakeBotAPI, user: ChatUser, action: str) -> Call:
    """Press, in a group, a button that carries ``action`` (as a tampered client could)."""
    group = {"id": -4100, "type": "group", "title": "Thôn Sơn Một"}
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            menu_id = await menus_repo.create(
                conn,
                "telegram",
                str(group["id"]),
                str(user.id),
                [action],
                None,
                START,
                START + timedelta(days=1),
            )
    finally:
        await db.close()
    before = len(api.calls)
    await api.push(
        {
            "callback_query": {
                "id": f"crafted-group-{menu_id}",
                "from": user.user,
                "chat_instance": "cg",
                "data": f"{menu_id}:0",
                "message": {"message_id": 1, "date": 0, "chat": group, "text": "…"},
            }
        }
    )
    return await api.wait_for(
        lambda c: c.method == "answerCallbackQuery" and bool(c.params.get("text")), after=before
    )


async def test_assigning_transferring_deadlines_and_filters_are_refused_to_every_other_role(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    from tests.e2e.test_reports_handling import staff

    son, _ = await residents(api)
    luong, hanh, kien = await staff(api, province)
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    report = (await rows(province, "SELECT id FROM reports"))[0]["id"]
    hanh_id = (await rows(province, "SELECT id FROM members WHERE user_id = '3011'"))[0]["id"]
    son_commune = (await rows(province, "SELECT id FROM communes WHERE code = 'NGASON'"))[0]["id"]
    actions = [
        f"rh:pick:{report}",
        f"rh:to:{report}:{hanh_id}",
        f"rh:rule:{report}:{hanh_id}",
        f"rh:xfer:{report}",
        f"rh:body:{report}:fire",
        f"rh:com:{report}:{son_commune}",
    ]
    only_officers = "Chỉ cán bộ Công an xã, phường phụ trách tin báo này"
    # A resident, the area's own leader, an officer of another commune: told, nothing changed.
    for person in (son, kien, hanh):
        for action in actions:
            refused = await craft_button(province, api, person, action)
            assert only_officers in refused.params["text"], (person.first_name, action)
    # In a group, even the report's own officer: nothing is shown there.
    in_group = await craft_in_group(province, api, luong, f"rh:pick:{report}")
    assert "chat riêng" in in_group.params["text"]
    # A report that does not exist (an old or forged button).
    stale = await craft_button(province, api, luong, "rh:pick:99999")
    assert "không còn hiệu lực" in stale.params["text"]
    # The officer cannot give it to someone of another commune.
    for action in (f"rh:to:{report}:{hanh_id}", f"rh:rule:{report}:{hanh_id}"):
        foreign = await craft_button(province, api, luong, action)
        assert "Không giao được" in foreign.params["text"]
    assert await rows(province, "SELECT * FROM report_assign_rules") == []
    stored = (await rows(province, "SELECT * FROM reports"))[0]
    assert stored["assignee_member_id"] is None and stored["status"] == "new"
    assert (
        await rows(province, "SELECT * FROM conversations WHERE user_id IN ('3001', '3011')") == []
    )

    # Deadlines: a resident or leader is refused; an officer of another commune cannot change
    # this commune's; in a group nobody.
    for person in (son, kien):
        refused = await craft_button(province, api, person, f"rdl:res:{son_commune}")
        assert "Chỉ cán bộ Công an xã, phường mới đổi được hạn" in refused.params["text"]
    other = await craft_button(province, api, hanh, f"rdl:res:{son_commune}")
    assert "Chỉ cán bộ Công an của xã đó" in other.params["text"]
    in_group = await craft_in_group(province, api, luong, f"rdl:res:{son_commune}")
    assert "chat riêng" in in_group.params["text"]
    assert await rows(province, "SELECT * FROM report_deadlines") == []

    # The list's filters are for leaders and officers only.
    refused = await craft_button(province, api, son, "rl:open:0:all:0:mine")
    assert "chỉ dành cho" in refused.params["text"]


async def test_a_commune_officer_cannot_write_to_merge_or_close_another_communes_report(
    api: FakeBotAPI,
    province: RunningBot,  # noqa: F811
) -> None:
    son, hoa = await residents(api)
    officer = ChatUser(api, 3010, "Cán bộ Lương")
    await register(api, officer, "Thôn Sơn Hai")
    await make_officer(api, officer, "Xã Nga Sơn")
    await file_theft(api, son, "Thôn Sơn Một", "Mất xe máy trước cổng nhà văn hóa")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất trâu ngoài đồng")
    await file_theft(api, hoa, "Thôn Hòa Một", "Mất thêm một con trâu ngoài đồng")
    ids = [r["id"] for r in await rows(province, "SELECT id FROM reports ORDER BY id")]
    own, other, other_again = ids
    for action in (
        f"rth:write:{other}",
        f"rth:merge:{other_again}:{other}",
        f"rth:mergeok:{other_again}:{other}",
        f"rth:merge:{own}:{other}",  # their own report into another commune's
        f"rth:mergeok:{own}:{other}",
        f"rt:st:{other}:resolved",
    ):
        refused = await craft_button(province, api, officer, action)
        assert "không thuộc phạm vi" in refused.params["text"], action
    assert [r["status"] for r in await rows(province, "SELECT status FROM reports")] == ["new"] * 3
    assert await rows(province, "SELECT * FROM report_messages") == []
