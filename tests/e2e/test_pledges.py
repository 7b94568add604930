"""Pledges over the fake Bot API: a household signs, a second member of the same household is
told who signed, the pledge is withdrawn, the leader sees coverage privately, the board is posted
in the area's group, residents cannot use leaders' commands, officers open a campaign and export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import pledges as repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.e2e.harness import ChatUser, RunningBot, add_bot_to_group, group_chat
from tests.e2e.test_onboarding import register
from tests.fakebotapi import FakeBotAPI


async def open_campaign(bot: RunningBot) -> None:
    db = await Database.open(bot.database)
    today = date.today()
    async with db.unit() as conn:
        await repo.add_campaign(
            conn,
            "Cam kết năm 2027",
            today - timedelta(days=10),
            today + timedelta(days=30),
            None,
            datetime.now(UTC),
        )
    await db.close()


async def grant(bot: RunningBot, user_id: int, role: str, area_code: str | None = None) -> None:
    db = await Database.open(bot.database)
    async with db.unit() as conn:
        member = await members_repo.find(conn, "telegram", str(user_id))
        assert member is not None
        area = await areas_repo.by_code(conn, area_code) if area_code else None
        await roles_repo.grant(
            conn, member.id, role, area.id if area else None, None, datetime.now(UTC)
        )
    await db.close()


async def sign(
    user: ChatUser, head: str, address: str, *, public: bool = True, leave_out: str = ""
) -> str:
    await user.send("/pledge")
    await user.press("Hộ gia đình")
    if leave_out:
        await user.press(f"✅ {leave_out}")
    ask_head = await user.press("Tiếp tục")
    assert "chủ hộ" in ask_head.text
    await user.send(head)
    answer = await user.send(address)
    if not any("Đồng ý" in label for label in answer.labels):
        return answer.text
    await user.press("Đồng ý" if public else "Không, xin giữ kín")
    done = await user.press("Ký cam kết")
    return done.text


async def test_sign_duplicate_household_and_withdraw(api: FakeBotAPI, bot: RunningBot) -> None:
    await open_campaign(bot)
    an = ChatUser(api, 2001, "Nguyễn Văn An")
    await register(api, an)
    done = await sign(an, "Nguyễn Văn An", "Số 12, xóm 3", leave_out="3")
    assert "DONG-" in done and "Mã số" in done

    # A second member of the same household, typed differently, is told who signed and when.
    binh = ChatUser(api, 2002, "Nguyễn Thị Bình")
    await register(api, binh)
    told = await sign(binh, "  nguyễn   VĂN an", "số 12,  xóm 3")
    assert "đã ký cam kết này" in told and "Nguyễn Văn An" in told

    # The signer sees the pledge, with the item left out, and withdraws it.
    shown = await an.send("/pledge")
    assert "Chủ hộ: Nguyễn Văn An" in shown.text and "(không cam kết)" in shown.text
    await an.press("Rút cam kết")
    gone = await an.press("Có, rút cam kết")
    assert "đã được rút" in gone.text

    db = await Database.open(bot.database)
    async with db.read() as conn:
        pledges = await repo.in_campaign(conn, 1, standing_only=False)
    await db.close()
    assert len(pledges) == 1 and pledges[0].withdrawn_at is not None  # recorded, not erased

    # /mydata shows the member's pledge.
    data = await an.send("/mydata")
    assert "DONG-" in data.text and "đã rút" in data.text


async def test_outside_campaign_explains_and_bad_names_refused(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    chi = ChatUser(api, 2003, "Lê Chi")
    await register(api, chi)
    closed = await chi.send("/pledge")
    assert "chưa có đợt cam kết" in closed.text
    await open_campaign(bot)
    await chi.send("/pledge")
    await chi.press("Hộ gia đình")
    await chi.press("Tiếp tục")
    assert "chữ" in (await chi.send("😀😀")).text
    refused = await chi.send("<b>Chi</b>")
    assert refused.error is None and "không dùng ký tự < và >" in refused.rendered


async def test_leader_coverage_board_and_resident_refused(api: FakeBotAPI, bot: RunningBot) -> None:
    await open_campaign(bot)
    leader = ChatUser(api, 2010, "Trưởng Thôn Đông")
    await register(api, leader)
    await grant(bot, 2010, "leader", "DONG")
    dung = ChatUser(api, 2011, "Phạm Dũng")
    await register(api, dung)
    em = ChatUser(api, 2012, "Hoàng Em")
    await register(api, em)
    await sign(dung, "Phạm Văn Dũng", "Số 5", public=True)
    await sign(em, "Hoàng Thị Em", "Số 7", public=False)

    refused = await dung.send("/pledgestatus")
    assert "tổ trưởng" in refused.text

    status = await leader.send("/pledgestatus")
    assert "2/120" in status.text and "▓" in status.text
    listing = await leader.press("Các hộ đã ký")
    assert "Phạm Văn Dũng" in listing.text and "Hoàng Thị Em" in listing.text
    # "Not signed yet" lists households of the register (both signed here), never people.
    todo = await leader.press("Chưa ký", in_call=status)
    assert "đều đã ký" in todo.text and "Trưởng Thôn Đông" not in todo.text
    await leader.press("Nhắc riêng", in_call=status)
    sent = await leader.press("Gửi lời nhắc")
    assert "1 người" in sent.text
    reminder = await api.wait_for(lambda c: c.chat_id == 2010 and "tổ trưởng nhắc" in c.text)
    assert "/camket" in reminder.text and "/pledge" not in reminder.text

    # Setting the households below the number signed is refused.
    await leader.press("Số hộ", in_call=status)
    assert "ít hơn" in (await leader.send("1")).text
    assert "80 hộ" in (await leader.send("80")).text

    # The board in the area's group: names of households that agreed, never the others.
    group = group_chat(-100500, "Thôn Đông")
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    await add_bot_to_group(api, officer, group)
    await api.wait_for(lambda c: c.chat_id == -100500)
    await officer.send("/linkgroup", group)
    await officer.press("Thôn Đông", group)
    posted = await leader.send("/pledgeboard", group)
    assert "Phạm Văn Dũng" in posted.text
    assert "Hoàng Thị Em" not in posted.text and "Số 5" not in posted.text
    assert "2/80" in posted.text
    refused_board = await dung.send("/pledgeboard", group)
    assert "Phạm Văn Dũng" not in refused_board.text


async def test_officer_opens_campaign_and_exports_csv(api: FakeBotAPI, bot: RunningBot) -> None:
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    await officer.send("/pledgecampaign")
    await officer.press("Mở đợt cam kết mới")
    await officer.send("Cam kết năm 2027")
    await officer.press("Hôm nay")
    end = (date.today() + timedelta(days=60)).strftime("%d/%m/%Y")
    confirm = await officer.send(end)
    assert "Cam kết năm 2027" in confirm.text
    opened = await officer.press("Mở đợt cam kết")
    assert "/camket" in opened.text and "/pledge" not in opened.text

    an = ChatUser(api, 2020, "Nguyễn Văn An")
    await register(api, an)
    await sign(an, "Nguyễn Văn An", "Số 1")

    await officer.send("/pledgeexport")
    document = await officer.press("Thôn Đông")
    assert document.method == "sendDocument"
    data = document.params["document"]["data"].decode("utf-8-sig")
    assert "Nguyễn Văn An" in data and "Chủ hộ" in data


async def test_officer_rewords_item_and_english_reader_sees_it(
    api: FakeBotAPI, bot: RunningBot
) -> None:
    await open_campaign(bot)
    officer = ChatUser(api, 42, "Công An Xã")
    await register(api, officer)
    await officer.send("/pledgeitems")
    await officer.press("Hộ gia đình")
    await officer.press("✏️ 1")
    await officer.send("Nói không với ma túy.")
    done = await officer.send("Say no to drugs.")
    assert "Nói không với ma túy." in done.text or "đã sửa" in done.text.lower()
    john = ChatUser(api, 2030, "John", language_code="en")
    await register(api, john)
    await john.send("/pledge")
    items = await john.press("Household")
    assert "Say no to drugs." in items.text
