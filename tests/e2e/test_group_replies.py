"""Typed input in a group with Telegram's privacy mode on (the default the README asks for):
only commands, replies to the bot's messages and mentions reach the bot, so a step that waits
for typed input asks for it with a ForceReply aimed at the person, and their answers arrive."""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import link_group, make_leader
from tests.fakebotapi import Call, FakeBotAPI

GROUP = -5061


def forced(call: Call) -> dict[str, Any] | None:
    markup = call.params.get("reply_markup") or {}
    return markup if markup.get("force_reply") else None


async def forced_prompt(api: FakeBotAPI, user: ChatUser, after: int) -> Call:
    """The message that opens the reply for ``user`` in the group (sent after call ``after``)."""
    return await api.wait_for(
        lambda c: (
            c.chat_id == GROUP and forced(c) is not None and api.forced_reply(GROUP, user.id) is c
        ),
        after=after,
    )


async def test_a_live_patrol_in_a_group_with_privacy_mode(api: FakeBotAPI, bot: RunningBot) -> None:
    to = ChatUser(api, 2061, "Lê Văn Tổ")
    an = ChatUser(api, 2062, "Nguyễn Văn An")
    for user in (to, an):
        await register(api, user)
    await make_leader(bot, to.id)
    await link_group(bot, GROUP)
    api.privacy_mode = True
    group = group_chat(GROUP, "Xóm Đông")

    # An ordinary message in the group does not reach the bot, as on Telegram.
    await an.send_only("Chào cả xóm", group)
    assert [u["message"].get("text") for u in api.dropped] == ["Chào cả xóm"]

    await to.send("/tuantra", chat=group)
    mark = len(api.calls)
    pick = await to.press("Bắt đầu tuần tra", chat=group)
    assert "Ai tham gia" in pick.text
    prompt = await forced_prompt(api, to, mark)
    assert forced(prompt) == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "Họ tên, cách nhau bằng dấu phẩy",
    }
    assert f"tg://user?id={to.id}" in prompt.text  # the mention makes the leader its target
    assert prompt.rendered.startswith("Lê Văn Tổ: Trả lời tin nhắn này")
    assert api.forced_reply(GROUP, an.id) is None

    # Another member answering the leader's prompt reaches the bot but not the leader's flow.
    mark = len(api.calls)
    await an.send_only("Kẻ Phá Đám", group, reply_to_message=api.as_message(prompt))
    await api.wait_idle(quiet=0.2)
    assert api.sent(GROUP)[mark:] == [] and not api.dropped[1:]

    typed = await to.answer("Phạm Văn Ba, Hoàng Thị Tư", chat=group)
    assert "Tên đã gõ: Phạm Văn Ba, Hoàng Thị Tư" in typed.text
    assert "Kẻ Phá Đám" not in typed.text
    await forced_prompt(api, to, api.calls.index(typed))
    mark = len(api.calls)
    toggled = await to.press("Nguyễn Văn An", chat=group)  # a button changes the list in place
    assert toggled.method == "editMessageText"
    await api.wait_idle(quiet=0.2)
    assert not any(forced(c) for c in api.calls[mark:])  # the leader's reply is still open
    panel = await to.press("(4)", chat=group)
    assert "4" in panel.text

    mark = len(api.calls)
    await to.press("Quá giờ", chat=group)
    prompt = await forced_prompt(api, to, mark)
    assert (forced(prompt) or {})["input_field_placeholder"] == "Số trường hợp hoặc ghi chú"
    counted = await to.answer("3", chat=group)
    assert "× 3" in counted.text
    await forced_prompt(api, to, api.calls.index(counted))
    noted = await to.answer("Quán nước đầu ngõ", chat=group)
    assert "Quán nước đầu ngõ" in noted.text
    await forced_prompt(api, to, api.calls.index(noted))
    located = await to.answer(chat=group, location={"latitude": 21.03, "longitude": 105.85})
    assert "📍" in located.text
    await forced_prompt(api, to, api.calls.index(located))
    # Addressing the bot by a mention instead of a reply reaches it too; the mention is not
    # part of the answer.
    mark = len(api.calls)
    await to.send_only("@XomAnToan_Test_Bot +1", group)
    mentioned = await api.wait_for(lambda c: c.chat_id == GROUP, after=mark)
    assert "× 4" in mentioned.text and "@" not in mentioned.rendered
    await forced_prompt(api, to, api.calls.index(mentioned))

    # A wrong answer: the bot's answer, without buttons, itself asks again, as a reply to the
    # leader's message (which makes the leader its target).
    wrong = await to.answer("0", chat=group)
    assert "1.000" in wrong.text
    leaders_message = api.updates[-1]["message"]
    assert leaders_message["from"]["id"] == to.id
    assert forced(wrong) is not None
    assert wrong.params["reply_parameters"]["message_id"] == leaders_message["message_id"]
    assert api.forced_reply(GROUP, to.id) is wrong
    again = await to.answer("+2", chat=group)
    assert "× 6" in again.text
    await forced_prompt(api, to, api.calls.index(again))

    await to.press("Quay lại", chat=group)
    summary = await to.press("Kết thúc", chat=group)
    assert "kết thúc" in summary.text

    db = await Database.open(bot.database)
    try:
        async with db.read() as conn:
            async with conn.execute("SELECT name FROM patrol_participants ORDER BY id") as cur:
                names = [r[0] for r in await cur.fetchall() if r[0]]
            async with conn.execute("SELECT id, count, latitude FROM patrol_observations") as cur:
                [(observation_id, count, latitude)] = [tuple(r) for r in await cur.fetchall()]
            async with conn.execute(
                "SELECT text FROM patrol_observation_notes WHERE observation_id = ?",
                (observation_id,),
            ) as cur:
                notes = [r[0] for r in await cur.fetchall()]
    finally:
        await db.close()
    assert names == ["Phạm Văn Ba", "Hoàng Thị Tư"]
    assert (count, latitude) == (6, 21.03)
    assert notes == ["Quán nước đầu ngõ"]


async def test_no_forced_reply_in_a_private_chat(api: FakeBotAPI, bot: RunningBot) -> None:
    to = ChatUser(api, 2063, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)
    api.privacy_mode = True  # private chats are never filtered
    await to.send("/tuantra")
    await to.press("Bắt đầu tuần tra")
    typed = await to.answer("Phạm Văn Ba")
    assert "Phạm Văn Ba" in typed.text
    await to.press("(2)")
    await to.press("Quá giờ")
    counted = await to.answer("3")
    assert "× 3" in counted.text
    await api.wait_idle(quiet=0.2)
    assert not any(forced(c) for c in api.sent(to.id))


async def test_each_typed_answer_in_a_group_edits_the_card(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    """In a group, a typed answer changes the observation card in place: the only new message
    is the request to reply that lets the next answer reach the bot (it was a new card and the
    request: two messages per answer). A wrong answer asks again itself; the answer to that
    still changes the same card."""
    to = ChatUser(api, 2071, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)
    await link_group(bot, GROUP)
    api.privacy_mode = True
    group = group_chat(GROUP, "Xóm Đông")
    await to.send("/tuantra", chat=group)
    mark = len(api.calls)
    await to.press("Bắt đầu tuần tra", chat=group)
    await forced_prompt(api, to, mark)
    names = await to.answer("Phạm Văn Ba", chat=group)  # the list changes in place
    assert names.method == "editMessageText" and "Phạm Văn Ba" in names.text
    await forced_prompt(api, to, api.calls.index(names))
    panel = await to.press("(2)", chat=group)
    assert "Quá giờ" in " ".join(panel.labels)
    mark = len(api.calls)
    card = await to.press("Quá giờ", chat=group)
    await forced_prompt(api, to, mark)
    card_id = card.params["message_id"]

    async def answer(text: str) -> Call:
        mark = len(api.calls)
        changed = await to.answer(text, chat=group)
        await forced_prompt(api, to, mark)
        await api.wait_idle(quiet=0.1)
        new = [c for c in api.calls[mark:] if c.method == "sendMessage" and c.chat_id == GROUP]
        assert len(new) == 1 and forced(new[0]) is not None  # only the request to reply
        return changed

    counted = await answer("3")
    assert counted.method == "editMessageText" and counted.params["message_id"] == card_id
    assert "× 3" in counted.text
    noted = await answer("Quán nước đầu ngõ")
    assert noted.params["message_id"] == card_id and "Quán nước đầu ngõ" in noted.text
    wrong = await to.answer("0", chat=group)
    assert wrong.method == "sendMessage" and forced(wrong) is not None
    again = await to.answer("+2", chat=group)
    assert again.method == "editMessageText" and again.params["message_id"] == card_id
    assert "× 5" in again.text
