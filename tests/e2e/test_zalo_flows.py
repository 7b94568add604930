"""The bot on Zalo, driven over HTTP against the fake Zalo Bot API by typing only: options are
numbered lines answered with their number, commands are Vietnamese words."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.storage import areas as areas_repo
from bot.storage import members as members_repo
from bot.storage import pledge_campaigns
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.transports.zalo.links import Links
from tests.conftest import seed_areas
from tests.e2e.harness import fixed_clock
from tests.e2e.zalo_harness import PUBLIC_URL, ZALO_TOKEN, RunningZaloBot
from tests.fakezaloapi import Call, FakeZaloAPI, ZaloUser, options


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloAPI]:
    server = FakeZaloAPI(ZALO_TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def zbot(zalo: FakeZaloAPI, tmp_path: Path) -> AsyncIterator[RunningZaloBot]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    running = RunningZaloBot(zalo, database)
    await running.start()
    yield running
    await running.stop()


async def settle(zalo: FakeZaloAPI, step: object) -> Call:
    call: Call = await step  # type: ignore[misc]
    await zalo.wait_idle(quiet=0.1)
    return call


async def register(zalo: FakeZaloAPI, user: ZaloUser, area: str = "Thôn Đông") -> None:
    await settle(zalo, user.send("bắt đầu"))
    await settle(zalo, user.press("Tôi đồng ý"))
    await settle(zalo, user.press(user.name))
    await settle(zalo, user.press(area))


async def grant(bot: RunningZaloBot, user: ZaloUser, role: str, area: str | None = None) -> None:
    db = await Database.open(bot.database)
    async with db.unit() as conn:
        member = await members_repo.find(conn, "zalo", user.id)
        assert member is not None
        found = await areas_repo.by_code(conn, area) if area else None
        await roles_repo.grant(
            conn, member.id, role, found.id if found else None, None, datetime.now(UTC)
        )
    await db.close()


async def test_registration_by_typing_numbers_or_the_area_code(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    consent = await settle(zalo, an.send("/batdau"))
    assert "Chào mừng" in consent.text
    labels = [label for _, label in options(consent.text)]
    assert any("Tôi đồng ý" in label for label in labels)
    ask_name = await settle(zalo, an.send("1"))
    assert "tên" in ask_name.text
    ask_area = await settle(zalo, an.send("Nguyễn Văn An"))
    assert {"Thôn Đông", "Thôn Tây"} <= {label for _, label in options(ask_area.text)}
    done = await settle(zalo, an.send("TAY"))  # the area's code, typed
    assert "Thôn Tây" in done.text
    data = await settle(zalo, an.send("dữ liệu của tôi"))
    assert "Nguyễn Văn An" in data.text and "Thôn Tây" in data.text
    # Without the slash and without diacritics too.
    binh = ZaloUser(zalo, "77aa2cd5189df1c3a000", "Trần Thị Bình")
    assert "Chào mừng" in (await settle(zalo, binh.send("bat dau"))).text


async def test_household_pledge_and_anonymous_report_by_typing(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    db = await Database.open(zbot.database)
    async with db.unit() as conn:
        today = date.today()
        await pledge_campaigns.add_campaign(
            conn,
            "Cam kết năm 2027",
            today - timedelta(days=5),
            today + timedelta(days=30),
            None,
            datetime.now(UTC),
        )
    await db.close()
    an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    lan = ZaloUser(zalo, "1f0e2cd5189df1c3a111", "Trần Thị Lan")
    await register(zalo, an)
    await register(zalo, lan)
    await grant(zbot, lan, "officer")

    await settle(zalo, an.send("cam kết"))
    await settle(zalo, an.press("Hộ gia đình"))
    ask_head = await settle(zalo, an.press("Tiếp tục"))
    assert "chủ hộ" in ask_head.text
    await settle(zalo, an.send("Nguyễn Văn An"))
    await settle(zalo, an.send("Số 12, xóm 3"))
    await settle(zalo, an.press("Đồng ý"))
    signed = await settle(zalo, an.press("Ký cam kết"))
    assert "DONG-" in signed.text

    await settle(zalo, an.send("Báo cáo"))
    await settle(zalo, an.press("Trộm cắp"))
    describe = await settle(zalo, an.send("Mất xe đạp trước cửa nhà văn hóa"))
    # Zalo's words: no buttons to press, no voice messages, no location to share.
    assert "gõ số của lựa chọn Tiếp tục" in describe.text and "bấm" not in describe.text
    await settle(zalo, an.press("Tiếp tục"))
    before = len(zalo.calls)
    await settle(zalo, an.press("Thôn Đông"))
    where = "\n".join(c.text for c in zalo.calls[before:] if c.chat_id == an.id)
    assert "gõ địa điểm" in where and "📎" not in where and "vị trí" not in where, where
    await settle(zalo, an.send("Ngõ 3 sau chợ"))
    await settle(zalo, an.press("Không"))
    before = len(zalo.calls)
    await settle(zalo, an.press("Gửi ẩn danh"))
    said = "\n".join(c.text for c in zalo.calls[before:] if c.chat_id == an.id)
    found = re.search(r"Mã theo dõi: ([A-Z0-9]{4}-[A-Z0-9]{4})", said)
    assert found is not None, said
    code = found.group(1)
    notice = await zalo.wait_for(lambda c: c.chat_id == lan.id, after=before)
    assert "Mất xe đạp" in notice.text and "Nguyễn Văn An" not in notice.text
    tracked = await settle(zalo, an.send(f"/theodoi {code}"))
    assert code in tracked.text


async def test_a_long_answer_arrives_as_parts_within_2000_characters(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    hung = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
    await register(zalo, an)
    await register(zalo, hung)
    await grant(zbot, hung, "officer")
    # A description typed in two messages (Zalo takes at most 2,000 characters in one).
    first = " ".join(f"Đêm qua lúc {i} giờ có người lạ đi xe máy không biển số." for i in range(22))
    second = " ".join(
        f"Sáng nay lúc {i} giờ lại thấy họ quanh chợ và nhà văn hóa." for i in range(22)
    )
    assert len(first) < 2000 and len(second) < 2000 and len(first) + len(second) > 2400
    await settle(zalo, an.send("báo cáo"))
    await settle(zalo, an.press("Trộm cắp"))
    await settle(zalo, an.send(first))
    await settle(zalo, an.send(second))
    await settle(zalo, an.press("Tiếp tục"))
    await settle(zalo, an.press("Thôn Đông"))
    await settle(zalo, an.press("Tôi không muốn nói"))
    await settle(zalo, an.press("Không"))
    before = len(zalo.calls)
    await settle(zalo, an.press("Gửi ẩn danh"))
    await zalo.wait_for(lambda c: c.chat_id == hung.id, after=before)
    await zalo.wait_idle(quiet=0.3)
    parts = [c for c in zalo.calls[before:] if c.chat_id == hung.id and c.ok]
    assert len(parts) == 2 and all(len(c.text) <= 2000 for c in parts)
    whole = "\n".join(c.text for c in parts)
    assert first[-40:] in whole and second[-40:] in whole
    assert "Nguyễn Văn An" not in whole


async def test_restart_in_the_middle_of_registration_resumes(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    dung = ZaloUser(zalo, "5d5d2cd5189df1c3a555", "Phạm Dũng")
    await settle(zalo, dung.send("menu"))
    await settle(zalo, dung.send("bắt đầu"))
    await settle(zalo, dung.press("Tôi đồng ý"))
    ask_area = await settle(zalo, dung.send("Phạm Văn Dũng"))
    await zbot.kill()
    await zbot.start()
    number = next(n for n, label in options(ask_area.text) if label == "Thôn Đông")
    done = await settle(zalo, dung.send(str(number)))  # the number shown before the restart
    assert "Thôn Đông" in done.text and "Phạm Văn Dũng" in done.text


async def test_an_officers_file_is_a_link_that_works_once(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
    await register(zalo, officer)
    await grant(zbot, officer, "officer")
    await settle(zalo, officer.send("thống kê"))
    await settle(zalo, officer.press("Thôn Đông"))
    await settle(zalo, officer.press("Năm nay"))
    before = len(zalo.calls)
    await officer.press("Bảng tính Excel")
    sent = await zalo.wait_for(
        lambda c: c.chat_id == officer.id and ".xlsx" in c.text, after=before
    )
    line = next(w for w in sent.text.split("\n") if ".xlsx" in w)
    url = next(w for w in line.split() if w.startswith("https://bot.example.vn/files/"))
    async with httpx.AsyncClient() as http:
        page = await http.get(zbot.local(url))
        assert page.status_code == 200 and ".xlsx" in page.text
        first = await http.post(zbot.local(url))
        assert first.status_code == 200 and first.content[:2] == b"PK"
        again = await http.post(zbot.local(url))
        assert again.status_code == 410


# Saturday 21 November 2026, 10:00 in Hà Nội.
START = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


@pytest.fixture
async def clocked(zalo: FakeZaloAPI, tmp_path: Path) -> AsyncIterator[RunningZaloBot]:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    running = RunningZaloBot(zalo, database, clock=fixed_clock(START))
    await running.start()
    yield running
    await running.stop()


async def test_a_leader_saves_the_notebook_and_an_officers_link_expires(
    zalo: FakeZaloAPI, clocked: RunningZaloBot
) -> None:
    to = ZaloUser(zalo, "7070e2cd5189df1c3a70", "Lê Văn Tổ")
    await register(zalo, to)
    await grant(clocked, to, "leader", "DONG")
    await settle(zalo, to.send("tuần tra"))
    how = await settle(zalo, to.press("Ghi lại"))
    assert "quá giờ 3" in how.text
    listed = await settle(
        zalo,
        to.send(
            "14/11 19:00-21:00; 5; quá giờ 3, lấn chiếm 1\n15/11 19:00-21:30; 4; rác 2\n"
            "16/11 19h-21h; 4; quá giờ 2"
        ),
    )
    assert "3 buổi tuần tra" in listed.text
    saved = await settle(zalo, to.press("Lưu 3"))
    assert "Đã lưu 3 buổi" in saved.text
    await settle(zalo, to.send("thống kê tuần tra"))
    figures = await settle(zalo, to.press("Tháng này"))
    assert "3 lượt tuần tra với 13 lượt thành viên tham gia" in figures.text

    officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
    await register(zalo, officer)
    await grant(clocked, officer, "officer")
    await settle(zalo, officer.send("thống kê"))
    await settle(zalo, officer.press("Thôn Đông"))
    await settle(zalo, officer.press("Tháng này"))
    before = len(zalo.calls)
    await officer.press("Tệp CSV")
    sent = await zalo.wait_for(lambda c: c.chat_id == officer.id and ".zip" in c.text, after=before)
    url = next(w for w in sent.text.split() if w.startswith("https://bot.example.vn/files/"))
    clocked.clock.advance(hours=7)  # links work for 6 hours
    async with httpx.AsyncClient() as http:
        expired = await http.post(clocked.local(url))
    assert expired.status_code == 410 and "hết hạn" in expired.text


async def test_mydata_and_forgetme_on_zalo(zalo: FakeZaloAPI, zbot: RunningZaloBot) -> None:
    gia = ZaloUser(zalo, "6161e2cd5189df1c3a61", "Đỗ Gia")
    await register(zalo, gia)
    data = await settle(zalo, gia.send("/dulieucuatoi"))
    assert "zalo" in data.text and gia.id in data.text and "Đỗ Gia" in data.text
    await settle(zalo, gia.send("xóa dữ liệu"))
    done = await settle(zalo, gia.press("🗑"))
    assert "xóa" in done.text
    assert "không lưu" in (await settle(zalo, gia.send("dữ liệu của tôi"))).text
    # Nor the options the chat was last shown (kept so typed numbers survive a restart).
    db = await Database.open(zbot.database)
    async with db.read() as conn, conn.execute("SELECT key FROM kv") as cur:
        assert [k for (k,) in await cur.fetchall() if gia.id in k] == []
    await db.close()


async def test_the_download_page_shows_a_file_name_as_text(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    name = "Thôn <b>\"Đông\"</b> & 'Tây'.xlsx"
    db = await Database.open(zbot.database)
    links = Links(db, PUBLIC_URL, 2, lambda: datetime.now(UTC))
    link = await links.make("zalo", "0ff1ce2cd5189df1c3a8", name, b"PK\x03\x04")
    await db.close()
    async with httpx.AsyncClient() as http:
        page = await http.get(zbot.local(link.url))
    assert page.status_code == 200
    assert "<b>" not in page.text and "\\\\<" not in page.text
    assert "Thôn &lt;b&gt;&quot;Đông&quot;&lt;/b&gt; &amp; &#x27;Tây&#x27;.xlsx" in page.text


async def test_a_zalo_admin_from_the_settings_has_an_officers_powers(
    zalo: FakeZaloAPI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    admin = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
    resident = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    bot = RunningZaloBot(zalo, database, admins=f"12345, zalo:{admin.id}")
    await bot.start()
    try:
        for person in (admin, resident):
            await register(zalo, person)
        refused = await settle(zalo, resident.send("thống kê"))
        assert "chỉ dành cho" in refused.text and not options(refused.text)
        stats = await settle(zalo, admin.send("thống kê"))
        assert "Thôn Đông" in {label for _, label in options(stats.text)}
        roles = await settle(zalo, admin.send("cấp quyền"))
        # Only admins may make officers: the admin on Zalo is offered it.
        assert "Cán bộ Công an xã, phường" in {label for _, label in options(roles.text)}
    finally:
        await bot.stop()


async def test_the_chart_of_stats_arrives_on_zalo_as_a_photo(
    zalo: FakeZaloAPI, zbot: RunningZaloBot
) -> None:
    officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
    await register(zalo, officer)
    await grant(zbot, officer, "officer")
    await settle(zalo, officer.send("thống kê"))
    await settle(zalo, officer.press("Thôn Đông"))
    before = len(zalo.calls)
    await settle(zalo, officer.press("Năm nay"))
    chart = await zalo.wait_for(
        lambda c: c.chat_id == officer.id and c.method == "sendPhoto", after=before
    )
    assert "Biểu đồ" in chart.text and "Thôn Đông" in chart.text  # its caption
    url = str(chart.params["photo"])
    assert url.startswith(PUBLIC_URL + "/media/")
    async with httpx.AsyncClient() as http:
        image = await http.get(zbot.local(url))
    assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
    assert image.headers["Content-Type"] == "image/png"
