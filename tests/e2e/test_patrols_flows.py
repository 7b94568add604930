"""Backfilled patrols and their figures, roster reminders with a controlled clock, and the
house watch checklist, driven over the fake Bot API."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.context import CoreConfig
from bot.features.patrols.screens_roster import JOB
from bot.storage import members as members_repo
from bot.storage import patrols as patrols_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, RunningBot, fixed_clock
from tests.e2e.test_onboarding import register
from tests.e2e.test_patrols_live import make_leader
from tests.fakebotapi import FakeBotAPI

# Saturday 21 November 2026, 10:00 in Hà Nội.
START = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


@pytest.fixture
async def clocked(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[tuple[RunningBot, Any]]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    clock = fixed_clock(START)
    running = RunningBot(api, database, admins="42", clock=clock)
    await running.start()
    yield running, clock
    await running.stop()


async def make_officer(bot: RunningBot, user_id: int) -> None:
    db = await Database.open(bot.database)
    try:
        async with db.unit() as conn:
            member = await members_repo.find(conn, "telegram", str(user_id))
            assert member is not None
            await roles_repo.grant(conn, member.id, "officer", None, None, START)
    finally:
        await db.close()


WEEK = """14/11 19:00-21:00; 5; quá giờ 3, lấn chiếm 1
15/11 19:00-21:30; An, Bình, Chi; rác 2
16/11 19h-21h; 4; quá giờ 2
17/11 20:00-22:00; 6
18/11 19:00-21:00; 5; lấn chiếm 2, xả rác 1
19/11 19:00-21:00; 3; quá giờ 1, ồn 1
20/11 19:00-21:00; 4; khả nghi 1"""


async def test_backfilled_week_and_figures_add_up(
    api: FakeBotAPI, clocked: tuple[RunningBot, Any]
) -> None:
    bot, _clock = clocked
    to = ChatUser(api, 3001, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)

    await to.send("/patrol")
    how = await to.press("Ghi lại")
    assert "quá giờ 3" in how.text
    bad = await to.send(
        "22/11 19:00-21:00; 5\n13/11 21:00-19:00; 5\n13/11 19:00-21:00; 0\n"
        "13/11 19:00-21:00; 5; quá giờ 0\n13/11 19:00-21:00; 5; bắn pháo 2"
    )
    assert "chưa được thêm" in bad.text and "Chưa có dòng nào sẵn sàng" in bad.text
    for expected in ("Dòng 1", "Dòng 2", "Dòng 3", "Dòng 4", "Dòng 5", "bắn pháo"):
        assert expected in bad.text
    assert "Dòng 2 “13/11 21:00-19:00; 5”: một buổi tuần tra kéo dài tối đa 12 giờ" in bad.text
    # The week comes in two messages (the second with a bad line): the lines add up.
    week = WEEK.splitlines()
    first = await to.send("\n".join(week[:4]))
    assert "4 buổi tuần tra" in first.text
    second = await to.send("\n".join([*week[4:], "19/11 19:00-21:00; 3; bắn pháo 1"]))
    assert "Dòng 4 “19/11 19:00-21:00; 3; bắn pháo 1”" in second.text
    assert "7 buổi tuần tra" in second.text and "14/11" in second.text
    stale = await to.press("Lưu 4", in_call=first)  # only the latest list saves
    assert stale.method == "answerCallbackQuery"
    saved = await to.press("Lưu 7")
    assert "Đã lưu 7 buổi" in saved.text

    # The same notebook page again: nothing is counted twice.
    await to.send("/patrol")
    await to.press("Ghi lại")
    await to.send("14/11 19:00-21:00; 5; quá giờ 3")
    twice = await to.send("14/11 19:00-21:00; 4")
    assert "đã có trong danh sách" in twice.text and "1 buổi tuần tra" in twice.text
    again = await to.press("Lưu")
    assert "Đã lưu 0 buổi" in again.text and "bỏ qua" in again.text

    await to.send("/patrolstats")
    figures = await to.press("Tháng này")
    assert (
        "7 lượt tuần tra với 30 lượt thành viên tham gia; nhắc nhở 6 trường hợp kinh doanh "
        "quá giờ quy định, 3 trường hợp lấn chiếm lòng đường, vỉa hè, 3 trường hợp xả rác "
        "không đúng nơi quy định, 1 trường hợp gây ồn ào, mất trật tự, 1 trường hợp người, "
        "phương tiện có biểu hiện nghi vấn."
    ) in figures.text
    assert "Xuất tệp CSV" in " ".join(figures.labels)  # leaders export their area

    # Two dates, one of them before the week: only 14-16/11 count.
    await to.send("/patrolstats")
    await to.press("Chọn từ ngày")
    wrong = await to.send("16/11/2026 14/11/2026")
    assert "trước ngày đầu" in wrong.text
    part = await to.send("1/11/2026 16/11/2026")
    assert "3 lượt tuần tra với 12 lượt thành viên tham gia" in part.text

    # An officer sees the whole commune and exports CSV.
    cong_an = ChatUser(api, 3002, "Trung úy Hùng")
    await register(api, cong_an)
    await make_officer(bot, cong_an.id)
    await cong_an.send("/thongketuantra")
    await cong_an.press("Toàn xã")
    commune = await cong_an.press("Năm nay")
    assert "7 lượt tuần tra với 30 lượt" in commune.text
    before = len(api.calls)
    await cong_an.press("Xuất tệp CSV")
    docs = []
    for _ in range(2):
        docs.append(
            await api.wait_for(lambda c: c.method == "sendDocument" and c not in docs, after=before)
        )
    files = {d.params["document"]["filename"]: d.params["document"]["data"] for d in docs}
    patrols_file = files["xomantoan-patrols-commune-2026-01-01_2026-12-31.csv"]
    rows = list(csv.DictReader(io.StringIO(patrols_file.decode("utf-8-sig"))))
    assert len(rows) == 7
    assert sum(int(r["Số người tham gia"]) for r in rows) == 30
    obs_file = files["xomantoan-observations-commune-2026-01-01_2026-12-31.csv"]
    obs = list(csv.DictReader(io.StringIO(obs_file.decode("utf-8-sig"))))
    assert sum(int(r["Số trường hợp"]) for r in obs) == 14


async def test_roster_reminder_fires_once_and_decline_reaches_leader(
    api: FakeBotAPI, clocked: tuple[RunningBot, Any]
) -> None:
    bot, clock = clocked
    to = ChatUser(api, 3101, "Lê Văn Tổ")
    an = ChatUser(api, 3102, "Nguyễn Văn An")
    await register(api, to)
    await register(api, an)
    await make_leader(bot, to.id)

    await to.send("/patrol")
    await to.press("Lịch trực")
    await to.press("Thêm ca trực")
    await to.press("Thứ Bảy")
    bad = await to.send("25:00")
    assert "19:30" in bad.text
    who = await to.send("19h30")
    assert "Nguyễn Văn An" in " ".join(who.labels)
    toggled = await to.press("Nguyễn Văn An")
    assert toggled.method == "editMessageText"
    await to.press("Tiếp")
    before = len(api.calls)
    await to.press("trước 1 giờ")
    roster = await api.wait_for(
        lambda c: c.chat_id == to.id and "Lịch trực" in c.text, after=before
    )
    assert "Thứ Bảy 19:30" in roster.text and "Nguyễn Văn An" in roster.text

    config = CoreConfig()
    db = await Database.open(bot.database)
    try:
        # 18:00 local: too early. 18:40: due, once. After a "restart" (a new connection),
        # not again.
        assert await JOB.run(db, config, datetime(2026, 11, 21, 11, 0, tzinfo=UTC)) == 0
        due = datetime(2026, 11, 21, 11, 40, tzinfo=UTC)
        assert await JOB.run(db, config, due) == 1
        assert await JOB.run(db, config, due + timedelta(minutes=1)) == 0
    finally:
        await db.close()
    db = await Database.open(bot.database)
    try:
        assert await JOB.run(db, config, due + timedelta(minutes=5)) == 0
        # Next Saturday's shift gets its own reminder.
        assert await JOB.run(db, config, due + timedelta(days=7)) == 1
    finally:
        await db.close()

    clock.now = due + timedelta(minutes=1)  # the outbox sends what is due by then
    reminder = await api.wait_for(lambda c: c.chat_id == an.id and "19:30" in c.text)
    assert "21/11/2026" in reminder.text
    assert "Thôn Đông" in reminder.text
    await an.press("không đi được", in_call=reminder)
    told = await api.wait_for(lambda c: c.chat_id == to.id and "không tham gia được" in c.text)
    assert "Nguyễn Văn An" in told.text and "19:30" in told.text
    twice = await an.press("không đi được", in_call=reminder)
    assert twice.method == "answerCallbackQuery"
    clock.now = due + timedelta(days=7, minutes=1)
    await api.wait_for(lambda c: c.chat_id == an.id and "28/11/2026" in c.text)


async def test_house_watch_on_the_checklist_then_gone(
    api: FakeBotAPI, clocked: tuple[RunningBot, Any]
) -> None:
    bot, clock = clocked
    to = ChatUser(api, 3201, "Lê Văn Tổ")
    ba = ChatUser(api, 3202, "Phạm Thị Ba")
    an = ChatUser(api, 3203, "Nguyễn Văn An")
    for user in (to, ba, an):
        await register(api, user)
    await make_leader(bot, to.id)

    intro = await ba.send("/trongnha")
    assert "Trông nhà" in intro.text
    await ba.press("Đăng ký")
    await ba.send("Nhà số 12, ngõ 3, cổng xanh")
    past = await ba.send("1/11 - 5/11")
    assert "đã qua" in past.text
    confirm = await ba.send("20/11 - 23/11")
    assert "Nhà số 12" in confirm.text
    done = await ba.press("Xác nhận")
    assert "đã đăng ký" in done.text.lower()
    told = await api.wait_for(lambda c: c.chat_id == to.id and "Nhà số 12" in c.text)
    assert "Thôn Đông" in told.text
    # A second house registered and cancelled does not show up.
    await ba.send("/housewatch")
    await ba.press("Đăng ký")
    await ba.send("Nhà bà ngoại, xóm 2")
    await ba.send("21/11 - 30/11")
    await ba.press("Xác nhận")
    listing = await ba.send("/housewatch")
    assert "Nhà bà ngoại" in listing.text
    cancelled = await ba.press("Hủy: Nhà bà ngoại")
    assert "đã hủy" in cancelled.text

    await to.send("/patrol")
    await to.press("Bắt đầu tuần tra")
    await to.press("Nguyễn Văn An")
    panel = await to.press("(2)")
    assert any("Nhà cần để ý (1)" in label for label in panel.labels)
    notice = await api.wait_for(lambda c: c.chat_id == an.id and "Nhà số 12" in c.text)
    assert "Nhà bà ngoại" not in notice.text
    houses = await to.press("Nhà cần để ý")
    assert "Nhà số 12" in houses.text and "Nhà bà ngoại" not in houses.text

    # After the return day the house is no longer on the checklist.
    clock.advance(days=3)
    later = await to.send("/patrol")
    assert not any("Nhà cần để ý" in label for label in later.labels)
    assert "Kết thúc" in " ".join(later.labels)


async def test_night_patrols_end_on_the_next_day(
    api: FakeBotAPI, clocked: tuple[RunningBot, Any]
) -> None:
    bot, clock = clocked
    to = ChatUser(api, 3301, "Lê Văn Tổ")
    await register(api, to)
    await make_leader(bot, to.id)

    # From the notebook: 20/11 22:00 to 01:00 on 21/11.
    await to.send("/patrol")
    await to.press("Ghi lại")
    preview = await to.send("20/11 22:00-01:00; 3; ồn 1")
    assert "Dòng" not in preview.text and "01:00 hôm sau" in preview.text
    await to.send("19/11 19:00-21:00; 2")
    saved = await to.press("Lưu 2")
    assert "Đã lưu 2 buổi" in saved.text

    # Live: started at 22:00 on 21/11, ended at 01:00.
    clock.now = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    await to.send("/patrol")
    await to.press("Bắt đầu tuần tra")
    await to.press("(1)")
    clock.advance(hours=3)
    summary = await to.press("Kết thúc")
    assert "từ 22:00 21/11/2026 đến 01:00 hôm sau (3 giờ)" in summary.text

    db = await Database.open(bot.database)
    try:
        async with db.read() as conn:
            found = await patrols_repo.recent(conn, None)
    finally:
        await db.close()
    assert sorted(p.ended_at - p.started_at for p in found if p.ended_at) == [
        timedelta(hours=2),
        timedelta(hours=3),
        timedelta(hours=3),
    ]
    # Each patrol counts once, on the day it started.
    await to.send("/patrolstats")
    figures = await to.press("Tháng này")
    assert "3 lượt tuần tra với 6 lượt thành viên tham gia" in figures.text
