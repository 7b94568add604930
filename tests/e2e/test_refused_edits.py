"""Edits Telegram refuses: "message is not modified" sends nothing; a message that can no
longer be edited (too old, deleted) gets its new content once as a new message, only when
the content changed, and later edits of it go to that new message, whether the edit is a reply
to a press or a message of the outbox (a pledge board in a group)."""

from __future__ import annotations

from tests.e2e.harness import ChatUser, RunningBot, add_bot_to_group, group_chat
from tests.e2e.test_onboarding import register
from tests.e2e.test_pledges import open_campaign, sign
from tests.fakebotapi import FakeBotAPI

NOT_EDITABLE = "Bad Request: message can't be edited"
GROUP = group_chat(-100900, "Thôn Đông - bà con")


def new_messages(api: FakeBotAPI, chat_id: int, after: int) -> list[str]:
    return [c.text for c in api.calls[after:] if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_a_press_on_a_message_too_old_to_edit_answers_once(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    hoa = ChatUser(api, 2101, "Trần Thị Hoa")
    await register(api, hoa)
    menu = await hoa.send("/subscribe")
    api.fail("editMessageText", 400, NOT_EDITABLE, chat_id=hoa.id)
    before = len(api.calls)
    await hoa.press("🔥", in_call=menu)  # fire safety on
    anew = await api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == hoa.id, after=before
    )
    assert "✅" in " ".join(anew.labels)
    # The old message is pressed again: the message sent anew is edited, no third copy.
    again = await hoa.press("🔥", in_call=menu)  # fire safety off
    assert again.method == "editMessageText" and again.status == 200
    assert again.params["message_id"] == anew.params["message_id"]
    await api.wait_idle(quiet=0.05)
    assert len(new_messages(api, hoa.id, before)) == 1


async def test_an_edit_that_changes_nothing_sends_nothing(api: FakeBotAPI, bot: RunningBot) -> None:
    hoa = ChatUser(api, 2102, "Trần Thị Hoa")
    await register(api, hoa)
    menu = await hoa.send("/subscribe")
    on = await hoa.press("🔥", in_call=menu)
    assert on.method == "editMessageText"
    # Telegram says the message already shows this: nothing is sent.
    api.fail("editMessageText", 400, "Bad Request: message is not modified", chat_id=hoa.id)
    before = len(api.calls)
    await hoa.press("🔥", in_call=on)
    await api.wait_idle(quiet=0.05)
    # The message can no longer be edited, and it already shows what the press brings back
    # (fire safety on again): nothing is sent either.
    api.fail("editMessageText", 400, NOT_EDITABLE, chat_id=hoa.id)
    await hoa.press("🔥", in_call=on)
    await api.wait_idle(quiet=0.05)
    assert new_messages(api, hoa.id, before) == []


async def test_a_board_that_can_no_longer_be_edited_is_posted_again_once(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await open_campaign(bot)
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    dung = ChatUser(api, 2103, "Phạm Dũng")
    await register(api, dung)
    em = ChatUser(api, 2104, "Hoàng Em")
    await register(api, em)
    await sign(dung, "Phạm Văn Dũng", "Số 5", public=True)
    await sign(em, "Hoàng Thị Em", "Số 7", public=True)
    await add_bot_to_group(api, officer, GROUP)
    await api.wait_for(lambda c: c.chat_id == GROUP["id"])
    await officer.send("/linkgroup", GROUP)
    await officer.press("Thôn Đông", GROUP)
    board = await officer.send("/pledgeboard", GROUP)
    assert "2/120" in board.text
    await api.wait_idle(quiet=0.05)

    # The board can no longer be edited: the changed board is posted once as a new message.
    api.fail("editMessageText", 400, NOT_EDITABLE, chat_id=GROUP["id"])
    before = len(api.calls)
    await dung.send("/pledge")
    await dung.press("Rút cam kết")
    await dung.press("Có, rút cam kết")
    anew = await api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == GROUP["id"], after=before
    )
    assert "1/120" in anew.text and "Phạm Văn Dũng" not in anew.text
    # The next change edits the board posted anew.
    await em.send("/pledge")
    await em.press("Rút cam kết")
    await em.press("Có, rút cam kết")
    edited = await api.wait_for(
        lambda c: c.method == "editMessageText" and c.chat_id == GROUP["id"] and c.status == 200,
        after=before,
    )
    assert edited.params["message_id"] == anew.params["message_id"]
    assert "0/120" in edited.text and "Hoàng Thị Em" not in edited.text
    await api.wait_idle(quiet=0.05)
    assert len(new_messages(api, GROUP["id"], before)) == 1
