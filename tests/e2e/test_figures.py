"""/stats (/thongke) over the fake Bot API on the known year of tests/stats_seed.py: officers
choose the whole commune or an area, leaders see their own area, residents are refused; the
answer is the commune's sentences and a chart sent as a photo."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import menus as menus_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_onboarding import register
from tests.fakebotapi import Call, FakeBotAPI
from tests.stats_seed import seed_year

# Saturday 21 November 2026, 10:00 in Hà Nội: "this year" is the seeded year.
START = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def seeded(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[RunningBot]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    db = await Database.open(database)
    try:
        await seed_year(db, with_areas=False)
    finally:
        await db.close()
    running = RunningBot(api, database, admins="42", clock=fixed_clock(START))
    await running.start()
    yield running
    await running.stop()


async def grant(bot: RunningBot, user_id: int, role: str, area_code: str | None = None) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(user_id))
            assert member is not None
            area = await areas_repo.by_code(conn, area_code) if area_code else None
            await roles_repo.grant(conn, member.id, role, area.id if area else None, None, START)
    finally:
        await db.close()


async def person(
    api: FakeBotAPI, bot: RunningBot, user_id: int, role: str | None, **kwargs: Any
) -> ChatUser:
    user = ChatUser(api, user_id, f"Người {user_id}", **kwargs)
    await register(api, user)
    if role == "officer":
        await grant(bot, user_id, "officer")
    elif role == "leader":
        await grant(bot, user_id, "leader", "DONG")
    return user


async def photo_after(api: FakeBotAPI, chat_id: int, before: int) -> Call:
    return await api.wait_for(
        lambda c: c.method == "sendPhoto" and c.chat_id == chat_id, after=before
    )


async def craft_button(bot: RunningBot, api: FakeBotAPI, user: ChatUser, action: str) -> Call:
    """Press a button the bot never offered this person (as a tampered client could)."""
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            menu_id = await menus_repo.create(
                conn,
                "telegram",
                str(user.id),
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
                "id": f"crafted-{menu_id}",
                "from": user.user,
                "chat_instance": "ci",
                "data": f"{menu_id}:0",
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                    "text": "…",
                },
            }
        }
    )
    return await api.wait_for(
        lambda c: c.method == "answerCallbackQuery" and bool(c.params.get("text")), after=before
    )


async def test_officer_sees_the_whole_commune_for_this_year(
    api: FakeBotAPI, seeded: RunningBot
) -> None:
    officer = await person(api, seeded, 7001, "officer")
    ask = await officer.send("/thongke")
    assert "thôn, tổ dân phố nào" in ask.text
    assert {"🏘 Toàn xã", "Thôn Đông", "Thôn Tây"} <= set(ask.labels)

    period = await officer.press("Toàn xã")
    assert "khoảng thời gian" in period.text
    assert {"Tháng này", "Quý này", "Năm nay", "Năm trước"} <= set(period.labels)

    before = len(api.calls)
    text = await officer.press("Năm nay")
    assert "toàn xã" in text.text
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in text.text
    assert "200/215 hộ gia đình ký cam kết (đạt 93%)" in text.text
    assert "Tiếp nhận 11 tin báo, phản ánh: 3 trộm cắp" in text.text
    assert "30 lượt tuần tra với 138 lượt thành viên tham gia" in text.text
    assert "Hòa giải 3 vụ" in text.text
    assert "🔄 Xem kỳ khác" in text.labels

    photo = await photo_after(api, officer.id, before)
    upload = photo.params["photo"]
    assert upload["data"].startswith(PNG)
    assert "Biểu đồ" in photo.text

    again = await officer.press("Xem kỳ khác")
    assert "khoảng thời gian" in again.text
    assert "Năm nay" in again.labels


async def test_officer_types_two_dates_and_wrong_dates_are_refused(
    api: FakeBotAPI, seeded: RunningBot
) -> None:
    officer = await person(api, seeded, 7002, "officer")
    await officer.send("/stats")
    await officer.press("Thôn Tây")
    ask = await officer.press("Chọn từ ngày đến ngày")
    assert "ngày đầu và ngày cuối" in ask.text

    assert "trước ngày đầu" in (await officer.send("31/3/2026 1/1/2026")).text
    assert "gõ hai ngày" in (await officer.send("hôm qua")).text
    assert "không quá 10 năm" in (await officer.send("1/1/2010 1/1/2026")).text

    before = len(api.calls)
    answer = await officer.send("1/1/2026 31/3/2026")
    assert "Thôn Tây" in answer.text
    assert "Từ ngày 01/01/2026 đến ngày 31/03/2026" in answer.text
    assert "80/95 hộ gia đình" in answer.text
    assert "3 lượt tuần tra" in answer.text
    assert "1 khác" in answer.text  # February's report; the other TAY reports come later
    assert "trộm cắp" not in answer.text  # DONG's
    photo = await photo_after(api, officer.id, before)
    assert photo.params["photo"]["data"].startswith(PNG)
    # The flow is over: typing again is not read as dates.
    assert "Từ ngày" not in (await officer.send("1/1/2026 31/3/2026")).text


async def test_leader_sees_own_area_without_a_scope_question(
    api: FakeBotAPI, seeded: RunningBot
) -> None:
    leader = await person(api, seeded, 7003, "leader")
    ask = await leader.send("/thongke")
    assert "khoảng thời gian" in ask.text  # one area: no scope question
    before = len(api.calls)
    text = await leader.press("Năm nay")
    assert "Thôn Đông" in text.text
    assert "120/120 hộ gia đình" in text.text
    assert "24 lượt tuần tra" in text.text
    assert "cờ bạc" not in text.text  # TAY's reports
    assert text.labels == []  # downloads and other periods are for officers
    await photo_after(api, leader.id, before)

    # A button for another area or the whole commune, never offered, is refused.
    db = await Database.open(seeded.database)
    try:
        async with db.read() as conn:
            tay = await areas_repo.by_code(conn, "TAY")
    finally:
        await db.close()
    assert tay is not None
    for action in (
        f"sts:scope:{tay.id}",
        "sts:scope:0",
        f"sts:again:{tay.id}:2026-01-01:2026-12-31",
    ):
        refused = await craft_button(seeded, api, leader, action)
        assert "địa bàn mình phụ trách" in refused.params["text"]
    await api.wait_idle(quiet=0.2)
    assert not any("Thôn Tây" in c.text for c in api.sent(leader.id))

    # A stale menu (the period question was answered) does nothing but say so.
    stale = await leader.press("Năm nay", in_call=ask)
    assert "không còn hiệu lực" in stale.params["text"]


async def test_residents_are_refused(api: FakeBotAPI, seeded: RunningBot) -> None:
    resident = await person(api, seeded, 7004, None)
    refused = await resident.send("/thongke")
    assert "tổ trưởng và cán bộ Công an xã" in refused.text
    await api.wait_idle(quiet=0.2)
    assert not api.sent(resident.id, "sendPhoto")


async def test_english_officer_gets_english(api: FakeBotAPI, seeded: RunningBot) -> None:
    officer = await person(api, seeded, 7005, "officer", language_code="en")
    await officer.send("/stats")
    await officer.press("Whole commune")
    before = len(api.calls)
    text = await officer.press("This year")
    assert "From Jan 1, 2026 to Dec 31, 2026" in text.text
    assert "200/215 households signed the pledge (93%)" in text.text
    photo = await photo_after(api, officer.id, before)
    assert "Chart" in photo.text


async def test_in_a_group_only_a_link_to_the_private_chat(
    api: FakeBotAPI, seeded: RunningBot
) -> None:
    officer = await person(api, seeded, 7006, "officer")
    group = {"id": -5550001, "type": "supergroup", "title": "Thôn Đông"}
    answer = await officer.send("/thongke", chat=group)
    assert "Từ ngày" not in answer.text
    assert any("go-stats" in (b.get("url") or "") for b in answer.buttons)
