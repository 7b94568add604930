"""Groups and roles, driven over the fake Bot API as people in a village group would."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.sealing import Sealer, key_file_of, load_or_create_key
from bot.storage import chats
from bot.storage import menus as menus_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, add_bot_to_group, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_reports import file_report, grant, people, rows, settle
from tests.fakebotapi import FakeBotAPI

GROUP = group_chat(-100500, "Nhóm Zalo Thôn Đông")


async def make_officer(api: FakeBotAPI, bot: RunningBot, user: ChatUser) -> None:
    """The deployment admin (user 42) makes ``user`` an officer through the chat."""
    admin = ChatUser(api, 42, "Quản trị")
    await register(api, admin)
    await register(api, user)
    await admin.send("/grant")
    await admin.press("Cán bộ Công an xã, phường")
    await admin.send(user.first_name.split()[-1])
    await admin.press(user.first_name)
    done = await admin.press("Xác nhận")
    assert "cán bộ Công an xã" in done.text
    told = await api.wait_for(lambda c: c.chat_id == user.id and "được giao" in c.text)
    assert "cán bộ Công an xã" in told.text


async def test_bot_added_to_group_introduces_itself(api: FakeBotAPI, bot: RunningBot) -> None:
    hung = ChatUser(api, 2001, "Lê Hùng")
    before = len(api.calls)
    await add_bot_to_group(api, hung, GROUP)
    intro = await api.wait_for(lambda c: c.chat_id == GROUP["id"], after=before)
    assert "Xóm An Toàn" in intro.text and "/lienketnhom" in intro.text
    assert intro.buttons[0]["url"].startswith("https://t.me/xomantoan_test_bot?start=")


async def test_help_in_group_lists_group_commands(api: FakeBotAPI, bot: RunningBot) -> None:
    hung = ChatUser(api, 2002, "Lê Hùng")
    answer = await hung.send("/help", GROUP)
    assert "/trogiup" in answer.text
    assert "/dulieucuatoi" not in answer.text  # private-only commands are not offered here
    assert "chỉ trả lời lệnh" in answer.text


async def test_private_command_in_group_reveals_nothing(api: FakeBotAPI, bot: RunningBot) -> None:
    lan = ChatUser(api, 2003, "Vũ Thị Lan")
    await register(api, lan)
    before = len(api.calls)
    answer = await lan.send("/mydata", GROUP)
    assert "Vũ Thị Lan" not in answer.text and "Thôn" not in answer.text
    assert answer.buttons[0]["url"].endswith("?start=go-mydata")
    await api.wait_idle()
    in_group = [c for c in api.calls[before:] if c.chat_id == GROUP["id"]]
    assert len(in_group) == 1


async def test_resident_is_refused_an_officer_command(api: FakeBotAPI, bot: RunningBot) -> None:
    lan = ChatUser(api, 2004, "Vũ Thị Lan")
    await register(api, lan)
    refusal = await lan.send("/capquyen")
    assert "chỉ dành cho cán bộ Công an xã" in refusal.text


async def test_officer_links_group_and_makes_a_leader(api: FakeBotAPI, bot: RunningBot) -> None:
    minh = ChatUser(api, 2005, "Trần Văn Minh")
    await make_officer(api, bot, minh)
    ask = await minh.send("/linkgroup", GROUP)
    assert "Thôn Đông" in ask.labels
    linked = await minh.press("Thôn Đông", GROUP)
    assert "Thôn Đông" in linked.text and linked.buttons[0]["url"].endswith("?start=DONG")

    hoa = ChatUser(api, 2006, "Lê Thị Hoa")
    await register(api, hoa)
    await minh.send("/capquyen")
    await minh.send("hoa")
    await minh.press("Lê Thị Hoa")
    await minh.press("Thôn Đông")
    await minh.press("Xác nhận")
    await api.wait_for(lambda c: c.chat_id == hoa.id and "tổ trưởng Thôn Đông" in c.text)
    leader_help = await hoa.send("/help")
    assert "/khuvuc" in leader_help.text

    db = await Database.open(bot.database)
    async with db.read() as conn:
        group = await chats.find(conn, "telegram", str(GROUP["id"]))
        async with conn.execute("SELECT action FROM audit_log ORDER BY id") as cur:
            actions = [r[0] for r in await cur.fetchall()]
    await db.close()
    assert group is not None and group.area_id is not None
    assert actions.count("role.granted") == 2 and "group.linked" in actions


async def test_group_migrating_to_supergroup_keeps_its_link(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    minh = ChatUser(api, 2007, "Trần Văn Minh")
    await make_officer(api, bot, minh)
    await minh.send("/linkgroup", GROUP)
    await minh.press("Thôn Đông", GROUP)
    new_id = -1001234567890123
    await minh.send_only("", GROUP, migrate_to_chat_id=new_id)
    await minh.send_only(
        "", group_chat(new_id, GROUP["title"], "supergroup"), migrate_from_chat_id=GROUP["id"]
    )
    await api.wait_idle()
    answer = await minh.send("/help", group_chat(new_id, GROUP["title"], "supergroup"))
    assert answer.chat_id == new_id
    db = await Database.open(bot.database)
    async with db.read() as conn:
        old = await chats.find(conn, "telegram", str(GROUP["id"]))
        new = await chats.find(conn, "telegram", str(new_id))
    await db.close()
    assert old is None
    assert new is not None and new.area_id is not None and new.chat_id == str(new_id)


async def test_bot_removed_from_group_marks_it_inactive(api: FakeBotAPI, bot: RunningBot) -> None:
    hung = ChatUser(api, 2008, "Lê Hùng")
    await add_bot_to_group(api, hung, GROUP)
    await api.push(
        {
            "my_chat_member": {
                "chat": GROUP,
                "from": hung.user,
                "date": 0,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 777000111, "is_bot": True, "first_name": "bot"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 777000111, "is_bot": True, "first_name": "bot"},
                },
            }
        }
    )
    await api.wait_idle()
    db = await Database.open(bot.database)
    async with db.read() as conn:
        group = await chats.find(conn, "telegram", str(GROUP["id"]))
    await db.close()
    assert group is not None and not group.active


async def test_an_update_the_library_cannot_read_is_skipped(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await api.push({"message": {"message_id": "not a number", "chat": "broken"}})
    an = ChatUser(api, 2009, "An")
    answer = await an.send("/help")
    assert "/trogiup" in answer.text


async def test_flood_limit_on_a_reply_is_waited_out(api: FakeBotAPI, bot: RunningBot) -> None:
    an = ChatUser(api, 2010, "An")
    api.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=an.id,
        parameters={"retry_after": 1},
    )
    refused = await an.send("/help")
    delivered = await api.wait_for(lambda c: c.chat_id == an.id and c is not refused)
    assert "/trogiup" in delivered.text
    assert delivered.text == refused.text  # the same reply, sent again after the wait


# The report's thread, outcome and merge: every role that lacks an action is refused ---------
async def press_crafted(
    bot: RunningBot,
    api: FakeBotAPI,
    user: ChatUser,
    action: str,
    chat: dict[str, Any] | None = None,
) -> str:
    """Press a button the bot never offered this person here (a tampered client, a forwarded
    menu); return the answer shown on the button."""
    where = chat or {"id": user.id, "type": "private", "first_name": user.first_name}
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            menu_id = await menus_repo.create(
                conn,
                "telegram",
                str(where["id"]),
                str(user.id),
                [action],
                None,
                datetime.now(UTC),
                datetime.now(UTC) + timedelta(days=1),
            )
    finally:
        await db.close()
    before = len(api.calls)
    await api.push(
        {
            "callback_query": {
                "id": f"crafted-{menu_id}",
                "from": user.user,
                "chat_instance": "ci",
                "data": f"{menu_id}:0",
                "message": {"message_id": 1, "date": int(time.time()), "chat": where, "text": "…"},
            }
        }
    )
    answered = await api.wait_for(
        lambda c: c.method == "answerCallbackQuery" and bool(c.params.get("text")), after=before
    )
    return str(answered.params["text"])


def sealed_ref(bot: RunningBot, report_id: int) -> str:
    """What the bot puts in a reporter's button: the report sealed with the deployment's key."""
    return Sealer(load_or_create_key(key_file_of(bot.database))).seal(str(report_id))


async def test_report_thread_outcome_and_merge_refused_to_who_lacks_them(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    an, lan, hung = await people(api, bot)  # a resident, the leader of Thôn Đông, an officer
    binh = ChatUser(api, 2301, "Phạm Thị Bình")
    tay = ChatUser(api, 2302, "Trưởng Thôn Tây")
    for person in (binh, tay):
        await register(api, person, "Thôn Tây")
    await grant(bot, tay, "leader", "TAY")
    await file_report(api, an, "Tranh chấp", "Hai nhà tranh chấp lối đi", anonymous=False)
    await file_report(api, an, "Tranh chấp", "Hai nhà lại cãi nhau về lối đi", anonymous=False)
    refused_role = "chỉ dành cho tổ trưởng và cán bộ Công an xã"
    not_in_care = "không thuộc phạm vi"

    # A resident: no writing to a reporter, no merging, no closing.
    for action in ("rth:write:1", "rth:merge:2:1", "rth:mergeok:2:1", "rt:st:1:resolved"):
        assert refused_role in await press_crafted(bot, api, binh, action)
    # The leader of another area: not in their care.
    for action in ("rth:write:1", "rth:merge:2:1", "rth:mergeok:2:1", "rt:st:1:resolved"):
        assert not_in_care in await press_crafted(bot, api, tay, action)
    # Someone else's named report: no writing to its handler, no rating, no reopening.
    for verb in ("write", "good", "bad", "reopen"):
        answer = await press_crafted(bot, api, binh, f"rrp:{verb}:{sealed_ref(bot, 1)}")
        assert "chỉ người đã gửi tin báo này" in answer
    # In a group, never.
    group = group_chat(-100901, "Nhóm Thôn Đông")
    answer = await press_crafted(bot, api, an, f"rrp:good:{sealed_ref(bot, 1)}", group)
    assert "trò chuyện riêng" in answer
    # A reference that was tampered with, or sealed with another key: a stale menu.
    forged = Sealer.random().seal("1")
    for ref in (forged, "1", sealed_ref(bot, 1)[:-4] + "AAAA"):
        assert "không còn hiệu lực" in await press_crafted(bot, api, an, f"rrp:reopen:{ref}")
    # Rating a report that has no outcome yet: told it changed, nothing kept.
    answer = await press_crafted(bot, api, an, f"rrp:good:{sealed_ref(bot, 1)}")
    assert "đã thay đổi" in answer
    assert await rows(bot, "SELECT * FROM report_ratings") == []
    # /theodoi of someone else's named report offers no way to write to its handler.
    code = str((await rows(bot, "SELECT code FROM reports WHERE id = 1"))[0]["code"])
    tracked = await settle(api, binh.send(f"/theodoi {code}"))
    assert not [label for label in tracked.labels if "Nhắn" in label]
    assert await rows(bot, "SELECT * FROM report_messages") == []
    assert (await rows(bot, "SELECT status FROM reports WHERE id = 2"))[0]["status"] == "new"
    assert lan.id and hung.id  # the handlers, untouched
