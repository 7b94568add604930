"""The bot on Zalo as a platform: 429 and 5xx answers survived, the webhook's secret, a
refused token, and one process serving Zalo and Telegram on one database."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.config import SettingsError, load_settings
from bot.logging_setup import setup_logging
from bot.storage import inbox, pledge_campaigns
from bot.storage.db import Database
from tests.conftest import seed_areas
from tests.e2e.harness import ChatUser, fixed_clock
from tests.e2e.test_onboarding import register as register_telegram
from tests.e2e.test_pledges import sign
from tests.e2e.test_reports import settle as tg_settle
from tests.e2e.test_zalo_flows import grant, register, settle
from tests.e2e.zalo_harness import WEBHOOK_SECRET, ZALO_TOKEN, RunningZaloBot
from tests.fakebotapi import Call as FakeCall
from tests.fakebotapi import FakeBotAPI
from tests.fakezaloapi import Call, FakeZaloAPI, ZaloUser, group, options

# 10:00 in Vietnam: broadcasts go out at once (outside quiet hours).
MORNING = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloAPI]:
    server = FakeZaloAPI(ZALO_TOKEN)
    await server.start()
    yield server
    await server.stop()


async def started(zalo: FakeZaloAPI, tmp_path: Path, **kwargs: object) -> RunningZaloBot:
    database = tmp_path / "bot.sqlite3"
    await seed_areas(database)
    bot = RunningZaloBot(zalo, database, **kwargs)  # type: ignore[arg-type]
    await bot.start()
    return bot


@pytest.fixture
def production_logs() -> Iterator[Callable[[], str]]:
    """The logging ``xomantoan run`` sets up (at DEBUG), written where the test reads it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "aiohttp")}
    setup_logging("DEBUG", load_settings(zalo_token=ZALO_TOKEN).secrets)
    written = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(written)
    yield written.getvalue
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in noisy.items():
        logging.getLogger(name).setLevel(was)


async def test_429_and_5xx_answers_are_survived(
    zalo: FakeZaloAPI, tmp_path: Path, production_logs: Callable[[], str]
) -> None:
    bot = await started(zalo, tmp_path)
    try:
        an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
        zalo.fail("getUpdates", 502, raw="<html><body>502 Bad Gateway</body></html>")
        zalo.fail("sendMessage", 429)  # no retry time given
        zalo.fail("sendMessage", 500)
        zalo.fail("sendMessage", 429, retry_after=1)
        consent = await settle(zalo, an.send("bắt đầu"))
        assert "Chào mừng" in consent.text
        refused = [c.status for c in zalo.calls if c.method == "sendMessage" and not c.ok]
        assert refused == [429, 500, 429]
        assert len(zalo.sent(an.id)) == 1  # the reply arrived once
        # Failures were logged, and never with the token (it is in every request's URL).
        logged = production_logs()
        assert "429" in logged and "sendMessage: 500" in logged
        assert ZALO_TOKEN.split(":")[1] not in logged
    finally:
        await bot.stop()


async def test_webhook_with_a_good_and_a_wrong_secret(zalo: FakeZaloAPI, tmp_path: Path) -> None:
    bot = await started(zalo, tmp_path, webhook=True)
    try:
        async with httpx.AsyncClient() as http:  # the same server answers its health check
            health = await http.get(bot.http + "/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert zalo.webhook is not None
        assert zalo.webhook["url"] == "https://bot.example.vn/zalo/webhook"
        assert zalo.webhook["secret_token"] == WEBHOOK_SECRET
        an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
        target = bot.http + "/zalo/webhook"
        wrong = await zalo.post_webhook(target, an.update("bắt đầu"), secret="wrong-secret!")
        assert wrong.status_code == 403
        await zalo.wait_idle(quiet=0.2)
        assert zalo.sent(an.id) == []
        db = await Database.open(bot.database)
        async with db.read() as conn:
            assert await inbox.waiting(conn, "zalo") == []
            async with conn.execute("SELECT COUNT(*) FROM chats WHERE platform = 'zalo'") as c:
                assert (await c.fetchone())[0] == 0  # type: ignore[index]
        await db.close()
        before = len(zalo.calls)
        update = an.update("bắt đầu")
        good = await zalo.post_webhook(target, update)
        assert good.status_code == 200
        consent = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before)
        assert "Chào mừng" in consent.text
        # Zalo calling again with the same update (it got no answer in time) is answered once.
        assert (await zalo.post_webhook(target, update)).status_code == 200
        await zalo.wait_idle(quiet=0.2)
        assert len(zalo.sent(an.id)) == 1
    finally:
        await bot.stop()


async def test_a_refused_token_stops_with_one_line(zalo: FakeZaloAPI, tmp_path: Path) -> None:
    zalo.token = "1459232241454765289:anotherTOKENthanTheBotHas"
    bot = RunningZaloBot(zalo, tmp_path / "bot.sqlite3")
    with pytest.raises(SettingsError) as stopped:
        await bot.start()
    assert "XOMANTOAN_ZALO_TOKEN" in str(stopped.value)
    assert ZALO_TOKEN not in str(stopped.value)


async def test_one_process_serves_zalo_and_telegram_and_a_broadcast_reaches_both(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, telegram=api, admins="42", clock=fixed_clock(MORNING))
    try:
        officer = ChatUser(api, 42, "Công An Xã")
        await register_telegram(api, officer)
        tele = ChatUser(api, 2002, "Trần Thị Hoa")
        await register_telegram(api, tele)
        an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
        in_group = await settle(zalo, an.send("@Xóm An Toàn bắt đầu", group("9a9a0000")))
        assert "https://t.me" not in in_group.text and "/batdau" in in_group.text  # no link
        await register(zalo, an)
        for resident in (tele,):
            await resident.send("/subscribe")
            await resident.press("🔥")
            await resident.press("Xong")
        await settle(zalo, an.send("nhận tin"))
        await settle(zalo, an.press("🔥"))
        await settle(zalo, an.press("Xong"))
        await officer.send("/thongbao")
        await officer.press("📣")
        await officer.press("🔥")
        await officer.press("🔀")
        await officer.press("🏘")
        await officer.press("▶️")
        before_tg, before_zalo = len(api.calls), len(zalo.calls)
        await officer.press("✅")
        on_telegram = await api.wait_for(lambda c: c.chat_id == tele.id, after=before_tg)
        on_zalo = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before_zalo)
        assert "sạc" in on_telegram.rendered.lower() and "sạc" in on_zalo.text.lower()
        assert "<b>" not in on_zalo.text  # plain text on Zalo
        # Each reader gets the words of their own platform, in one fan-out.
        assert "bấm /ngungnhantin" in on_telegram.rendered
        assert "gõ /ngungnhantin" in on_zalo.text and "bấm" not in on_zalo.text
        await zalo.wait_idle()
        # Both deliveries count in the broadcast's figures, whatever the platform.
        db = await Database.open(bot.database)
        async with (
            db.read() as conn,
            conn.execute("SELECT platform, status FROM outbox WHERE batch_id IS NOT NULL") as cur,
        ):
            rows = {(r[0], r[1]) for r in await cur.fetchall()}
        await db.close()
        assert rows == {("telegram", "sent"), ("zalo", "sent")}
    finally:
        await bot.stop()


async def test_a_zalo_group_is_linked_by_mentions_and_gets_broadcasts(
    zalo: FakeZaloAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, clock=fixed_clock(MORNING))
    try:
        officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
        await register(zalo, officer)
        await grant(bot, officer, "officer")
        village = group("9a9a2cd5189df1c3a999")
        ask = await settle(zalo, officer.send("@Xóm An Toàn liên kết nhóm", village))
        number = next(n for n, label in options(ask.text) if "Thôn Đông" in label)
        linked = await settle(zalo, officer.send(f"@Xóm An Toàn {number}", village))
        assert "Thôn Đông" in linked.text
        await settle(zalo, officer.send("thông báo"))
        for label in ("📣", "🔥", "🔀", "🏘", "▶️"):
            await settle(zalo, officer.press(label))
        before = len(zalo.calls)
        await officer.press("✅")
        posted = await zalo.wait_for(lambda c: c.chat_id == village["id"], after=before)
        assert "sạc" in posted.text.lower()
    finally:
        await bot.stop()


async def test_a_household_signed_on_telegram_is_one_pledge_for_its_member_on_zalo(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, telegram=api)
    try:
        db = await Database.open(bot.database)
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
        father = ChatUser(api, 2001, "Nguyễn Văn An")
        await register_telegram(api, father)
        signed = await sign(father, "Nguyễn Văn An", "Số 12, xóm 3")
        assert "DONG-" in signed
        daughter = ZaloUser(zalo, "d0d0e2cd5189df1c3ad0", "Nguyễn Thị Bình")
        await register(zalo, daughter)
        await settle(zalo, daughter.send("cam kết"))
        await settle(zalo, daughter.press("Hộ gia đình"))
        await settle(zalo, daughter.press("Tiếp tục"))
        await settle(zalo, daughter.send("nguyễn văn an"))
        told = await settle(zalo, daughter.send("số 12, xóm 3"))
        assert "đã ký cam kết này" in told.text and "Nguyễn Văn An" in told.text
    finally:
        await bot.stop()


async def test_a_reply_that_got_no_answer_is_not_sent_again(
    zalo: FakeZaloAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, read_timeout=0.5)
    try:
        an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
        zalo.hang("sendMessage")  # Zalo takes the message and does not answer in time
        await an.send_only("bắt đầu")
        await zalo.wait_for(lambda c: c.chat_id == an.id)
        await zalo.wait_idle(quiet=1.0)
        zalo.release()
        assert len(zalo.sent(an.id)) == 1  # it arrived once; the bot did not send it again
        ask_name = await settle(zalo, an.press("Tôi đồng ý"))  # and the person goes on
        assert "tên" in ask_name.text
    finally:
        await bot.stop()


async def test_an_update_that_could_not_be_kept_is_taken_when_zalo_sends_it_again(
    zalo: FakeZaloAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await started(zalo, tmp_path, webhook=True)
    try:
        an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
        target = bot.http + "/zalo/webhook"
        keep = inbox.put_many
        failures = [RuntimeError("disk full")]

        async def put_many(*args: object, **kwargs: object) -> None:
            if failures:
                raise failures.pop()
            await keep(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(inbox, "put_many", put_many)
        update = an.update("bắt đầu")
        assert (await zalo.post_webhook(target, update)).status_code >= 500
        await zalo.wait_idle(quiet=0.2)
        assert zalo.sent(an.id) == []
        # Zalo sends it again: kept this time, and answered once.
        before = len(zalo.calls)
        assert (await zalo.post_webhook(target, update)).status_code == 200
        consent = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before)
        assert "Chào mừng" in consent.text
        await zalo.wait_idle(quiet=0.2)
        assert len(zalo.sent(an.id)) == 1
    finally:
        await bot.stop()


async def test_a_message_zalo_delivers_again_after_a_restart_is_answered_once(
    zalo: FakeZaloAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, webhook=True)
    an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    target = bot.http + "/zalo/webhook"
    try:
        update = an.update("bắt đầu")
        before = len(zalo.calls)
        assert (await zalo.post_webhook(target, update)).status_code == 200
        consent = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before)
        assert "Chào mừng" in consent.text
        await zalo.wait_idle(quiet=0.2)
        await bot.stop()
        # Zalo did not get the webhook's answer and calls again after the bot restarted.
        await bot.start()
        assert (await zalo.post_webhook(target, update)).status_code == 200
        await zalo.wait_idle(quiet=0.3)
        assert len(zalo.sent(an.id)) == 1
        await bot.stop()
        # The same message given again by getUpdates (the bot now polls) is not taken either.
        bot.webhook = False
        await bot.start()
        await zalo.push(update)
        ask_name = await settle(zalo, an.press("Tôi đồng ý"))  # a new message is answered
        assert "tên" in ask_name.text
        assert len(zalo.sent(an.id)) == 2
    finally:
        await bot.stop()


PHOTO = b"\xff\xd8\xff\xe0 a photo taken on Telegram"


async def broadcast_a_photo(
    api: FakeBotAPI, zalo: FakeZaloAPI, officer: ChatUser, an: ZaloUser, tele: ChatUser
) -> tuple[Call, FakeCall]:
    """The Telegram officer saves a message with a photo and sends it to Thôn Đông; what the
    Zalo and the Telegram resident get first."""
    api.files["PHOTO-B"] = PHOTO
    await officer.send("/thongbao")
    await officer.press("✍️")
    await officer.press("🔥")
    saved = await officer.send(
        "",
        caption="Cảnh giác cháy nổ khi sạc xe điện",
        photo=[{"file_id": "PHOTO-B", "file_unique_id": "pb", "width": 10, "height": 10}],
    )
    assert "lưu" in saved.rendered, saved.rendered
    await officer.send("/thongbao")
    await officer.press("📣")
    await officer.press("🔥")
    await officer.press("✍️ Cảnh giác")
    await officer.press("🏘")
    await officer.press("▶️")
    before_tg, before_zalo = len(api.calls), len(zalo.calls)
    await officer.press("✅")
    on_zalo = await zalo.wait_for(lambda c: c.chat_id == an.id, after=before_zalo)
    on_telegram = await api.wait_for(lambda c: c.chat_id == tele.id, after=before_tg)
    await zalo.wait_idle()
    return on_zalo, on_telegram


async def residents(zalo: FakeZaloAPI, api: FakeBotAPI) -> tuple[ChatUser, ChatUser, ZaloUser]:
    officer = ChatUser(api, 42, "Công An Xã")
    await register_telegram(api, officer)
    tele = ChatUser(api, 2002, "Trần Thị Hoa")
    await register_telegram(api, tele)
    an = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    await register(zalo, an)
    await tele.send("/subscribe")
    await tele.press("🔥")
    await tele.press("Xong")
    await settle(zalo, an.send("nhận tin"))
    await settle(zalo, an.press("🔥"))
    await settle(zalo, an.press("Xong"))
    return officer, tele, an


async def test_a_photo_sent_on_telegram_reaches_a_zalo_resident_as_a_photo(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, telegram=api, admins="42", clock=fixed_clock(MORNING))
    try:
        officer, tele, an = await residents(zalo, api)
        on_zalo, on_telegram = await broadcast_a_photo(api, zalo, officer, an, tele)
        assert on_telegram.method == "sendPhoto"
        # Zalo's sendPhoto takes a URL: the photo, fetched from Telegram, on the bot's server.
        assert on_zalo.method == "sendPhoto"
        url = str(on_zalo.params["photo"])
        assert url.startswith("https://bot.example.vn/media/")
        async with httpx.AsyncClient() as http:
            for _ in range(2):  # Zalo may fetch it more than once
                fetched = await http.get(bot.local(url))
                assert fetched.status_code == 200 and fetched.content == PHOTO
            # A media link is not a file's link (those work once), nor is a forged one good.
            as_file = await http.post(bot.local(url.replace("/media/", "/files/")))
            assert as_file.status_code == 404
            forged = await http.get(bot.local(url[:-3] + "AAA"))
            assert forged.status_code == 404
        text = [c.text for c in zalo.sent(an.id)][-1]
        assert "sạc xe điện" in text
    finally:
        await bot.stop()


async def test_without_a_public_address_a_zalo_resident_is_told_of_the_photo(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(
        zalo, tmp_path, telegram=api, admins="42", clock=fixed_clock(MORNING), public_url=None
    )
    try:
        officer, tele, an = await residents(zalo, api)
        on_zalo, _ = await broadcast_a_photo(api, zalo, officer, an, tele)
        assert on_zalo.method == "sendMessage"
        assert "sạc xe điện" in on_zalo.text
        assert "Tin này có kèm một ảnh" in on_zalo.text and "Telegram" in on_zalo.text
    finally:
        await bot.stop()


async def zalo_sign(
    zalo: FakeZaloAPI, user: ZaloUser, head: str, address: str, public: bool
) -> str:
    await settle(zalo, user.send("cam kết"))
    await settle(zalo, user.press("Hộ gia đình"))
    await settle(zalo, user.press("Tiếp tục"))
    await settle(zalo, user.send(head))
    await settle(zalo, user.send(address))
    await settle(zalo, user.press("Đồng ý" if public else "Không, xin giữ kín"))
    return (await settle(zalo, user.press("Ký cam kết"))).text


async def test_the_pledge_board_in_a_zalo_group_is_posted_and_kept_up_to_date(
    zalo: FakeZaloAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path)
    try:
        db = await Database.open(bot.database)
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
        officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
        leader = ZaloUser(zalo, "1ead2cd5189df1c3a801", "Trưởng Thôn Đông")
        dung = ZaloUser(zalo, "d0d02cd5189df1c3a802", "Phạm Dũng")
        em = ZaloUser(zalo, "e0e02cd5189df1c3a803", "Hoàng Em")
        for person in (officer, leader, dung, em):
            await register(zalo, person)
        await grant(bot, officer, "officer")
        await grant(bot, leader, "leader", "DONG")
        assert "DONG-" in await zalo_sign(zalo, dung, "Phạm Văn Dũng", "Số 5", public=True)
        assert "DONG-" in await zalo_sign(zalo, em, "Hoàng Thị Em", "Số 7", public=False)

        # The group is linked to its area by mentions, then the leader posts the board there.
        village = group("9a9a2cd5189df1c3a999")
        ask = await settle(zalo, officer.send("@Xóm An Toàn liên kết nhóm", village))
        number = next(n for n, label in options(ask.text) if "Thôn Đông" in label)
        linked = await settle(zalo, officer.send(f"@Xóm An Toàn {number}", village))
        assert "Thôn Đông" in linked.text
        before = len(zalo.calls)
        await settle(zalo, leader.send("@Xóm An Toàn bảng cam kết", village))
        board = "\n".join(c.text for c in zalo.sent(village["id"]) if zalo.calls.index(c) >= before)
        assert "Cam kết năm 2027" in board and "Phạm Văn Dũng" in board
        assert "Hoàng Thị Em" not in board and "Số 5" not in board  # privacy as on Telegram
        assert "https://" not in board and "/batdau" in board  # how to sign, without a link
        # What the board says to type, typed in the private chat, leads to the pledge.
        opened = await settle(zalo, leader.send("/batdau go-pledge"))
        assert "/camket" in opened.text
        # A resident may not post it.
        refused = await settle(zalo, dung.send("@Xóm An Toàn bảng cam kết", village))
        assert "Phạm Văn Dũng" not in refused.text

        # The household that was listed withdraws: the board in the group is brought up to
        # date (Zalo cannot edit a message: the board comes again, without the name).
        await settle(zalo, dung.send("cam kết"))
        await settle(zalo, dung.press("Rút cam kết"))
        before = len(zalo.calls)
        await settle(zalo, dung.press("Có, rút cam kết"))
        again = await zalo.wait_for(lambda c: c.chat_id == village["id"], after=before)
        assert "Cam kết năm 2027" in again.text and "Phạm Văn Dũng" not in again.text
    finally:
        await bot.stop()


async def test_a_zalo_groups_board_changed_from_telegram_keeps_zalos_words(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    """What is sent to a chat is worded and linked for that chat's platform, whoever (or
    whichever platform) caused it: no Telegram link reaches a Zalo group."""
    bot = await started(zalo, tmp_path, telegram=api)
    try:
        db = await Database.open(bot.database)
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
        father = ChatUser(api, 2001, "Nguyễn Văn An")
        await register_telegram(api, father)
        assert "DONG-" in await sign(father, "Nguyễn Văn An", "Số 12, xóm 3", public=True)
        officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
        await register(zalo, officer)
        await grant(bot, officer, "officer")
        village = group("9a9a2cd5189df1c3a999")
        ask = await settle(zalo, officer.send("@Xóm An Toàn liên kết nhóm", village))
        number = next(n for n, label in options(ask.text) if "Thôn Đông" in label)
        await settle(zalo, officer.send(f"@Xóm An Toàn {number}", village))
        posted = await settle(zalo, officer.send("@Xóm An Toàn bảng cam kết", village))
        assert "Nguyễn Văn An" in posted.text and "t.me" not in posted.text
        # The father withdraws on Telegram: the Zalo group's board comes again, for Zalo.
        await father.send("/pledge")
        await father.press("Rút cam kết")
        before = len(zalo.calls)
        await father.press("Có, rút cam kết")
        again = await zalo.wait_for(lambda c: c.chat_id == village["id"], after=before)
        assert "Nguyễn Văn An" not in again.text
        assert "t.me" not in again.text and "/batdau go-pledge" in again.text
    finally:
        await bot.stop()


async def test_a_report_photo_sent_on_telegram_reaches_its_handler_on_zalo(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, telegram=api)
    try:
        officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
        await register(zalo, officer)
        await grant(bot, officer, "officer")
        an = ChatUser(api, 2001, "Nguyễn Văn An")
        await register_telegram(api, an)
        api.files["PHOTO-R"] = PHOTO
        await tg_settle(api, an.send("/baocao"))
        await tg_settle(api, an.press("Trộm cắp"))
        photo_id = [{"file_id": "PHOTO-R", "file_unique_id": "pr", "width": 10, "height": 10}]
        await tg_settle(api, an.send("", photo=photo_id, caption="Mất xe máy trước nhà văn hóa"))
        await tg_settle(api, an.press("Tiếp tục"))
        await tg_settle(api, an.press("Thôn Đông"))
        await tg_settle(api, an.send("Ngõ 3 sau chợ"))
        await tg_settle(api, an.press("Không"))
        before = len(zalo.calls)
        await an.press("Gửi ẩn danh")
        card = await zalo.wait_for(
            lambda c: c.chat_id == officer.id and "Mất xe máy" in c.text, after=before
        )
        assert "1 ảnh" in card.text
        await zalo.wait_idle()
        # The handler asks for the photos: the photo itself arrives, on the bot's own server.
        before = len(zalo.calls)
        await officer.press("Xem ảnh")
        photo = await zalo.wait_for(
            lambda c: c.chat_id == officer.id and c.method == "sendPhoto", after=before
        )
        async with httpx.AsyncClient() as http:
            fetched = await http.get(bot.local(str(photo.params["photo"])))
        assert fetched.content == PHOTO
        await zalo.wait_idle()
        said = "\n".join(c.text for c in zalo.calls[before:] if c.chat_id == officer.id)
        assert "Tin báo #1: ảnh 1/1" in said
    finally:
        await bot.stop()


async def test_a_report_voice_note_is_said_plainly_to_a_handler_on_zalo(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    """Zalo cannot play a voice note: the card of a report sent with one says so (and where it
    can be heard), and offers no option that would send nothing to hear."""
    bot = await started(zalo, tmp_path, telegram=api)
    try:
        officer = ZaloUser(zalo, "0ff1ce2cd5189df1c3a8", "Lê Văn Hùng")
        await register(zalo, officer)
        await grant(bot, officer, "officer")
        an = ChatUser(api, 2001, "Nguyễn Văn An")
        await register_telegram(api, an)
        await tg_settle(api, an.send("/baocao"))
        await tg_settle(api, an.press("Trộm cắp"))
        voice = {"file_id": "VOICE-R", "file_unique_id": "vr", "duration": 9}
        await tg_settle(api, an.send("", voice=voice))
        await tg_settle(api, an.press("Tiếp tục"))
        await tg_settle(api, an.press("Thôn Đông"))
        await tg_settle(api, an.send("Ngõ 3 sau chợ"))
        await tg_settle(api, an.press("Không"))
        before = len(zalo.calls)
        await an.press("Gửi ẩn danh")
        card = await zalo.wait_for(
            lambda c: c.chat_id == officer.id and "Tin báo mới" in c.text, after=before
        )
        assert "1 tin nhắn thoại" in card.text
        assert "chỉ nghe được trên Telegram" in card.text and "Nghe ghi âm" not in card.text
    finally:
        await bot.stop()


async def test_a_photo_zalo_refuses_is_not_lost_silently(
    zalo: FakeZaloAPI, api: FakeBotAPI, tmp_path: Path
) -> None:
    bot = await started(zalo, tmp_path, telegram=api, admins="42", clock=fixed_clock(MORNING))
    try:
        officer, tele, an = await residents(zalo, api)
        zalo.fail("sendPhoto", 400, description="Bad Request: the photo could not be fetched")
        await broadcast_a_photo(api, zalo, officer, an, tele)
        said = "\n".join(c.text for c in zalo.sent(an.id)[-2:])
        assert "Tin này có kèm một ảnh" in said and "sạc xe điện" in said
    finally:
        await bot.stop()
